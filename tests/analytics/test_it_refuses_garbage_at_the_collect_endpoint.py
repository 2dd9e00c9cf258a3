"""The collect endpoint takes a small, strict batch: anything else is a 400 (413 when too big,
429 over the rate) with a clear message, and nothing of the batch is kept. Never a 5xx."""

from __future__ import annotations

import json

import pytest

from autodcc.analytics import buffer
from autodcc.analytics.models import Event

pytestmark = pytest.mark.django_db

URL = "/store/analytics/collect/"


def ok_event(**changes):
    return {"kind": "page_view", "url": "/store/", "referrer": "", **changes}


def body(*events):
    return json.dumps({"events": list(events)})


GARBAGE = {
    "malformed JSON": ('{"events": [', "不是有效的 JSON"),
    "not an object": ("[1, 2]", "events"),
    "no events": (body(), "events"),
    "extra top-level key": (json.dumps({"events": [ok_event()], "x": 1}), "events"),
    "unknown event type": (body(ok_event(kind="purchase")), "未知的事件类型"),
    "a conversion from the browser": (body(ok_event(kind="booking")), "未知的事件类型"),
    "10 kB url": (body(ok_event(url="/store/" + "a" * 10_000)), "url"),
    "10 kB referrer": (body(ok_event(referrer="https://x.cn/" + "a" * 10_000)), "referrer"),
    "NUL byte raw": ('{"events": [{"kind": "page_view", "url": "/store/\x00"}]}', "控制字符"),
    "NUL byte escaped": (body(ok_event(url="/store/\u0000x")), "控制字符"),
    "number for text": (body(ok_event(url=5)), "文本"),
    "unknown field": (body({**ok_event(), "phone": "13800000000"}), "events"),
    "a page elsewhere": (body(ok_event(url="https://evil.example/store/")), "本店"),
    "not a store page": (body(ok_event(url="/console/leads/")), "本店"),
    "too many events": (body(*[ok_event()] * 21), "20"),
    "not UTF-8": (b'{"events": [{"kind": "page_view", "url": "/store/\xff"}]}', "JSON"),
}


@pytest.fixture
def visitor(client):
    client.post("/store/analytics/consent/", {"choice": "yes"})
    buffer.clear()
    return client


@pytest.mark.parametrize("case", GARBAGE)
def test_garbage_is_refused_with_a_clear_message_and_nothing_kept(visitor, case):
    data, words = GARBAGE[case]
    response = visitor.post(URL, data, content_type="application/json")
    assert response.status_code == 400, (case, response.status_code)
    error = response.json()["error"]
    assert words in error["message"], error
    assert error["code"].startswith("analytics.")
    assert buffer.pending() == 0
    buffer.flush()
    assert Event.objects.count() == 0


def test_a_body_over_16_kB_is_refused_as_too_large(visitor):
    response = visitor.post(URL, body(ok_event(referrer="x" * 17_000)), content_type="application/json")
    assert response.status_code == 413 and "16384" in response.json()["error"]["message"]
    assert buffer.pending() == 0


def test_a_good_batch_next_to_a_bad_one_keeps_nothing(visitor):
    response = visitor.post(URL, body(ok_event(), ok_event(kind="nope")), content_type="application/json")
    assert response.status_code == 400 and buffer.pending() == 0


def test_only_posts_are_taken(visitor):
    assert visitor.get(URL).status_code == 405


def test_over_the_rate_a_network_waits(visitor, settings):
    settings.ANALYTICS_RATE = "3/m"
    answers = [visitor.post(URL, body(ok_event()), content_type="application/json").status_code for _ in range(5)]
    assert answers == [204, 204, 204, 429, 429]
    late = visitor.post(URL, body(ok_event()), content_type="application/json")
    assert "稍等" in late.json()["error"]["message"] or "请" in late.json()["error"]["message"]
    assert int(late["Retry-After"]) >= 1
    assert buffer.pending() == 3


def test_a_good_page_view_keeps_the_campaign_source_and_the_outside_referrer_host(visitor):
    response = visitor.post(URL, body(
        ok_event(url="/store/series/s7/?c=spring-26&utm_source=Baidu&utm_medium=cpc", referrer="https://www.baidu.com/s?wd=x"),
        ok_event(url="/store/compare/?trims=s7-long-range&trims=s7-erev", referrer="http://testserver/store/"),
        ok_event(url="/store/calculator/?trim=s7-long-range", referrer="https://m.autohome.com.cn/x")),
        content_type="application/json")
    assert response.status_code == 204
    buffer.flush()
    rows = list(Event.objects.order_by("id").values_list("page", "subject", "path", "referrer", "source", "medium",
                                                          "campaign"))
    assert rows == [
        ("series", "s7", "/store/series/s7/", "www.baidu.com", "baidu", "cpc", "SPRING-26"),
        ("compare", "s7-long-range,s7-erev", "/store/compare/", "", "", "", ""),
        ("calculator", "s7-long-range", "/store/calculator/", "m.autohome.com.cn", "m.autohome.com.cn", "", ""),
    ]
