"""The store's pages: server time of each page, and the same pages with the store's visitor
analytics on and off (issue 17: on stays within 10 % of off).

Run: .venv/bin/python bench/store_pages.py [--mode both|server-time|analytics] [--runs 30]
                                           [--rounds 6] [--seconds 5] [--concurrency 4] [--workers 2]

A fresh PostgreSQL database (the bench harness's), migrated, with the demo network, catalogue and
test-drive cars.

server-time: each page is requested in-process through Django's full middleware stack
(django.test.Client) `--runs` times after one warm-up; prints the median and p95 per page beside
a baseline page (the console's login page: template rendering with no catalogue queries) measured
in the same run, and PASS/MISS against 100 ms.

analytics: two gunicorn servers on the same database and code, `--workers` sync workers each, one
with STORE_ANALYTICS=1 and one with STORE_ANALYTICS=0. The same closed-loop client
(`--concurrency` processes, each cycling through home, series, trim, comparison and calculator)
loads each server for `--seconds` per round, alternating which goes first (ABBA), `--rounds`
rounds. With analytics on the client is a visitor who agreed (consent, visitor and visit cookies),
so every page carries the beacon script; with it off the same cookies are sent and ignored. Prints
requests/s and p50/p99 latency of each server over all rounds, the ratio, and PASS if on is within
10 % of off (requests/s at least 90 % of off's, p99 at most 110 %). Then the collect endpoint
alone (the beacon each page sends after loading, served by the same server afterwards): its
requests/s and p99, and the events written by the servers' batched flushes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DB", "autodcc_bench_store")  # its own database: other benchmarks may be running

from bench import harness

TARGET_MS = 100.0
WITHIN = 0.10  # analytics on: at most 10 % fewer requests/s and 10 % more p99 latency than off

# the main store pages (issue 17): home, series, trim, comparison, calculator
ANALYTICS_PAGES = [
    "/store/", "/store/series/s7/", "/store/trims/s7-long-range/",
    "/store/compare/?trims=s7-long-range&trims=s7-erev", "/store/calculator/?trim=s7-long-range",
]


def setup() -> None:
    harness.setup_django(fresh=True)
    from django.core.management import call_command

    from autodcc.catalog import demo as catalog_demo
    from autodcc.testdrives import demo as testdrive_demo

    call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment serves them
    catalog_demo.build()
    testdrive_demo.build()


def server_time(args: argparse.Namespace) -> bool:
    from django.test import Client

    from autodcc.core import workhours

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
    return worst <= TARGET_MS


# --- analytics on vs off ---------------------------------------------------------------------------


def _visitor_cookies(n: int) -> str:
    from autodcc.analytics import consent

    return (f"{consent.CONSENT_COOKIE}={consent.cookie_value('yes')}; {consent.VISITOR_COOKIE}={n:032x}; "
            f"{consent.VISIT_COOKIE}={n:016x}")


def _load(job: tuple[int, float, list[str], str, str, bytes]) -> tuple[list[float], int]:
    """One client process: request ``paths`` in turn until ``until`` (time.time()); latencies in ms
    of the 2xx answers and the count of the others."""
    port, until, paths, cookies, method, body = job
    latencies: list[float] = []
    errors = 0
    headers = {"Cookie": cookies, "Host": "127.0.0.1"}
    if body:
        headers["Content-Type"] = "application/json"
    i = 0
    while time.time() < until:
        path = paths[i % len(paths)]
        i += 1
        start = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
        except OSError:
            errors += 1
            continue
        if 200 <= response.status < 300:
            latencies.append((time.perf_counter() - start) * 1000)
        else:
            errors += 1
    return latencies, errors


def _phase(pool: mp.pool.Pool, port: int, seconds: float, concurrency: int, paths: list[str], *, method: str = "GET",
           body: bytes = b"") -> tuple[list[float], int, float]:
    until = time.time() + seconds
    jobs = [(port, until, paths[k % len(paths):] + paths[:k % len(paths)], _visitor_cookies(k + 1), method, body)
            for k in range(concurrency)]
    t0 = time.perf_counter()
    results = pool.map(_load, jobs)
    elapsed = time.perf_counter() - t0
    latencies = [ms for lat, _e in results for ms in lat]
    return latencies, sum(e for _l, e in results), elapsed


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))] if ordered else float("nan")


def analytics(args: argparse.Namespace) -> bool:
    from autodcc.analytics import buffer
    from autodcc.analytics.models import Event

    def server(on: bool) -> harness.Gunicorn:
        env = harness.bench_env() | {"STORE_ANALYTICS": "1" if on else "0",
                                     "ANALYTICS_RATE": "1000000000/m"}  # counted, never tripped
        g = harness.Gunicorn(workers=args.workers, env=env)
        name = "on" if on else "off"
        g.log, g.out = harness.VAR / f"gunicorn-store-{name}.log", harness.VAR / f"gunicorn-store-{name}.out"
        return g

    from django.db import connections

    connections.close_all()  # no connection of this process may be inherited by the forked clients
    figures: dict[str, dict[str, list]] = {m: {"lat": [], "errors": [], "seconds": []} for m in ("off", "on")}
    cpu: dict[str, float] = {"off": 0.0, "on": 0.0}
    with server(False) as off, server(True) as on, mp.get_context("fork").Pool(args.concurrency) as pool:
        servers = {"off": off, "on": on}
        for name, g in servers.items():  # warm-up: templates, the catalogue's caches, connections
            _phase(pool, g.port, 2.0, args.concurrency, ANALYTICS_PAGES)
        page = http.client.HTTPConnection("127.0.0.1", on.port, timeout=10)
        page.request("GET", "/store/", headers={"Cookie": _visitor_cookies(1)})
        html = page.getresponse().read().decode()
        assert "storefront/analytics." in html and 'id="consent-banner"' not in html, "analytics on: the script, no banner"
        page = http.client.HTTPConnection("127.0.0.1", off.port, timeout=10)
        page.request("GET", "/store/", headers={"Cookie": _visitor_cookies(1)})
        assert "storefront/analytics." not in page.getresponse().read().decode(), "analytics off: no script"
        for r in range(args.rounds):
            order = ("off", "on") if r % 2 == 0 else ("on", "off")
            for name in order:
                pids = servers[name].pids()
                before = harness.cpu_seconds(pids)
                lat, errors, elapsed = _phase(pool, servers[name].port, args.seconds, args.concurrency, ANALYTICS_PAGES)
                cpu[name] += harness.cpu_used(before, harness.cpu_seconds(pids))
                figures[name]["lat"] += lat
                figures[name]["errors"].append(errors)
                figures[name]["seconds"].append(elapsed)
                print(f"  round {r + 1} {name:3}: {len(lat) / elapsed:7.1f} req/s  p99 {_pct(lat, 0.99):6.1f} ms"
                      f"  errors {errors}", flush=True)
        # the beacons alone, against the server with analytics on
        beacon = json.dumps({"events": [{"kind": "page_view", "url": "/store/trims/s7-long-range/?c=LAUNCH26",
                                         "referrer": "https://www.baidu.com/"}]}).encode()
        b_lat, b_err, b_sec = _phase(pool, on.port, args.seconds, args.concurrency, ["/store/analytics/collect/"],
                                     method="POST", body=beacon)
        pending_before_stop = Event.objects.count()
    # the servers have stopped: their workers flushed what they still held at exit
    buffer.flush()
    stored = Event.objects.filter(kind="page_view").count()

    print(f"\n{'analytics':10} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'CPU/req':>10}")
    rate: dict[str, float] = {}
    p99: dict[str, float] = {}
    for name in ("off", "on"):
        lat = figures[name]["lat"]
        rate[name] = len(lat) / sum(figures[name]["seconds"])
        p99[name] = _pct(lat, 0.99)
        print(f"{name:10} {len(lat):9d} {rate[name]:8.1f} {_pct(lat, 0.50):7.1f} {p99[name]:7.1f} "
              f"{sum(figures[name]['errors']):6d} {cpu[name] / max(1, len(lat)) * 1000:8.2f}ms")
    ratio_rate, ratio_p99 = rate["on"] / rate["off"], p99["on"] / p99["off"]
    print(f"on/off: requests/s × {ratio_rate:.3f}, p99 × {ratio_p99:.3f}")
    print(f"collect endpoint (beacons, analytics on): {len(b_lat) / b_sec:.1f} req/s, p50 {_pct(b_lat, 0.5):.1f} ms, "
          f"p99 {_pct(b_lat, 0.99):.1f} ms, errors {b_err}; page views written by the servers' batches: "
          f"{pending_before_stop} before they stopped, {stored} after (of {len(b_lat)} beacons accepted)")
    ok = ratio_rate >= 1 - WITHIN and ratio_p99 <= 1 + WITHIN
    print(f"\n{harness.verdict(ok)}  store pages with analytics on within {WITHIN:.0%} of off "
          f"({args.rounds} rounds × {args.seconds:g} s each, {args.concurrency} clients, {args.workers} gunicorn "
          f"workers per server, PostgreSQL, machine's other load shows in the per-round spread)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["both", "server-time", "analytics"], default="both")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    setup()
    ok = True
    if args.mode in ("both", "server-time"):
        ok &= server_time(args)
    if args.mode in ("both", "analytics"):
        print("\n== store pages, analytics on vs off ==", flush=True)
        ok &= analytics(args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
