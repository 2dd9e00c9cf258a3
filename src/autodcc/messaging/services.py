"""Sending messages through the outbox, maintaining templates, honouring opt-outs."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from autodcc.core import audit, memo, outbox, phone
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


@transaction.atomic
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
    """Render the event's active template and queue the message; an opted-out number gets a
    row marked 'not sent' and nothing else. Delivery happens after commit, with retries."""
    template = memo.remember(("template", event, channel), 30, lambda: _active_template(event, channel))
    to_phone = phone.normalize_mobile(to_phone) if to_phone else ""
    if channel == Channel.SMS and not to_phone:
        raise DomainError("message.no_address", channel=Channel(channel).label)
    if channel == Channel.WECHAT and not to_openid:
        raise DomainError("message.no_address", channel=Channel(channel).label)
    message = Message(
        event=event, channel=channel, recipient_phone=to_phone, recipient_openid=to_openid,
        recipient_staff_id=to_staff_id, dealer_id=getattr(dealer, "pk", None),
        body=rendering.render(template.body, context), data=_as_text(context),
        template=template,
        related_type=related._meta.label_lower if related is not None else "",
        related_id=str(related.pk) if related is not None else "",
    )
    opt_out = optout_for(to_phone) if to_staff_id is None else None  # staff notices are work, not marketing
    if opt_out is not None and opt_out.blocks(event):
        message.status = MessageStatus.SUPPRESSED
        message.last_error = f"opt-out ({opt_out.scope})"
        message.save()
        return message
    message.save()
    outbox.enqueue(DELIVER, {"message_id": message.pk})
    return message


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
    return opt_out


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
