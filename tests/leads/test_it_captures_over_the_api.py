"""POST /api/leads, inline (no broker: the request captures) and with a worker (the request
accepts, a worker's batch captures): every test runs both ways."""

import json
from dataclasses import dataclass
from typing import Any

import pytest

from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.customers.models import Consent
from autodcc.leads.models import AllocationReason, Capture, Lead
from autodcc.leads.services import lead_capture
from autodcc.network.models import Dealer
from autodcc.network.services import api_token_create

BODY = {"name": "李娜", "phone": "13700001111", "channel": "autohome", "city": "杭州", "consent_version": "2026-01",
        "consent_share_with_dealer": True, "model_interest": "澜川 S7", "source_ref": "AH-778899"}


@pytest.fixture
def partner(net):
    _token, raw = api_token_create(actor=SYSTEM, name="汽车之家", channel="autohome")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def dealer_a_key(net):
    _token, raw = api_token_create(actor=SYSTEM, name="SH-001 DMS", dealer=net.dealer_a)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def dealer_b_key(net):
    _token, raw = api_token_create(actor=SYSTEM, name="HZ-001 DMS", dealer=net.dealer_b)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@dataclass
class Answer:
    first: Any  # the response to the POST
    status: int  # the final status: the POST's inline, the follow-up's with a worker
    body: dict[str, Any]


@pytest.fixture(params=["inline", "worker"])
def api(request, client):
    """``api(body, headers, key)``: post a capture and follow it until it is processed."""
    from autodcc.celery import app
    from autodcc.leads.services.intake import process_pending

    worker = request.param == "worker"

    def post(body, headers, key=""):
        extra = dict(headers)
        if key:
            extra["HTTP_IDEMPOTENCY_KEY"] = key
        app.conf.task_always_eager = not worker
        try:
            first = client.post("/api/leads", json.dumps(body), content_type="application/json", **extra)
        finally:
            app.conf.task_always_eager = True
        if not worker or first.status_code != 202:
            return Answer(first, first.status_code, first.json())
        assert first.json()["lead"] is None and first.json()["status"] == "pending"
        process_pending(older_than_seconds=0)
        followed = client.get(f"/api/intakes/{first.json()['intake']}", **headers)
        return Answer(first, followed.status_code, followed.json())

    post.worker = worker
    return post


def test_a_partner_captures_once_however_often_it_retries(client, partner, api):
    first = api(BODY, partner, key="req-1")
    assert first.status == 201, first.body
    data = first.body
    assert data["created"] and data["lead"]["dealer_code"] == "HZ-001" and data["lead"]["allocation"] == "city"
    assert data["lead"]["customer_phone"] == "137****1111"
    for _ in range(3):
        again = api(BODY, partner, key="req-1")
        assert again.first.json()["replay"] and again.body["lead"]["id"] == data["lead"]["id"]
    assert Lead.objects.count() == 1 and Lead.objects.get().duplicate_count == 0
    status = client.get(f"/api/leads/{data['lead']['id']}", **partner)
    assert status.status_code == 200 and status.json()["status"] == "new"


def test_bad_input_gets_a_clear_error_and_saves_nothing(client, partner, api):
    response = api({**BODY, "phone": "12345", "city": "火星"}, partner)
    assert response.status == 400
    fields = {e["field"] for e in response.body["error"]["errors"]}
    assert fields == {"phone", "city"}
    response = api({**BODY, "consent_share_with_dealer": False}, partner)
    assert response.status == 400 and response.body["error"]["errors"][0]["field"] == "consent_share_with_dealer"
    assert not Lead.objects.exists() and not Capture.objects.exists()


def test_a_missing_or_wrong_key_is_refused(client, net, api):
    assert api(BODY, {}).status == 401
    assert api(BODY, {"HTTP_AUTHORIZATION": "Bearer adcc_nope_nope"}).status == 401


def test_a_dealer_key_lists_and_reads_only_its_leads(client, net, partner, dealer_a_key, api):
    mine = api({**BODY, "phone": "13700002222", "city": "上海"}, partner).body["lead"]["id"]
    theirs = api(BODY, partner).body["lead"]["id"]
    listed = client.get("/api/leads", **dealer_a_key)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [mine]
    assert client.get(f"/api/leads/{mine}", **dealer_a_key).status_code == 200
    assert client.get(f"/api/leads/{theirs}", **dealer_a_key).status_code == 404


def test_staff_sessions_read_through_their_scope(net, login, partner, client, api):
    lead_b = api(BODY, partner).body["lead"]["id"]
    staff = login(net.a_agent)
    assert staff.get(f"/api/leads/{lead_b}").status_code == 404
    assert login(net.b_agent).get(f"/api/leads/{lead_b}").status_code == 200


def test_the_openapi_document_describes_the_capture(client):
    doc = client.get("/api/openapi.json").json()
    assert "/api/leads" in doc["paths"] and "post" in doc["paths"]["/api/leads"]
    assert any(p["name"] == "Idempotency-Key" for p in doc["paths"]["/api/leads"]["post"]["parameters"])


# --- a dealer's key captures for its own dealer, whatever else it sends ------------------------------


def test_a_dealer_key_without_a_city_captures_at_its_dealer(net, dealer_a_key, api):
    answer = api({**BODY, "city": ""}, dealer_a_key)
    assert answer.status == 201, answer.body
    lead = Lead.objects.get()
    assert lead.dealer == net.dealer_a and answer.body["lead"]["dealer_code"] == "SH-001"


def test_a_dealer_key_with_another_dealers_city_still_captures_at_its_dealer(net, dealer_a_key, api):
    answer = api({**BODY, "city": "杭州"}, dealer_a_key)
    assert answer.status == 201 and Lead.objects.get().dealer == net.dealer_a
    assert Lead.objects.get().city.name == "杭州市"  # the consumer's city is kept on the lead


def test_a_dealer_key_naming_another_dealer_is_refused(net, dealer_b_key, api):
    answer = api({**BODY, "dealer": "SH-001"}, dealer_b_key)
    assert answer.status == 400
    assert answer.body["error"]["errors"][0]["field"] == "dealer"
    assert not Lead.objects.filter(dealer=net.dealer_a).exists() and not Lead.objects.exists()


def test_a_dealer_key_does_not_see_another_dealers_customer(net, dealer_b_key, api, client, enquiry):
    """Dealer A has an open lead for the phone; B's key gets B's own new lead, never A's."""
    at_a = lead_capture(actor=SYSTEM, data=enquiry(phone="13700001111", name="张先生", dealer="SH-001")).lead
    answer = api({**BODY, "name": "李娜"}, dealer_b_key)
    assert answer.status == 201 and answer.body["created"]
    seen = answer.body["lead"]
    assert seen["id"] != at_a.pk and seen["dealer_code"] == "HZ-001" and seen["customer_name"] == "李娜"
    assert "张先生" not in json.dumps(answer.body, ensure_ascii=False)
    followed = client.get(f"/api/intakes/{answer.body['intake']}", **dealer_b_key).json()
    assert followed["lead"]["id"] == seen["id"] and "张先生" not in json.dumps(followed, ensure_ascii=False)
    assert client.get(f"/api/leads/{seen['id']}", **dealer_b_key).json()["customer_name"] == "李娜"
    assert client.get(f"/api/leads/{at_a.pk}", **dealer_b_key).status_code == 404
    assert Lead.objects.get(pk=at_a.pk).duplicate_count == 0  # A's lead untouched
    assert not AuditLog.objects.filter(object_id=str(at_a.pk), actor_label__startswith="API").exists()


def test_a_channel_key_gets_no_profile_of_a_customer_it_did_not_send(net, partner, api, client, enquiry):
    at_a = lead_capture(actor=SYSTEM, data=enquiry(phone="13700001111", name="张先生", dealer="SH-001")).lead
    answer = api({**BODY, "city": "上海"}, partner)
    assert answer.body["duplicate"] and not answer.body["created"] and answer.body["lead"] is None
    assert "张先生" not in json.dumps(answer.body, ensure_ascii=False)
    assert client.get(f"/api/leads/{at_a.pk}", **partner).status_code == 404
    assert client.get("/api/leads", **partner).json()["items"] == []


def test_a_channel_key_lists_the_leads_it_sent(net, partner, api, client, enquiry):
    sent = [api({**BODY, "phone": f"1370000{i:04d}"}, partner).body["lead"]["id"] for i in range(3)]
    lead_capture(actor=SYSTEM, data=enquiry(phone="13911112222", dealer="HZ-001"))  # not sent by it
    listed = client.get("/api/leads", **partner).json()
    assert sorted(item["id"] for item in listed["items"]) == sorted(sent)
    assert set(Lead.objects.filter(pk__in=sent).values_list("api_token__name", flat=True)) == {"汽车之家"}


def test_a_closed_chosen_dealer_falls_back_instead_of_refusing(net, partner, api):
    Dealer.objects.filter(pk=net.dealer_b.pk).update(is_active=False)
    answer = api({**BODY, "dealer": "HZ-001", "city": "上海"}, partner)
    assert answer.status == 201, answer.body
    assert answer.body["lead"]["dealer_code"] == "SH-001"
    assert answer.body["lead"]["allocation"] == AllocationReason.INACTIVE_CITY


def test_keys_of_different_callers_never_replay_each_other(net, partner, dealer_a_key, api):
    one = api({**BODY, "city": "杭州"}, partner, key="same")
    two = api({**BODY, "phone": "13700009999"}, dealer_a_key, key="same")
    assert one.body["lead"]["id"] != two.body["lead"]["id"] and not two.first.json()["replay"]


def test_consents_stay_with_the_dealer_they_were_given_to(net, dealer_b_key, api, enquiry):
    at_a = lead_capture(actor=SYSTEM, data=enquiry(phone="13700001111", dealer="SH-001")).lead
    before = list(Consent.objects.filter(dealer=net.dealer_a).values_list("pk", "version", "given_at"))
    api({**BODY, "consent_version": "2026-09"}, dealer_b_key)
    assert list(Consent.objects.filter(dealer=net.dealer_a).values_list("pk", "version", "given_at")) == before
    assert Consent.objects.get(dealer=net.dealer_b, customer=at_a.customer).version == "2026-09"
