"""Demo store visits for the last 14 days (consented visitors only, as in real life): where they
came from, the cars they looked at, comparisons and the calculator, enquiries, bookings and orders,
then the daily rollups. Re-runnable: nothing is added when demo visits exist."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from autodcc.analytics import rollup
from autodcc.analytics.models import Event, EventKind

DAYS = 14
PREFIX = "d0d0"  # demo visitor ids start with this (hex, like real ones)
SOURCES = [("", ""), ("baidu", "www.baidu.com"), ("m.autohome.com.cn", "m.autohome.com.cn"),
           ("weixin", ""), ("dongchedi.com", "www.dongchedi.com")]
CAMPAIGNS = ["", "", "", "DOUBLE11", "LAUNCH26"]
TRIMS = [("s7", "s7-long-range"), ("s7", "s7-erev"), ("s5", "s5-entry"), ("x9", "x9-phev-pro")]


def _pages(rng: random.Random) -> list[tuple[str, str, str]]:
    """A visit's page views: (page type, subject, path)."""
    series, trim = rng.choice(TRIMS)
    pages = [rng.choice([("home", "", "/store/"), ("series", series, f"/store/series/{series}/"),
                         ("trim", trim, f"/store/trims/{trim}/")])]
    if rng.random() < 0.7:
        pages.append(("trim", trim, f"/store/trims/{trim}/"))
    if rng.random() < 0.35:
        other = rng.choice([t for _s, t in TRIMS if t != trim])
        pages.append(("compare", f"{trim},{other}", "/store/compare/"))
    if rng.random() < 0.3:
        pages.append(("calculator", trim, "/store/calculator/"))
    return pages


def build(*, seed: int = 2026) -> int:
    if Event.objects.filter(visitor__startswith=PREFIX).exists():
        return 0
    from autodcc.orders.models import Order

    rng = random.Random(seed)
    paid = list(Order.objects.filter(paid_at__isnull=False).order_by("pk").values_list("pk", flat=True)[:6])
    today = timezone.localdate()
    events: list[Event] = []
    visits = 0
    for back in range(DAYS, -1, -1):
        day = today - dt.timedelta(days=back)
        for _ in range(rng.randint(25, 60)):
            visits += 1
            visitor = f"{PREFIX}{visits % 400:028x}"
            visit = f"{visits:016x}"
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 22), rng.randint(0, 59))))
            source, referrer = rng.choice(SOURCES)
            campaign = rng.choice(CAMPAIGNS)
            pages = _pages(rng)
            for i, (page, subject, path) in enumerate(pages):
                events.append(Event(at=at + dt.timedelta(minutes=i), visitor=visitor, visit=visit,
                                    kind=EventKind.PAGE_VIEW, page=page, subject=subject, path=path,
                                    referrer=referrer if i == 0 else "", source=source if i == 0 else "",
                                    campaign=campaign if i == 0 else ""))
            end = at + dt.timedelta(minutes=len(pages))
            roll = rng.random()
            trim = next((s for p, s, _x in pages if p == "trim"), "s7-long-range")
            if roll < 0.08:
                events += [Event(at=end, visitor=visitor, visit=visit, kind=EventKind.PAGE_VIEW, page="booking",
                                 path="/store/testdrive/"),
                           Event(at=end + dt.timedelta(minutes=2), visitor=visitor, visit=visit,
                                 kind=EventKind.BOOKING, subject=trim, campaign=campaign)]
            elif roll < 0.13:
                events += [Event(at=end, visitor=visitor, visit=visit, kind=EventKind.PAGE_VIEW, page="enquiry",
                                 path="/store/enquiry/"),
                           Event(at=end + dt.timedelta(minutes=2), visitor=visitor, visit=visit,
                                 kind=EventKind.ENQUIRY, subject=trim, campaign=campaign)]
            elif roll < 0.16 and paid:
                events += [Event(at=end, visitor=visitor, visit=visit, kind=EventKind.PAGE_VIEW, page="order",
                                 subject=trim, path=f"/store/order/new/{trim}/"),
                           Event(at=end + dt.timedelta(minutes=3), visitor=visitor, visit=visit,
                                 kind=EventKind.ORDER, subject=str(paid.pop()), campaign=campaign)]
    Event.objects.bulk_create(events, batch_size=1000)
    for back in range(DAYS + 1):
        rollup.rollup_day(today - dt.timedelta(days=back))
    return visits
