"""HTTP benchmark: lead capture (POST /api/leads) against two baselines, inline and with a worker.

Run: .venv/bin/python bench/capture_http.py [--mode both|inline|worker] [--duration 20] [--warmup 3]
                                            [--concurrency 8] [--workers 2] [--drain-timeout 120]

Each mode (default: both, inline first) starts from a fresh PostgreSQL database (autodcc_bench),
migrated, demo network, one channel API token, and its own gunicorn (2 sync workers, persistent
connections). A closed-loop load generator on the same machine (one process per connection,
http.client) drives, one after the other:
  json     GET  /bench/json/    trivial JsonResponse (full middleware stack)
  insert   POST /bench/insert/  one BenchRow INSERT
  capture  POST /api/leads      a unique mobile and Idempotency-Key per request

inline  no broker: the request captures the lead through the pipeline in one transaction (201).
worker  CELERY_BROKER_URL=redis://127.0.0.1:6379/13 for gunicorn, and one Celery worker
        (-P solo, concurrency 1) running during the capture phase: the request checks the input and
        writes one pending Capture (202); the worker captures the waiting ones in batches through the
        same pipeline. After the load, the script waits (--drain-timeout) until none is pending.

Per mode: throughput, latency percentiles, errors, CPU per process, the ratios, the
lost/duplicate check; in worker mode also the processing throughput and receipt → lead latency.
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
import threading
import time
from collections import Counter
from collections.abc import Callable
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

TARGET_RATIO = 0.25  # inline capture against the one-row insert view
TARGET_WORKER_RATIO = 0.3  # worker mode: leads processed per second against the insert view
TARGET_P99_MS = 50.0
POLL_S = 0.1  # worker mode: how often the observer looks for newly committed batches


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
    accepted: list[tuple[int, str, str]] = field(default_factory=list)  # capture 2xx: (intake, key, phone)
    client_cpu_s: float = 0.0
    duration_s: float = 0.0
    wall_s: float = 0.0
    started_wall: float = 0.0  # time.time() when the warm-up began
    measured_wall: float = 0.0  # time.time() when the measured window began
    cores: dict[str, float] = field(default_factory=dict)  # CPU seconds per second of the phase, by process
    commits: int = 0  # PostgreSQL's committed transactions during the phase (warm-up included)

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
    accepted: list[tuple[int, str, str]] = []
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
        mobile = key = ""
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
            key = f"bench-{run}-{index}-{n}"
            headers["Idempotency-Key"] = key
        elif phase.method == "POST":
            body = b"{}"
        n += 1
        measured = now >= t_warm_end
        t0 = time.perf_counter()
        content = b""
        try:
            conn.request(phase.method, phase.path, body=body, headers=headers)
            resp = conn.getresponse()
            content = resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
        elapsed_ms = (time.perf_counter() - t0) * 1000
        status_all[status] += 1
        if phase.name == "capture" and 200 <= status < 300:
            accepted.append((int(json.loads(content)["intake"]), key, mobile))
        if measured:
            if 200 <= status < 300:
                latencies.append(elapsed_ms)
            else:
                errors += 1
    conn.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.put((index, latencies, errors, dict(status_all), accepted, usage.ru_utime + usage.ru_stime))


def run_phase(
    phase: Phase,
    *,
    port: int,
    token: str,
    run: str,
    concurrency: int,
    warmup: float,
    duration: float,
    started: Callable[[], None] | None = None,
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
    if started is not None:
        started()  # after the forks: a thread started here is never copied into the load processes
    result = Result(phase.name, duration_s=duration)
    result.started_wall = time.time() + (start - time.monotonic())
    result.measured_wall = result.started_wall + warmup
    for _ in procs:
        _index, latencies, errors, status_all, accepted, cpu = queue.get(timeout=warmup + duration + 120)
        result.latencies_ms.extend(latencies)
        result.measured_errors += errors
        result.all_status.update(status_all)
        result.accepted.extend(accepted)
        result.client_cpu_s += cpu
    for p in procs:
        p.join()
    return result


class CommitObserver:
    """Worker mode: polls the Capture table every POLL_S and notes when each batch became visible.

    All captures of one ``process_batch`` share one ``processed_at`` (stamped when the batch runs);
    the first poll that sees a ``processed_at`` value is (within POLL_S) when that batch committed,
    i.e. when its leads exist for everyone else."""

    def __init__(self, table: str) -> None:
        self.sql = f'SELECT processed_at, count(*) FROM "{table}" WHERE processed_at IS NOT NULL GROUP BY 1'
        self.seen: dict[Any, float] = {}  # processed_at → wall clock (time.time()) of first sight
        self.sizes: dict[Any, int] = {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.polls = 0

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(harness.DATABASE_URL, autocommit=True) as conn:
            while True:
                rows = conn.execute(self.sql).fetchall()
                now = time.time()
                self.polls += 1
                for processed_at, count in rows:
                    if processed_at not in self.seen:
                        self.seen[processed_at] = now
                    self.sizes[processed_at] = count
                if self.stop_event.wait(POLL_S):
                    break

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join()


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _ms(values: list[float], q: float) -> float:
    return harness.percentile(values, q)


def run_mode(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    broker = harness.BROKER_URL if mode == "worker" else ""
    env = harness.bench_env(broker=broker)
    print(f"\n==== mode {mode} ====", flush=True)
    if mode == "worker":
        how = harness.ensure_redis()
        with harness.redis_client() as redis:
            redis.flushdb()
        print(f"redis: {how}; {harness.BROKER_URL} flushed", flush=True)
    from django.apps import apps
    from django.db import connections

    if apps.ready:
        connections.close_all()  # the previous mode's connection (its database is dropped now)
    print(f"setup: fresh database, migrate, demo network … ({harness.env_summary(broker=broker)})", flush=True)
    info = harness.setup_django(fresh=True, token=True)
    from django.db.models import Count

    from autodcc.leads.models import Capture, CaptureStatus, Lead
    from autodcc.network.models import ApiToken
    from bench.benchapp.models import BenchRow

    token_pk = ApiToken.objects.get(name="bench").pk
    worker_note = (
        "; 1 Celery worker (-P solo, concurrency 1) started for the capture phase" if mode == "worker" else ""
    )
    print(
        f"setup: {info['dealers']} dealers, {info['staff']} staff in {info['setup_s']:.1f} s; "
        f"gunicorn {args.workers} sync workers{worker_note}; load: {args.concurrency} connections, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per phase, "
        f"on this machine ({os.cpu_count()} cores)",
        flush=True,
    )
    run = f"{int(time.time())}{mode[0]}"
    results: dict[str, Result] = {}
    counts: dict[str, tuple[int, int]] = {}
    drain: dict[str, Any] = {}
    observer: CommitObserver | None = None
    with harness.Gunicorn(workers=args.workers, env=env) as server:
        for phase in PHASES:
            worker: harness.CeleryWorker | None = None
            if phase.name == "capture" and mode == "worker":
                worker = harness.CeleryWorker(env=env).__enter__()
                print(f"celery worker ready after {worker.started_s:.1f} s (log: bench/.var/celery.log)", flush=True)
                observer = CommitObserver(Capture._meta.db_table)
            try:
                before = (Lead.objects.count(), BenchRow.objects.count())
                connections.close_all()  # nothing shared with the forked load processes

                def groups(w: harness.CeleryWorker | None = worker) -> dict[str, list[int]]:
                    g = {"gunicorn": server.pids(), "postgres": harness.postgres_pids(harness.DB_NAME)}
                    if w is not None:
                        g["worker"] = w.pids()
                        g["redis"] = harness.redis_pids()
                    return g

                commits0 = harness.commits(harness.DB_NAME)
                tracker = harness.CpuTracker(groups)
                busy0, self0, t0 = harness.machine_busy_seconds(), own_cpu(), time.monotonic()
                result = run_phase(
                    phase,
                    port=server.port,
                    token=info["token"],
                    run=run,
                    concurrency=args.concurrency,
                    warmup=args.warmup,
                    duration=args.duration,
                    started=observer.start if observer is not None else None,
                )
                result.wall_s = wall = time.monotonic() - t0
                busy = (harness.machine_busy_seconds() - busy0) / wall
                used = tracker.stop()
                cpu1 = {name: harness.cpu_seconds(pids) for name, pids in groups().items()}
                result.cores = {name: seconds / wall for name, seconds in used.items()}
                # the load generator's processes and this script (its commit observer thread in worker mode)
                result.cores["load"] = (result.client_cpu_s + own_cpu() - self0) / wall
                # everything else busy on the machine: this script's main process, other users' jobs
                result.cores["other"] = busy - sum(result.cores.values())
                result.cores["machine"] = busy
                results[phase.name] = result
                if phase.name == "capture":
                    drain = wait_for_intakes(args.drain_timeout, worker, cpu1, mode == "worker")
                    if observer is not None:
                        observer.stop()
                    if worker is not None:
                        drain["queue"] = drain_queue(args.drain_timeout, worker, result.started_wall)
                result.commits = harness.commits(harness.DB_NAME) - commits0  # after the worker's drain
                after = (Lead.objects.count(), BenchRow.objects.count())
                counts[phase.name] = (after[0] - before[0], after[1] - before[1])
            finally:
                if observer is not None and phase.name == "capture" and observer.thread.is_alive():
                    observer.stop()
                if worker is not None:
                    worker.stop()
    print(f"gunicorn stopped (error log: {server.log.relative_to(harness.ROOT)}, "
          f"app output: {server.out.relative_to(harness.ROOT)})")
    logs = [server.log, server.out] + ([harness.VAR / "celery.log"] if mode == "worker" else [])
    for n, line in harness.exceptions_in(*logs):
        print(f"!! {n} × {line}")

    # ---- request figures ------------------------------------------------------------------------
    print()
    names = ["gunicorn", "worker", "postgres", "redis", "load", "other", "machine"] if mode == "worker" else [
        "gunicorn", "postgres", "load", "other", "machine"]
    print(
        f"{'phase':<9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'requests':>10}"
        f"   CPU cores: {'/'.join(names)}"
    )
    for name, r in results.items():
        cores = " / ".join(f"{r.cores[n]:.2f}" if n in r.cores else "-" for n in names)
        print(
            f"{name:<9}{r.rps:>9.1f}{r.pct(50):>9.2f}{r.pct(95):>9.2f}{r.pct(99):>9.2f}{r.measured_errors:>8}"
            f"{len(r.latencies_ms) + r.measured_errors:>10}   {cores}"
        )
    for name, r in results.items():
        odd = {s: c for s, c in r.all_status.items() if not 200 <= s < 300}
        if odd:
            print(f"  {name}: non-2xx statuses over warm-up + measurement: {odd} (0 = no response)")

    cap, ins, js = results["capture"], results["insert"], results["json"]
    ratio_ins, ratio_json = cap.rps / ins.rps, cap.rps / js.rps
    print()
    print(f"capture/insert throughput = {ratio_ins:.3f}    capture/json throughput = {ratio_json:.3f}")
    done_requests = sum(cap.all_status.values())
    server = cap.cores.get("gunicorn", 0) + cap.cores.get("postgres", 0) + cap.cores.get("worker", 0)
    per_capture_ms = server * cap.wall_s / max(1, done_requests) * 1000
    ins_requests = max(1, sum(ins.all_status.values()))
    ins_ms = (ins.cores.get("gunicorn", 0) + ins.cores.get("postgres", 0)) * ins.wall_s / ins_requests * 1000
    print(f"server CPU per capture (gunicorn + PostgreSQL{' + worker' if mode == 'worker' else ''}): "
          f"{per_capture_ms:.2f} ms; commits per capture (PostgreSQL's count for the bench database): "
          f"{cap.commits / max(1, done_requests):.2f}; insert view: {ins_ms:.2f} ms, "
          f"{ins.commits / ins_requests:.2f} commits")

    # ---- the loss check ------------------------------------------------------------------------
    statuses = ", ".join(f"{c} × {s}" for s, c in sorted(cap.all_status.items()))
    answered_2xx = sum(c for s, c in cap.all_status.items() if 200 <= s < 300)
    ids = [a[0] for a in cap.accepted]
    keys = dict(Capture.objects.filter(pk__in=ids).values_list("pk", "key"))
    matched = sum(keys.get(pk) == f"api:t{token_pk}:{key}" for pk, key, _phone in cap.accepted)
    intakes = Capture.objects.count()
    by_status = {row["status"]: row["n"] for row in Capture.objects.values("status").annotate(n=Count("pk"))}
    pending = by_status.get(CaptureStatus.PENDING, 0)
    rejected = by_status.get(CaptureStatus.REJECTED, 0)
    no_lead = Capture.objects.filter(status=CaptureStatus.PROCESSED, lead__isnull=True).count()
    created_true = Capture.objects.filter(status=CaptureStatus.PROCESSED, duplicate=False).count()
    shared_leads = (
        Capture.objects.exclude(lead=None).values("lead").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    accepted_phones = len({a[2] for a in cap.accepted})
    intake_phones = Capture.objects.exclude(lead=None).values("lead__customer__phone").distinct().count()
    new_leads = counts["capture"][0]
    leads_total = Lead.objects.count()
    distinct_lead_phones = Lead.objects.values("customer__phone").distinct().count()
    unanswered_written = intakes - len(set(ids))
    lossless = (
        answered_2xx == len(ids) == len(set(ids)) == matched
        and pending == 0
        and rejected == 0
        and no_lead == 0
        and new_leads == accepted_phones + unanswered_written == intake_phones == created_true
        and distinct_lead_phones == leads_total
        and shared_leads == 0
    )
    print(f"capture answers (warm-up + measured): {statuses}")
    print(
        f"intakes: {answered_2xx} 2xx answers → {len(set(ids))} distinct intake ids, {matched} found with their "
        f"Idempotency-Key; {intakes} Capture rows ({unanswered_written} written without a 2xx answer); "
        f"{by_status.get(CaptureStatus.PROCESSED, 0)} processed, {pending} pending, {rejected} rejected; "
        f"{no_lead} processed without a lead"
    )
    print(
        f"leads:   {new_leads} new Lead rows = {accepted_phones} accepted captures with distinct phones"
        f" (+{unanswered_written} unanswered); intakes with created=True {created_true}; "
        f"leads {leads_total}, distinct phones {distinct_lead_phones}; leads shared by 2+ intakes {shared_leads}"
    )
    print(f"insert:  {ins.all_status.get(201, 0)} × 201; new BenchRow rows {counts['insert'][1]}")

    # ---- processing (receipt → lead) -----------------------------------------------------------
    rows = list(Capture.objects.exclude(processed_at=None).values_list("at", "processed_at"))
    to_stamp = sorted((p - r).total_seconds() * 1000 for r, p in rows)
    summary: dict[str, Any] = {
        "mode": mode, "rps": cap.rps, "cpu_ms": per_capture_ms, "p50": cap.pct(50), "p95": cap.pct(95), "p99": cap.pct(99),
        "errors": cap.measured_errors, "ratio_ins": ratio_ins, "ratio_json": ratio_json, "lossless": lossless,
        "insert_rps": ins.rps, "json_rps": js.rps,
    }
    print()
    if mode == "inline":
        print("receipt → lead: inside the request (the capture commits before the answer)")
    else:
        assert observer is not None
        nan = float("nan")
        seen = observer.seen
        visible = sorted((seen[p] - r.timestamp()) * 1000 for r, p in rows if p in seen)
        visible_measured = sorted((seen[p] - r.timestamp()) * 1000 for r, p in rows
                                  if p in seen and r.timestamp() >= cap.measured_wall)
        unseen = sum(1 for _r, p in rows if p not in seen)
        leads_per_s = nan
        if rows:
            first_received = min(r for r, _p in rows).timestamp()
            last_stamp = max(p for _r, p in rows).timestamp()
            last_visible = max(seen.values()) if seen else last_stamp
            leads_per_s = len(rows) / (last_visible - first_received)
            print(
                f"processing: {len(rows)} intakes processed from first accept to last lead committed in "
                f"{last_visible - first_received:.1f} s = {leads_per_s:.1f} leads/s (to the last processed_at "
                f"stamp: {len(rows) / (last_stamp - first_received):.1f} leads/s); the load ran {cap.wall_s:.1f} s"
            )
        else:
            print("processing: no intake was processed")
        done = (f"all processed {drain['drained_s']:.1f} s after the load stopped" if not drain["pending"]
                else f"{drain['pending']} still pending {drain['drained_s']:.0f} s after the load stopped")
        if drain["backlog"] > drain["pending"] and drain["drained_s"] >= 1:
            done += (f" ({(drain['backlog'] - drain['pending']) / drain['drained_s']:.0f} leads/s while draining "
                     f"without load)")
        print(
            f"  backlog when the load stopped: {drain['backlog']} intakes pending, {drain['queue_at_end']} tasks "
            f"queued in Redis; {done}; {drain['queue_after']} tasks still queued when the worker was stopped"
        )
        sizes = sorted(observer.sizes.values())
        lag = sorted((seen[p] - p.timestamp()) * 1000 for p in seen)
        worker_cpu = cap.cores.get("worker", 0) * cap.wall_s + drain.get("worker_cpu_s", 0.0)
        per_lead = f"{worker_cpu / len(rows) * 1000:.2f} ms per processed intake" if rows else "no intake processed"
        print(
            f"  {len(sizes)} batches (process_batch), size min {sizes[0] if sizes else 0} / median "
            f"{_ms(sizes, 50) if sizes else 0} / max {sizes[-1] if sizes else 0}; batch start → commit seen "
            f"p50 {_ms(lag, 50):.0f} ms, max {lag[-1] if lag else nan:.0f} ms; worker CPU {worker_cpu:.1f} s "
            f"(load + drain) = {per_lead} (incl. its outbox dispatch and no-op process_intake tasks)"
        )
        print(
            f"receipt → processed_at (stamped when the batch starts): p50 {_ms(to_stamp, 50):.0f} ms, "
            f"p95 {_ms(to_stamp, 95):.0f} ms, p99 {_ms(to_stamp, 99):.0f} ms over {len(to_stamp)} intakes"
        )
        print(
            f"receipt → lead committed (batch commit seen by polling every {POLL_S:g} s): "
            f"p50 {_ms(visible, 50):.0f} ms, p95 {_ms(visible, 95):.0f} ms, p99 {_ms(visible, 99):.0f} ms, "
            f"max {visible[-1] if visible else nan:.0f} ms over {len(visible)} intakes"
            + (f" ({unseen} in batches the poller never saw)" if unseen else "")
        )
        print(
            f"  the same for the intakes received in the measured window only: p50 {_ms(visible_measured, 50):.0f} ms, "
            f"p95 {_ms(visible_measured, 95):.0f} ms, p99 {_ms(visible_measured, 99):.0f} ms "
            f"over {len(visible_measured)} intakes"
        )
        q = drain["queue"]
        rate = f"{q['tasks'] / q['seconds']:.0f} tasks/s, " if q["seconds"] and q["tasks"] else ""
        per_task = f"{q['cpu_s'] / q['tasks'] * 1000:.2f} ms worker CPU per task" if q["tasks"] else "no task"
        emptied = "emptied" if not q["left"] else f"{q['left']} tasks left"
        print(
            f"task queue after the intakes: {q['tasks']} tasks still queued (the no-op process_intake tasks, one per "
            f"request, and the outbox dispatches queued behind them), {q['outbox_before']} outbox events pending; "
            f"{emptied} after "
            f"{q['seconds']:.1f} s ({rate}{per_task}); outbox events pending then: {q['outbox_left']}"
        )
        d = q["delays"]
        print(
            f"  outbox events created since the capture phase began: {q['events']}, delivered: {len(d)}; "
            f"created → done p50 {_ms(d, 50) / 1000:.1f} s, p95 {_ms(d, 95) / 1000:.1f} s, "
            f"max {d[-1] / 1000 if d else float('nan'):.1f} s (the agents' \"new leads\" messages)"
        )
        summary["worker_ratio"] = leads_per_s / ins.rps
        summary.update(
            leads_per_s=leads_per_s, e2e_p50=_ms(visible, 50), e2e_p95=_ms(visible, 95),
            e2e_p99=_ms(visible, 99), stamp_p50=_ms(to_stamp, 50), stamp_p95=_ms(to_stamp, 95),
            stamp_p99=_ms(to_stamp, 99),
        )
    print()
    print(
        f"{harness.verdict(ratio_ins >= TARGET_RATIO)}  [{mode}] capture ≥ {TARGET_RATIO} × insert throughput "
        f"({cap.rps:.1f} vs {ins.rps:.1f} req/s = {ratio_ins:.3f})"
    )
    print(
        f"{harness.verdict(cap.pct(99) <= TARGET_P99_MS)}  [{mode}] capture p99 ≤ {TARGET_P99_MS:g} ms "
        f"({cap.pct(99):.1f} ms at {args.concurrency} connections)"
    )
    print(
        f"{harness.verdict(lossless)}  [{mode}] zero leads lost or duplicated "
        f"({answered_2xx} 2xx = {matched} intakes; {pending} pending; new leads {new_leads} = "
        f"accepted distinct phones {accepted_phones}; distinct phones {distinct_lead_phones} = leads {leads_total})"
    )
    if mode == "worker":  # after the loss check: the backlog's captures are checked on their own
        with harness.Gunicorn(workers=args.workers, env=env) as server:
            backlog = drain_backlog(server, env, info["token"], run, args)
        rate = backlog["rate"]
        summary["backlog_rate"] = rate
        print(f"{harness.verdict(rate / ins.rps >= TARGET_WORKER_RATIO and backlog['ok'])}  [worker] leads "
              f"processed per second ≥ {TARGET_WORKER_RATIO} × insert throughput: {rate:.0f} leads/s on a backlog "
              f"vs {ins.rps:.1f} = {rate / ins.rps:.3f} (while the load ran it kept pace with arrivals: "
              f"{summary['leads_per_s']:.1f} leads/s); backlog lost/duplicated: {backlog['check']}")
    if mode == "inline":  # after the loss check: these two captures are not the load's
        statements = harness.statements_per_capture(info["token"])
        summary["statements"], summary["commits"] = statements["statements"], statements["commits"]
        print(f"{harness.verdict(statements['statements'] <= 12 and statements['commits'] == 1)}  [inline] one "
              f"capture ≤ 12 statements and 1 commit (POST /api/leads through the test client, in this process, "
              f"outbox dispatch after the response not counted): {statements['statements']} statements, "
              f"{statements['commits']} commit(s): {statements['kinds']}")
    return summary


def drain_backlog(server: harness.Gunicorn, env: dict[str, str], token: str, run: str,
                  args: argparse.Namespace) -> dict[str, Any]:
    """Worker mode, after the main capture phase: with no worker running, captures are accepted for
    --backlog-seconds; then one worker starts and the time until none is pending gives how many leads
    a worker captures per second when work is waiting (the main phase only shows that it keeps pace)."""
    from django.db import connections

    from autodcc.leads.models import Capture, CaptureStatus

    connections.close_all()
    burst = run_phase(PHASES[2], port=server.port, token=token, run=f"{run}b", concurrency=args.concurrency,
                      warmup=0.0, duration=args.backlog_seconds)
    pending = Capture.objects.filter(status=CaptureStatus.PENDING).count()
    connections.close_all()
    dead0 = harness.deadlocks(harness.DB_NAME)
    workers = [harness.CeleryWorker(env=env, name=f"drain{i}").__enter__() for i in range(args.celery_workers)]
    t0 = time.monotonic()
    left = pending
    try:
        while left and time.monotonic() - t0 < args.drain_timeout:
            time.sleep(0.1)
            left = Capture.objects.filter(status=CaptureStatus.PENDING).count()
    finally:
        for worker in workers:
            worker.stop()
    dead1 = harness.deadlocks(harness.DB_NAME)
    # the worker starts taking batches while it boots: time the batches by their stamps (each batch's
    # captures share the processed_at of its start) — all but the last batch, over first → last start
    from django.db.models import Count

    batches = sorted(Capture.objects.filter(pk__in=[a[0] for a in burst.accepted]).exclude(processed_at=None)
                     .values_list("processed_at").annotate(n=Count("pk")))
    span = (batches[-1][0] - batches[0][0]).total_seconds() if len(batches) > 1 else 0.0
    rate = (sum(n for _at, n in batches[:-1]) / span) if span else 0.0
    ids = [a[0] for a in burst.accepted]
    rows = Capture.objects.filter(pk__in=ids)
    processed = rows.filter(status=CaptureStatus.PROCESSED, lead__isnull=False).count()
    distinct_leads = rows.values("lead").distinct().count()
    ok = len(ids) == len(set(ids)) == processed == distinct_leads and not left
    check = (f"{len(ids)} accepted, {processed} processed with a lead, {distinct_leads} distinct leads"
             f"{'' if ok else ' — MISMATCH'}")
    dead = "unknown (PostgreSQL's log not readable)" if dead0 is None or dead1 is None else str(dead1 - dead0)
    print(f"backlog: {sum(burst.all_status.values())} captures accepted in {args.backlog_seconds:g} s with no worker "
          f"running ({pending} pending); {args.celery_workers} Celery workers then captured them in parallel, in "
          f"{len(batches)} batches: {rate:.0f} leads/s from the start of the first batch to the start of the last"
          f"{'' if not left else f'; {left} left'}; deadlocks in PostgreSQL's log meanwhile: {dead}")
    return {"rate": rate, "pending": pending, "left": left, "ok": ok and dead == "0", "check": f"{check}; deadlocks {dead}"}


def celery_queue_length() -> int:
    with harness.redis_client() as redis:
        return int(redis.llen("celery"))


def drain_queue(timeout: float, worker: harness.CeleryWorker, since: float) -> dict[str, Any]:
    """Worker mode, once no intake is pending: the tasks still queued in Redis (one process_intake
    per request, mostly no-ops now, and the outbox dispatches queued behind them). Wait (up to
    ``timeout``) until the queue is empty and the outbox has nothing pending; how long, what CPU."""
    import datetime as dt

    from autodcc.core.models import OutboxEvent, OutboxStatus

    t0, cpu0 = time.monotonic(), harness.cpu_seconds(worker.pids())
    tasks = celery_queue_length()
    from django.utils import timezone

    def due() -> int:  # events due now (a notice put off for a minute is not waited for)
        return OutboxEvent.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now()).count()

    outbox_before = due()
    left, outbox_left = tasks, outbox_before
    while (left or outbox_left) and time.monotonic() - t0 < timeout:
        time.sleep(0.5)
        left = celery_queue_length()
        outbox_left = due()
    seconds = time.monotonic() - t0
    cpu = harness.cpu_used(cpu0, harness.cpu_seconds(worker.pids()))
    events = OutboxEvent.objects.filter(created_at__gte=dt.datetime.fromtimestamp(since, dt.UTC))
    delays = sorted((d - c).total_seconds() * 1000 for c, d in events.exclude(done_at=None).values_list(
        "created_at", "done_at"))
    return {"tasks": tasks, "seconds": seconds, "cpu_s": cpu, "left": left, "outbox_before": outbox_before,
            "outbox_left": outbox_left, "events": events.count(), "delays": delays}


def wait_for_intakes(
    timeout: float,
    worker: harness.CeleryWorker | None,
    cpu_at_end: dict[str, dict[int, float]],
    queued: bool,
) -> dict[str, Any]:
    """After the load: wait until no intake is pending (up to ``timeout``); the backlog and how long."""
    from autodcc.leads.models import Capture, CaptureStatus

    t_end = time.monotonic()

    def queue_length() -> int:
        return celery_queue_length() if queued else 0

    queue_at_end = queue_length()
    backlog = Capture.objects.filter(status=CaptureStatus.PENDING).count()
    pending = backlog
    while pending and time.monotonic() - t_end < timeout:
        time.sleep(0.2)
        pending = Capture.objects.filter(status=CaptureStatus.PENDING).count()
    drained_s = time.monotonic() - t_end
    if queued:
        time.sleep(2 * POLL_S)  # let the observer see the last commit
    out = {"backlog": backlog, "drained_s": drained_s, "pending": pending, "queue_at_end": queue_at_end,
           "queue_after": queue_length()}
    if worker is not None:
        now = harness.cpu_seconds(worker.pids())
        out["worker_cpu_s"] = harness.cpu_used(cpu_at_end.get("worker", {}), now)
    if pending:
        print(f"!! {pending} intakes still pending {timeout:g} s after the load stopped", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["both", "inline", "worker"], default="both",
                        help="inline (no broker), worker (Redis + 1 Celery worker) or both, one after the other")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per phase (20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per phase (3)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections, one process each (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--celery-workers", type=int, default=2,
                        help="worker mode: Celery workers draining the backlog in parallel (2)")
    parser.add_argument("--backlog-seconds", type=float, default=10.0,
                        help="worker mode: seconds of captures accepted with no worker, then drained (10)")
    parser.add_argument("--drain-timeout", type=float, default=120.0,
                        help="seconds to wait after the load for pending intakes (120)")
    args = parser.parse_args()

    modes = ["inline", "worker"] if args.mode == "both" else [args.mode]
    summaries = [run_mode(mode, args) for mode in modes]
    if len(summaries) > 1:
        print("\n==== summary (capture phase) ====")
        print(f"{'mode':<8}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99 ms':>8}{'errors':>8}{'/insert':>9}{'/json':>7}"
              f"   receipt → lead committed p50/p95/p99 ms, leads/s")
        for s in summaries:
            extra = (f"   {s['e2e_p50']:.0f} / {s['e2e_p95']:.0f} / {s['e2e_p99']:.0f}, {s['leads_per_s']:.1f}"
                     if s["mode"] == "worker" else "   (in the request)")
            print(f"{s['mode']:<8}{s['rps']:>8.1f}{s['p50']:>8.1f}{s['p95']:>8.1f}{s['p99']:>8.1f}{s['errors']:>8}"
                  f"{s['ratio_ins']:>9.3f}{s['ratio_json']:>7.3f}{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
