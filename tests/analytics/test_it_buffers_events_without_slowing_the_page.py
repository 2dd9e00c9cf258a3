"""Events go to a buffer, never straight to the database: in memory on the embedded default
(written after a response once enough have gathered or the oldest is old enough), in one Redis list
when Redis is configured (written by the scheduled flush). A failed write loses nothing."""

from __future__ import annotations

import os
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autodcc.analytics import buffer, consent, tasks
from autodcc.analytics.models import Event

pytestmark = pytest.mark.django_db

BODY = '{"events": [{"kind": "page_view", "url": "/store/", "referrer": ""}]}'


def collect(client):
    return client.post("/store/analytics/collect/", BODY, content_type="application/json")


@pytest.fixture
def in_memory(settings):
    """The embedded default's buffer (CI sets REDIS_URL for the whole run)."""
    settings.REDIS_URL = ""


@pytest.fixture
def visitor(client):
    client.cookies[consent.CONSENT_COOKIE] = consent.cookie_value("yes")
    client.cookies[consent.VISITOR_COOKIE] = "ab" * 16
    return client


def test_a_page_view_costs_no_statement_and_is_written_in_a_batch(in_memory, visitor, settings):
    settings.ANALYTICS_FLUSH_SIZE, settings.ANALYTICS_FLUSH_SECONDS = 3, 3600
    with CaptureQueriesContext(connection) as queries:
        assert collect(visitor).status_code == 204
        assert collect(visitor).status_code == 204
    assert len(queries) == 0 and Event.objects.count() == 0 and buffer.pending() == 2
    collect(visitor)  # the third reaches the batch size: written after its response
    assert Event.objects.count() == 3 and buffer.pending() == 0


def test_the_oldest_event_waits_at_most_the_flush_interval(in_memory, visitor, settings):
    settings.ANALYTICS_FLUSH_SIZE, settings.ANALYTICS_FLUSH_SECONDS = 1000, 0
    collect(visitor)
    assert Event.objects.count() == 1


def test_the_scheduled_task_writes_what_waits(in_memory, visitor, settings):
    settings.ANALYTICS_FLUSH_SIZE, settings.ANALYTICS_FLUSH_SECONDS = 1000, 3600
    collect(visitor)
    collect(visitor)
    assert Event.objects.count() == 0
    assert tasks.flush_events() == 2 and Event.objects.count() == 2


def test_a_failed_write_keeps_the_events_for_the_next_flush(in_memory, visitor, settings, monkeypatch):
    settings.ANALYTICS_FLUSH_SIZE, settings.ANALYTICS_FLUSH_SECONDS = 1000, 3600
    collect(visitor)
    real = buffer._write

    def down(rows):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(buffer, "_write", down)
    with pytest.raises(RuntimeError):
        buffer.flush()
    assert buffer.pending() == 1
    monkeypatch.setattr(buffer, "_write", real)
    assert buffer.flush() == 1 and Event.objects.count() == 1


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if url:
        return url
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping()
    except Exception:
        return ""
    return "redis://127.0.0.1:6379/14"


@pytest.mark.redis
@pytest.mark.skipif(not _redis_url(), reason="no Redis server")
def test_with_redis_a_request_appends_to_one_list_and_the_flush_moves_it(visitor, settings, monkeypatch):
    from django.core.cache import caches

    url = _redis_url()
    settings.REDIS_URL = url
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    monkeypatch.setattr(buffer, "REDIS_KEY", f"test:analytics:{uuid.uuid4().hex}")
    client = buffer._redis()
    try:
        for _ in range(3):
            assert collect(visitor).status_code == 204
        assert client.llen(buffer.REDIS_KEY) == 3 and not buffer._local and Event.objects.count() == 0
        monkeypatch.setattr(buffer, "CHUNK", 2)
        assert tasks.flush_events() == 3
        assert client.llen(buffer.REDIS_KEY) == 0 and Event.objects.count() == 3
        collect(visitor)
        monkeypatch.setattr(buffer, "_write", lambda rows: (_ for _ in ()).throw(RuntimeError("down")))
        with pytest.raises(RuntimeError):
            buffer.flush()
        assert client.llen(buffer.REDIS_KEY) == 1  # back in the list
    finally:
        client.delete(buffer.REDIS_KEY)
        caches.close_all()
