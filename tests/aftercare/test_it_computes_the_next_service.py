"""The maintenance arithmetic (CARE-2): N months or N km, whichever first; then every M months or
K km from the last service; the mileage extrapolated from how far the owner drives."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from autodcc.aftercare.rules import Interval, Reading, add_months, km_per_day, next_due

PLAN = Interval(first_months=6, first_km=5000, every_months=12, every_km=10000)
BOUGHT = dt.date(2026, 1, 31)


def test_months_end_on_the_shorter_months_last_day():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 3, 15), -3) == dt.date(2025, 12, 15)


def test_without_readings_the_first_service_is_due_by_time():
    due = next_due(PLAN, purchase_date=BOUGHT, last_service=None, readings=[])
    assert (due.on, due.km, due.reason) == (dt.date(2026, 7, 31), 5000, "time")


def test_a_high_mileage_brings_the_first_service_forward():
    # 3,000 km in 30 days = 100 km/day: 5,000 km reached 20 days after the reading
    readings = [Reading(BOUGHT, 0), Reading(dt.date(2026, 3, 2), 3000)]
    due = next_due(PLAN, purchase_date=BOUGHT, last_service=None, readings=readings)
    assert (due.on, due.reason, due.km_per_day) == (dt.date(2026, 3, 22), "km", 100.0)


def test_a_low_mileage_leaves_it_due_by_time():
    readings = [Reading(dt.date(2026, 3, 2), 600)]
    due = next_due(PLAN, purchase_date=BOUGHT, last_service=None, readings=readings)
    assert (due.on, due.reason) == (dt.date(2026, 7, 31), "time")
    assert due.km_per_day == 20.0


def test_a_mileage_already_past_the_interval_is_due_on_its_day():
    due = next_due(PLAN, purchase_date=BOUGHT, last_service=None, readings=[Reading(dt.date(2026, 2, 20), 6000)])
    assert (due.on, due.reason) == (dt.date(2026, 2, 20), "km")


def test_after_a_service_the_next_counts_from_it():
    last = Reading(dt.date(2026, 7, 20), 2000)  # about 12 km a day: 10,000 km take more than a year
    due = next_due(PLAN, purchase_date=BOUGHT, last_service=last, readings=[])
    assert (due.on, due.km, due.reason) == (dt.date(2027, 7, 20), 12000, "time")
    # 4,800 km by then (28 km a day): the next 10,000 km come before the twelve months
    due = next_due(PLAN, purchase_date=BOUGHT, last_service=Reading(dt.date(2026, 7, 20), 4800), readings=[])
    assert (due.on, due.km, due.reason) == (dt.date(2027, 7, 10), 14800, "km")


def test_readings_less_than_a_week_apart_give_no_rate():
    assert km_per_day([Reading(dt.date(2026, 2, 3), 500)], BOUGHT) is None
    assert km_per_day([], BOUGHT) is None


@given(st.integers(1, 36), st.integers(1000, 30000), st.integers(0, 400), st.integers(0, 60000))
def test_the_due_date_is_never_later_than_by_time_nor_before_the_start(months, km, days, driven):
    plan = Interval(months, km, months, km)
    reading = Reading(BOUGHT + dt.timedelta(days=days), driven)
    due = next_due(plan, purchase_date=BOUGHT, last_service=None, readings=[reading])
    assert BOUGHT <= due.on <= add_months(BOUGHT, months)


def test_a_car_barely_driven_falls_due_by_time():
    # 1 km in half a year: the mileage would fall due thousands of years later.
    plan = Interval(1, 17146, 1, 17146)
    due = next_due(plan, purchase_date=dt.date(2026, 1, 31), last_service=None,
                   readings=[Reading(dt.date(2026, 7, 20), 1)])
    assert (due.on, due.reason) == (dt.date(2026, 2, 28), "time")
