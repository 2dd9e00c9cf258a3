"""After-commit work of the lead spine, run by the outbox dispatcher (outside the request)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from autodcc.core import outbox
from autodcc.leads.models import Channel, Lead
from autodcc.leads.services.assignment import customer_label
from autodcc.leads.services.capture_pass import NOTIFY_TOPIC
from autodcc.messaging.models import Event, Message
from autodcc.network.models import Staff


@outbox.handler(NOTIFY_TOPIC, batch=True)
def tell_agents(payloads: list[dict[str, Any]]) -> None:
    """One message per agent for the leads captured since the last dispatch (every event due is
    taken at once): how many, the first to call, its deadline."""
    from autodcc.messaging.services import message_send

    merged: dict[int, list[int]] = {}
    for payload in payloads:
        for agent_id, lead_id, count in payload.get("agents") or []:
            if agent_id in merged:
                merged[agent_id][1] += count
            else:
                merged[agent_id] = [lead_id, count]
    entries = [(agent_id, lead_id, count) for agent_id, (lead_id, count) in merged.items()]
    entries = _not_told_lately(entries)
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


def _not_told_lately(entries: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """An agent told of new leads less than ``LEAD_NOTICE_INTERVAL`` seconds ago is told again
    when that time is up, of everything that arrived meanwhile (one event per agent); the others
    are told now. Under a burst each agent gets one message a minute, not one per lead."""
    interval = dt.timedelta(seconds=settings.LEAD_NOTICE_INTERVAL)
    if not entries or not interval:
        return entries
    now = timezone.now()
    last = dict(Message.objects.filter(event=Event.LEAD_ASSIGNED, recipient_staff_id__in=[a for a, _l, _n in entries],
                                       created_at__gt=now - interval)
                .values_list("recipient_staff_id").annotate(at=Max("created_at")).order_by())
    later = [[agent_id, lead_id, count] for agent_id, lead_id, count in entries if agent_id in last]
    if later:  # one event, due when the first of them may be told again; the rest wait once more then
        outbox.enqueue(NOTIFY_TOPIC, {"agents": later}, at=min(last[a] for a, _l, _n in later) + interval)
    return [e for e in entries if e[0] not in last]
