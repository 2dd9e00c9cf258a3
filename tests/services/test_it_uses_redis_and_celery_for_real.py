"""With REDIS_URL and CELERY_BROKER_URL set (CI sets both) the cache is Redis and the outbox is
dispatched by a real Celery worker through the broker."""

import os
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from autodcc.core import outbox
from autodcc.core.models import OutboxEvent, OutboxStatus

SEEN: list[dict] = []


@outbox.handler("test.celery")
def record(payload):
    SEEN.append(payload)


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_the_cache_is_redis():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    import redis

    cache.set("autodcc-probe", "值", 30)
    assert cache.get("autodcc-probe") == "值"
    raw = redis.Redis.from_url(settings.REDIS_URL)
    assert any(b"autodcc-probe" in key for key in raw.scan_iter(match="*autodcc-probe*"))


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="CELERY_BROKER_URL is not set")
def test_a_celery_worker_dispatches_the_outbox():
    from celery.contrib.testing.worker import start_worker

    from autodcc.celery import app

    assert not app.conf.task_always_eager
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        with transaction.atomic():
            event = outbox.enqueue("test.celery", {"n": 1})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            event.refresh_from_db()
            if event.status == OutboxStatus.DONE:
                break
            time.sleep(0.1)
    assert event.status == OutboxStatus.DONE and SEEN == [{"n": 1}]
    assert OutboxEvent.objects.count() == 1
