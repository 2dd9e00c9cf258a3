"""Outbox handler that delivers queued messages through the channel's provider."""

from __future__ import annotations

from typing import Any

from autodcc.core import outbox
from autodcc.messaging import providers
from autodcc.messaging.models import Event, Message, MessageStatus
from autodcc.messaging.services import DELIVER, campaign_cap_reached, mark_sent, optout_for


def _on_error(payload: dict[str, Any], error: str, attempts: int, gave_up: bool) -> None:
    message = Message.objects.select_for_update().filter(pk=payload["message_id"]).first()
    if message is None or message.status != MessageStatus.QUEUED:
        return
    message.attempts, message.last_error = attempts, error[:2000]
    if gave_up:
        message.status = MessageStatus.FAILED
    message.save(update_fields=["attempts", "last_error", "status"])


@outbox.handler(DELIVER, on_error=_on_error)
def deliver(payload: dict[str, Any]) -> None:
    message = Message.objects.select_for_update().filter(pk=payload["message_id"]).first()
    if message is None or message.status != MessageStatus.QUEUED:
        return  # already sent, suppressed or failed: a replay does nothing
    opt_out = optout_for(message.recipient_phone)
    if opt_out is not None and opt_out.blocks(message.event):
        message.status, message.last_error = MessageStatus.SUPPRESSED, f"opt-out ({opt_out.scope})"
        message.save(update_fields=["status", "last_error"])
        return
    if message.event == Event.CAMPAIGN and message.recipient_phone and campaign_cap_reached(message.recipient_phone):
        # waves set for later are capped where it counts: when they go out (a wave queued earlier for
        # the same week may have been sent since)
        message.status, message.last_error = MessageStatus.SUPPRESSED, "weekly marketing cap"
        message.save(update_fields=["status", "last_error"])
        return
    provider = providers.for_channel(message.channel)
    outgoing = providers.OutgoingMessage(
        message_id=message.pk, channel=message.channel, event=message.event, body=message.body,
        phone=message.recipient_phone, openid=message.recipient_openid,
        template_id=message.template.wechat_template_id if message.template_id else "", data=message.data,
    )
    try:
        provider_id = provider.send(outgoing)
    except providers.PermanentProviderError as exc:
        raise outbox.PermanentFailure(str(exc)) from exc
    mark_sent(message, provider.name, provider_id)
