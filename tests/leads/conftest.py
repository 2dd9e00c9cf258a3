"""Lead tests use the shared ``enquiry`` fixture and ``lead_input`` helper of tests/conftest.py.

``via`` runs a capture test through both entry points of the one pipeline: ``inline`` (the
request captures, as without a broker) and ``worker`` (the request accepts a pending capture, a
worker's batch captures it), so the two can never drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from autodcc.core.actors import Actor
from autodcc.leads.services.capture import Caller, LeadInput, Outcome, Request, capture


def _as_worker(items: Sequence[tuple[Actor, LeadInput, str, Any]]) -> list[Outcome]:
    from autodcc.celery import app
    from autodcc.core.errors import Invalid
    from autodcc.leads.models import Capture
    from autodcc.leads.services.intake import intake_accept, process_batch

    accepted: list[Outcome] = []
    app.conf.task_always_eager = False  # the in-memory broker keeps the wake-up: nobody runs it
    try:
        for i, (actor, data, key, token) in enumerate(items):
            try:
                accepted.append(intake_accept(actor=actor, data=data, key=key, token=token))
            except Invalid as exc:  # refused at acceptance, by the pipeline's own checks
                accepted.append(Outcome(i, errors=exc.errors))
    finally:
        app.conf.task_always_eager = True
    process_batch(limit=len(items) + 10)
    out = []
    for i, a in enumerate(accepted):
        if a.capture_id is None or a.replay:
            out.append(a)
            continue
        row = Capture.objects.get(pk=a.capture_id)
        outcome = Outcome(i, status=row.status, lead_id=row.lead_id, capture_id=row.pk, created=row.created)
        if row.error:
            from autodcc.core.errors import DomainError

            outcome.errors = [DomainError("lead.capture_rejected", field=e.get("field"), reason=e.get("message"))
                              for e in row.error]
        out.append(outcome)
    return out


def _inline(items: Sequence[tuple[Actor, LeadInput, str, Any]]) -> list[Outcome]:
    return capture([Request(data, Caller.of(actor, token), key=key) for actor, data, key, token in items])


@pytest.fixture(params=["inline", "worker"])
def via(request: pytest.FixtureRequest) -> Callable[..., list[Outcome]]:
    """``via([(actor, data, key, token), …])``: the outcomes of one batch through the chosen path."""
    return _inline if request.param == "inline" else _as_worker


@pytest.fixture
def via_one(via: Callable[..., list[Outcome]]) -> Callable[..., Outcome]:
    def one(actor: Actor, data: LeadInput, key: str = "", token: Any = None) -> Outcome:
        return via([(actor, data, key, token)])[0]

    return one
