"""Calling the customer (LEAD-6): the lead's holder, or their supervisor, sees the full number
(audited: who saw whose number, when) and calls it, through the telephony provider or a tel: link.
The call is logged as a contact when its result is recorded, under the call's reference."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from autodcc.core.actors import Actor
from autodcc.core.errors import Forbidden
from autodcc.core.roles import DEALER_MANAGERS, Role
from autodcc.leads import telephony
from autodcc.leads.models import Lead
from autodcc.leads.services import common


@dataclass(frozen=True)
class Dial:
    phone: str
    reference: str
    bridged: bool


def may_call(actor: Actor, lead: Lead) -> bool:
    """The person holding the lead, or a supervisor or manager of its dealer."""
    if not actor.can("leads.work", dealer=lead.dealer) or not lead.is_open:
        return False
    holder = lead.holder
    if holder is not None and holder.pk == actor.staff_id:
        return True
    return any(g.role in {Role.DCC_SUPERVISOR, *DEALER_MANAGERS} and g.dealer_id == lead.dealer_id
               for g in actor.grants)


@transaction.atomic
def lead_dial(*, actor: Actor, lead: Lead) -> Dial:
    lead = common.lock(lead, actor)
    if not may_call(actor, lead):
        raise Forbidden("forbidden")
    staff = common.staff_of(actor)
    reference = f"{lead.number}-{timezone.localtime():%m%d%H%M%S}"
    call = telephony.CallRequest(reference=reference, agent_phone=getattr(staff, "phone", "") or "",
                                 customer_phone=lead.customer.phone)
    line = telephony.provider()
    common.record(actor, "lead.dial", lead, common.snapshot(lead), extra={"call": reference})
    transaction.on_commit(lambda: line.dial(call))
    return Dial(phone=lead.customer.phone, reference=reference, bridged=line.bridges)
