"""Telling DCC agents of their new leads (the "new leads" message).

A capture only stamps its leads as not yet announced (``agent_told_at`` empty) and asks for one
wake-up through the outbox — at most one is ever waiting, however many captures ask. The wake-up
(or the minute sweep, should one be lost) tells each agent once of everything waiting for them:
how many leads, the first to call and its deadline. An agent told less than
``LEAD_NOTICE_INTERVAL`` seconds ago is told when that time is up, so a burst of leads makes one
message a minute per agent, not one per lead.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from autodcc.core import outbox, rows
from autodcc.leads.models import Channel, Lead
from autodcc.messaging.models import Event, Message
from autodcc.network.models import Staff

TOPIC = "leads.assigned"


def ask() -> None:
    """Ask for the agents to be told after this transaction (one wake-up waits at most)."""
    outbox.enqueue(TOPIC, {}, dedupe_key=TOPIC, returning=False)


@transaction.atomic
def tell_agents(*, now: dt.datetime | None = None) -> int:
    """Tell every agent with leads not yet announced; the number of messages queued."""
    from autodcc.leads.services.assignment import customer_label
    from autodcc.messaging.services import message_send

    now = now or timezone.now()
    if not rows.try_exclusive(TOPIC):
        return 0  # another process is telling them right now
    waiting = {r["agent_id"]: r for r in Lead.objects.filter(agent_told_at__isnull=True, agent__isnull=False)
               .values("agent_id").annotate(n=Count("pk"), first=Min("pk"), last=Max("pk")).order_by()}
    if not waiting:
        return 0
    interval = dt.timedelta(seconds=settings.LEAD_NOTICE_INTERVAL)
    recent: dict[int, dt.datetime] = {}
    if interval:
        recent = dict(Message.objects.filter(event=Event.LEAD_ASSIGNED, recipient_staff_id__in=list(waiting),
                                             created_at__gt=now - interval)
                      .values_list("recipient_staff_id").annotate(at=Max("created_at")).order_by())
    due = [a for a in waiting if a not in recent]
    if recent:  # told a moment ago: again when their minute is up
        outbox.enqueue(TOPIC, {}, at=min(recent[a] for a in waiting if a in recent) + interval, returning=False)
    if not due:
        return 0
    staff = {s.pk: s for s in Staff.objects.filter(pk__in=due)}
    leads = {lead.pk: lead for lead in Lead.objects.select_related("customer", "dealer")
             .filter(pk__in=[waiting[a]["first"] for a in due])}
    sent = 0
    for agent_id in due:
        agent, first, count = staff.get(agent_id), leads.get(waiting[agent_id]["first"]), waiting[agent_id]["n"]
        if agent is None or first is None or not agent.phone:
            continue
        label: Any = customer_label(first)
        if count > 1:
            label = format_lazy(gettext_lazy("{first} and others, {n} leads in all"), first=label, n=count)
        message_send(event=Event.LEAD_ASSIGNED, to_phone=agent.phone, to_staff_id=agent.pk, dealer=first.dealer,
                     related=first, context={"staff": agent.name, "customer": label,
                                             "channel": Channel(first.channel).label,
                                             "due": first.first_response_due_at or "—"})
        sent += 1
    Lead.objects.filter(reduce(or_, [Q(agent_id=a, pk__lte=waiting[a]["last"]) for a in due]),
                        agent_told_at__isnull=True).update(agent_told_at=now)
    return sent


@outbox.handler(TOPIC, batch=True)
def _wake(_payloads: list[dict[str, Any]]) -> None:
    tell_agents()
