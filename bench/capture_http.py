"""HTTP benchmark: lead capture (POST /api/leads) against two baselines on the same server.

Run: .venv/bin/python bench/capture_http.py [--duration 20] [--warmup 3] [--concurrency 8]

Fresh PostgreSQL database (autodcc_bench), migrated, demo network, one channel API token; gunicorn
with 2 sync workers and persistent connections; a closed-loop load generator on the same machine
(one process per connection, http.client) drives, one after the other:
  json     GET  /bench/json/    trivial JsonResponse (full middleware stack)
  insert   POST /bench/insert/  one BenchRow INSERT
  capture  POST /api/leads      lead_capture with a unique mobile and Idempotency-Key per request
and prints throughput, latency percentiles, errors, the ratios and the lost/duplicate check.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

CITIES = ["上海", "杭州", "广州", "北京", "南京", "深圳", "昆明", "成都"]  # 昆明, 成都: no dealer → nearest
CITY_WEIGHTS = [3, 2, 2, 3, 1, 1, 1, 1]
CHANNELS = ["autohome", "yiche", "dongchedi", "own_site"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "子涵", "浩然"]

TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0


@dataclass
class Phase:
    name: str
    method: str
    path: str


PHASES = [
    Phase("json", "GET", "/bench/json/"),
    Phase("insert", "POST", "/bench/insert/"),
    Phase("capture", "POST", "/api/leads"),
]


@dataclass
class Result:
    name: str
    latencies_ms: list[float] = field(default_factory=list)  # measured window only
    measured_errors: int = 0
    all_status: Counter[int] = field(default_factory=Counter)  # warm-up + measured, 0 = no response
    client_cpu_s: float = 0.0
    duration_s: float = 0.0
    lead_phones_sent: int = 0
    server_cores: float = 0.0  # gunicorn master + workers, CPU seconds per second of the phase
    postgres_cores: float = 0.0

    @property
    def rps(self) -> float:
        return (len(self.latencies_ms) + self.measured_errors) / self.duration_s

    def pct(self, q: float) -> float:
        return harness.percentile(sorted(self.latencies_ms), q)


def _phone(worker: int, n: int) -> str:
    """13 + 9 digits from a counter: worker w uses 130w0000000 + n (130–139 are all mobile prefixes)."""
    return f"13{worker * 10_000_000 + n:09d}"


def _worker(
    index: int, phase: Phase, port: int, token: str, run: str, t_warm_end: float, t_end: float, out: Any
) -> None:
    import phonenumbers

    rng = random.Random(f"{run}-{index}")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    errors = 0
    status_all: Counter[int] = Counter()
    n = 0
    headers_base = {"Content-Type": "application/json"}
    if phase.name == "capture":
        headers_base["Authorization"] = f"Bearer {token}"
    while True:
        now = time.monotonic()
        if now >= t_end:
            break
        body: bytes | None = None
        headers = dict(headers_base)
        if phase.name == "capture":
            mobile = _phone(index, n)
            if not phonenumbers.is_valid_number(phonenumbers.parse(mobile, "CN")):
                raise SystemExit(f"generated an invalid mobile {mobile}")
            body = json.dumps(
                {
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "phone": mobile,
                    "channel": rng.choice(CHANNELS),
                    "city": rng.choices(CITIES, CITY_WEIGHTS)[0],
                    "source_ref": f"{run}-{index}-{n}",
                    "model_interest": "L7",
                    "consent_version": "2026-01",
                    "consent_share_with_dealer": True,
                },
                ensure_ascii=False,
            ).encode()
            headers["Idempotency-Key"] = f"bench-{run}-{index}-{n}"
        elif phase.method == "POST":
            body = b"{}"
        n += 1
        measured = now >= t_warm_end
        t0 = time.perf_counter()
        try:
            conn.request(phase.method, phase.path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
        elapsed_ms = (time.perf_counter() - t0) * 1000
        status_all[status] += 1
        if measured:
            if 200 <= status < 300:
                latencies.append(elapsed_ms)
            else:
                errors += 1
    conn.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.put((index, latencies, errors, dict(status_all), usage.ru_utime + usage.ru_stime, n))


def run_phase(
    phase: Phase, *, port: int, token: str, run: str, concurrency: int, warmup: float, duration: float
) -> Result:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    start = time.monotonic() + 0.3
    t_warm_end, t_end = start + warmup, start + warmup + duration
    procs = [
        ctx.Process(target=_worker, args=(i, phase, port, token, run, t_warm_end, t_end, queue))
        for i in range(concurrency)
    ]
    for p in procs:
        p.start()
    result = Result(phase.name, duration_s=duration)
    for _ in procs:
        _index, latencies, errors, status_all, cpu, sent = queue.get(timeout=warmup + duration + 120)
        result.latencies_ms.extend(latencies)
        result.measured_errors += errors
        result.all_status.update(status_all)
        result.client_cpu_s += cpu
        result.lead_phones_sent += sent
    for p in procs:
        p.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per phase (20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per phase (3)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections, one process each (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    args = parser.parse_args()

    print(f"setup: fresh database, migrate, demo network … ({harness.env_summary()})", flush=True)
    info = harness.setup_django(fresh=True, token=True)
    from django.db import connections

    from autodcc.leads.models import Lead
    from bench.benchapp.models import BenchRow

    print(
        f"setup: {info['dealers']} dealers, {info['staff']} staff in {info['setup_s']:.1f} s; "
        f"gunicorn {args.workers} sync workers; load: {args.concurrency} connections, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per phase, "
        f"on this machine ({os.cpu_count()} cores)",
        flush=True,
    )
    run = f"{int(time.time())}"
    results: dict[str, Result] = {}
    counts: dict[str, tuple[int, int]] = {}
    with harness.Gunicorn(workers=args.workers) as server:
        for phase in PHASES:
            before = (Lead.objects.count(), BenchRow.objects.count())
            connections.close_all()  # nothing shared with the forked load processes
            cpu0, t0 = (
                (harness.cpu_seconds(server.pids()), harness.cpu_seconds(harness.postgres_pids())),
                time.monotonic(),
            )
            result = run_phase(
                phase,
                port=server.port,
                token=info["token"],
                run=run,
                concurrency=args.concurrency,
                warmup=args.warmup,
                duration=args.duration,
            )
            wall = time.monotonic() - t0
            web, pg = harness.cpu_seconds(server.pids()), harness.cpu_seconds(harness.postgres_pids())
            result.server_cores = harness.cpu_used(cpu0[0], web) / wall
            result.postgres_cores = harness.cpu_used(cpu0[1], pg) / wall
            results[phase.name] = result
            after = (Lead.objects.count(), BenchRow.objects.count())
            counts[phase.name] = (after[0] - before[0], after[1] - before[1])
    print(f"gunicorn stopped (error log: {server.log.relative_to(harness.ROOT)})")

    print()
    print(
        f"{'phase':<9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'requests':>10}"
        f"   CPU cores: gunicorn/postgres/load"
    )
    for name, r in results.items():
        print(
            f"{name:<9}{r.rps:>9.1f}{r.pct(50):>9.2f}{r.pct(95):>9.2f}{r.pct(99):>9.2f}{r.measured_errors:>8}"
            f"{len(r.latencies_ms) + r.measured_errors:>10}"
            f"   {r.server_cores:.2f} / {r.postgres_cores:.2f} / "
            f"{r.client_cpu_s / (args.warmup + args.duration):.2f}"
        )
    for name, r in results.items():
        odd = {s: c for s, c in r.all_status.items() if not 200 <= s < 300}
        if odd:
            print(f"  {name}: non-2xx statuses over warm-up + measurement: {odd} (0 = no response)")

    cap, ins, js = results["capture"], results["insert"], results["json"]
    ratio_ins, ratio_json = cap.rps / ins.rps, cap.rps / js.rps
    print()
    print(f"capture/insert throughput = {ratio_ins:.3f}    capture/json throughput = {ratio_json:.3f}")

    created_201 = cap.all_status.get(201, 0)
    new_leads = counts["capture"][0]
    leads_total = Lead.objects.count()
    distinct_phones = Lead.objects.values("customer__phone").distinct().count()
    other_2xx = sum(c for s, c in cap.all_status.items() if 200 <= s < 300 and s != 201)
    unanswered = cap.all_status.get(0, 0)
    inserts_201 = ins.all_status.get(201, 0)
    lossless = created_201 == new_leads and distinct_phones == leads_total and other_2xx == 0
    print(
        f"capture: {created_201} × 201, {other_2xx} × other 2xx, {unanswered} unanswered; "
        f"new Lead rows {new_leads}; leads {leads_total}, distinct phones {distinct_phones}"
    )
    print(f"insert:  {inserts_201} × 201; new BenchRow rows {counts['insert'][1]}")
    print()
    print(
        f"{harness.verdict(ratio_ins >= TARGET_RATIO)}  capture ≥ {TARGET_RATIO} × insert throughput "
        f"({cap.rps:.1f} vs {ins.rps:.1f} req/s = {ratio_ins:.3f})"
    )
    print(
        f"{harness.verdict(cap.pct(99) <= TARGET_P99_MS)}  capture p99 ≤ {TARGET_P99_MS:g} ms "
        f"({cap.pct(99):.1f} ms at {args.concurrency} connections)"
    )
    print(
        f"{harness.verdict(lossless)}  zero leads lost or duplicated "
        f"(201s {created_201} = new leads {new_leads}; "
        f"distinct phones {distinct_phones} = leads {leads_total})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
