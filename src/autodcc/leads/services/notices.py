"""Telling DCC agents of their new leads (the "new leads" message).

A capture batch queues one outbox event naming, per agent, its first new lead and how many
there are. The dispatcher hands every such event that is due to ``tell_agents`` at once, which
sends each agent one message for all of them. An agent told less than ``LEAD_NOTICE_INTERVAL``
seconds ago is told when that time is up (of everything that arrived meanwhile), so a burst of
leads makes one message a minute per agent, not one per lead.
"""

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
from autodcc.messaging.models import Event, Message
from autodcc.network.models import Staff

TOPIC = "leads.assigned"


def ask(assigned: list[tuple[int, int]]) -> None:
    """Queue the notice of these new leads ((agent, lead) pairs) for after this transaction."""
    per_agent: dict[int, list[int]] = {}
    for agent_id, lead_id in assigned:
        per_agent.setdefault(agent_id, []).append(lead_id)
    if per_agent:
        outbox.enqueue(TOPIC, {"agents": [[a, ids[0], len(ids)] for a, ids in per_agent.items()]}, returning=False)


@outbox.handler(TOPIC, batch=True, keep=False)
def tell_agents(payloads: list[dict[str, Any]]) -> None:
    """One message per agent for every notice due: how many leads, the first to call, its deadline."""
    from autodcc.leads.services.assignment import customer_label
    from autodcc.messaging.services import message_send

    waiting: dict[int, list[int]] = {}  # agent → [first lead, count]
    put_off: dict[int, dt.datetime] = {}  # agent → the message that put their notice off
    for payload in payloads:
        for agent_id, lead_id, count, *after in payload.get("agents") or []:
            if agent_id in waiting:
                waiting[agent_id][1] += count
            else:
                waiting[agent_id] = [lead_id, count]
            if after:  # a notice put off by the message sent then
                told_at = dt.datetime.fromisoformat(after[0])
                put_off[agent_id] = max(told_at, put_off.get(agent_id, told_at))
    now = timezone.now()
    interval = dt.timedelta(seconds=settings.LEAD_NOTICE_INTERVAL)
    recent: dict[int, dt.datetime] = {}
    if interval and waiting:
        recent = dict(Message.objects.filter(event=Event.LEAD_ASSIGNED, recipient_staff_id__in=list(waiting),
                                             created_at__gt=now - interval)
                      .values_list("recipient_staff_id").annotate(at=Max("created_at")).order_by())
    # an agent told a moment ago waits, unless this is the notice that waited for that message
    wait = {a: at for a, at in recent.items() if a not in put_off or at > put_off[a]}
    later = [[a, *waiting[a], wait[a].isoformat()] for a in waiting if a in wait]
    if later:  # again when the first of them may be told, of everything until then
        outbox.enqueue(TOPIC, {"agents": later}, at=min(wait[a] for a in wait if a in waiting) + interval,
                       returning=False)
    due = [a for a in waiting if a not in wait]
    staff = {s.pk: s for s in Staff.objects.filter(pk__in=due)}
    leads = {lead.pk: lead for lead in Lead.objects.select_related("customer", "dealer")
             .filter(pk__in=[waiting[a][0] for a in due])}
    for agent_id in due:
        agent, first, count = staff.get(agent_id), leads.get(waiting[agent_id][0]), waiting[agent_id][1]
        if agent is None or first is None or not agent.phone:
            continue
        label: Any = customer_label(first)
        if count > 1:
            label = format_lazy(gettext_lazy("{first} and others, {n} leads in all"), first=label, n=count)
        message_send(event=Event.LEAD_ASSIGNED, to_phone=agent.phone, to_staff_id=agent.pk, dealer=first.dealer,
                     related=first, context={"staff": agent.name, "customer": label,
                                             "channel": Channel(first.channel).label,
                                             "due": first.first_response_due_at or "—"})
