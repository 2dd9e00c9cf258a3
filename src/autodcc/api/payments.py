"""Providers' asynchronous payment and refund notifications (webhooks)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from autodcc.orders import providers
from autodcc.orders.models import NotificationOutcome
from autodcc.orders.services import notification_receive


@csrf_exempt
@require_POST
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """Verify, apply once, answer as the provider expects; anything rejected is logged and answered 400."""
    outcome = notification_receive(provider, request.body, dict(request.headers))
    if outcome == NotificationOutcome.REJECTED:
        return HttpResponse("rejected", status=400, content_type="text/plain")
    client = providers.get(provider)
    return HttpResponse(client.ack_body, content_type=client.ack_content_type)


@require_http_methods(["GET", "POST"])
def sandbox_checkout(request: HttpRequest, out_trade_no: str) -> HttpResponse:
    """The sandbox payment company's checkout page: pay (its signed notification follows
    asynchronously) or go back. Only used with the sandbox provider."""
    from django.shortcuts import get_object_or_404, redirect, render

    from autodcc.orders.models import Payment, PaymentStatus
    from autodcc.orders.services import sandbox_pay

    payment = get_object_or_404(Payment.objects.select_related("order__trim"), provider="sandbox",
                                out_trade_no=out_trade_no)
    if request.method == "POST":
        if request.POST.get("action") == "pay" and payment.status == PaymentStatus.PENDING:
            sandbox_pay(out_trade_no=out_trade_no)
        back = payment.return_url if url_has_allowed_host_and_scheme(payment.return_url, allowed_hosts=None) else "/"
        return redirect(back or "/")
    return render(request, "payments/sandbox_checkout.html", {"payment": payment})
