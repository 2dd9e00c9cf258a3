"""Where a lead capture spends its time: SQL queries per capture, SQL time by table, a cProfile.

Run: .venv/bin/python bench/profile_capture.py [--requests 200] [--batch 200] [--batches 3]

Same environment as the other benchmarks (fresh autodcc_bench database, demo network, one
channel API token, no broker). Requests go through Django's test client in this process (the
whole stack: middleware, django-ninja, token auth, intake_accept → intake_process (inline, as
without a broker) → lead_capture, the inline outbox dispatch, the response), with the same
payloads as capture_http.py. Prints:
  1. the SQL statements of one API capture (a city with dealers) and the counts for other cases,
     including ``lead_capture()`` alone (the single path);
  1b. ``capture_many`` (the set-based path of imports and the intake worker) on --batches batches
     of --batch new leads, then one batch of repeats (joins) and one replayed batch: statements
     per batch and per lead, by kind;
  2. SQL time and count per statement kind and table over --requests captures, commits, wall time,
  3. a cProfile of --requests captures: a breakdown by step and the top functions by own time.
If the API capture fails (an exception in the request), the error is printed and sections 2 and 3
profile ``lead_capture()`` called directly instead, and say so.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

CITIES = ["上海", "杭州", "广州", "北京", "南京", "深圳", "昆明", "成都"]
CITY_WEIGHTS = [3, 2, 2, 3, 1, 1, 1, 1]

_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', re.I)


def classify(sql: str) -> str:
    verb = sql.lstrip().split(None, 1)[0].upper()
    if verb in {"SAVEPOINT", "RELEASE", "ROLLBACK"}:
        return f"{verb} (savepoint)"
    m = _TABLE.search(sql)
    table = m.group(1) if m else "?"
    if verb == "SELECT" and "FOR UPDATE" in sql.upper():
        verb = "SELECT…FOR UPDATE"
    return f"{verb} {table}"


class SqlStats:
    """An execute wrapper: count and time every statement by kind/table; count commits."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.outside_atomic = 0
        self.commits = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        from django.db import connection

        if not connection.in_atomic_block:
            self.outside_atomic += 1
        kind = classify(sql)
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count[kind] += 1
            self.seconds[kind] += time.perf_counter() - t0

    @contextmanager
    def installed(self) -> Iterator[SqlStats]:
        from django.db import connection

        original = connection.commit

        def commit() -> None:
            self.commits += 1
            original()

        connection.commit = commit  # type: ignore[method-assign]
        try:
            with connection.execute_wrapper(self):
                yield self
        finally:
            del connection.commit


class Payloads:
    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)
        # 147 + 8 digits: a prefix the other benchmarks never use; the start differs per run (--keep-db)
        self.n = int(time.time() * 10) % 50_000_000

    def next(self, city: str | None = None) -> tuple[str, dict[str, str]]:
        self.n += 1
        body = {
            "name": "王伟",
            "phone": f"147{self.n:08d}",
            "channel": "autohome",
            "city": city or self.rng.choices(CITIES, CITY_WEIGHTS)[0],
            "source_ref": f"prof-{self.n}",
            "model_interest": "L7",
            "consent_version": "2026-01",
            "consent_share_with_dealer": True,
        }
        return json.dumps(body, ensure_ascii=False), {"Idempotency-Key": f"prof-{self.n}"}


# Steps shown in the breakdown: (module path suffix, function name, label).
STEPS = [
    ("django/core/handlers/base.py", "get_response", "whole request (handler)"),
    ("autodcc/api/auth.py", "authenticate", "  token auth (api_token_authenticate)"),
    ("autodcc/leads/services/intake.py", "intake_accept", "  intake_accept"),
    ("autodcc/leads/services/capture.py", "check", "    check (phone, city, dealer)"),
    ("autodcc/leads/services/capture.py", "commit", "    commit (the transaction)"),
    ("autodcc/leads/services/capture_pass.py", "_lookup", "      lookup (keys, customers, dealers)"),
    ("autodcc/leads/services/capture_pass.py", "_allocate", "      allocate (lock, split, agents)"),
    ("autodcc/leads/services/capture_pass.py", "_customers", "      customers"),
    ("autodcc/leads/services/capture_pass.py", "_write_leads", "      leads"),
    ("autodcc/leads/services/capture_pass.py", "_write_rest", "      consents, captures, handovers, audit, outbox"),
    ("autodcc/core/workhours.py", "add_open_minutes", "      workhours.add_open_minutes"),
    ("django/db/backends/base/base.py", "run_and_clear_commit_hooks", "  after-commit hooks"),
    ("autodcc/core/outbox.py", "_request_finished", "  after the response: outbox dispatch"),
    ("autodcc/api/leads.py", "capture", "  API view (capture + response)"),
    ("ninja/operation.py", "_result_to_response", "  ninja response serialisation"),
    ("django/db/backends/utils.py", "_execute", "all SQL execute() calls"),
]


def breakdown(stats: pstats.Stats, n: int) -> list[tuple[str, float, float]]:
    rows = []
    raw = stats.stats  # type: ignore[attr-defined]
    for suffix, func, label in STEPS:
        calls = cum = 0.0
        for (filename, _line, name), (_cc, nc, _tt, ct, _callers) in raw.items():
            if name == func and filename.endswith(suffix):
                # recursive entries (cc < nc) are counted once through the primitive calls
                cum += ct
                calls += nc
        rows.append((label, calls / n, cum / n * 1000))
    return rows


def profile_capture_many(
    size: int,
    batches: int,
    lead_input: Callable[..., tuple[Any, str]],
    statements: Callable[[Any], list[str]],
    transactions: Callable[[Any], int],
) -> None:
    """Statements per lead of a batch through the pipeline (SYSTEM, import channel): new leads, repeats, replays."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from autodcc.core.actors import SYSTEM
    from autodcc.leads.services.capture import Caller, Request, capture

    caller = Caller.of(SYSTEM)

    def capture_many(*, actor: Any, items: list[tuple[Any, str]]) -> list[Any]:
        return capture([Request(data, caller, key=key) for data, key in items])

    print(f"\n== 1b. batches of {size} through the pipeline (imports and the worker) ==")
    rows: list[tuple[str, int, int, int, float, Counter[str]]] = []
    last: list[tuple[Any, str]] = []

    def run(label: str, items: list[tuple[Any, str]], expect: str) -> None:
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            outcomes = capture_many(actor=SYSTEM, items=items)
            wall = time.perf_counter() - t0
        bad = [o for o in outcomes if o.errors]
        got = {"new": sum(o.created for o in outcomes), "join": sum(not o.created and not o.replay for o in outcomes),
               "replay": sum(o.replay for o in outcomes)}
        if bad or got[expect] != len(items):
            raise SystemExit(f"batch {label}: {got}, {len(bad)} with errors: {bad[:1]}")
        kinds = Counter(classify(q) for q in statements(ctx))
        rows.append((label, len(items), len(statements(ctx)), transactions(ctx), wall, kinds))

    for b in range(batches):
        items = []
        for _ in range(size):
            data, key = lead_input(channel="import")
            items.append((data, f"import:import:{key}"))
        run(f"new leads, batch {b + 1} (mixed cities)", items, "new")
        last = items
    repeats = []
    for data, key in last:
        again = type(data)(**{**data.__dict__, "source_ref": data.source_ref + "-again"})
        repeats.append((again, key + "-again"))
    run("known phones, new keys (join open leads)", repeats, "join")
    run("replayed keys", last, "replay")
    print(f"{'batch':<44}{'leads':>6}{'statements':>12}{'per lead':>10}{'COMMIT':>8}{'ms/lead':>9}")
    for label, n, c, t, wall, _kinds in rows:
        print(f"{label:<44}{n:>6}{c:>12}{c / n:>10.3f}{t:>8}{wall / n * 1000:>9.2f}")
    label, n, c, _t, _wall, kinds = rows[batches - 1]
    messaging = sum(k for kind, k in kinds.items()
                    if "messaging_" in kind or "core_outboxevent" in kind or "(savepoint)" in kind)
    messages = kinds.get("INSERT messaging_message", 0)
    print(f"  of the {c} statements of '{label}': {messaging} are the agents' messages ({messages} messages, one per "
          f"agent per batch, written by the after-commit dispatch) and the outbox, {c - messaging} the capture "
          f"itself ({(c - messaging) / n:.3f} per lead)")
    print(f"statements of '{label}' by kind ({c} in all, {c / n:.3f} per lead):")
    for kind, k in kinds.most_common():
        print(f"  {kind:<40}{k:>6}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="captures timed and profiled (200)")
    parser.add_argument("--top", type=int, default=18, help="functions listed by own time (18)")
    parser.add_argument("--batch", type=int, default=200, help="leads per capture_many batch (200)")
    parser.add_argument("--batches", type=int, default=3, help="capture_many batches of new leads (3)")
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="profile on the existing autodcc_bench data (e.g. after import_bulk.py)",
    )
    args = parser.parse_args()

    what = "existing database" if args.keep_db else "fresh database"
    print(f"setup: {what}, migrate, demo network, API token ({harness.env_summary()})", flush=True)
    info = harness.setup_django(fresh=not args.keep_db, token=True)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from autodcc.core.actors import SYSTEM
    from autodcc.leads.services import LeadInput, lead_capture

    client = Client(HTTP_AUTHORIZATION=f"Bearer {info['token']}")
    payloads = Payloads("profile")

    def post(city: str | None = None) -> int:
        body, headers = payloads.next(city)
        resp = client.post("/api/leads", data=body, content_type="application/json", headers=headers)
        if resp.status_code != 201:
            raise SystemExit(f"capture failed: {resp.status_code} {resp.content[:300]!r}")
        return resp.status_code

    def lead_input(city: str | None = None, channel: str = "autohome") -> tuple[LeadInput, str]:
        body, headers = payloads.next(city)
        values = json.loads(body)
        values["channel"] = channel
        return LeadInput(**values), headers["Idempotency-Key"]

    def direct(city: str | None = None) -> int:
        data, key = lead_input(city)
        lead_capture(actor=SYSTEM, data=data, idempotency_key=f"direct:{key}")
        return 201

    api_error = ""
    try:
        post()
    except Exception as exc:  # the API path is broken: say so, profile lead_capture() directly
        api_error = f"{type(exc).__module__}.{type(exc).__name__}: {exc}"
        from django.db import connection as conn

        if conn.needs_rollback or conn.in_atomic_block:
            conn.close()
    capture = post if not api_error else direct
    what_n = "API captures" if not api_error else "lead_capture() calls (API path fails)"

    for _ in range(60):  # warm caches, ledgers, templates, imports
        capture()

    def statements(ctx: CaptureQueriesContext) -> list[str]:
        """Real statements only: Django also lists the BEGIN/COMMIT of each transaction."""
        return [q["sql"] for q in ctx.captured_queries if q["sql"] not in {"BEGIN", "COMMIT", "ROLLBACK"}]

    def transactions(ctx: CaptureQueriesContext) -> int:
        return sum(q["sql"] == "COMMIT" for q in ctx.captured_queries)

    # 1. the statements of one capture --------------------------------------------------------
    counts: dict[str, tuple[int, int]] = {}
    if api_error:
        print("\n== 1. POST /api/leads FAILS in this environment (PostgreSQL, no broker) ==")
        print(f"  {api_error}")
        print("  (sections 2 and 3 below profile lead_capture() called directly instead)")
    else:
        print("\n== 1. SQL statements of one POST /api/leads (city 上海, 3 dealers there) ==")
        with CaptureQueriesContext(connection) as ctx:
            post("上海")
        i = 0
        for q in ctx.captured_queries:
            sql = " ".join(q["sql"].split())
            if sql in {"BEGIN", "COMMIT"}:
                print(f"    --- {sql}")
                continue
            i += 1
            print(f"{i:>3} {classify(sql):<36} {sql[:100]}")
        counts["API, 上海 (city with dealers)"] = (len(statements(ctx)), transactions(ctx))
        with CaptureQueriesContext(connection) as ctx:
            post("昆明")
        counts["API, 昆明 (no dealer there: nearest)"] = (len(statements(ctx)), transactions(ctx))
        body, headers = payloads.next("上海")
        client.post("/api/leads", data=body, content_type="application/json", headers=headers)
        with CaptureQueriesContext(connection) as ctx:
            resp = client.post("/api/leads", data=body, content_type="application/json", headers=headers)
        assert resp.status_code == 200 and resp.json()["replay"], resp.content
        counts["API, replayed Idempotency-Key (200)"] = (len(statements(ctx)), transactions(ctx))
    print("\n== 1a. lead_capture() alone, the single path (SYSTEM actor, as an import row) ==")
    single: dict[str, list[str]] = {}
    for label, city in (("杭州 (city with dealers)", "杭州"), ("昆明 (nearest)", "昆明")):
        data, _key = lead_input(city, channel="import")
        with CaptureQueriesContext(connection) as ctx:
            lead_capture(actor=SYSTEM, data=data, idempotency_key=f"import:import:{data.source_ref}")
        counts[f"lead_capture() alone, {label}"] = (len(statements(ctx)), transactions(ctx))
        single[label] = statements(ctx)
    with CaptureQueriesContext(connection) as ctx:
        lead_capture(actor=SYSTEM, data=data, idempotency_key=f"import:import:{data.source_ref}")
    counts["lead_capture() alone, replayed key"] = (len(statements(ctx)), transactions(ctx))
    data.source_ref += "-again"  # the same phone again, a new key: joins the open lead
    with CaptureQueriesContext(connection) as ctx:
        lead_capture(actor=SYSTEM, data=data, idempotency_key=f"import:import:{data.source_ref}")
    counts["lead_capture() alone, known phone (joins)"] = (len(statements(ctx)), transactions(ctx))
    first = next(iter(single))
    print(f"statements of lead_capture(), {first}:")
    for i, sql in enumerate(single[first], 1):
        sql = " ".join(sql.split())
        print(f"{i:>3} {classify(sql):<36} {sql[:100]}")
    print("queries per capture (BEGIN/COMMIT not counted; after-commit outbox dispatch included):")
    for label, (c, t) in counts.items():
        print(f"  {label:<46} {c:>4} statements, {t} explicit transactions (COMMIT)")

    # 1b. capture_many ------------------------------------------------------------------------
    profile_capture_many(args.batch, args.batches, lead_input, statements, transactions)

    # 2. SQL time by statement kind ------------------------------------------------------------
    n = args.requests
    sql = SqlStats()
    with sql.installed():
        t0 = time.perf_counter()
        for _ in range(n):
            capture()
        wall = time.perf_counter() - t0
    total_sql = sum(sql.seconds.values())
    total_q = sum(sql.count.values())
    print(
        f"\n== 2. {n} sequential {what_n} in-process (mixed cities): {wall / n * 1000:.1f} ms wall each "
        f"({n / wall:.0f}/s on one core) =="
    )
    print(
        f"per capture: {total_q / n:.1f} statements, {sql.commits / n:.1f} commits, "
        f"{sql.outside_atomic / n:.1f} statements in autocommit (own transaction); "
        f"SQL round trips {total_sql / n * 1000:.1f} ms = {total_sql / wall:.0%} of wall, "
        f"the rest ({(wall - total_sql) / n * 1000:.1f} ms) is Python"
    )
    print(f"{'statement kind':<40}{'per capture':>12}{'ms/capture':>12}")
    for kind, c in sorted(sql.count.items(), key=lambda kv: -sql.seconds[kv[0]]):
        print(f"{kind:<40}{c / n:>12.2f}{sql.seconds[kind] / n * 1000:>12.3f}")

    # 3. cProfile ---------------------------------------------------------------------------------
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        capture()
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\n== 3. cProfile of {n} {what_n} ({total / n * 1000:.1f} ms each under the profiler) ==")
    print(f"{'step':<52}{'calls':>7}{'cum ms':>9}{'share':>7}")
    whole = 0.0
    for label, calls, ms in breakdown(stats, n):
        if not calls:
            continue  # a step this path does not take (e.g. the request, when lead_capture is called directly)
        whole = whole or ms
        print(f"{label:<52}{calls:>7.1f}{ms:>9.2f}{ms / whole:>7.0%}")
    print(f"\ntop {args.top} functions by own time (per capture):")
    raw = stats.stats  # type: ignore[attr-defined]
    rows = sorted(raw.items(), key=lambda kv: -kv[1][2])[: args.top]
    for (filename, line, name), (_cc, nc, tt, ct, _callers) in rows:
        short = re.sub(r".*/site-packages/", "", filename)
        short = re.sub(r".*/src/", "", short)
        print(
            f"  {tt / n * 1000:6.2f} ms own {ct / n * 1000:7.2f} ms cum {nc / n:7.1f} calls"
            f"  {short}:{line} {name}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
