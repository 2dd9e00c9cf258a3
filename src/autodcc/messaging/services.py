"""Sending messages through the outbox, maintaining templates, honouring opt-outs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from autodcc.core import audit, memo, outbox, phone, rows
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden
from autodcc.messaging import rendering
from autodcc.messaging.models import Channel, Message, MessageStatus, MessageTemplate, OptOut, OptOutScope

DELIVER = "messaging.deliver"


def _active_template(event: str, channel: str) -> MessageTemplate:
    found = MessageTemplate.objects.filter(event=event, channel=channel, is_active=True).first()
    return found or _default_template(event, channel)


def _default_template(event: str, channel: str) -> MessageTemplate:
    """The shipped default, saved as the active template the first time it is needed."""
    from autodcc.messaging.defaults import DEFAULTS

    body = next((b for e, c, b in DEFAULTS if e == event and c == channel), None)
    if body is None:
        raise DomainError("template.missing", event=event, channel=channel)
    template, _created = MessageTemplate.objects.get_or_create(event=event, channel=channel, is_active=True,
                                                               defaults={"body": body})
    return template


def optout_for(phone_e164: str) -> OptOut | None:
    return OptOut.objects.filter(phone=phone_e164).first() if phone_e164 else None


def _as_text(context: dict[str, Any]) -> dict[str, str]:
    with rendering.message_language():
        return {k: rendering.text(v) for k, v in context.items()}


@dataclass
class Recipient:
    """One addressee of a batch and the values of its message."""

    context: dict[str, Any]
    phone: str = ""  # E.164 or as typed (normalised here)
    openid: str = ""
    staff_id: int | None = None
    stored: bool = False  # the phone is a customer's stored number (normalised when it was saved)


@transaction.atomic
def messages_queue(*, event: str, channel: str = Channel.SMS, recipients: Sequence[Recipient],
                   dealer: Model | None = None, related_type: str = "", related_id: str = "",
                   at: Callable[[int], Sequence[dt.datetime]] | None = None) -> list[Message]:
    """Render the event's active template for every recipient and queue the messages: one read of
    the opt-outs, one insert of the messages and one of their outbox events, however many there
    are. An opted-out number gets a row marked 'not sent' and nothing else. ``at(n)``: when each of
    the n messages that will be sent is due (a campaign wave spreads them out); delivery happens
    after commit, with retries."""
    template = memo.remember(("template", event, channel), 30, lambda: _active_template(event, channel))
    now = timezone.now()
    messages: list[Message] = []
    for r in recipients:
        to_phone = r.phone if r.stored else phone.normalize_mobile(r.phone) if r.phone else ""
        if channel == Channel.SMS and not to_phone:
            raise DomainError("message.no_address", channel=Channel(channel).label)
        if channel == Channel.WECHAT and not r.openid:
            raise DomainError("message.no_address", channel=Channel(channel).label)
        messages.append(Message(
            event=event, channel=channel, recipient_phone=to_phone, recipient_openid=r.openid,
            recipient_staff_id=r.staff_id, dealer_id=getattr(dealer, "pk", None),
            body=rendering.render(template.body, r.context), data=_as_text(r.context), template=template,
            related_type=related_type, related_id=related_id, created_at=now))
    opted = optouts({m.recipient_phone for m in messages if m.recipient_phone and m.recipient_staff_id is None})
    for m in messages:
        blocker = opted.get(m.recipient_phone) if m.recipient_staff_id is None else None  # staff notices are work
        if blocker is not None and blocker.blocks(event):
            m.status, m.last_error = MessageStatus.SUPPRESSED, f"opt-out ({blocker.scope})"
    columns = ("event", "channel", "recipient_phone", "recipient_openid", "recipient_staff_id", "dealer_id", "body",
               "data", "template_id", "status", "attempts", "provider", "provider_message_id", "last_error",
               "related_type", "related_id", "created_at")
    ids = rows.insert(Message, columns, [
        (m.event, m.channel, m.recipient_phone, m.recipient_openid, m.recipient_staff_id, m.dealer_id, m.body, m.data,
         template.pk, m.status, 0, "", "", m.last_error, m.related_type, m.related_id, now) for m in messages],
        returning=True)
    for m, pk in zip(messages, ids, strict=True):
        m.pk, m._state.adding = pk, False
    sending = [m for m in messages if m.status == MessageStatus.QUEUED]
    due = list(at(len(sending))) if at is not None else [now] * len(sending)
    outbox.enqueue_many(DELIVER, [({"message_id": m.pk}, when) for m, when in zip(sending, due, strict=True)])
    return messages


CAMPAIGN_CAP_DAYS = 7


def campaign_cap() -> int:
    """Campaign messages a mobile may get in CAMPAIGN_CAP_DAYS days (AUTODCC_MARKETING_PER_WEEK)."""
    from django.conf import settings

    return int(settings.AUTODCC_MARKETING_PER_WEEK)


def campaign_cap_reached(phone_e164: str, now: dt.datetime | None = None) -> bool:
    """Has this mobile had its share of campaign messages sent in the last CAMPAIGN_CAP_DAYS days?"""
    since = (now or timezone.now()) - dt.timedelta(days=CAMPAIGN_CAP_DAYS)
    sent = Message.objects.filter(recipient_phone=phone_e164, event="campaign", status=MessageStatus.SENT,
                                  sent_at__gte=since).count()
    return sent >= campaign_cap()


def optouts(phones: set[str]) -> dict[str, OptOut]:
    """The opt-outs of these numbers, read in chunks of 500."""
    found: dict[str, OptOut] = {}
    ordered = sorted(phones)
    for start in range(0, len(ordered), 500):
        found.update({o.phone: o for o in OptOut.objects.filter(phone__in=ordered[start:start + 500])})
    return found


def message_send(
    *,
    event: str,
    channel: str = Channel.SMS,
    context: dict[str, Any],
    to_phone: str = "",
    to_openid: str = "",
    to_staff_id: int | None = None,
    dealer: Model | None = None,
    related: Model | None = None,
) -> Message:
    """One message: a batch of one (:func:`messages_queue`)."""
    return messages_queue(
        event=event, channel=channel, recipients=[Recipient(context, to_phone, to_openid, to_staff_id)], dealer=dealer,
        related_type=related._meta.label_lower if related is not None else "",
        related_id=str(related.pk) if related is not None else "")[0]


@transaction.atomic
def template_save(
    *, actor: Actor, event: str, channel: str, body: str, wechat_template_id: str = "", is_active: bool = True,
    template: MessageTemplate | None = None,
) -> MessageTemplate:
    if not actor.can("messaging.edit_templates"):
        raise Forbidden("forbidden")
    rendering.check(event, body)
    before = audit.snapshot(template) if template is not None else None
    if is_active:
        others = MessageTemplate.objects.filter(event=event, channel=channel, is_active=True)
        if template is not None:
            others = others.exclude(pk=template.pk)
        for other in others.select_for_update():
            old = audit.snapshot(other)
            other.is_active = False
            other.save(update_fields=["is_active", "updated_at"])
            audit.record(actor=actor, action="template.deactivate", obj=other, before=old, after=audit.snapshot(other))
    template = template or MessageTemplate()
    template.event, template.channel, template.body = event, channel, body.strip()
    template.wechat_template_id, template.is_active = wechat_template_id.strip(), is_active
    template.save()
    memo.forget(("template", event, channel))
    audit.record(actor=actor, action="template.create" if before is None else "template.update", obj=template,
                 before=before, after=audit.snapshot(template))
    return template


@transaction.atomic
def optout_add(*, actor: Actor, raw_phone: str, scope: str = OptOutScope.ALL, source: str = "", note: str = "") -> OptOut:
    """Record a consumer's opt-out. Staff need the capability; a consumer may opt out themselves."""
    if actor.is_staff and not actor.can("messaging.manage_optouts"):
        raise Forbidden("forbidden")
    number = phone.normalize_mobile(raw_phone)
    existing = OptOut.objects.select_for_update().filter(phone=number).first()
    before = audit.snapshot(existing) if existing else None
    opt_out, _created = OptOut.objects.update_or_create(
        phone=number, defaults={"scope": scope, "source": source[:40], "note": note[:200]}
    )
    # what is queued and not yet sent stops too
    queued = Message.objects.select_for_update().filter(recipient_phone=number, status=MessageStatus.QUEUED)
    for message in queued:
        if opt_out.blocks(message.event):
            message.status, message.last_error = MessageStatus.SUPPRESSED, f"opt-out ({scope})"
            message.save(update_fields=["status", "last_error"])
    audit.record(actor=actor, action="optout.add", obj=opt_out, before=before, after=audit.snapshot(opt_out))
    _withdraw_marketing_consents(actor, number, source)
    return opt_out


def _withdraw_marketing_consents(actor: Actor, number: str, source: str) -> None:
    """Whoever says "no more" withdraws their consent to marketing too (PIPL art. 15), at every
    dealer it was given to; a new consent, given later, counts again."""
    from autodcc.customers.models import Consent, Customer

    now = timezone.now()
    for customer in Customer.objects.filter(phone=number):
        withdrawn = list(Consent.objects.select_for_update()
                         .filter(customer=customer, marketing=True, withdrawn_at__isnull=True)
                         .values_list("pk", flat=True))
        if withdrawn:
            Consent.objects.filter(pk__in=withdrawn).update(withdrawn_at=now)
            audit.record(actor=actor, action="consent.withdraw_marketing", obj=customer,
                         after={"consents": withdrawn, "source": source})


@transaction.atomic
def optout_remove(*, actor: Actor, opt_out: OptOut) -> None:
    if actor.is_staff and not actor.can("messaging.manage_optouts"):
        raise Forbidden("forbidden")
    audit.record(actor=actor, action="optout.remove", obj=opt_out, before=audit.snapshot(opt_out))
    opt_out.delete()


def mark_sent(message: Message, provider: str, provider_message_id: str) -> None:
    message.status, message.provider, message.provider_message_id = MessageStatus.SENT, provider, provider_message_id
    message.sent_at, message.last_error = timezone.now(), ""
    message.attempts += 1
    message.save(update_fields=["status", "provider", "provider_message_id", "sent_at", "last_error", "attempts"])
