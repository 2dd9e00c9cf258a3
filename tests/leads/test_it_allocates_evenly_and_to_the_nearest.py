"""LEAD-3: the chosen dealer if active; else the city's dealers evenly; else the nearest by city
centres — one rule for a single capture and for a batch, inline and through a worker."""

import datetime as dt
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autodcc.core import fairshare, geo, memo
from autodcc.core.actors import SYSTEM
from autodcc.core.models import FairShare
from autodcc.leads.models import AllocationReason, Capture, Lead
from autodcc.leads.services import lead_capture
from autodcc.leads.services.capture import Caller, Request, capture
from autodcc.network.models import Dealer
from autodcc.network.services import city_for

CITY_CODES = sorted(geo.all_cities())
HOURS = {"opens_at": dt.time(8, 30), "closes_at": dt.time(18, 0), "open_weekdays": "1234567"}
SYSTEM_CALLER = Caller.of(SYSTEM)


def make_dealer(code, city, region):
    dealer = Dealer.objects.create(code=code, name=code, brand="澜川汽车", region=region, city=city, lng=city.lng,
                                   lat=city.lat, **HOURS)
    memo.clear()  # created beside the network services: the directory learns of it at once
    return dealer


def city_counts(city):
    return dict(FairShare.objects.filter(kind=fairshare.CITY, owner_id=city.pk).values_list("member_id", "count"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(1, 5), n=st.integers(1, 60), chosen_every=st.integers(0, 7), seed=st.integers(0, 10**6))
def test_the_city_split_keeps_every_dealer_within_one_lead_of_even(net, enquiry, k, n, chosen_every, seed):
    """Whatever the batch sizes, and with leads for a chosen dealer in between (they do not move
    the city's split)."""
    rng = random.Random(seed)
    with transaction.atomic():
        memo.clear()
        city = city_for("510100")  # 成都: no persona dealer there
        dealers = [make_dealer(f"CD-{i}", city, net.east) for i in range(k)]
        requests = []
        for i in range(n):
            if chosen_every and i % chosen_every == 0:
                requests.append(Request(enquiry(city="成都", dealer=dealers[-1].code), SYSTEM_CALLER))
            requests.append(Request(enquiry(city="成都"), SYSTEM_CALLER))
        outcomes = []
        while requests:
            size = rng.randint(1, 12)
            outcomes += capture(requests[:size])
            requests = requests[size:]
        by_reason = Counter()
        picks = Counter()
        for o in outcomes:
            lead = o.lead
            by_reason[lead.allocation_reason] += 1
            if lead.allocation_reason == AllocationReason.CITY:
                picks[lead.dealer_id] += 1
        assert by_reason[AllocationReason.CITY] == n
        counts = [picks[d.pk] for d in dealers]
        assert set(counts) <= {n // k, -(-n // k)} and sum(counts) == n
        assert city_counts(city) == {d.pk: picks[d.pk] for d in dealers}
        transaction.set_rollback(True)
    memo.clear()


def brute_force_nearest_codes(origin: str, dealer_cities: list[str]) -> set[str]:
    o = geo.all_cities()[origin]
    km = {c: geo.haversine_km(float(o.lat), float(o.lng), float(geo.all_cities()[c].lat),
                              float(geo.all_cities()[c].lng)) for c in dealer_cities}
    best = min(km.values())
    return {c for c, d in km.items() if abs(d - best) < 1e-9}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_nearest_dealer_matches_a_brute_force_haversine_search(net, enquiry, data):
    origin = data.draw(st.sampled_from(CITY_CODES), label="consumer city")
    hosts = data.draw(st.lists(st.sampled_from([c for c in CITY_CODES if c != origin]), min_size=1, max_size=12,
                               unique=True), label="dealer cities")
    with transaction.atomic():
        memo.clear()
        Dealer.objects.update(is_active=False)  # only the drawn dealers count
        for i, code in enumerate(hosts):
            make_dealer(f"N-{i}", city_for(code), net.east)
        lead = lead_capture(actor=SYSTEM, data=enquiry(city=origin)).lead
        assert lead.allocation_reason == AllocationReason.NEAREST
        assert lead.dealer.city.adcode in brute_force_nearest_codes(origin, hosts)
        transaction.set_rollback(True)
    memo.clear()


def test_a_chosen_dealer_wins(net, enquiry, via_one):
    lead = via_one(SYSTEM, enquiry(city="北京", dealer="HZ-001")).lead
    assert lead.dealer == net.dealer_b and lead.allocation_reason == AllocationReason.CHOSEN


def test_a_closed_chosen_dealer_falls_back_to_its_city_and_says_so(net, enquiry, via_one):
    """SPEC LEAD-3: "the chosen dealer, if active". Closed, the lead goes to the consumer's city
    (here Beijing has no other dealer: the nearest), and the reason is recorded."""
    Dealer.objects.filter(pk=net.dealer_c.pk).update(is_active=False)
    outcome = via_one(SYSTEM, enquiry(city="杭州", dealer="BJ-001"))
    assert not outcome.errors
    assert outcome.lead.dealer == net.dealer_b and outcome.lead.allocation_reason == AllocationReason.INACTIVE_CITY
    no_city = via_one(SYSTEM, enquiry(city="", dealer="BJ-001")).lead  # located by the closed dealer's city
    assert no_city.allocation_reason == AllocationReason.INACTIVE_NEAREST and no_city.dealer_id != net.dealer_c.pk


def test_an_accepted_capture_whose_dealer_closes_before_the_worker_is_still_captured(net, enquiry):
    from autodcc.celery import app
    from autodcc.leads.services.intake import intake_accept, process_batch

    app.conf.task_always_eager = False
    try:
        accepted = intake_accept(actor=SYSTEM, data=enquiry(city="上海", dealer="HZ-001"))
    finally:
        app.conf.task_always_eager = True
    assert accepted.status == "pending"
    Dealer.objects.filter(pk=net.dealer_b.pk).update(is_active=False)  # closes meanwhile
    assert process_batch() == 1
    row = Capture.objects.get(pk=accepted.capture_id)
    assert row.status == "processed" and row.lead.dealer == net.dealer_a
    assert row.lead.allocation_reason == AllocationReason.INACTIVE_CITY == row.allocation


def test_a_city_without_dealers_goes_to_the_nearest_and_says_how_far(net, enquiry, via_one):
    outcome = via_one(SYSTEM, enquiry(city="苏州"))  # Suzhou: Shanghai is nearer than Hangzhou
    lead = outcome.lead
    assert lead.dealer == net.dealer_a and lead.allocation_reason == AllocationReason.NEAREST
    assert 70 < float(Capture.objects.get(pk=outcome.capture_id).distance_km) < 100


def test_a_district_code_names_its_city(net, enquiry, via_one):
    """Platforms send district codes (浦东新区 310115) and a municipality's city-level code."""
    assert via_one(SYSTEM, enquiry(city="310115")).lead.dealer == net.dealer_a
    assert via_one(SYSTEM, enquiry(city="310100")).lead.dealer == net.dealer_a
    assert via_one(SYSTEM, enquiry(city="330106")).lead.dealer == net.dealer_b  # 杭州西湖区


def test_parallel_captures_to_one_city_keep_the_split_exact(live_net, enquiry):
    net = live_net
    city = city_for("310000")
    extra = [make_dealer(f"SH-00{i}", city, net.east) for i in (2, 3)]
    dealers = [net.dealer_a, *extra]
    inputs = [enquiry(city="上海", phone=f"1360000{i:04d}") for i in range(30)]

    def one(data):
        try:
            return lead_capture(actor=SYSTEM, data=data).lead.dealer_id
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(one, inputs))
    assert Counter(results) == {d.pk: 10 for d in dealers}
    assert city_counts(city) == {d.pk: 10 for d in dealers}
    assert Lead.objects.count() == 30


def test_parallel_batches_over_many_cities_never_deadlock(live_net, enquiry):
    """Two workers' batches that name the same cities in opposite orders: every batch locks its
    split rows in one statement, in one global order, so neither waits on the other in a cycle."""
    net = live_net
    for code, city in (("SH-002", "310000"), ("HZ-002", "330100"), ("BJ-002", "110000")):
        make_dealer(code, city_for(city), net.east)
    cities = ["上海", "杭州", "北京", "苏州", "南京", "天津"]
    for name in cities:  # the migration ships every city; this test's database was flushed before it
        city_for(name)
    counter = iter(range(10**6))

    def batches(order):
        for _ in range(6):
            yield [Request(enquiry(city=c, phone=f"1371{next(counter):07d}"), SYSTEM_CALLER) for c in order * 8]

    def run(order):
        try:
            done = 0
            for batch in batches(order):
                done += sum(1 for o in capture(batch) if o.created)
            return done
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, [cities, list(reversed(cities))]))
    assert results == [6 * 48, 6 * 48]
    assert Lead.objects.count() == 2 * 6 * 48
    total = sum(FairShare.objects.filter(kind=fairshare.CITY).values_list("count", flat=True))
    assert total == Lead.objects.filter(allocation_reason__in=["city", "nearest"]).count()


@pytest.mark.parametrize("batch", [1, 7])
def test_agents_of_a_dealer_are_taken_in_turn(net, enquiry, batch):
    from autodcc.core.roles import Role
    from autodcc.network import services as network

    extra = network.staff_create(actor=SYSTEM, username="a-agent-x", name="网销X", mobile="13500000077",
                                 grants=[(Role.DCC_AGENT, net.dealer_a, None)])
    requests = [Request(enquiry(dealer="SH-001"), SYSTEM_CALLER) for _ in range(14)]
    for i in range(0, 14, batch):
        capture(requests[i:i + batch])
    assert Counter(Lead.objects.values_list("agent_id", flat=True)) == {net.a_agent.staff.pk: 7, extra.pk: 7}
