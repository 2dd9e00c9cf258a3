"""A day of known events rolls up to exact counts: visits, visitors, page and car views, the
calculator and comparisons, conversions, deposits (paid orders made in the visit), by source,
campaign and entry page, and the paths that led to each goal. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from autodcc.analytics import rollup
from autodcc.analytics.models import DailyFigure, DailyPath, Event
from autodcc.analytics.rollup import Ev, path_text, split_visits, summarise

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)
V1, V2, V3 = "a" * 32, "b" * 32, "c" * 32
VISIT1, VISIT2, VISIT3, VISIT4 = "1" * 16, "2" * 16, "3" * 16, "4" * 16


def at(hour, minute=0, day=DAY):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def ev(when, visitor, visit, kind="page_view", page="", subject="", path="", source="", campaign=""):
    return Event(at=when, visitor=visitor, visit=visit, kind=kind, page=page, subject=subject, path=path,
                 source=source, campaign=campaign)


@pytest.fixture
def day_of_events(paid_order, new_order):
    paid, unpaid = paid_order(), new_order()
    Event.objects.bulk_create([
        # visitor 1, visit 1: from a campaign link on Baidu, S7 → compare → calculator → booking
        ev(at(9, 0), V1, VISIT1, page="series", subject="s7", path="/store/series/s7/", source="baidu",
           campaign="SPRING-26"),
        ev(at(9, 1), V1, VISIT1, page="trim", subject="s7-long-range", path="/store/trims/s7-long-range/"),
        ev(at(9, 2), V1, VISIT1, page="compare", subject="s7-long-range,s7-erev", path="/store/compare/"),
        ev(at(9, 3), V1, VISIT1, page="calculator", subject="s7-long-range", path="/store/calculator/"),
        ev(at(9, 4), V1, VISIT1, page="booking", path="/store/testdrive/"),
        ev(at(9, 5), V1, "", kind="booking", subject="s7-long-range", campaign="SPRING-26"),  # no visit cookie
        # visitor 1, visit 2 (same day): direct, home → trim → order, paid
        ev(at(15, 0), V1, VISIT2, page="home", path="/store/"),
        ev(at(15, 1), V1, VISIT2, page="trim", subject="s7-long-range", path="/store/trims/s7-long-range/"),
        ev(at(15, 1), V1, VISIT2, page="trim", subject="s7-long-range", path="/store/trims/s7-long-range/"),
        ev(at(15, 2), V1, VISIT2, page="order", subject="s7-long-range", path="/store/order/new/s7-long-range/"),
        ev(at(15, 3), V1, VISIT2, kind="order", subject=str(paid.pk)),
        # visitor 2: home only, a compare page with one trim (no comparison), an enquiry
        ev(at(10, 0), V2, VISIT3, page="home", path="/store/", source="m.autohome.com.cn"),
        ev(at(10, 1), V2, VISIT3, page="compare", subject="s7-long-range", path="/store/compare/"),
        ev(at(10, 2), V2, VISIT3, page="enquiry", path="/store/enquiry/"),
        ev(at(10, 3), V2, VISIT3, kind="enquiry", subject="s5-entry"),
        # visitor 3: an order left unpaid
        ev(at(11, 0), V3, VISIT4, page="trim", subject="s5-entry", path="/store/trims/s5-entry/", source="baidu"),
        ev(at(11, 1), V3, VISIT4, kind="order", subject=str(unpaid.pk)),
        # the consent record and the next day's events are not part of the day's visits
        ev(at(8, 59), V1, "", kind="consent", subject="analytics-2026-12"),
        ev(at(0, 1, DAY + dt.timedelta(days=1)), V2, VISIT3, page="home", path="/store/"),
    ])


def figure(dimension, key=""):
    row = DailyFigure.objects.get(day=DAY, dimension=dimension, key=key)
    return {f: getattr(row, f) for f in ("visits", "visitors", "page_views", "product_views", "product_visits",
                                         "tool_visits", "calculator_visits", "compare_visits", "lead_visits",
                                         "deposit_visits", "enquiries", "bookings", "orders", "deposits")}


def test_a_day_rolls_up_to_exact_counts(day_of_events):
    totals = rollup.rollup_day(DAY)
    assert figure("all") == {
        "visits": 4, "visitors": 3, "page_views": 13, "product_views": 5, "product_visits": 3, "tool_visits": 1,
        "calculator_visits": 1, "compare_visits": 1, "lead_visits": 2, "deposit_visits": 1, "enquiries": 1,
        "bookings": 1, "orders": 2, "deposits": 1}
    assert totals["visits"] == 4 and totals["visitors"] == 3
    assert figure("source", "baidu") == {
        "visits": 2, "visitors": 2, "page_views": 6, "product_views": 3, "product_visits": 2, "tool_visits": 1,
        "calculator_visits": 1, "compare_visits": 1, "lead_visits": 1, "deposit_visits": 0, "enquiries": 0,
        "bookings": 1, "orders": 1, "deposits": 0}
    assert figure("source", "")["deposits"] == 1  # the direct visit paid its deposit
    assert figure("campaign", "SPRING-26")["bookings"] == 1 and figure("campaign", "SPRING-26")["visits"] == 1
    assert figure("campaign", "")["visits"] == 3
    assert figure("entry", "/store/series/s7/")["visits"] == 1
    assert figure("entry", "/store/")["visits"] == 2
    assert figure("entry", "/store/")["enquiries"] == 1


def test_the_paths_to_each_goal(day_of_events):
    rollup.rollup_day(DAY)
    paths = set(DailyPath.objects.filter(day=DAY).values_list("goal", "path", "visits"))
    assert paths == {
        ("booking", "series>trim>compare>calculator>booking", 1),
        ("deposit", "home>trim>order", 1),
        ("enquiry", "home>compare>enquiry", 1),
    }


def test_rolling_up_again_gives_the_same_rows(day_of_events):
    rollup.rollup_day(DAY)
    first = sorted(DailyFigure.objects.values_list("dimension", "key", "visits", "deposits"))
    rollup.rollup_day(DAY)
    assert sorted(DailyFigure.objects.values_list("dimension", "key", "visits", "deposits")) == first
    assert DailyPath.objects.filter(day=DAY).count() == 3


def test_a_deposit_paid_after_the_first_rollup_counts_on_the_next(new_order, django_capture_on_commit_callbacks):
    from autodcc.orders.services import payment_start, sandbox_pay

    order = new_order()
    Event.objects.bulk_create([ev(at(12), V1, VISIT1, page="trim", subject="s7-long-range", path="/store/x/"),
                               ev(at(12, 1), V1, VISIT1, kind="order", subject=str(order.pk))])
    rollup.rollup_day(DAY)
    assert figure("all")["deposits"] == 0
    payment, _ = payment_start(order=order, provider="sandbox", return_url="/")
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_pay(out_trade_no=payment.out_trade_no)
    rollup.rollup_day(DAY)
    assert figure("all")["deposits"] == 1 and figure("all")["orders"] == 1


def _e(minute, visit, kind="page_view", page="home", subject=""):
    return Ev(at(9, minute), V1, visit, kind, page, subject, "/store/", "", "")


def test_an_event_without_a_visit_joins_the_visit_under_way():
    visits = split_visits([_e(0, "x"), _e(1, ""), _e(2, "y"), _e(3, "")])
    assert [[e.at.minute for e in v] for v in visits] == [[0, 1], [2, 3]]
    assert [[e.at.minute for e in v] for v in split_visits([_e(0, ""), _e(1, "x")])] == [[0], [1]]


def test_paths_merge_repeats_and_keep_the_last_steps():
    assert path_text(["home", "home", "trim", "trim", "booking"]) == "home>trim>booking"
    long = ["home", "trim"] * 6
    assert path_text(long) == "…>" + ">".join(long[-7:])


def test_a_path_ends_at_the_first_conversion():
    v = summarise([_e(0, "x"), _e(1, "x", page="trim"), _e(2, "x", kind="booking"), _e(3, "x", page="calculator"),
                   _e(4, "x", kind="booking")], set())
    assert v.paths == {"booking": "home>trim"} and v.bookings == 2 and v.calculator


def test_the_scheduled_rollup_writes_buffered_events_redoes_recent_days_and_forgets_old_events(settings):
    from autodcc.analytics import buffer, tasks

    settings.ANALYTICS_ROLLUP_DAYS, settings.ANALYTICS_RETENTION_DAYS = 2, 30
    now = timezone.now()
    Event.objects.bulk_create([ev(now - dt.timedelta(days=31), V1, VISIT1, page="home", path="/store/"),
                               ev(now - dt.timedelta(days=2), V2, VISIT2, page="home", path="/store/")])
    buffer.add([{"at": now.timestamp(), "visitor": V3, "visit": VISIT3, "kind": "page_view", "page": "trim",
                 "subject": "s5-entry", "path": "/store/trims/s5-entry/", "referrer": "", "source": "",
                 "medium": "", "campaign": ""}])
    assert tasks.rollup_recent() == 3
    today = timezone.localdate()
    assert DailyFigure.objects.get(day=today, dimension="all").product_views == 1
    assert DailyFigure.objects.get(day=today - dt.timedelta(days=2), dimension="all").visits == 1
    assert Event.objects.count() == 2  # the 31-day-old one is gone
    buffer.clear()
