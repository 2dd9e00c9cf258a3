import datetime as dt

import pytest
from django.utils import timezone

from autodcc.core import outbox
from autodcc.core.models import OutboxEvent, OutboxStatus

CALLS: list[dict] = []
ERRORS: list[tuple] = []


@outbox.handler("test.flaky", on_error=lambda p, e, n, g: ERRORS.append((p["n"], n, g)))
def flaky(payload):
    CALLS.append(payload)
    if payload["n"] > len(CALLS) - 1:  # fails until it has been called n+1 times
        raise ConnectionError("provider down")


@outbox.handler("test.permanent")
def permanent(payload):
    raise outbox.PermanentFailure("bad address")


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    ERRORS.clear()


def test_it_retries_with_growing_delays_then_succeeds(db, settings):
    settings.OUTBOX_BACKOFF_SECONDS = 10
    event = outbox.enqueue("test.flaky", {"n": 2}, max_attempts=5)
    now = timezone.now()
    assert outbox.dispatch_due(now=now).retried == 1
    event.refresh_from_db()
    assert (event.status, event.attempts) == (OutboxStatus.PENDING, 1)
    assert now + dt.timedelta(seconds=10) <= event.next_attempt_at <= timezone.now() + dt.timedelta(seconds=10)
    assert outbox.dispatch_due(now=now + dt.timedelta(seconds=5)).retried == 0  # not due yet
    later = event.next_attempt_at
    outbox.dispatch_due(now=later)
    event.refresh_from_db()
    assert event.next_attempt_at == later + dt.timedelta(seconds=20)  # a pass "in the future": counted from it
    stats = outbox.dispatch_due(now=later + dt.timedelta(seconds=20))
    event.refresh_from_db()
    assert stats.done == 1 and event.status == OutboxStatus.DONE and event.attempts == 3
    assert ERRORS == [(2, 1, False), (2, 2, False)]


@outbox.handler("test.slow_failure")
def slow_failure(payload):
    import time

    time.sleep(payload["seconds"])
    raise ConnectionError("timed out")


def test_the_back_off_counts_from_the_failure_not_from_the_start_of_the_pass(db, settings):
    settings.OUTBOX_BACKOFF_SECONDS = 1
    event = outbox.enqueue("test.slow_failure", {"seconds": 0.4}, max_attempts=5)
    started = timezone.now()
    outbox.dispatch_due()
    event.refresh_from_db()
    assert event.next_attempt_at >= started + dt.timedelta(seconds=1.4)


def test_it_gives_up_after_the_limit(db, settings):
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 60
    event = outbox.enqueue("test.flaky", {"n": 99}, max_attempts=3)
    when = timezone.now()
    for _ in range(5):
        outbox.dispatch_due(now=when)
        when += dt.timedelta(hours=1)
    event.refresh_from_db()
    assert event.status == OutboxStatus.FAILED
    assert event.attempts == 3
    assert "provider down" in event.last_error
    assert len(CALLS) == 3
    assert ERRORS[-1] == (99, 3, True)


def test_a_permanent_failure_is_not_retried(db):
    event = outbox.enqueue("test.permanent", {})
    outbox.dispatch_due()
    event.refresh_from_db()
    assert (event.status, event.attempts, event.last_error) == (OutboxStatus.FAILED, 1, "bad address")


def test_it_runs_after_commit_and_not_on_rollback(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("test.flaky", {"n": 0})
    assert OutboxEvent.objects.get().status == OutboxStatus.DONE  # dispatched inline: no broker
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            outbox.enqueue("test.flaky", {"n": 0})
            raise RuntimeError
    assert callbacks == [] and OutboxEvent.objects.count() == 1
