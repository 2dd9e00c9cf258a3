"""Server time of every store page at the demo catalogue size (issue: ≤ 100 ms each).

Run: .venv/bin/python bench/store_pages.py [--runs 30]

A fresh PostgreSQL database (the bench harness's), migrated, with the demo network, catalogue and
test-drive cars; each page is requested in-process through Django's full middleware stack
(django.test.Client) `--runs` times after one warm-up; prints the median and p95 per page beside
a baseline page (the console's login page: template rendering with no catalogue queries) measured
in the same run, and PASS/MISS against 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DB", "autodcc_bench_store")  # its own database: other benchmarks may be running

from bench import harness

TARGET_MS = 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    harness.setup_django(fresh=True)
    from django.core.management import call_command
    from django.test import Client

    from autodcc.catalog import demo as catalog_demo
    from autodcc.core import workhours
    from autodcc.testdrives import demo as testdrive_demo

    call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment serves them
    catalog_demo.build()
    testdrive_demo.build()
    day = dt.date.today() + dt.timedelta(days=2)
    while not workhours.is_open_day(day, "1234567"):
        day += dt.timedelta(days=1)
    pages = [
        "/console/login/",  # baseline
        "/store/", "/store/series/s7/", "/store/trims/s7-long-range/",
        "/store/compare/?trims=s7-long-range&trims=s7-erev&trims=x9-phev-pro",
        "/store/calculator/?trim=s7-long-range&edition=s7-tmall-edition",
        "/store/calculator/?trim=s5-entry&down_payment=12900&months=60&method=equal_principal",
        "/store/recommend/?budget=300000&seats=5&energy=nev&use=family&must_have=sunroof",
        "/store/testdrive/", "/store/testdrive/?trim=s7-long-range&city=上海",
        f"/store/testdrive/?trim=s7-long-range&dealer=SH-001&day={day.isoformat()}",
        "/store/enquiry/", "/sitemap.xml",
    ]
    client = Client()
    rows = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        rows.append((url, statistics.median(times), times[int(0.95 * (len(times) - 1))]))
    baseline = rows[0][1]
    print(f"{'page':72} {'median ms':>9} {'p95 ms':>7} {'× baseline':>10}")
    for url, median, p95 in rows:
        print(f"{url[:72]:72} {median:9.1f} {p95:7.1f} {median / baseline:10.1f}")
    worst = max(p95 for _url, _m, p95 in rows[1:])
    print(f"\n{harness.verdict(worst <= TARGET_MS)}  every store page ≤ {TARGET_MS:g} ms server time "
          f"(worst p95 {worst:.1f} ms; PostgreSQL, demo catalogue, {args.runs} runs each)")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
