"""Tmall's Qimen push (qimen.tmall.car.leads.synchronize), signed as TOP signs, captured once."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest

from autodcc.channels.models import Delivery, Outcome, Refusal
from autodcc.core.models import AuditLog
from autodcc.leads.models import AllocationReason, Capture, Lead
from tests.channels import fakes


def answer(response) -> dict:
    return json.loads(response.content)["response"]


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_a_signed_push_is_captured_once_at_the_store_it_names(net, client, sign_method):
    response = fakes.qimen_push(client, fakes.tmall_lead(), sign_method=sign_method)
    assert response.status_code == 200
    assert answer(response) == {"success": "true", "msgCode": "0", "msgDesc": answer(response)["msgDesc"]}
    lead = Lead.objects.get()
    assert lead.channel == "tmall" and lead.dealer == net.dealer_b and lead.source_ref == "TM20261206001"
    assert lead.allocation_reason == AllocationReason.CHOSEN
    assert lead.city.adcode == "330100"  # district 330106 (西湖区) is Hangzhou
    assert lead.model_interest == "S7 2026 长续航版" and "报价 21.98（裸车价）" in lead.message
    consent = lead.customer.consents.get()
    assert consent.version == "天猫平台授权" and consent.share_with_dealer and not consent.marketing
    delivery = Delivery.objects.get()
    assert (delivery.connector, delivery.platform_id, delivery.outcome, delivery.lead) == (
        "tmall", "TM20261206001", Outcome.CAPTURED, lead)
    assert "mobile=13911112222" in delivery.body and delivery.params["sign_method"] == sign_method
    assert "sign" not in delivery.params
    assert Capture.objects.get().key == "channel:tmall:TM20261206001"
    assert AuditLog.objects.filter(action="lead.capture", actor_label="天猫接口").count() == 1

    again = fakes.qimen_push(client, fakes.tmall_lead(), sign_method=sign_method)  # Qimen's retry, a replay
    assert answer(again)["success"] == "true"
    assert Lead.objects.count() == 1 and Capture.objects.count() == 1
    delivery.refresh_from_db()
    assert delivery.times_received == 2 and delivery.outcome == Outcome.CAPTURED


def test_a_json_body_and_an_xml_answer_follow_qimens_shapes(net, client):
    response = fakes.qimen_push(client, fakes.tmall_lead(), json_body=True, fmt="xml")
    root = ET.fromstring(response.content)
    assert root.tag == "response" and root.findtext("success") == "true" and root.findtext("msgCode") == "0"
    assert Lead.objects.get().dealer == net.dealer_b


def test_without_a_lead_number_the_same_lead_is_still_the_same_lead(net, client):
    lead = fakes.tmall_lead(attr="{store_id:'5001',store_code:'HZ-001'}")
    fakes.qimen_push(client, lead)
    fakes.qimen_push(client, lead, sign_method="hmac")  # another signature, the same lead
    assert Lead.objects.count() == 1 and Delivery.objects.get().times_received == 2


def _nothing_saved() -> None:
    assert not Lead.objects.exists() and not Capture.objects.exists() and not Delivery.objects.exists()


def test_a_bad_signature_is_refused_in_qimens_format_and_nothing_is_saved(net, client):
    response = fakes.qimen_push(client, fakes.tmall_lead(), secret="not-the-secret")
    assert response.status_code == 200 and answer(response)["success"] == "false"
    assert answer(response)["msgCode"] == "sign-check-failure"
    tampered = fakes.qimen_push(client, fakes.tmall_lead(), tamper=True)  # a field changed after signing
    assert answer(tampered)["msgCode"] == "sign-check-failure"
    _nothing_saved()
    refusal = Refusal.objects.get()
    assert (refusal.reason, refusal.count) == ("signature", 2)


def test_a_timestamp_beyond_ten_minutes_is_refused(net, client):
    old = fakes.gmt8(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11))
    response = fakes.qimen_push(client, fakes.tmall_lead(), timestamp=old)
    assert answer(response)["success"] == "false" and answer(response)["msgCode"] == "isv.invalid-timestamp"
    nine = fakes.gmt8(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=9))
    assert answer(fakes.qimen_push(client, fakes.tmall_lead(mobile="13911113333"), timestamp=nine))["success"] == "true"
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("lead", [
    fakes.tmall_lead(mobile=""),  # a required field missing
    fakes.tmall_lead(attr="not an object"),
    {"name": "王芳", "mobile": "13911112222"},  # no attr at all
])
def test_a_malformed_push_is_refused_and_nothing_saved(net, client, lead):
    response = fakes.qimen_push(client, lead)
    assert answer(response)["success"] == "false" and answer(response)["msgCode"] == "isv.invalid-parameter"
    _nothing_saved()


def test_a_body_that_is_not_json_is_refused(net, client):
    from urllib.parse import urlencode

    system = {"method": "qimen.tmall.car.leads.synchronize", "app_key": fakes.TMALL["app_key"],
              "timestamp": fakes.gmt8(), "v": "2.0", "sign_method": "md5", "format": "json"}
    body = "{not json"
    system["sign"] = fakes.top_sign(system, fakes.TMALL["secret"], "md5", body)
    response = client.post("/channels/tmall/push/?" + urlencode(system), data=body, content_type="application/json")
    assert answer(response)["msgCode"] == "isv.invalid-parameter"
    _nothing_saved()


def test_another_method_is_refused(net, client):
    from urllib.parse import urlencode

    system = {"method": "taobao.user.get", "app_key": fakes.TMALL["app_key"], "timestamp": fakes.gmt8(), "v": "2.0",
              "sign_method": "md5", "format": "json"}
    system["sign"] = fakes.top_sign(system, fakes.TMALL["secret"], "md5")
    response = client.post("/channels/tmall/push/?" + urlencode(system))
    assert answer(response)["msgCode"] == "isv.invalid-method"
    _nothing_saved()


def test_an_unknown_store_code_falls_back_to_the_district_with_the_reason_kept(net, client):
    fakes.qimen_push(client, fakes.tmall_lead(attr="{store_code:'XX-999',lead_no:'TM1'}"))
    lead = Lead.objects.get()
    assert lead.dealer == net.dealer_b and lead.allocation_reason == AllocationReason.CITY
    assert Delivery.objects.get().notes == [{"code": "dealer_unknown", "value": "XX-999"}]


def test_a_closed_store_falls_back_to_its_citys_dealers(net, client):
    from autodcc.network.models import Dealer

    Dealer.objects.filter(pk=net.dealer_a.pk).update(is_active=False)
    fakes.qimen_push(client, fakes.tmall_lead(district_id="310115", addr="上海市浦东新区",
                                              attr="{store_code:'SH-001',lead_no:'TM2'}"))
    lead = Lead.objects.get()
    assert lead.dealer != net.dealer_a and lead.allocation_reason == AllocationReason.INACTIVE_NEAREST
    assert {"code": "dealer_closed", "value": "SH-001"} in Delivery.objects.get().notes


def test_an_unknown_district_falls_back_to_the_address_and_says_so(net, client):
    fakes.qimen_push(client, fakes.tmall_lead(district_id="999999", attr="{lead_no:'TM3'}"))
    lead = Lead.objects.get()
    assert lead.dealer == net.dealer_b and lead.city.adcode == "330100"
    assert Delivery.objects.get().notes == [{"code": "city_unknown", "value": "999999"},
                                            {"code": "city_from_address", "value": "330100"}]


def test_a_lead_our_rules_refuse_is_kept_for_a_replay_and_answered_as_an_error(net, client):
    response = fakes.qimen_push(client, fakes.tmall_lead(mobile="12345"))
    assert answer(response)["success"] == "false" and answer(response)["msgCode"] == "isv.lead-rejected"
    delivery = Delivery.objects.get()
    assert delivery.outcome == Outcome.REJECTED and delivery.error[0]["field"] == "phone"
    assert not Lead.objects.exists()


def test_a_nul_character_is_refused_and_nothing_saved(net, client):
    response = fakes.qimen_push(client, fakes.tmall_lead(name="王\x00芳"))
    assert answer(response)["msgCode"] == "isv.invalid-parameter"
    _nothing_saved()
