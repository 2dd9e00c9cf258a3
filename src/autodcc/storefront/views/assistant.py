"""The store's FAQ assistant (BOT-1): a chat panel on every store page (and a page of its own that
works without scripts). No login: the conversation is kept in the session, and on the customer
once the mobile is known (proven on “my orders”, or given here)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from autodcc.assistant import services
from autodcc.assistant.models import Conversation, Status
from autodcc.core.errors import DomainError
from autodcc.storefront.views.common import RATE_LIMITED, limited, page, post_rate

SESSION_KEY = "store_assistant"


def _conversation(request: HttpRequest) -> Conversation | None:
    token = request.session.get(SESSION_KEY)
    if not token:
        return None
    return Conversation.objects.filter(token=token).first()


def _known_phone(request: HttpRequest) -> str:
    from autodcc.storefront.views.mine import _proven_phone

    return _proven_phone(request) or ""


def _start(request: HttpRequest) -> Conversation:
    conversation = services.conversation_start(phone=_known_phone(request))
    request.session[SESSION_KEY] = conversation.token
    return conversation


def _context(conversation: Conversation | None, **extra: Any) -> dict[str, Any]:
    messages = list(conversation.messages.select_related("entry", "staff")) if conversation else []
    from django.conf import settings

    return {"brand": settings.AUTODCC_BRAND, "conversation": conversation, "chat": messages, "last": messages[-1].pk if messages else 0,
            "status": conversation.status if conversation else Status.BOT, **extra}


def _panel(request: HttpRequest, conversation: Conversation | None, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = _context(conversation, **extra)
    if request.headers.get("X-Assistant") or request.GET.get("panel"):
        return render(request, "storefront/_assistant_panel.html", context, status=status)
    return page(request, "assistant.html", {**context, "nav": "assistant"}, status=status)


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest) -> HttpResponse:
    conversation = _conversation(request)
    if request.method == "GET":
        return _panel(request, conversation)
    if limited(request):
        return _panel(request, conversation, status=429, error=str(RATE_LIMITED), typed=request.POST.get("text", ""))
    action = request.POST.get("action", "ask")
    try:
        if action == "phone":
            if conversation is None:
                conversation = _start(request)
            services.give_phone(conversation=conversation, phone=request.POST.get("phone", ""))
        elif action == "person":
            if conversation is None or conversation.status == Status.CLOSED:
                conversation = _start(request)
            services.ask_for_person(conversation=conversation)
        else:
            text = request.POST.get("text", "")
            services.clean_text(text, limit=services.MESSAGE_LIMIT)  # refuse before starting anything
            if conversation is None or conversation.status == Status.CLOSED:
                conversation = _start(request)
            services.ask(conversation=conversation, text=text)
    except DomainError as exc:
        if conversation is not None:
            conversation.refresh_from_db()
        field = "phone_typed" if action == "phone" else "typed"
        return _panel(request, conversation, status=400, error=exc.message,
                      **{field: request.POST.get("phone" if action == "phone" else "text", "")})
    if request.headers.get("X-Assistant"):
        conversation.refresh_from_db()
        return _panel(request, conversation)
    return redirect("store:assistant")


@require_http_methods(["GET"])
def log(request: HttpRequest) -> HttpResponse:
    """The conversation's messages (the panel asks every few seconds while a person is on it)."""
    return render(request, "storefront/_assistant_log.html", _context(_conversation(request)))
