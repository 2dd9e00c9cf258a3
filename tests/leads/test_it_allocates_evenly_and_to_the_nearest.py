"""LEAD-3: the chosen dealer; else the city's dealers evenly; else the nearest by city centres."""

import datetime as dt
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autodcc.core import geo
from autodcc.core.actors import SYSTEM
from autodcc.leads.models import AllocationReason, CityLedger, Lead
from autodcc.leads.services import allocation, lead_capture
from autodcc.network.models import City, Dealer
from autodcc.network.services import city_for

CITY_CODES = sorted(geo.all_cities())
HOURS = {"opens_at": dt.time(8, 30), "closes_at": dt.time(18, 0), "open_weekdays": "1234567"}


def make_dealer(code, city, region):
    return Dealer.objects.create(code=code, name=code, brand="澜川汽车", region=region, city=city, lng=city.lng,
                                 lat=city.lat, **HOURS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(1, 5), n=st.integers(1, 60), chosen_every=st.integers(0, 7))
def test_the_city_ledger_keeps_every_dealer_within_one_lead_of_even(net, k, n, chosen_every):
    with transaction.atomic():
        city = city_for("510100")  # 成都: no persona dealer there
        dealers = [make_dealer(f"CD-{i}", city, net.east) for i in range(k)]
        picks = Counter()
        for i in range(n):
            if chosen_every and i % chosen_every == 0:
                # a consumer who chose a dealer does not move the city's ledger
                assert allocation.allocate(city=city, chosen=dealers[-1]).reason == AllocationReason.CHOSEN
            got = allocation.allocate(city=city)
            assert got.reason == AllocationReason.CITY
            picks[got.dealer.pk] += 1
        counts = [picks[d.pk] for d in dealers]
        assert set(counts) <= {n // k, -(-n // k)} and sum(counts) == n
        ledger = dict(CityLedger.objects.filter(city=city).values_list("dealer_id", "count"))
        assert ledger == {d.pk: picks[d.pk] for d in dealers}
        transaction.set_rollback(True)


def brute_force_nearest_codes(origin: str, dealer_cities: list[str]) -> set[str]:
    o = geo.all_cities()[origin]
    km = {c: geo.haversine_km(float(o.lat), float(o.lng), float(geo.all_cities()[c].lat),
                              float(geo.all_cities()[c].lng)) for c in dealer_cities}
    best = min(km.values())
    return {c for c, d in km.items() if abs(d - best) < 1e-9}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_nearest_dealer_matches_a_brute_force_haversine_search(net, data):
    origin = data.draw(st.sampled_from(CITY_CODES), label="consumer city")
    hosts = data.draw(st.lists(st.sampled_from([c for c in CITY_CODES if c != origin]), min_size=1, max_size=12,
                               unique=True), label="dealer cities")
    with transaction.atomic():
        Dealer.objects.update(is_active=False)  # only the drawn dealers count
        for i, code in enumerate(hosts):
            make_dealer(f"N-{i}", city_for(code), net.east)
        got = allocation.allocate(city=City.objects.get(adcode=origin))
        assert got.reason == AllocationReason.NEAREST
        assert got.dealer.city.adcode in brute_force_nearest_codes(origin, hosts)
        transaction.set_rollback(True)


def test_a_chosen_dealer_wins_and_an_inactive_one_is_refused(net, enquiry):
    lead = lead_capture(actor=SYSTEM, data=enquiry(city="北京", dealer="HZ-001")).lead
    assert lead.dealer == net.dealer_b and lead.allocation_reason == AllocationReason.CHOSEN
    Dealer.objects.filter(pk=net.dealer_c.pk).update(is_active=False)
    from autodcc.core.errors import Invalid

    with pytest.raises(Invalid):
        lead_capture(actor=SYSTEM, data=enquiry(dealer="BJ-001"))


def test_a_city_without_dealers_goes_to_the_nearest_and_says_how_far(net, enquiry):
    lead = lead_capture(actor=SYSTEM, data=enquiry(city="苏州")).lead  # Suzhou: Shanghai is nearer than Hangzhou
    assert lead.dealer == net.dealer_a and lead.allocation_reason == AllocationReason.NEAREST
    assert 70 < float(lead.allocations.get().distance_km) < 100


def test_parallel_captures_to_one_city_keep_the_ledger_exact(live_net, enquiry):
    net = live_net
    city = city_for("310000")
    extra = [make_dealer(f"SH-00{i}", city, net.east) for i in (2, 3)]
    dealers = [net.dealer_a, *extra]
    inputs = [enquiry(city="上海", phone=f"1360000{i:04d}") for i in range(30)]

    def capture(data):
        try:
            return lead_capture(actor=SYSTEM, data=data).lead.dealer_id
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(capture, inputs))
    assert Counter(results) == {d.pk: 10 for d in dealers}
    assert dict(CityLedger.objects.filter(city=city).values_list("dealer_id", "count")) == {d.pk: 10 for d in dealers}
    assert Lead.objects.count() == 30
