"""Every bad request gets a clear answer in one shape, never a 5xx and never a silent cut: NUL
characters, page numbers beyond any page, over-long Idempotency-Keys and texts, oversize bodies,
schema errors, and a cache that is down after the capture committed."""

import json

import pytest
from django.utils import translation

from autodcc.core.actors import SYSTEM
from autodcc.leads.models import Capture, Lead
from autodcc.network.services import api_token_create

BODY = {"name": "李娜", "phone": "13700001111", "channel": "autohome", "city": "杭州", "consent_version": "2026-01",
        "consent_share_with_dealer": True}


@pytest.fixture
def auth(net):
    _token, raw = api_token_create(actor=SYSTEM, name="汽车之家", channel="autohome")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def post(client, body, auth, key=""):
    extra = dict(auth)
    if key:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/api/leads", data, content_type="application/json", **extra)


def error(response):
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "field", "errors"} <= set(body["error"]), body
    return body["error"]


def test_a_nul_character_is_refused_not_a_server_error(client, auth):
    response = post(client, {**BODY, "name": "张\u0000三"}, auth)
    assert response.status_code == 400
    assert error(response)["errors"][0]["field"] == "name" and "控制字符" in error(response)["errors"][0]["message"]
    assert not Lead.objects.exists()


@pytest.mark.parametrize("field", ["name", "message", "campaign", "source_ref", "model_interest"])
def test_over_long_texts_are_refused_never_cut(client, auth, field):
    response = post(client, {**BODY, field: "长" * 100_000}, auth)
    assert response.status_code == 400
    problem = error(response)["errors"][0]
    assert problem["field"] == field and problem["code"] == "text.too_long" and "过长" in problem["message"]
    assert not Lead.objects.exists() and not Capture.objects.exists()


def test_long_idempotency_keys_stay_distinct_and_too_long_ones_are_refused(client, auth):
    common = "k" * 140
    one = post(client, BODY, auth, key=common + "-first-one")
    two = post(client, {**BODY, "phone": "13700002222"}, auth, key=common + "-second-on")
    assert one.status_code == two.status_code == 201
    assert one.json()["lead"]["id"] != two.json()["lead"]["id"] and not two.json()["replay"]
    too_long = post(client, {**BODY, "phone": "13700003333"}, auth, key="x" * 201)
    assert too_long.status_code == 400 and error(too_long)["errors"][0]["field"] == "Idempotency-Key"
    assert Lead.objects.count() == 2


@pytest.mark.parametrize("number", ["9223372036854775807", "0", "-1", "abc"])
def test_absurd_page_numbers_are_refused_clearly(client, auth, number):  # (not "page": Playwright's fixture)
    response = client.get(f"/api/leads?page={number}", **auth)
    assert response.status_code == 400 and error(response)["errors"][0]["field"] == "page"


def test_a_page_past_the_last_is_empty(client, auth):
    post(client, BODY, auth)
    response = client.get("/api/leads?page=999", **auth)
    assert response.status_code == 200 and response.json()["items"] == []


def test_huge_ids_are_not_found_or_refused_not_a_server_error(client, auth):
    assert client.get("/api/leads/9223372036854775807", **auth).status_code == 400
    assert client.get("/api/leads/999999", **auth).status_code == 404
    assert client.get("/api/intakes/9223372036854775807", **auth).status_code == 400


def test_schema_errors_have_the_same_shape_in_the_callers_language(client, auth):
    missing = post(client, {"name": "李娜"}, auth)
    assert missing.status_code == 400
    fields = {e["field"] for e in error(missing)["errors"]}
    assert {"phone", "consent_version", "consent_share_with_dealer"} <= fields
    assert all("必填" in e["message"] for e in error(missing)["errors"])
    wrong = post(client, {**BODY, "consent_share_with_dealer": "perhaps"}, auth)
    assert wrong.status_code == 400 and error(wrong)["errors"][0]["code"] == "type"
    broken = post(client, "{not json", auth)
    assert broken.status_code == 400 and error(broken)["errors"][0]["code"] == "json_invalid"
    with translation.override("en"):
        english = post(client, {"name": "x"}, {**auth, "HTTP_ACCEPT_LANGUAGE": "en"})
        assert "is required" in error(english)["errors"][0]["message"]


def test_an_oversize_body_gets_413_in_json(client, auth, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = post(client, {**BODY, "message": "x" * 20_000}, auth)
    assert response.status_code == 413 and error(response)["code"] == "too_large"


def test_the_openapi_document_declares_the_error_answers(client):
    doc = client.get("/api/openapi.json").json()
    responses = doc["paths"]["/api/leads"]["post"]["responses"]
    assert {"400", "401", "403", "404", "413", "429"} <= set(responses)
    schema = doc["paths"]["/api/leads"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    lead_in = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert lead_in["properties"]["name"]["maxLength"] == 60
    assert lead_in["properties"]["message"]["maxLength"] == 2000


def test_with_the_cache_down_an_accepted_capture_is_answered(client, auth, monkeypatch):
    """A worker is configured and Redis (the cache) is down: the capture was committed, so the
    client hears 202, and the sweep captures it."""
    from django.core.cache import cache

    from autodcc.celery import app
    from autodcc.leads.services.intake import process_pending

    def down(*_args, **_kwargs):
        raise ConnectionError("redis down")

    for name in ("add", "incr", "get", "delete", "set"):
        monkeypatch.setattr(cache, name, down)
    app.conf.task_always_eager = False
    try:
        response = post(client, BODY, auth)
    finally:
        app.conf.task_always_eager = True
    assert response.status_code == 202 and Capture.objects.get().status == "pending"
    assert process_pending(older_than_seconds=0) == 1 and Lead.objects.count() == 1
