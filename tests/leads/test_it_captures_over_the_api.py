import json

import pytest

from autodcc.core.actors import SYSTEM
from autodcc.leads.models import Lead
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


def post(client, body, headers, key=""):
    extra = dict(headers)
    if key:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/leads", json.dumps(body), content_type="application/json", **extra)


def test_a_partner_captures_once_however_often_it_retries(client, partner):
    first = post(client, BODY, partner, key="req-1")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["created"] and data["lead"]["dealer_code"] == "HZ-001" and data["lead"]["allocation"] == "city"
    assert data["lead"]["customer_phone"] == "137****1111"
    for _ in range(3):
        again = post(client, BODY, partner, key="req-1")
        assert again.status_code == 200 and again.json()["replay"] and again.json()["lead"]["id"] == data["lead"]["id"]
    assert Lead.objects.count() == 1 and Lead.objects.get().duplicate_count == 0
    status = client.get(f"/api/leads/{data['lead']['id']}", **partner)
    assert status.status_code == 200 and status.json()["status"] == "new"


def test_bad_input_gets_a_clear_error_and_saves_nothing(client, partner):
    response = post(client, {**BODY, "phone": "12345", "city": "火星"}, partner)
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["error"]["errors"]}
    assert fields == {"phone", "city"}
    response = post(client, {**BODY, "consent_share_with_dealer": False}, partner)
    assert response.status_code == 400 and response.json()["error"]["errors"][0]["field"] == "consent_share_with_dealer"
    assert not Lead.objects.exists()


def test_a_missing_or_wrong_key_is_refused(client, net):
    assert post(client, BODY, {}).status_code == 401
    assert post(client, BODY, {"HTTP_AUTHORIZATION": "Bearer adcc_nope_nope"}).status_code == 401


def test_a_dealer_key_lists_and_reads_only_its_leads(client, net, partner, dealer_a_key):
    mine = post(client, {**BODY, "phone": "13700002222", "city": "上海"}, partner).json()["lead"]["id"]
    theirs = post(client, BODY, partner).json()["lead"]["id"]
    listed = client.get("/api/leads", **dealer_a_key)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [mine]
    assert client.get(f"/api/leads/{mine}", **dealer_a_key).status_code == 200
    assert client.get(f"/api/leads/{theirs}", **dealer_a_key).status_code == 404


def test_staff_sessions_read_through_their_scope(net, login, partner, client):
    lead_b = post(client, BODY, partner).json()["lead"]["id"]
    staff = login(net.a_agent)
    assert staff.get(f"/api/leads/{lead_b}").status_code == 404
    assert login(net.b_agent).get(f"/api/leads/{lead_b}").status_code == 200


def test_the_openapi_document_describes_the_capture(client):
    doc = client.get("/api/openapi.json").json()
    assert "/api/leads" in doc["paths"] and "post" in doc["paths"]["/api/leads"]
    assert any(p["name"] == "Idempotency-Key" for p in doc["paths"]["/api/leads"]["post"]["parameters"])


def test_with_a_worker_the_capture_is_accepted_at_once_and_processed_after(client, partner, settings):
    """With a broker the request only writes the intake (202); the worker — here the sweep that
    also catches lost tasks — captures it, once."""
    from autodcc.celery import app
    from autodcc.leads.models import Intake
    from autodcc.leads.services.intake import process_pending

    app.conf.task_always_eager = False  # the in-memory broker keeps the task: nobody runs it
    try:
        response = post(client, BODY, partner, key="req-async")
    finally:
        app.conf.task_always_eager = True
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert not Lead.objects.exists() and Intake.objects.get().status == "pending"
    assert process_pending(older_than_seconds=0) == 1
    assert process_pending(older_than_seconds=0) == 0
    followed = client.get(f"/api/intakes/{response.json()['intake']}", **partner).json()
    assert followed["status"] == "processed" and followed["lead"]["dealer_code"] == "HZ-001"
    assert Lead.objects.count() == 1
