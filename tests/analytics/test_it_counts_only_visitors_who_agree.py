"""PIPL: the store records nothing about a visitor until they agree in the banner; a no is
remembered and honoured; withdrawing deletes what was recorded under their number."""

from __future__ import annotations

import json

import pytest

from autodcc.analytics import buffer, consent
from autodcc.analytics.models import Event, EventKind

pytestmark = pytest.mark.django_db

VIEW = json.dumps({"events": [{"kind": "page_view", "url": "/store/trims/s7-long-range/", "referrer": ""}]})


def collect(client, body=VIEW):
    return client.post("/store/analytics/collect/", body, content_type="application/json")


def test_the_banner_asks_in_chinese_until_the_visitor_chooses(client):
    page = client.get("/store/").content.decode()
    assert 'id="consent-banner"' in page
    assert "同意" in page and "拒绝" in page and "统计" in page
    client.post("/store/analytics/consent/", {"choice": "no", "next": "/store/"})
    assert 'id="consent-banner"' not in client.get("/store/").content.decode()  # remembered


def test_without_a_choice_nothing_is_recorded(client):
    assert collect(client).status_code == 204
    buffer.flush()
    assert buffer.pending() == 0 and Event.objects.count() == 0


def test_a_decline_is_honoured(client):
    response = client.post("/store/analytics/consent/", {"choice": "no", "next": "/store/compare/"})
    assert response.status_code == 302 and response["Location"] == "/store/compare/"
    assert client.cookies[consent.CONSENT_COOKIE].value == f"no.{consent.VERSION}"
    assert consent.VISITOR_COOKIE not in client.cookies or not client.cookies[consent.VISITOR_COOKIE].value
    client.cookies[consent.VISITOR_COOKIE] = "cd" * 16  # even a visitor id left over does not count
    assert collect(client).status_code == 204
    buffer.flush()
    assert Event.objects.count() == 0


def test_a_yes_gives_a_random_visitor_id_and_records_the_consent_and_the_pages(client):
    response = client.post("/store/analytics/consent/", {"choice": "yes", "next": "/store/"})
    visitor = client.cookies[consent.VISITOR_COOKIE].value
    assert consent.ID.match(visitor) and client.cookies[consent.VISITOR_COOKIE]["httponly"]
    assert client.cookies[consent.CONSENT_COOKIE].value == f"yes.{consent.VERSION}"
    assert response.status_code == 302
    assert 'id="consent-banner"' not in client.get("/store/").content.decode()
    client.cookies[consent.VISIT_COOKIE] = "ab" * 16
    assert collect(client).status_code == 204
    assert buffer.flush() == 2
    record, view = Event.objects.order_by("id")
    assert (record.kind, record.subject, record.visitor) == (EventKind.CONSENT, consent.VERSION, visitor)
    assert (view.kind, view.page, view.subject, view.visitor, view.visit) == (
        "page_view", "trim", "s7-long-range", visitor, "ab" * 16)


def test_an_answer_for_an_older_notice_is_asked_again(client):
    client.cookies[consent.CONSENT_COOKIE] = "yes.analytics-2020-01"
    client.cookies[consent.VISITOR_COOKIE] = "ef" * 16
    assert 'id="consent-banner"' in client.get("/store/").content.decode()
    collect(client)
    buffer.flush()
    assert Event.objects.count() == 0


def test_withdrawing_deletes_what_was_recorded(client):
    client.post("/store/analytics/consent/", {"choice": "yes", "next": "/store/"})
    collect(client)
    buffer.flush()
    assert Event.objects.count() == 2
    page = client.get("/store/analytics/consent/").content.decode()
    assert "撤回" in page  # the settings page offers to withdraw
    response = client.post("/store/analytics/consent/", {"choice": "no"})
    assert response.status_code == 302
    assert Event.objects.count() == 0
    assert client.cookies[consent.VISITOR_COOKIE].value == ""  # deleted
    collect(client)
    buffer.flush()
    assert Event.objects.count() == 0


def test_a_choice_that_is_neither_is_refused_in_chinese(client):
    response = client.post("/store/analytics/consent/", {"choice": "maybe"})
    assert response.status_code == 400 and "请选择" in response.content.decode()
    assert consent.CONSENT_COOKIE not in client.cookies


def test_the_banner_answers_in_the_background_for_the_script(client):
    response = client.post("/store/analytics/consent/", {"choice": "yes"}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 204 and response.cookies[consent.CONSENT_COOKIE].value.startswith("yes.")


def test_a_link_elsewhere_is_not_followed_after_the_choice(client):
    response = client.post("/store/analytics/consent/", {"choice": "no", "next": "https://evil.example/"})
    assert response["Location"] == "/store/"


def test_switched_off_there_is_no_banner_and_nothing_is_kept(client, settings):
    settings.STORE_ANALYTICS = False
    page = client.get("/store/").content.decode()
    assert "consent-banner" not in page and "analytics.js" not in page
    client.cookies[consent.CONSENT_COOKIE] = f"yes.{consent.VERSION}"
    client.cookies[consent.VISITOR_COOKIE] = "ab" * 16
    assert collect(client).status_code == 204
    buffer.flush()
    assert Event.objects.count() == 0


def test_a_yes_whose_visitor_id_was_cleared_is_asked_again(client):
    client.cookies[consent.CONSENT_COOKIE] = consent.cookie_value("yes")
    assert 'id="consent-banner"' in client.get("/store/").content.decode()
    collect(client)
    buffer.flush()
    assert Event.objects.count() == 0
