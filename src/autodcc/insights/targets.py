"""A dealer's monthly targets (KPI-4 target attainment): leads, arrivals and orders for a month."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from autodcc.core import audit
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, register
from autodcc.insights.models import MonthlyTarget
from autodcc.network.models import Dealer

register({"insights.target_invalid": _("A target is a whole number, zero or more.")})

FIELDS = ("leads", "arrivals", "orders")


def target_set(*, actor: Actor, dealer: Dealer, month: dt.date, leads: int, arrivals: int,
               orders: int) -> MonthlyTarget:
    """Set the dealer's targets for ``month`` (any day of it); the change goes to the audit trail."""
    if not actor.can("insights.targets", dealer=dealer):
        raise Forbidden("forbidden")
    values = {"leads": leads, "arrivals": arrivals, "orders": orders}
    for name, number in values.items():
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise DomainError("insights.target_invalid", field=name)
    first = month.replace(day=1)
    with transaction.atomic():
        target = (MonthlyTarget.objects.select_for_update()
                  .filter(dealer=dealer, staff__isnull=True, month=first).first())
        before = audit.snapshot(target, FIELDS) if target else None
        if target is None:
            target = MonthlyTarget.objects.create(dealer=dealer, month=first, **values)
        else:
            for name, number in values.items():
                setattr(target, name, number)
            target.save(update_fields=list(FIELDS))
        audit.record(actor=actor, action="monthly_target.set", obj=target, before=before,
                     after={"month": first, **audit.snapshot(target, FIELDS)}, dealer_id=dealer.pk)
    return target
