"""Feedback and complaints in the store (CARE-3): a general page linked from every page's footer,
a short form on an order's page, and the page the consumer's SMS link opens to confirm the
resolution or reopen the complaint (no login: the link is the key, and it answers once)."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from autodcc.core.errors import DomainError, NotFound
from autodcc.feedback import services
from autodcc.feedback.models import Complaint, Source
from autodcc.storefront.forms import add_errors
from autodcc.storefront.forms_feedback import DecisionForm, FeedbackForm, OrderFeedbackForm
from autodcc.storefront.views.common import RATE_LIMITED, limited, page, post_rate, store_consumer

SESSION_KEY = "store_feedback"


def _fresh_key() -> str:
    return secrets.token_urlsafe(16)


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST, request.FILES)
        if limited(request):
            form.is_valid()
            form.add_error(None, RATE_LIMITED)
            status = 429
        elif form.is_valid():
            data = services.ComplaintInput(**form.values())
            key = form.cleaned_data.get("submission") or ""
            try:
                complaint, _created = services.complaint_file(
                    actor=store_consumer(data.phone), data=data, source=Source.STORE,
                    submission_key=f"store:{key}" if key else "")
            except DomainError as exc:
                add_errors(form, exc, form.ALIASES)
            else:
                request.session[SESSION_KEY] = complaint.pk
                return redirect("store:feedback_thanks")
        if form.errors and status == 200:
            status = 400
    else:
        form = FeedbackForm(initial={"submission": _fresh_key(), "order": request.GET.get("order", "")[:40]})
    return page(request, "feedback/form.html", {"form": form, "nav": "feedback"}, status=status)


@require_GET
def feedback_thanks(request: HttpRequest) -> HttpResponse:
    pk = request.session.get(SESSION_KEY)
    complaint = Complaint.objects.select_related("dealer").filter(pk=pk).first() if pk else None
    if complaint is None:
        return redirect("store:feedback")
    return page(request, "feedback/thanks.html", {"complaint": complaint})


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_POST
def order_feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The form on the order's page: the buyer, the order and its dealer are known."""
    from autodcc.storefront.views.orders import _order_or_404, _order_page

    order = _order_or_404(token)
    form = OrderFeedbackForm(request.POST, request.FILES, prefix="fb")
    if limited(request):
        messages.error(request, RATE_LIMITED)
        return redirect(reverse("store:order", args=[token]) + "#feedback")
    if form.is_valid():
        values = form.values()
        values.update(name=order.buyer_name or order.customer.name, phone=order.customer.phone)
        data = services.ComplaintInput(**values)
        key = form.cleaned_data.get("submission") or ""
        try:
            complaint, _created = services.complaint_file(
                actor=store_consumer(data.phone), data=data, source=Source.STORE_ORDER, order=order,
                submission_key=f"store:{key}" if key else "")
        except DomainError as exc:
            add_errors(form, exc, form.ALIASES)
        else:
            messages.success(request, _("Thank you. Your feedback %(number)s is with %(handler)s; they contact you "
                                        "soon.") % {"number": complaint.number, "handler": complaint.handler_label})
            return redirect(reverse("store:order", args=[token]) + "#feedback")
    return _order_page(request, order, feedback_form=form, status=400)


@never_cache
@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def complaint_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The SMS link: the resolution, and two buttons: it is resolved, or it is not (with a comment)."""
    try:
        complaint = services.by_token(token)
    except NotFound:
        raise Http404 from None
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if limited(request):
            form.add_error(None, RATE_LIMITED)
            status = 429
        elif form.is_valid():
            accept = request.POST.get("decision") == "accept"
            try:
                services.consumer_decide(token=token, accept=accept, comment=form.cleaned_data["comment"])
            except NotFound:
                raise Http404 from None
            except DomainError as exc:
                if exc.field == "comment":
                    add_errors(form, exc)
                    status = 400
                else:
                    messages.error(request, exc.message)
                    return redirect("store:complaint_confirm", token=token)
            else:
                if accept:
                    messages.success(request, _("Thank you for confirming. We are glad it is resolved."))
                else:
                    messages.success(request, _("We are sorry it is not resolved yet. Your complaint is open again "
                                                "and the person handling it will contact you."))
                return redirect("store:complaint_confirm", token=token)
    complaint.refresh_from_db()
    return page(request, "feedback/confirm.html", {
        "complaint": complaint, "form": form, "state": services.link_state(complaint)}, status=status)
