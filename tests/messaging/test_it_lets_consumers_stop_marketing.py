"""A consumer stops news and offers as easily as they agreed to them (MSG-1, PIPL art. 15): by
replying TD to a marketing SMS (the gateway pushes the reply), on the store's "My orders" page once
the mobile is proven, or through customer service — one rule: an opt-out, and every consent to
marketing given with that mobile withdrawn. Service messages still go out."""

import datetime as dt
import hashlib
import hmac
import json
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.customers.models import Consent
from autodcc.leads import services as leads
from autodcc.messaging import preferences
from autodcc.messaging import services as messaging
from autodcc.messaging.models import Event, Message, MessageStatus, OptOut
from autodcc.storefront.forms import CONSENT_VERSION

HOOK = "/hooks/sms/replies/"
KEY, SECRET = "gw-key", "gw-secret"
MINE = reverse("store:mine")


@pytest.fixture
def gateway(settings):
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY, settings.SMS_GATEWAY_SECRET = "http://127.0.0.1:9/", KEY, SECRET


@pytest.fixture
def fan(net, enquiry):
    """A customer who agreed to marketing when enquiring at two dealers."""
    first = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", phone="13912345678",
                                                          consent_marketing=True)).lead
    leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="HZ-001", phone="13912345678", consent_marketing=True))
    return first.customer


def push(client, replies, *, stamp=None, secret=SECRET, key=KEY, raw=None):
    body = raw if raw is not None else json.dumps({"replies": replies}, ensure_ascii=False).encode()
    stamp = str(int(time.time()) if stamp is None else stamp)
    signature = hmac.new(secret.encode(), stamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
    return client.post(HOOK, body, content_type="application/json", HTTP_X_API_KEY=key, HTTP_X_TIMESTAMP=stamp,
                       HTTP_X_SIGNATURE=signature)


def active_marketing(customer):
    return Consent.objects.filter(customer=customer, marketing=True, withdrawn_at__isnull=True).count()


def campaign_message(phone):
    return messaging.message_send(event=Event.CAMPAIGN, to_phone=phone, context={
        "name": "王", "campaign": "周末试驾", "content": "到店有礼", "dealer": "浦东店"})


def test_a_reply_td_stops_marketing_and_withdraws_consent_once(client, gateway, fan):
    assert active_marketing(fan) == 2 and preferences.marketing_status(fan.phone).marketing
    queued = campaign_message(fan.phone)
    said = timezone.localtime(timezone.now(), dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    answer = push(client, [{"id": "r1", "phone": "13912345678", "content": " ＴＤ ", "received_at": said}])
    assert answer.status_code == 200 and answer.json() == {"code": "OK", "received": 1, "stopped": 1}
    assert OptOut.objects.get(phone=fan.phone).scope == "marketing"
    assert active_marketing(fan) == 0 and not preferences.marketing_status(fan.phone).marketing
    queued.refresh_from_db()
    assert queued.status == MessageStatus.SUPPRESSED  # what was waiting stops too
    trail = AuditLog.objects.filter(action__in=["optout.add", "consent.withdraw_marketing"]).count()
    assert trail == 2
    # the gateway pushes the same reply again: nothing changes, nothing more is recorded
    again = push(client, [{"id": "r1", "phone": "13912345678", "content": "TD"}])
    assert again.status_code == 200 and OptOut.objects.count() == 1
    assert AuditLog.objects.filter(action__in=["optout.add", "consent.withdraw_marketing"]).count() == trail
    # the consumer asks for offers again; the same old reply, delivered once more, does not undo it
    time.sleep(2)  # the new consent is given after the reply was sent (timestamps in whole seconds)
    preferences.marketing_resume(raw_phone=fan.phone, version=CONSENT_VERSION)
    late = push(client, [{"id": "r1", "phone": "13912345678", "content": "TD", "received_at": said}])
    assert late.json()["stopped"] == 0 and preferences.marketing_status(fan.phone).marketing
    # service messages still go out
    service = messaging.message_send(event=Event.VERIFICATION_CODE, to_phone=fan.phone,
                                     context={"code": "123456", "minutes": 5})
    assert service.status == MessageStatus.QUEUED


@pytest.mark.parametrize("words", ["T", "td", "R", "退订", "拒收。", "N"])
def test_the_usual_stop_words_are_understood(words):
    assert preferences.is_stop_reply(words)


@pytest.mark.parametrize("words", ["好的", "TD 怎么退", "", "谢谢，已到店"])
def test_other_replies_are_left_for_people(words, client, gateway, fan):
    assert not preferences.is_stop_reply(words)
    answer = push(client, [{"id": "r2", "phone": "13912345678", "content": words}])
    assert answer.json()["stopped"] == 0 and OptOut.objects.count() == 0 and active_marketing(fan) == 2


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"secret": "forged"}, 401, "BAD_SIGNATURE"),
    ({"key": "someone-else"}, 401, "BAD_SIGNATURE"),
    ({"stamp": int(time.time()) - 3600}, 401, "STALE"),
    ({"raw": b"{not json"}, 400, "MALFORMED"),
    ({"raw": b'{"replies": []}'}, 400, "MALFORMED"),
    ({"raw": b'{"replies": [{"phone": "13912345678", "content": "TD\\u0000"}]}'}, 400, "MALFORMED"),
    ({"raw": json.dumps({"replies": [{"phone": "13912345678", "content": "T" * 5000}]}).encode()}, 400, "MALFORMED"),
], ids=["forged", "unknown-key", "old", "not-json", "empty", "NUL", "10kB"])
def test_a_bad_push_is_refused_and_nothing_is_recorded(client, gateway, fan, kwargs, status, code):
    answer = push(client, [{"id": "r3", "phone": "13912345678", "content": "TD"}], **kwargs)
    assert answer.status_code == status and answer.json()["code"] == code
    assert OptOut.objects.count() == 0 and active_marketing(fan) == 2


def test_an_unusable_number_is_skipped_not_a_server_error(client, gateway, fan):
    answer = push(client, [{"phone": "12", "content": "TD"}, {"phone": "13912345678", "content": "TD"}])
    assert answer.status_code == 200 and answer.json() == {"code": "OK", "received": 2, "stopped": 1}


def test_without_a_gateway_there_is_no_hook(client, fan, settings):
    settings.SMS_GATEWAY_KEY = settings.SMS_GATEWAY_SECRET = ""
    assert push(client, [{"phone": "13912345678", "content": "TD"}]).status_code == 404


def test_an_opt_out_from_everything_stays_when_the_consumer_replies(client, gateway, fan):
    messaging.optout_add(actor=SYSTEM, raw_phone=fan.phone, scope="all", source="console", note="客户来电要求")
    assert active_marketing(fan) == 0  # whoever records an opt-out withdraws the consent too
    push(client, [{"phone": "13912345678", "content": "TD"}])
    opt_out = OptOut.objects.get()
    assert (opt_out.scope, opt_out.note) == ("all", "客户来电要求")
    preferences.marketing_resume(raw_phone=fan.phone, version=CONSENT_VERSION)
    assert OptOut.objects.get().scope == "all"  # lifted by customer service only


def prove(client, phone="13912345678"):
    client.post(MINE, {"phone": phone})
    body = Message.objects.filter(event=Event.VERIFICATION_CODE).latest("pk").body
    client.post(MINE, {"phone": phone, "code": re.search(r"\d{6}", body).group(0)})


def test_the_store_page_stops_and_resumes_news_and_offers(client, fan):
    prove(client)
    page = client.get(MINE).content.decode()
    assert 'data-marketing="on"' in page and 'id="marketing-stop"' in page
    stopped = client.post(MINE, {"action": "marketing_stop"}, follow=True).content.decode()
    assert 'data-marketing="off"' in stopped and "不再" in stopped  # said in Chinese
    assert OptOut.objects.get(phone=fan.phone).source == "store" and active_marketing(fan) == 0
    unticked = client.post(MINE, {"action": "marketing_resume"}, follow=True).content.decode()
    assert 'data-marketing="off"' in unticked and OptOut.objects.count() == 1
    resumed = client.post(MINE, {"action": "marketing_resume", "consent_marketing": "on"}, follow=True)
    assert 'data-marketing="on"' in resumed.content.decode() and OptOut.objects.count() == 0
    given = Consent.objects.filter(customer=fan, withdrawn_at__isnull=True, marketing=True).get()
    assert (given.version, given.channel, given.dealer_id, given.purposes) == (CONSENT_VERSION, "store", None,
                                                                              ["marketing"])
    assert AuditLog.objects.filter(action="consent.give_marketing").count() == 1


def test_the_choice_needs_the_proven_number(client, fan):
    answer = client.post(MINE, {"action": "marketing_stop"})
    assert answer.status_code == 200 and OptOut.objects.count() == 0  # the lookup form, nothing changed
    prove(client, phone="13900000001")  # another number: its own (empty) page, never the fan's
    client.post(MINE, {"action": "marketing_stop"})
    assert not OptOut.objects.filter(phone=fan.phone).exists() and active_marketing(fan) == 2
