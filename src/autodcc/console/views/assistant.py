"""The assistant's console pages (BOT-1): customer service's live queue and each conversation with
the customer's leads and orders beside it; HQ's question bank and the questions it could not
answer."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.assistant import bank, selectors, services
from autodcc.assistant.models import Category, Conversation, Entry, OpenQuestion
from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.assistant import EntryForm, ReplyForm
from autodcc.console.views.base import is_htmx, querystring_without_page, run_service, staff_view

HANDLE = "assistant.handle"
MANAGE = "assistant.manage"


@staff_view(HANDLE)
def chat_queue(request: HttpRequest) -> HttpResponse:
    if wants_export(request):
        return export_list(request, "chats", selectors.conversations())
    context = selectors.queue()
    if is_htmx(request):
        return render(request, "console/assistant/queue.html#queue", context)
    return render(request, "console/assistant/queue.html", context)


def _chat_context(request: HttpRequest, conversation: Conversation, form: ReplyForm | None = None) -> dict:
    return {"conversation": conversation, "chat": list(conversation.messages.select_related("staff", "entry")),
            "form": form or ReplyForm(), **selectors.beside(request.actor, conversation)}


@staff_view(HANDLE)
def chat_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation.objects.select_related("agent", "customer"), pk=pk)
    form = None
    if request.method == "POST":
        if request.POST.get("action") == "close":
            run_service(ReplyForm(), lambda: services.conversation_close(actor=request.actor, conversation=conversation))
            messages.success(request, _("Conversation closed."))
            return redirect("console:chat_queue")
        form = ReplyForm(request.POST)
        if form.is_valid() and run_service(form, lambda: services.agent_reply(
                actor=request.actor, conversation=conversation, text=form.cleaned_data["text"])) is not None:
            return redirect("console:chat_detail", pk=conversation.pk)
        conversation.refresh_from_db()
        return render(request, "console/assistant/chat.html", _chat_context(request, conversation, form), status=400)
    if is_htmx(request):
        return render(request, "console/assistant/chat.html#transcript", _chat_context(request, conversation))
    return render(request, "console/assistant/chat.html", _chat_context(request, conversation))


@staff_view(MANAGE)
def faq_list(request: HttpRequest) -> HttpResponse:
    q, category, active = request.GET.get("q", "").strip(), request.GET.get("category", ""), request.GET.get("active", "")
    trial = request.GET.get("try", "").strip()[:500]
    tried = []
    if trial:
        found = bank.best(trial, limit=3)
        rows = Entry.objects.in_bulk([m.entry_id for m in found])
        tried = [{"entry": rows[m.entry_id], "confidence": m.confidence, "answers": m.confidence >= bank.threshold()}
                 for m in found if m.entry_id in rows]
    entries = selectors.entries(q=q, category=category if category in Category.values else "", active=active)
    if wants_export(request):
        return export_list(request, "faq", entries)
    return render(request, "console/assistant/bank.html", {
        "entries": entries, "qs": querystring_without_page(request),
        "q": q, "category": category, "active": active, "categories": Category.choices, "trial": trial,
        "tried": tried, "threshold": bank.threshold(), "open_count": selectors.open_questions().count()})


@staff_view(MANAGE)
def faq_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    entry = get_object_or_404(Entry, pk=pk) if pk else Entry()
    source = None
    raw = request.GET.get("from") or request.POST.get("from") or ""
    if raw:
        if not raw.isdigit():
            raise Http404
        source = get_object_or_404(OpenQuestion, pk=int(raw))
    initial = {"question": source.text[:200]} if source is not None and not pk else {}
    form = EntryForm(request.POST or None, instance=entry, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.entry_save(actor=request.actor, entry=form.instance,
                                                              from_question=source))
        if saved is not None:
            messages.success(request, _("Question saved: the assistant answers with it from now on."))
            return redirect("console:faq_list")
    history = []
    if entry.pk:
        from autodcc.core.models import AuditLog

        history = AuditLog.objects.filter(object_type="assistant.entry", object_id=str(entry.pk)).order_by("-id")[:20]
    return render(request, "console/assistant/entry.html", {"entry": entry, "form": form, "source": source,
                                                            "history": history})


@staff_view(MANAGE)
def faq_questions(request: HttpRequest) -> HttpResponse:
    return render(request, "console/assistant/questions.html", {"questions": selectors.open_questions()[:200]})


@require_POST
@staff_view(MANAGE)
def faq_question_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(OpenQuestion, pk=pk)
    run_service(ReplyForm(), lambda: services.question_dismiss(actor=request.actor, question=question))
    messages.success(request, _("Question dismissed."))
    return redirect("console:faq_questions")
