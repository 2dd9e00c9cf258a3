"""What the order pages share: the actor's view of an order or a refund, month bounds, labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, NotFound, add_to_form
from autodcc.core.tenancy import get_for_actor
from autodcc.orders.models import (
    Order,
    Refund,
    RefundStatus,
)

ORDER_RELATED = ("trim__model", "edition__package", "dealer", "customer")


# refunds HQ customer service has to act on (or chase the dealer about)
WAITING_REFUNDS = (RefundStatus.REQUESTED, RefundStatus.DEALER_CONFIRMED, RefundStatus.FAILED)


RECEIPT_OVERDUE_DAYS = 7


# the milestone dates of the list, in order
LIST_DATES = ("paid", "visited", "contracted", "delivered", "received")


STEP_LABELS = {"visited": gettext_lazy("Record the store visit"), "contracted": gettext_lazy("Record the contract"),
               "delivered": gettext_lazy("Record the delivery")}


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted  # type: ignore[attr-defined]


def _shows_dealer(actor: Actor) -> bool:
    return actor.is_hq or bool(actor.region_ids) or len(actor.dealer_ids) > 1


def _call(form: forms.Form, service: Callable[[], Any]) -> bool:
    """Run a service; a refusal lands on ``form`` (False), not-found is 404, forbidden 403."""
    try:
        service()
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as exc:
        add_to_form(form, exc)
        return False
    return True


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
