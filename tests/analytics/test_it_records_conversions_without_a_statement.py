"""The store's enquiry, booking and order record their conversion for a consenting visitor through
the buffer: the same SQL statements with and without analytics, and the campaign of the visit."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autodcc.analytics import buffer
from autodcc.analytics.models import Event

pytestmark = pytest.mark.django_db


def enquire(client, phone):
    return client.post("/store/enquiry/", {
        "trim": "s7-long-range", "city": "上海", "name": "张伟", "phone": phone, "message": "",
        "consent_privacy": "on", "consent_share_with_dealer": "on"})


def test_an_enquiry_is_recorded_with_its_campaign_at_no_extra_statement(net, catalogue, client, consented):
    client.get("/store/?c=spring-26")
    with CaptureQueriesContext(connection) as with_analytics:
        assert enquire(client, "13900001111").status_code == 302
    assert buffer.pending() == 1 + 1  # the consent record and the enquiry
    buffer.flush()
    event = Event.objects.get(kind="enquiry")
    assert (event.subject, event.campaign, event.visit) == ("s7-long-range", "SPRING-26", "ab" * 16)

    other = type(client)()
    other.get("/store/?c=spring-26")
    with CaptureQueriesContext(connection) as without:
        assert enquire(other, "13900002222").status_code == 302
    assert buffer.pending() == 0
    assert len(with_analytics.captured_queries) == len(without.captured_queries)
