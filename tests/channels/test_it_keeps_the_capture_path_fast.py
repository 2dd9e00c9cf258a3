"""A connector adds a fixed number of statements to the capture pipeline's, whatever the batch:
a push costs a handful more than a plain capture, a pulled page of many leads as few as a page of
one."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from autodcc.channels import connectors
from autodcc.channels.services import leads_pull
from autodcc.leads.models import Lead
from tests.channels import fakes


def _pull(n: int, start: int) -> int:
    platform = fakes.FakePlatform("autohome", [fakes.PLATFORM_LEADS["autohome"](start + i) for i in range(n)])
    platform.page_cap = 100
    with CaptureQueriesContext(connection) as queries:
        assert leads_pull(connector=connectors.get("autohome"), transport=platform) == n
    from autodcc.channels.models import PullCursor

    PullCursor.objects.all().delete()
    return len(queries)


def test_a_pulled_page_costs_the_same_statements_for_one_lead_or_fifty(net):
    _pull(1, 1)  # warm the directory and the city cache
    one = _pull(1, 100)
    fifty = _pull(50, 200)
    assert Lead.objects.count() == 52
    assert fifty <= one + 3, (one, fifty)
    print(f"pulled page: {one} statements for 1 lead, {fifty} for 50")


def test_a_push_adds_few_statements_and_answers_quickly(net, client):
    fakes.qimen_push(client, fakes.tmall_lead(attr="{store_code:'HZ-001',lead_no:'WARM'}", mobile="13911110000"))
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = fakes.qimen_push(client, fakes.tmall_lead())
        elapsed = time.perf_counter() - started
    assert b'"success": "true"' in response.content
    ours = [q["sql"] for q in queries if "channels_" in q["sql"]]
    assert len(ours) <= 2, ours  # the delivery looked up, the delivery written
    with CaptureQueriesContext(connection) as again:
        fakes.qimen_push(client, fakes.tmall_lead())  # a repeat: no capture at all
    assert len(again) <= 3, [q["sql"] for q in again]
    print(f"push: {len(queries)} statements, {elapsed * 1000:.1f} ms; repeat: {len(again)} statements")
