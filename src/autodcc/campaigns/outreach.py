"""Reaching a campaign's audience (CMP-3, CMP-4): SMS or WeChat waves through the outbox, and call
tasks in the agents' work lists with the script to read.

A wave honours, for every person: the consent to marketing messages (PIPL: no marketing without
it), opt-outs (through the outbox's own rule), a frequency cap (so many marketing messages a
week) and quiet hours (no marketing message from 21:00 to 08:00: what would fall in them is due
the next morning). Messages are spread at the wave's rate, so the provider is never flooded and
the progress can be watched."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from autodcc.campaigns.models import CallScript, Campaign, Outreach, Situation
from autodcc.campaigns.services import may_manage
from autodcc.core import audit
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, NotFound
from autodcc.messaging.services import CAMPAIGN_CAP_DAYS

QUIET_FROM, QUIET_UNTIL = dt.time(21, 0), dt.time(8, 0)
DEFAULT_PER_MINUTE = 600


def weekly_cap() -> int:
    from autodcc.messaging.services import campaign_cap

    return campaign_cap()


def in_quiet_hours(when: dt.datetime) -> bool:
    local = timezone.localtime(when).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def _morning_after(when: dt.datetime) -> dt.datetime:
    local = timezone.localtime(when)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, QUIET_UNTIL))


def schedule(count: int, start: dt.datetime, per_minute: int) -> tuple[list[dt.datetime], int]:
    """When each of ``count`` messages is due: ``per_minute`` from ``start`` on, never in the quiet
    hours (a run that reaches 21:00 goes on at 08:00); and how many wait for a morning."""
    gap = dt.timedelta(seconds=60 / max(1, per_minute))
    out, when, held, waited = [], start, 0, False
    for _ in range(count):
        if in_quiet_hours(when):
            when, waited = _morning_after(when), True
        held += waited
        out.append(when)
        when += gap
    return out, held


def _chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


@transaction.atomic
def marketing_consents(customer_ids: Sequence[int]) -> set[int]:
    """Which of these customers agreed to marketing messages (PIPL), in chunks of 500."""
    from autodcc.customers.models import Consent

    found: set[int] = set()
    for part in _chunks(list(customer_ids)):
        found.update(Consent.objects.filter(customer_id__in=part, marketing=True, withdrawn_at__isnull=True)
                     .values_list("customer_id", flat=True))
    return found


MAX_AHEAD = dt.timedelta(days=90)  # a wave set for later: at most this far ahead


def wave_send(*, actor: Actor, campaign: Campaign, group: Any, content: str, channel: str = "sms",
              per_minute: int = DEFAULT_PER_MINUTE, now: dt.datetime | None = None,
              starts_at: dt.datetime | None = None) -> Outreach:
    """Queue the campaign's message to every member of a saved customer group that may receive it;
    from ``starts_at`` on when given (the wave goes out by itself then: the messages wait in the
    outbox until due, never in the quiet hours)."""
    from autodcc.customers.models import CustomerGroup
    from autodcc.messaging.models import Channel, Event, Message, MessageStatus
    from autodcc.messaging.services import Recipient, messages_queue, optouts

    if not may_manage(actor, campaign):
        raise Forbidden("forbidden")
    group = CustomerGroup.objects.visible_to(actor).filter(pk=getattr(group, "pk", group)).first()
    if group is None:
        raise DomainError("campaign.audience_unknown", field="group")
    content = content.strip()
    if not content:
        raise DomainError("campaign.content_missing", field="content")
    if channel not in (Channel.SMS, Channel.WECHAT):
        raise DomainError("campaign.channel_unknown", field="channel", value=channel)
    now = now or timezone.now()
    if starts_at is not None and not now - dt.timedelta(minutes=1) <= starts_at <= now + MAX_AHEAD:
        raise DomainError("campaign.wave_start", field="starts_at", days=MAX_AHEAD.days)
    start = max(now, starts_at or now)
    members = list(group.members.values_list("pk", "name", "phone", "wechat_openid"))
    wave = Outreach(campaign=campaign, group=group, channel=channel, content=content, per_minute=per_minute,
                    audience=len(members), by_label=actor.label, starts_at=start)
    consenting = marketing_consents([m[0] for m in members])
    since = now - dt.timedelta(days=CAMPAIGN_CAP_DAYS)
    sent_recently: dict[str, int] = {}
    phones = sorted({p for _pk, _n, p, _o in members if p})
    for part in _chunks(phones):
        sent_recently.update(dict(
            Message.objects.filter(recipient_phone__in=part, event=Event.CAMPAIGN, created_at__gte=since)
            .exclude(status=MessageStatus.SUPPRESSED).values_list("recipient_phone").annotate(n=Count("pk"))))
    recipients = []
    dealer_name = campaign.dealer.short_name if campaign.dealer_id and campaign.dealer.short_name else \
        (str(campaign.dealer) if campaign.dealer_id else settings.AUTODCC_BRAND)
    # an opted-out member is counted as such (their consent went with the opt-out): their message is
    # kept, suppressed, by messages_queue like any message to an opted-out number
    opted_out = set(optouts(set(phones)))
    for pk, name, mobile, openid in members:
        if pk not in consenting and mobile not in opted_out:
            wave.skipped_consent += 1
            continue
        if (channel == Channel.SMS and not mobile) or (channel == Channel.WECHAT and not openid):
            wave.skipped_address += 1
            continue
        if mobile and sent_recently.get(mobile, 0) >= weekly_cap():
            wave.skipped_cap += 1
            continue
        recipients.append(Recipient({"name": name, "campaign": campaign.name, "content": content,
                                     "dealer": dealer_name}, phone=mobile, openid=openid if channel != "sms" else "",
                                    stored=True))
    wave.save()
    held = 0

    def due(count: int) -> list[dt.datetime]:
        nonlocal held
        times, held = schedule(count, start, per_minute)
        return times

    messages = messages_queue(event=Event.CAMPAIGN, channel=channel, recipients=recipients,
                              dealer=campaign.dealer, related_type="campaigns.outreach", related_id=str(wave.pk),
                              at=due)
    wave.queued = sum(1 for m in messages if m.status == MessageStatus.QUEUED)
    wave.skipped_optout = len(messages) - wave.queued
    wave.held = held
    wave.save()
    audit.record(actor=actor, action="campaign.outreach", obj=campaign, dealer_id=campaign.dealer_id, after={
        "outreach": wave.pk, "group": group.pk, "audience": wave.audience, "queued": wave.queued, "held": wave.held,
        "skipped": {"optout": wave.skipped_optout, "consent": wave.skipped_consent, "cap": wave.skipped_cap,
                    "address": wave.skipped_address}, "starts_at": start.isoformat()})
    return wave


@transaction.atomic
def wave_cancel(*, actor: Actor, wave_id: int) -> tuple[Outreach, int]:
    """Stop what a wave has not sent yet (a wave set for later, or the rest of a long one): its
    waiting messages are marked not sent; what went out stays. Returns the wave and how many were
    stopped; a wave of a campaign the person cannot see is not found."""
    from autodcc.messaging.models import Message, MessageStatus

    wave = (Outreach.objects.select_for_update(of=("self",)).select_related("campaign")
            .filter(pk=wave_id, campaign__in=Campaign.objects.visible_to(actor)).first())
    if wave is None:
        raise NotFound("not_found")
    if not may_manage(actor, wave.campaign):
        raise Forbidden("forbidden")
    stopped = (Message.objects.filter(related_type="campaigns.outreach", related_id=str(wave.pk),
                                      status=MessageStatus.QUEUED)
               .update(status=MessageStatus.SUPPRESSED, last_error="wave cancelled"))
    if stopped or wave.cancelled_at is None:
        wave.cancelled_at, wave.cancelled = timezone.now(), wave.cancelled + stopped
        wave.save(update_fields=["cancelled_at", "cancelled"])
        audit.record(actor=actor, action="campaign.outreach_cancel", obj=wave.campaign,
                     dealer_id=wave.campaign.dealer_id, after={"outreach": wave.pk, "stopped": stopped})
    return wave, stopped


def progress(wave: Outreach) -> dict[str, int]:
    """How many of the wave's messages are queued, sent, failed or not sent, now."""
    from autodcc.messaging.models import Message

    counts = dict(Message.objects.filter(related_type="campaigns.outreach", related_id=str(wave.pk))
                  .values_list("status").annotate(n=Count("pk")))
    return {str(k): int(v) for k, v in counts.items()}


def direct_mail(*, actor: Actor, campaign: Campaign, group: Any) -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    """The direct-mail list of a saved group (name, city, postal address): members with consent to
    marketing, not opted out and with an address; the others counted by reason."""
    from autodcc.customers.models import CustomerGroup

    if not may_manage(actor, campaign):
        raise Forbidden("forbidden")
    group = CustomerGroup.objects.visible_to(actor).filter(pk=getattr(group, "pk", group)).first()
    if group is None:
        raise DomainError("campaign.audience_unknown", field="group")
    members = list(group.members.select_related("city").order_by("pk"))
    consenting = marketing_consents([m.pk for m in members])
    from autodcc.messaging.services import optouts

    opted = set(optouts({m.phone for m in members}))
    rows_, skipped = [], {"consent": 0, "optout": 0, "address": 0}
    for m in members:
        if m.pk not in consenting:
            skipped["consent"] += 1
        elif m.phone in opted:
            skipped["optout"] += 1
        elif not m.postal_address.strip():
            skipped["address"] += 1
        else:
            rows_.append((m.name, m.city.name if m.city_id else "", m.postal_address.strip()))
    return rows_, skipped


# --- call tasks --------------------------------------------------------------------------------------


@transaction.atomic
def call_tasks_create(*, actor: Actor, campaign: Campaign, group: Any, agents: Sequence[Any], due_on: dt.date,
                      script: CallScript | None = None) -> int:
    """A call task for each open lead of the group's members at the campaign's dealer, spread evenly
    over ``agents`` (the one with the fewest open tasks of the campaign first), each with the
    script to read. A lead that already has this campaign's task is left as it is."""
    from autodcc.customers.models import CustomerGroup
    from autodcc.leads.models import OPEN_STATUSES, CareKind, CareTask, Lead

    if not may_manage(actor, campaign):
        raise Forbidden("forbidden")
    group = CustomerGroup.objects.visible_to(actor).filter(pk=getattr(group, "pk", group)).first()
    if group is None:
        raise DomainError("campaign.audience_unknown", field="group")
    if not agents:
        raise DomainError("campaign.agents_missing", field="agents")
    if campaign.dealer_id:
        staff_ok = {s.pk for s in agents if s.grants.filter(dealer_id=campaign.dealer_id).exists()}
        if len(staff_ok) != len(agents):
            raise DomainError("campaign.owner_elsewhere", field="agents")
    if script is not None and not CallScript.objects.visible_to(actor).current().filter(pk=script.pk).exists():
        raise DomainError("campaign.script_unknown", field="script")
    leads = Lead.objects.visible_to(actor).filter(customer__in=group.members.all(), status__in=OPEN_STATUSES)
    if campaign.dealer_id:
        leads = leads.filter(dealer_id=campaign.dealer_id)
    leads = leads.exclude(care_tasks__campaign=campaign).order_by("pk")
    lead_ids = list(leads.values_list("pk", flat=True))
    load = dict(CareTask.objects.filter(campaign=campaign, done_at__isnull=True, assignee__in=agents)
                .values_list("assignee_id").annotate(n=Count("pk")))
    order = sorted(agents, key=lambda s: (load.get(s.pk, 0), s.pk))
    turns = itertools.cycle(order)
    CareTask.objects.bulk_create([
        CareTask(lead_id=pk, kind=CareKind.CAMPAIGN, label=campaign.name[:40], due_on=due_on, assignee=next(turns),
                 campaign=campaign, script=script) for pk in lead_ids])
    audit.record(actor=actor, action="campaign.call_tasks", obj=campaign, dealer_id=campaign.dealer_id, after={
        "group": group.pk, "tasks": len(lead_ids), "agents": [s.pk for s in agents], "due_on": due_on.isoformat(),
        "script": script.pk if script else None})
    return len(lead_ids)


def close_call_tasks(lead: Any, staff: Any, result: str) -> int:
    """A call recorded on the lead completes its open campaign call tasks (the result is the note)."""
    from autodcc.leads.models import CareKind, CareTask

    return CareTask.objects.filter(lead=lead, kind=CareKind.CAMPAIGN, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=staff, note=result)


# --- call scripts (话务范本) ----------------------------------------------------------------------------


def _may_edit_script(actor: Actor, dealer: Any) -> bool:
    return actor.can("campaigns.manage", dealer=dealer) if dealer is not None else \
        (actor.is_hq and actor.can("campaigns.manage"))


@transaction.atomic
def script_save(*, actor: Actor, title: str, body: str, situation: str, dealer: Any = None,
                previous: CallScript | None = None) -> CallScript:
    """A new script, or a new version of ``previous`` (which stays readable as history)."""
    if previous is not None:
        previous = CallScript.objects.select_for_update().get(pk=previous.pk)
        dealer = previous.dealer
        if previous.replaced_at or previous.deleted_at:
            raise DomainError("campaign.script_old", value=previous.version)
    if not _may_edit_script(actor, dealer):
        raise Forbidden("forbidden")
    if situation not in Situation.values:
        raise DomainError("campaign.situation_unknown", field="situation", value=situation)
    if not title.strip() or not body.strip():
        raise DomainError("campaign.script_empty", field="body")
    now = timezone.now()
    if previous is None:
        family = (CallScript.objects.order_by("-family").values_list("family", flat=True).first() or 0) + 1
        version = 1
    else:
        family, version = previous.family, previous.version + 1
        previous.replaced_at = now
        previous.save(update_fields=["replaced_at"])
    script = CallScript.objects.create(family=family, version=version, situation=situation, title=title.strip(),
                                       body=body.strip(), dealer=dealer, by_label=actor.label, created_at=now)
    audit.record(actor=actor, action="script.save", obj=script, after=audit.snapshot(script),
                 dealer_id=getattr(dealer, "pk", None))
    return script


@transaction.atomic
def script_delete(*, actor: Actor, script: CallScript) -> None:
    script = CallScript.objects.select_for_update().get(pk=script.pk)
    if not _may_edit_script(actor, script.dealer):
        raise Forbidden("forbidden")
    if script.deleted_at is None:
        script.deleted_at = timezone.now()
        script.save(update_fields=["deleted_at"])
        audit.record(actor=actor, action="script.delete", obj=script, dealer_id=script.dealer_id)


def scripts_search(actor: Actor, q: str = "", situation: str = "") -> Any:
    qs = CallScript.objects.visible_to(actor).current().select_related("dealer")
    if situation:
        qs = qs.filter(situation=situation)
    if q.strip():
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(body__icontains=q.strip()))
    return qs


def situation_of(lead: Any, *, today: dt.date | None = None) -> str | None:
    """The call a lead's holder is about to make: the first call while nobody has answered it yet,
    the invitation while it is followed up, the confirmation of a visit due by tomorrow, the
    revisit of a defeat being decided."""
    from autodcc.leads.models import Status

    today = today or timezone.localdate()
    if lead.status == Status.NEW or (lead.status == Status.FOLLOWING and lead.first_response_at is None):
        return Situation.FIRST_CALL
    if lead.status == Status.FOLLOWING:
        return Situation.INVITATION
    if lead.status == Status.INVITED:
        visit = lead.appointments.filter(status__in=("scheduled", "confirmed")).order_by("scheduled_at").first()
        if visit is not None and timezone.localdate(visit.scheduled_at) <= today + dt.timedelta(days=1):
            return Situation.CONFIRMATION
        return Situation.INVITATION
    if lead.status == Status.DEFEAT_PENDING:
        return Situation.DEFEAT_REVISIT
    return None


def scripts_for(lead: Any, *, today: dt.date | None = None) -> tuple[str | None, list[CallScript]]:
    """The scripts for the lead's next call (CMP-4): the lead's dealer's own first, then the
    brand's; none when the lead is past the calls the scripts are written for."""
    situation = situation_of(lead, today=today)
    if situation is None:
        return None, []
    scripts = (CallScript.objects.current().filter(situation=situation)
               .filter(Q(dealer__isnull=True) | Q(dealer_id=lead.dealer_id))
               .order_by(F("dealer_id").asc(nulls_last=True), "title"))
    return situation, list(scripts[:3])


__all__ = ["call_tasks_create", "close_call_tasks", "progress", "schedule", "script_delete", "script_save",
           "scripts_for", "scripts_search", "situation_of", "wave_send"]
