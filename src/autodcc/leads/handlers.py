"""After-commit work of the lead spine, run by the outbox dispatcher (outside the request)."""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from autodcc.core import outbox
from autodcc.leads.models import Channel, Lead
from autodcc.leads.services.assignment import customer_label
from autodcc.leads.services.capture_pass import NOTIFY_TOPIC
from autodcc.messaging.models import Event
from autodcc.network.models import Staff


@outbox.handler(NOTIFY_TOPIC)
def tell_agents(payload: dict[str, Any]) -> None:
    """One message per agent for the leads just captured: how many, the first to call, its deadline."""
    from autodcc.messaging.services import message_send

    entries = payload.get("agents") or []
    staff = {s.pk: s for s in Staff.objects.filter(pk__in=[a for a, _lead, _n in entries])}
    leads = {lead.pk: lead for lead in Lead.objects.select_related("customer", "dealer")
             .filter(pk__in=[lead for _a, lead, _n in entries])}
    for agent_id, lead_id, count in entries:
        agent, first = staff.get(agent_id), leads.get(lead_id)
        if agent is None or first is None or not agent.phone:
            continue
        label: Any = customer_label(first)
        if count > 1:
            label = format_lazy(gettext_lazy("{first} and others, {n} leads in all"), first=label, n=count)
        message_send(event=Event.LEAD_ASSIGNED, to_phone=agent.phone, to_staff_id=agent.pk, dealer=first.dealer,
                     related=first, context={"staff": agent.name, "customer": label,
                                             "channel": Channel(first.channel).label,
                                             "due": first.first_response_due_at or "—"})
