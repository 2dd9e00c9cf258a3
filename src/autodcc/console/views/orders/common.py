"""What the order pages share: the actor's view of an order or a refund, month bounds, labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from autodcc.console.views.base import is_htmx, run_service, shows_dealer
from autodcc.core.tenancy import get_for_actor
from autodcc.orders.models import (
    Order,
    Refund,
    RefundStatus,
)

ORDER_RELATED = ("trim__model", "edition__package", "dealer", "customer")


# refunds HQ customer service has to act on (or chase the dealer about)
WAITING_REFUNDS = (RefundStatus.REQUESTED, RefundStatus.DEALER_CONFIRMED, RefundStatus.FAILED,
                   RefundStatus.DEALER_DECLINED)


RECEIPT_OVERDUE_DAYS = 7


# the milestone dates of the list, in order
LIST_DATES = ("paid", "visited", "contracted", "delivered", "received")


STEP_LABELS = {"visited": gettext_lazy("Record the store visit"), "contracted": gettext_lazy("Record the contract"),
               "delivered": gettext_lazy("Record the delivery")}


_htmx = is_htmx


_shows_dealer = shows_dealer


def _call(form: forms.Form, service: Callable[[], Any]) -> bool:
    """Whether the service ran (a refusal lands on ``form``); services here may return nothing."""
    return run_service(form, lambda: [service()]) is not None


def _order_for(request: HttpRequest, pk: int) -> Order:
    """The order if the actor's dealers include its dealer (or HQ / the region), else 404."""
    return get_for_actor(Order.objects.select_related(*ORDER_RELATED), request.actor, pk=pk)


def _refund_for(request: HttpRequest, pk: int) -> Refund:
    return get_for_actor(Refund.objects.select_related("order"), request.actor, pk=pk)


def _receipt_overdue_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=RECEIPT_OVERDUE_DAYS)


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (timezone.make_aware(dt.datetime.combine(month, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(nxt, dt.time.min)))
