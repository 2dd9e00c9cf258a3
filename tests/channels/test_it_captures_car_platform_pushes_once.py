"""Autohome, Yiche and Dongchedi push signed JSON leads: each captured once, refusals in each
platform's own answer format."""

from __future__ import annotations

import json
import time

import pytest

from autodcc.channels.models import Delivery, Outcome, Refusal
from autodcc.leads.models import AllocationReason, Capture, Lead
from tests.channels import fakes

# each platform's answer: (code field, message field, success code, codes for signature/timestamp/malformed)
FORMATS = {
    "autohome": ("returncode", "message", 0, 1001, 1002, 1003),
    "yiche": ("code", "msg", 0, 40101, 40102, 40001),
    "dongchedi": ("err_no", "err_tips", 0, 10001, 10002, 10003),
}
WHERE = {"autohome": ("HZ-001", "330100"), "yiche": ("SH-001", "310000"), "dongchedi": ("BJ-001", "110000")}
PLATFORMS = list(FORMATS)


def code_of(name: str, response) -> int:
    return json.loads(response.content)[FORMATS[name][0]]


@pytest.mark.parametrize("name", PLATFORMS)
def test_a_signed_push_is_captured_once_with_the_platforms_lead_id(net, client, name):
    item = fakes.PLATFORM_LEADS[name](1)
    response = fakes.signed_push(client, name, item)
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body[FORMATS[name][0]] == 0
    platform_id = item[{"autohome": "clueId", "yiche": "leadId", "dongchedi": "clue_id"}[name]]
    lead = Lead.objects.select_related("dealer").get()
    assert lead.channel == name and lead.source_ref == platform_id and lead.dealer.code == WHERE[name][0]
    assert lead.allocation_reason == AllocationReason.CHOSEN
    delivery = Delivery.objects.get()
    assert delivery.platform_id == platform_id and delivery.outcome == Outcome.CAPTURED and delivery.lead == lead
    assert json.loads(delivery.body) == item

    replayed = fakes.signed_push(client, name, item)  # the very same request again
    assert code_of(name, replayed) == 0
    assert Lead.objects.count() == 1 and Capture.objects.count() == 1
    assert Delivery.objects.get().times_received == 2


@pytest.mark.parametrize("name", PLATFORMS)
def test_a_bad_signature_an_old_timestamp_and_a_malformed_body_are_refused(net, client, name):
    item = fakes.PLATFORM_LEADS[name](2)
    _field, _msg, _ok, bad_sign, old, malformed = FORMATS[name]
    wrong = fakes.signed_push(client, name, item, secret="someone-else")
    assert wrong.status_code == 401 and code_of(name, wrong) == bad_sign
    stale = fakes.signed_push(client, name, item, stamp=int(time.time()) - 301)
    assert stale.status_code == 401 and code_of(name, stale) == old
    millis = fakes.signed_push(client, name, fakes.PLATFORM_LEADS[name](9), stamp=int(time.time() * 1000))
    assert code_of(name, millis) == 0  # a timestamp in milliseconds is read as such
    Lead.objects.all().delete()
    Delivery.objects.all().delete()
    Capture.objects.all().delete()
    for body in (b"{not json", b"[1, 2]", json.dumps({**item, "nested": {"a": 1}}).encode()):
        broken = fakes.signed_push(client, name, body)
        assert broken.status_code == 400 and code_of(name, broken) == malformed
    id_field = {"autohome": "clueId", "yiche": "leadId", "dongchedi": "clue_id"}[name]
    missing = fakes.signed_push(client, name, {k: v for k, v in item.items() if k != id_field})
    assert code_of(name, missing) == malformed
    unsigned = client.post(f"/channels/{name}/push/", data=json.dumps(item), content_type="application/json")
    assert unsigned.status_code == 401
    assert not Lead.objects.exists() and not Delivery.objects.exists() and not Capture.objects.exists()
    assert {r.reason for r in Refusal.objects.filter(connector=name)} == {"signature", "timestamp", "malformed"}


def test_the_header_names_are_configurable(net, client, settings):
    settings.CHANNELS["autohome"] = {**settings.CHANNELS["autohome"], "timestamp_header": "X-Ah-Ts",
                                     "signature_header": "X-Ah-Sign"}
    item = fakes.PLATFORM_LEADS["autohome"](3)
    assert code_of("autohome", fakes.signed_push(client, "autohome", item)) == 1001  # the old names: not signed
    body = json.dumps(item).encode()
    ts = str(int(time.time()))
    import hashlib
    import hmac

    sign = hmac.new(fakes.SECRETS["autohome"].encode(), ts.encode() + body, hashlib.sha256).hexdigest()
    response = client.post("/channels/autohome/push/", data=body, content_type="application/json",
                           headers={"X-Ah-Ts": ts, "X-Ah-Sign": sign})
    assert code_of("autohome", response) == 0 and Lead.objects.count() == 1


def test_an_unconfigured_connector_refuses_everything(net, client, settings):
    settings.CHANNELS["yiche"] = {**settings.CHANNELS["yiche"], "secret": ""}
    response = fakes.signed_push(client, "yiche", fakes.PLATFORM_LEADS["yiche"](4))
    assert response.status_code == 503 and code_of("yiche", response) == 50300
    assert not Lead.objects.exists()


def test_an_unknown_connector_is_a_404(net, client):
    assert client.post("/channels/weibo/push/", data=b"{}", content_type="application/json").status_code == 404
    assert client.get("/channels/autohome/push/").status_code == 405


def test_an_unknown_dealer_code_falls_back_to_the_city(net, client):
    fakes.signed_push(client, "dongchedi", fakes.PLATFORM_LEADS["dongchedi"](5, dealer_code="NOPE-1"))
    lead = Lead.objects.get()
    assert lead.dealer == net.dealer_c and lead.allocation_reason == AllocationReason.CITY
    assert Delivery.objects.get().notes == [{"code": "dealer_unknown", "value": "NOPE-1"}]


def test_a_campaign_code_reaches_the_lead(net, client):
    from autodcc.campaigns.models import Campaign

    campaign = Campaign.objects.create(code="AH-DEC", name="汽车之家12月", starts_on="2026-12-01", ends_on="2026-12-31")
    fakes.signed_push(client, "autohome", fakes.PLATFORM_LEADS["autohome"](6, activityCode="ah-dec"))
    assert Lead.objects.get().campaign == campaign


@pytest.mark.parametrize("name", PLATFORMS)
def test_a_nul_character_and_a_ten_kilobyte_remark_lose_nothing_and_break_nothing(net, client, name):
    item = fakes.PLATFORM_LEADS[name](8)
    name_field = {"autohome": "customerName", "yiche": "userName", "dongchedi": "user_name"}[name]
    nul = fakes.signed_push(client, name, {**item, name_field: "李\u0000强"})
    assert nul.status_code == 400 and not Delivery.objects.exists()
    message_field = {"autohome": "remark", "yiche": "comment", "dongchedi": "intention"}[name]
    long = fakes.signed_push(client, name, {**item, message_field: "想" * 10_000})
    assert long.status_code == 422  # refused by our rules (messages end at 2,000 characters), never cut
    delivery = Delivery.objects.get()
    assert delivery.outcome == Outcome.REJECTED and delivery.error[0]["field"] == "message"
    assert len(delivery.item[message_field]) == 10_000 and not Lead.objects.exists()


def test_a_batch_that_collides_is_captured_lead_by_lead_and_once(net, client, monkeypatch):
    """The delivery row collides on its first write (as when another receipt wrote it): the batch
    is run again lead by lead and the lead is captured once."""
    from autodcc.channels import services
    from autodcc.leads.services.capture import capture as real_capture

    calls = []

    def colliding(requests, **kwargs):
        outcomes = real_capture(requests, **kwargs)
        if not calls:
            calls.append(1)
            Delivery.objects.create(connector="autohome", platform_id="AH00000011", via="push", body="{}",
                                    outcome=Outcome.CAPTURED, lead_id=outcomes[0].lead_id)
        return outcomes

    monkeypatch.setattr(services, "capture", colliding)
    response = fakes.signed_push(client, "autohome", fakes.PLATFORM_LEADS["autohome"](11))
    assert code_of("autohome", response) == 0
    assert Delivery.objects.get().outcome == Outcome.CAPTURED
    assert Lead.objects.count() == 1 and Capture.objects.count() == 1


def test_a_failure_never_overwrites_a_captured_delivery(net, client):
    from django.utils import timezone

    from autodcc.channels import connectors
    from autodcc.channels.services import _record_failure

    fakes.signed_push(client, "autohome", fakes.PLATFORM_LEADS["autohome"](12))
    connector = connectors.get("autohome")
    mapped = connector.map(fakes.PLATFORM_LEADS["autohome"](12))
    row = _record_failure(connector, (mapped, {}), "push", "{}", {}, timezone.now(), RuntimeError("late"))
    assert row.outcome == Outcome.CAPTURED and Delivery.objects.get().error is None
