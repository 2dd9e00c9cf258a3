"""The insights tests' scenario with known answers (see EXPECTED in test_it_counts_the_funnel_exactly.py):
dealers A and B, September and October 2026, repeats and approved defeats; every figure is hand-computed."""

import datetime as dt

import pytest
from django.utils import timezone

from autodcc.customers.models import Customer
from autodcc.leads.models import Capture, DefeatRequest, DefeatStatus, Lead, Status


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def lead(dealer, n, channel, created, status=Status.FOLLOWING, **stamps):
    customer = Customer.objects.create(name=f"客户{n}", phone=f"+86137000{n:05d}")
    values = {k: at(v) for k, v in stamps.items()}
    return Lead.objects.create(dealer=dealer, customer=customer, channel=channel, created_at=at(created), status=status,
                               allocation_reason="city", next_follow_up_on=None if status in (
                                   Status.DEFEATED, Status.INVALID, Status.DELIVERED) else dt.date(2026, 12, 1),
                               **values)


@pytest.fixture
def scenario(net):
    a, b = net.dealer_a, net.dealer_b
    L = {}
    # dealer A, September: 4 from Autohome, 2 from Yiche
    L[1] = lead(a, 1, "autohome", "2026-09-02", Status.ORDERED, contacted_at="2026-09-02", invited_at="2026-09-03",
                arrived_at="2026-09-05", ordered_at="2026-09-06")
    L[2] = lead(a, 2, "autohome", "2026-09-10", Status.ARRIVED, contacted_at="2026-09-10", invited_at="2026-09-11",
                arrived_at="2026-09-12")
    L[3] = lead(a, 3, "autohome", "2026-09-28", Status.INVITED, contacted_at="2026-09-28", invited_at="2026-10-02")
    L[4] = lead(a, 4, "autohome", "2026-09-15", Status.DEFEATED, contacted_at="2026-09-15", defeated_at="2026-09-20")
    L[5] = lead(a, 5, "yiche", "2026-09-16", Status.INVALID, contacted_at="2026-09-16")
    L[6] = lead(a, 6, "yiche", "2026-09-17")
    # dealer A, October: 2 from Autohome
    L[7] = lead(a, 7, "autohome", "2026-10-03", Status.DELIVERED, contacted_at="2026-10-03", invited_at="2026-10-04",
                arrived_at="2026-10-06", test_driven_at="2026-10-06", ordered_at="2026-10-08",
                delivered_at="2026-10-20")
    L[8] = lead(a, 8, "autohome", "2026-10-09")
    # dealer B, September: 3 from Dongchedi; October: 1 from Autohome
    L[9] = lead(b, 9, "dongchedi", "2026-09-04", Status.ARRIVED, contacted_at="2026-09-04", invited_at="2026-09-05",
                arrived_at="2026-09-08")
    L[10] = lead(b, 10, "dongchedi", "2026-09-05", Status.INVITED, contacted_at="2026-09-05", invited_at="2026-09-06")
    L[11] = lead(b, 11, "dongchedi", "2026-09-07", Status.DEFEATED, contacted_at="2026-09-07", defeated_at="2026-09-25")
    L[12] = lead(b, 12, "autohome", "2026-10-11", Status.ORDERED, contacted_at="2026-10-11", invited_at="2026-10-12",
                 arrived_at="2026-10-14", ordered_at="2026-10-15")
    # repeat enquiries: two for L1 (Autohome), one for L9 (Dongchedi), in September
    for target, channel, day in ((L[1], "autohome", "2026-09-08"), (L[1], "yiche", "2026-09-09"),
                                 (L[9], "dongchedi", "2026-09-09")):
        Capture.objects.create(lead=target, channel=channel, duplicate=True, by_label="t", at=at(day))
    for target, reason, day in ((L[4], "price", "2026-09-20"), (L[11], "competitor", "2026-09-25")):
        DefeatRequest.objects.create(lead=target, kind="defeat", reason=reason, status=DefeatStatus.APPROVED,
                                     decided_at=at(day))
    return L
