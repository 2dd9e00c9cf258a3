"""A campaign wave to 50,000 customers (campaigns.outreach.wave_send) against bulk_create.

Run: .venv/bin/python bench/outreach_queue.py [--customers 50000] [--per-minute 6000] [--window 10]

Fresh PostgreSQL database (autodcc_bench), migrated, demo network. N customers with consent to
marketing (one in 50 opted out, one in 100 without marketing consent) are put in a saved customer
group of the Shanghai dealer, and the dealer's sales manager sends a campaign SMS wave to it:

- **queueing**: the time ``wave_send`` takes for the whole group (consent, opt-out and weekly-cap
  checks, rendering, one message row and one outbox event per person), beside ``bulk_create`` of
  the same number of narrow rows in the same run;
- **sending at the wave's rate**: the outbox dispatcher is run over --window seconds of the wave's
  schedule (the clock moved, not waited for); the messages sent must be the rate × the window,
  and the wave's progress (queued / sent / not sent) is read as the console shows it;
- the dispatcher's own pace (messages sent per second of real time) is printed for information.

Target (issue: "an outreach of 50,000 customers is queued in seconds"): queueing ≤ 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

TARGET_SECONDS = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--per-minute", type=int, default=6000)
    parser.add_argument("--window", type=int, default=10, help="seconds of the schedule to dispatch")
    args = parser.parse_args()
    info = harness.setup_django()
    print(f"set-up: {info['setup_s']:.1f} s ({info['dealers']} dealers)")

    from django.db import connection, transaction
    from django.utils import timezone

    from autodcc.campaigns import outreach
    from autodcc.campaigns.models import Campaign
    from autodcc.core import outbox, rows
    from autodcc.customers.models import Consent, Customer, CustomerGroup
    from autodcc.messaging.models import OptOut
    from autodcc.network.actors import actor_for_staff
    from autodcc.network.models import Dealer, Staff
    from bench.benchapp.models import BenchRow

    n = args.customers
    dealer = Dealer.objects.get(code="SH-001")
    manager = actor_for_staff(Staff.objects.filter(grants__dealer=dealer, grants__role="sales_manager").first())
    now = timezone.now()
    t0 = time.perf_counter()
    with transaction.atomic():
        ids = rows.insert(Customer, ("name", "phone", "kind", "gender", "city_id", "age_band", "occupation", "family",
                                     "hobbies", "current_car", "wechat_openid", "created_at", "updated_at"),
                          [(f"客户{i}", f"+86139{i:08d}", "prospect", "", None, "", "", "", "", "", "", now, now)
                           for i in range(n)], returning=True)
        rows.insert(Consent, ("customer_id", "dealer_id", "version", "purposes", "share_with_dealer", "marketing",
                              "channel", "given_at"),
                    [(pk, dealer.pk, "2026-01", ["contact_about_purchase"], True, i % 100 != 0, "storefront", now)
                     for i, pk in enumerate(ids)])
        rows.insert(OptOut, ("phone", "scope", "source", "note", "created_at"),
                    [(f"+86139{i:08d}", "marketing", "sms", "", now) for i in range(0, n, 50)])
        group = CustomerGroup.objects.create(name="bench audience", dealer=dealer, criteria={}, member_count=n,
                                             created_by_label="bench")
        through = CustomerGroup.members.through
        rows.insert(through, ("customergroup_id", "customer_id"), [(group.pk, pk) for pk in ids])
        start = timezone.localdate() + dt.timedelta(days=40)
        campaign = Campaign.objects.create(code="BENCH-WAVE", name="压测活动", dealer=dealer, starts_on=start,
                                           ends_on=start)
    print(f"audience: {n:,} customers built in {time.perf_counter() - t0:.1f} s")

    daytime = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(9, 0)))
    t0 = time.perf_counter()
    with transaction.atomic():
        wave = outreach.wave_send(actor=manager, campaign=campaign, group=group, content="周末到店试驾送好礼",
                                  per_minute=args.per_minute, now=daytime)
    queue_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    BenchRow.objects.bulk_create([BenchRow(n=i) for i in range(n)], batch_size=1000)
    bulk_s = time.perf_counter() - t0

    print(f"\nqueueing the wave: {queue_s:.2f} s for {wave.audience:,} people "
          f"({wave.audience / queue_s:,.0f}/s); bulk_create of {n:,} narrow rows: {bulk_s:.2f} s; "
          f"ratio (wave rate / bulk_create rate) = {bulk_s / queue_s:.3f}")
    print(f"  queued {wave.queued:,}, held for the morning {wave.held:,}; skipped: no marketing consent "
          f"{wave.skipped_consent:,}, opted out {wave.skipped_optout:,}, weekly cap {wave.skipped_cap:,}")

    # the schedule: dispatch the first --window seconds of it (the clock is moved, not waited for)
    sent_before = 0
    t0 = time.perf_counter()
    horizon = daytime + dt.timedelta(seconds=args.window) - dt.timedelta(microseconds=1)
    while True:
        outbox.dispatch_due(now=horizon, limit=1000)
        progress = outreach.progress(wave)
        if progress.get("sent", 0) == sent_before:
            break
        sent_before = progress.get("sent", 0)
    dispatch_s = time.perf_counter() - t0
    progress = outreach.progress(wave)
    expected = args.per_minute * args.window // 60
    sent = progress.get("sent", 0)
    print(f"\nsending at {args.per_minute:,}/min: after {args.window} s of the schedule {sent:,} sent "
          f"(expected {expected:,}); progress now {progress}")
    print(f"  the dispatcher sent them in {dispatch_s:.2f} s of real time ({sent / dispatch_s:,.0f} messages/s)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_outboxevent WHERE status = 'pending'")
        print(f"  outbox events still pending (due later in the schedule): {cursor.fetchone()[0]:,}")
    print()
    print(f"{harness.verdict(queue_s <= TARGET_SECONDS)}  50,000-person wave queued in ≤ {TARGET_SECONDS:.0f} s "
          f"({queue_s:.2f} s for {wave.audience:,})")
    print(f"{harness.verdict(abs(sent - expected) <= max(1, expected // 100))}  sent at the wave's rate "
          f"({sent:,} in {args.window} s at {args.per_minute:,}/min)")
    no_consent = len(range(0, n, 100))
    opted = len(range(0, n, 50)) - no_consent  # every second opted-out person also lacks consent
    print(f"{harness.verdict((wave.skipped_consent, wave.skipped_optout) == (no_consent, opted))}  every skip counted "
          f"(no consent {wave.skipped_consent:,} of {no_consent:,}, opted out {wave.skipped_optout:,} of {opted:,})")


if __name__ == "__main__":
    main()
