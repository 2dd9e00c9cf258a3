"""The collect endpoint takes a small, strict batch: anything else is a 400 (413 when too big,
429 over the rate) with a clear message, and nothing of the batch is kept. Never a 5xx."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from autodcc.analytics import buffer, recording
from autodcc.analytics.models import Event
from autodcc.core.errors import DomainError

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
    "a broken address": (body(ok_event(url="//[::1/store/")), "本店"),
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


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                       max_leaves=12)
EVENT = st.fixed_dictionaries({"kind": st.sampled_from(["page_view", "x"]) | st.text(max_size=20)},
                              optional={"url": st.text(max_size=60) | st.just("/store/trims/s7/"),
                                        "referrer": st.text(max_size=60)})


@hsettings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | JSONISH.map(lambda v: json.dumps(v).encode())
       | st.lists(EVENT, max_size=3).map(lambda e: json.dumps({"events": e}).encode()))
def test_any_input_is_either_events_or_a_clear_refusal(raw):
    try:
        events = recording.parse(raw, host="testserver")
    except DomainError as exc:
        assert exc.message  # a worded message, never a crash
    else:
        assert events and all(e["kind"] == "page_view" and e["path"].startswith("/store/") for e in events)
