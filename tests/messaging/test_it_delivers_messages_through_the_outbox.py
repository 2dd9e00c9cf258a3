import datetime as dt
import hashlib
import hmac

import pytest
from django.utils import timezone, translation

from autodcc.core import outbox
from autodcc.core.errors import DomainError
from autodcc.core.models import OutboxEvent, OutboxStatus
from autodcc.messaging import services
from autodcc.messaging.models import Channel, Event, Message, MessageStatus, MessageTemplate, OptOutScope
from autodcc.messaging.providers.console import ConsoleProvider

BOOKING = {"name": "张先生", "model": "澜川 S7", "dealer": "上海浦东店", "address": "龙阳路 2000 号",
           "time": "11月25日 10:00", "booking_no": "TD0001", "link": "https://example.cn/store/testdrive/t0k3n/"}


def run_outbox_until_quiet(start=None, hours=48):
    when = start or timezone.now()
    for _ in range(hours):
        outbox.dispatch_due(now=when)
        when += dt.timedelta(hours=1)


def test_a_message_is_rendered_queued_and_sent_after_commit(net, django_capture_on_commit_callbacks):
    ConsoleProvider.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_send(event=Event.BOOKING_CONFIRMATION, to_phone="13812341234", context=BOOKING,
                                        dealer=net.dealer_a)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1 and message.provider == "console"
    assert message.body.startswith("张先生您好") and "TD0001" in message.body
    assert message.body.endswith("https://example.cn/store/testdrive/t0k3n/")  # the customer's way back to it
    assert message.recipient_phone == "+8613812341234" and message.recipient_display == "138****1234"
    assert ConsoleProvider.sent[-1].message_id == message.pk
    assert OutboxEvent.objects.get().status == OutboxStatus.DONE


def test_messages_speak_the_brands_language_whoever_sends_them(net):
    """A staff member working in English still sends the consumer a Chinese SMS: times and the
    channel name included."""
    from autodcc.leads.models import Channel as LeadChannel

    at = dt.datetime(2026, 11, 25, 2, 30, tzinfo=dt.UTC)  # 10:30 in Shanghai
    with translation.override("en"):
        message = services.message_send(event=Event.LEAD_ASSIGNED, to_phone="13812341234", dealer=net.dealer_a,
                                        context={"staff": "王芳", "customer": "张伟", "due": at,
                                                 "channel": LeadChannel.AUTOHOME.label})
    assert "11月25日 10:30" in message.body, message.body
    assert "Autohome" not in message.body and "汽车之家" in message.body
    assert message.data["due"] == "11月25日 10:30"


def test_a_failing_gateway_is_retried_then_marked_failed(net, settings, fake_provider):
    settings.MESSAGING_SMS_PROVIDER = "gateway"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY, settings.SMS_GATEWAY_SECRET = fake_provider.url, "k", "s3cret"
    settings.OUTBOX_MAX_ATTEMPTS = 4
    fake_provider.default = (503, {"code": "BUSY"})
    message = services.message_send(event=Event.BOOKING_CONFIRMATION, to_phone="13812341234", context=BOOKING)
    run_outbox_until_quiet()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 4 and "HTTP 503" in message.last_error
    assert len(fake_provider.requests) == 4  # bounded: never more than the limit


def test_the_gateway_gets_a_signed_request_and_a_retry_can_succeed(net, settings, fake_provider):
    settings.MESSAGING_SMS_PROVIDER = "gateway"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY, settings.SMS_GATEWAY_SECRET = fake_provider.url, "k", "s3cret"
    fake_provider.responses = [(200, {"code": "RATE_LIMITED"})]
    fake_provider.default = (200, {"code": "OK", "message_id": "gw-42"})
    message = services.message_send(event=Event.BOOKING_CONFIRMATION, to_phone="13812341234", context=BOOKING)
    run_outbox_until_quiet()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_message_id) == (MessageStatus.SENT, 2, "gw-42")
    request = fake_provider.requests[-1]
    assert request["json"]["phone"] == "13812341234" and request["json"]["out_id"] == str(message.pk)
    ts = request["headers"]["X-Timestamp"]
    expected = hmac.new(b"s3cret", ts.encode() + b"\n" + request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Signature"] == expected


def test_a_refused_number_is_not_retried(net, settings, fake_provider):
    settings.MESSAGING_SMS_PROVIDER = "gateway"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY, settings.SMS_GATEWAY_SECRET = fake_provider.url, "k", "s"
    fake_provider.default = (200, {"code": "INVALID_MOBILE", "message": "空号"})
    message = services.message_send(event=Event.BOOKING_CONFIRMATION, to_phone="13812341234", context=BOOKING)
    run_outbox_until_quiet()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == 1 and "INVALID_MOBILE" in message.last_error


def test_an_opted_out_phone_gets_nothing(net, fake_provider, settings, django_capture_on_commit_callbacks):
    settings.MESSAGING_SMS_PROVIDER = "gateway"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY, settings.SMS_GATEWAY_SECRET = fake_provider.url, "k", "s"
    services.optout_add(actor=net.hq_service.actor, raw_phone="138 1234 1234", scope=OptOutScope.ALL, source="TD")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_send(event=Event.BOOKING_CONFIRMATION, to_phone="13812341234", context=BOOKING)
    run_outbox_until_quiet()
    message.refresh_from_db()
    assert message.status == MessageStatus.SUPPRESSED
    assert not OutboxEvent.objects.exists() and fake_provider.requests == []


def test_an_opt_out_stops_what_is_already_queued(net, fake_provider, settings):
    settings.MESSAGING_SMS_PROVIDER = "gateway"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY, settings.SMS_GATEWAY_SECRET = fake_provider.url, "k", "s"
    message = services.message_send(event=Event.CAMPAIGN, to_phone="13812341234",
                                    context={"name": "王女士", "campaign": "双十一", "content": "到店礼", "dealer": "上海"})
    services.optout_add(actor=net.hq_service.actor, raw_phone="13812341234", scope=OptOutScope.MARKETING)
    run_outbox_until_quiet()
    message.refresh_from_db()
    assert message.status == MessageStatus.SUPPRESSED and fake_provider.requests == []
    # a marketing opt-out still lets a booking confirmation through
    booking = services.message_send(event=Event.BOOKING_CONFIRMATION, to_phone="13812341234", context=BOOKING)
    run_outbox_until_quiet()
    booking.refresh_from_db()
    assert booking.status == MessageStatus.SENT


def test_wechat_template_messages_fetch_and_reuse_a_token(net, settings, fake_provider):
    from django.core.cache import cache

    cache.clear()
    settings.MESSAGING_WECHAT_PROVIDER = "wechat"
    settings.WECHAT_API_BASE, settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = fake_provider.url, "wxid", "sec"
    MessageTemplate.objects.create(event=Event.BOOKING_CONFIRMATION, channel=Channel.WECHAT, body="{name} {time}",
                                   wechat_template_id="TPL-1")
    fake_provider.responses = [(200, {"access_token": "T1", "expires_in": 7200}), (200, {"errcode": 0, "msgid": 7}),
                               (200, {"errcode": 0, "msgid": 8})]
    for _ in range(2):
        services.message_send(event=Event.BOOKING_CONFIRMATION, channel=Channel.WECHAT, to_openid="o-abc",
                              context=BOOKING)
    run_outbox_until_quiet()
    assert list(Message.objects.values_list("status", flat=True)) == ["sent", "sent"]
    paths = [r["path"].split("?")[0] for r in fake_provider.requests]
    assert paths == ["/cgi-bin/token", "/cgi-bin/message/template/send", "/cgi-bin/message/template/send"]
    body = fake_provider.requests[1]["json"]
    assert body["touser"] == "o-abc" and body["template_id"] == "TPL-1" and body["data"]["name"] == {"value": "张先生"}


def test_templates_only_use_the_events_variables(net):
    with pytest.raises(DomainError) as exc:
        services.template_save(actor=net.hq_marketer.actor, event=Event.BOOKING_CONFIRMATION, channel=Channel.SMS,
                               body="{name} 您的订单 {order_no}")
    assert exc.value.code == "template.unknown_variable"
    for bad in ("{name", "{name.__class__}", "{name!r}"):
        with pytest.raises(DomainError):
            services.template_save(actor=net.hq_marketer.actor, event=Event.BOOKING_CONFIRMATION,
                                   channel=Channel.SMS, body=bad)


def test_a_message_needs_every_variable_and_a_valid_number(net):
    with pytest.raises(DomainError) as exc:
        services.message_send(event=Event.BOOKING_CONFIRMATION, to_phone="13812341234", context={"name": "张"})
    assert exc.value.code == "template.missing_variable"
    with pytest.raises(DomainError):
        services.message_send(event=Event.BOOKING_CONFIRMATION, to_phone="555", context=BOOKING)
    assert not Message.objects.exists()


def test_saving_a_template_replaces_the_active_one_and_is_audited(net):
    from autodcc.core.models import AuditLog
    from autodcc.messaging.models import MessageTemplate

    new = services.template_save(actor=net.hq_marketer.actor, event=Event.BOOKING_CONFIRMATION, channel=Channel.SMS,
                                 body="{name}，预约成功：{time}")
    assert MessageTemplate.objects.filter(event=Event.BOOKING_CONFIRMATION, channel=Channel.SMS,
                                          is_active=True).get() == new
    assert AuditLog.objects.filter(action="template.deactivate").count() == 1
    assert AuditLog.objects.filter(action="template.create", object_id=str(new.pk)).exists()


def test_a_default_still_in_its_old_wording_is_updated_and_an_edited_one_kept(db):
    from django.apps import apps

    from autodcc.messaging import defaults

    MessageTemplate.objects.filter(event=Event.VISIT_CONFIRMATION).delete()
    old = defaults.SUPERSEDED[("visit_confirmation", "sms")]
    template = MessageTemplate.objects.create(event=Event.VISIT_CONFIRMATION, channel=Channel.SMS, body=old)
    edited = MessageTemplate.objects.create(event=Event.ORDER_CONFIRMATION, channel=Channel.WECHAT, body="{name} 自定义")
    defaults.load(apps, None)
    template.refresh_from_db()
    edited.refresh_from_db()
    assert "联系人{consultant}" in template.body and "接待顾问" not in template.body
    assert edited.body == "{name} 自定义"
