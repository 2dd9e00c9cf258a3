"""The store's pages: server time of each page, and the same pages with the store's visitor
analytics on and off (issue 17: on stays within 10 % of off).

Run: .venv/bin/python bench/store_pages.py [--mode both|server-time|analytics] [--runs 30]
                                           [--rounds 16] [--seconds 3] [--concurrency 4] [--workers 2]

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
per round and over all rounds requests/s and p50/p99 latency of each server, the servers' CPU
(gunicorn + PostgreSQL) per request, and the busy CPU of other processes on the machine. Then an
interleaved phase of the same total length: each client sends every page to both servers in turn,
so both meet the same machine at the same moment — the latency comparison that other jobs on a
shared machine disturb least. PASS if on is within 10 % of off: requests/s (alternating rounds) at
least 90 % of off's and p99 (interleaved) at most 110 %. Last, the collect endpoint alone (the
beacon each page sends after loading): its requests/s and p99, and the events written by the
servers' batched flushes.
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


def _paired(job: tuple[tuple[int, int], float, list[str], str]) -> tuple[list[float], list[float], int]:
    """One client process that sends each page to both servers in turn (alternating which goes
    first), so that both meet the same machine at the same moment: latencies per server."""
    ports, until, paths, cookies = job
    lat: tuple[list[float], list[float]] = ([], [])
    errors = 0
    i = 0
    while time.time() < until:
        path = paths[(i // 2) % len(paths)]
        which = (i + (i // 2)) % 2  # off, on, on, off, off, on, …
        i += 1
        start = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", ports[which], timeout=30)
            conn.request("GET", path, headers={"Cookie": cookies, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            conn.close()
        except OSError:
            errors += 1
            continue
        if response.status == 200:
            lat[which].append((time.perf_counter() - start) * 1000)
        else:
            errors += 1
    return lat[0], lat[1], errors


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
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] if ordered else float("nan")


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
    cpu: dict[str, float] = {"off": 0.0, "on": 0.0}  # the server's gunicorn and PostgreSQL, per request
    other: dict[str, float] = {"off": 0.0, "on": 0.0}  # busy CPU of processes not measured here
    paired: list[tuple[float, float]] = []  # per round: on/off requests/s, on/off p99
    with server(False) as off, server(True) as on, mp.get_context("fork").Pool(args.concurrency) as pool:
        servers = {"off": off, "on": on}
        clients = [p.pid for p in pool._pool]  # type: ignore[attr-defined]
        for g in servers.values():  # warm-up: templates, the catalogue's caches, connections
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
            this: dict[str, tuple[float, float]] = {}
            for name in order:
                server_pids = servers[name].pids() + harness.postgres_pids(harness.DB_NAME)
                everything = off.pids() + on.pids() + harness.postgres_pids(harness.DB_NAME) + clients + [os.getpid()]
                before, all_before, busy = (harness.cpu_seconds(server_pids), harness.cpu_seconds(everything),
                                            harness.machine_busy_seconds())
                lat, errors, elapsed = _phase(pool, servers[name].port, args.seconds, args.concurrency, ANALYTICS_PAGES)
                cpu[name] += harness.cpu_used(before, harness.cpu_seconds(server_pids))
                ours = harness.cpu_used(all_before, harness.cpu_seconds(everything))
                other[name] += max(0.0, harness.machine_busy_seconds() - busy - ours)
                figures[name]["lat"] += lat
                figures[name]["errors"].append(errors)
                figures[name]["seconds"].append(elapsed)
                this[name] = (len(lat) / elapsed, _pct(lat, 0.99))
            paired.append((this["on"][0] / this["off"][0], this["on"][1] / this["off"][1]))
            print(f"  round {r + 1:2} ({order[0]} first): off {this['off'][0]:6.1f} req/s p99 {this['off'][1]:6.1f} ms"
                  f" | on {this['on'][0]:6.1f} req/s p99 {this['on'][1]:6.1f} ms"
                  f" | on/off × {paired[-1][0]:.2f} req/s, × {paired[-1][1]:.2f} p99", flush=True)
        # latency with both servers under the same load at the same moment: requests interleaved
        until = time.time() + args.rounds * args.seconds
        jobs = [((off.port, on.port), until, ANALYTICS_PAGES[k % 5:] + ANALYTICS_PAGES[:k % 5], _visitor_cookies(k + 1))
                for k in range(args.concurrency)]
        interleaved = pool.map(_paired, jobs)
        i_off = [ms for a, _b, _e in interleaved for ms in a]
        i_on = [ms for _a, b, _e in interleaved for ms in b]
        i_err = sum(e for _a, _b, e in interleaved)
        # the beacons alone, against the server with analytics on
        beacon = json.dumps({"events": [{"kind": "page_view", "url": "/store/trims/s7-long-range/?c=LAUNCH26",
                                         "referrer": "https://www.baidu.com/"}]}).encode()
        b_lat, b_err, b_sec = _phase(pool, on.port, args.seconds, args.concurrency, ["/store/analytics/collect/"],
                                     method="POST", body=beacon)
        stored_running = Event.objects.count()
    # the servers have stopped: their workers wrote what they still held at exit
    buffer.flush()
    stored = Event.objects.filter(kind="page_view").count()

    print(f"\n{'analytics':10} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
          f"{'server CPU/req':>14} {'other cores':>11}")
    rate: dict[str, float] = {}
    p99: dict[str, float] = {}
    for name in ("off", "on"):
        lat = figures[name]["lat"]
        seconds = sum(figures[name]["seconds"])
        rate[name] = len(lat) / seconds
        p99[name] = _pct(lat, 0.99)
        print(f"{name:10} {len(lat):9d} {rate[name]:8.1f} {_pct(lat, 0.50):7.1f} {p99[name]:7.1f} "
              f"{sum(figures[name]['errors']):6d} {cpu[name] / max(1, len(lat)) * 1000:11.2f} ms "
              f"{other[name] / seconds:11.2f}")
    ratio_rate, ratio_p99 = rate["on"] / rate["off"], p99["on"] / p99["off"]
    cpu_ratio = (cpu["on"] / max(1, len(figures["on"]["lat"]))) / (cpu["off"] / max(1, len(figures["off"]["lat"])))
    print(f"on/off over all rounds: requests/s × {ratio_rate:.3f}, p99 × {ratio_p99:.3f}, server CPU per request "
          f"× {cpu_ratio:.3f}; median of the paired rounds: requests/s × "
          f"{statistics.median(r for r, _p in paired):.3f}, p99 × {statistics.median(p for _r, p in paired):.3f}")
    print(f"collect endpoint (beacons, analytics on): {len(b_lat) / b_sec:.1f} req/s, p50 {_pct(b_lat, 0.5):.1f} ms, "
          f"p99 {_pct(b_lat, 0.99):.1f} ms, errors {b_err}; page views written in batches: {stored_running} while "
          f"the servers ran, {stored} after they stopped (of {len(b_lat)} beacons accepted)")
    i_p99 = _pct(i_on, 0.99) / _pct(i_off, 0.99)
    print(f"interleaved (each client alternates the servers request by request, {args.rounds * args.seconds:g} s): "
          f"off {len(i_off)} requests p50 {_pct(i_off, 0.5):.1f} ms p99 {_pct(i_off, 0.99):.1f} ms | "
          f"on {len(i_on)} requests p50 {_pct(i_on, 0.5):.1f} ms p99 {_pct(i_on, 0.99):.1f} ms | "
          f"on/off p50 × {_pct(i_on, 0.5) / _pct(i_off, 0.5):.3f}, p99 × {i_p99:.3f}; errors {i_err}")
    disturbed = max(other[n] / sum(figures[n]["seconds"]) for n in other) > 0.2
    ok = ratio_rate >= 1 - WITHIN and i_p99 <= 1 + WITHIN
    print(f"\n{harness.verdict(ok)}  store pages with analytics on within {WITHIN:.0%} of off: requests/s "
          f"× {ratio_rate:.3f} (alternating rounds), p99 × {i_p99:.3f} (interleaved requests) "
          f"({args.rounds} rounds × {args.seconds:g} s per server, "
          f"{args.concurrency} clients, {args.workers} gunicorn workers per server, PostgreSQL)"
          + ("  [DISTURBED: other processes used more than 0.2 cores]" if disturbed else ""))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["both", "server-time", "analytics"], default="both")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0)
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
