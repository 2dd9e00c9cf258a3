"""Where a lead capture spends its time: SQL queries per capture, SQL time by table, a cProfile.

Run: .venv/bin/python bench/profile_capture.py [--requests 200]

Same environment as the other benchmarks (fresh autodcc_bench database, demo network, one
channel API token, no broker). Requests go through Django's test client in this process (the
whole stack: middleware, django-ninja, token auth, lead_capture, the inline outbox dispatch,
the response), with the same payloads as capture_http.py. Prints:
  1. the SQL statements of one API capture (a city with dealers) and the counts for other cases,
  2. SQL time and count per statement kind and table over --requests captures, commits, wall time,
  3. a cProfile of --requests captures: a breakdown by step and the top functions by own time.
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
    ("autodcc/leads/services/capture.py", "lead_capture", "  lead_capture"),
    ("autodcc/leads/services/capture.py", "validate", "    validate (phone, city lookup)"),
    ("autodcc/leads/services/capture.py", "_capture", "    _capture (in the transaction)"),
    ("autodcc/network/services.py", "city_for", "      city_for"),
    ("django/db/models/query.py", "get_or_create", "      get_or_create (customer, …)"),
    ("autodcc/leads/services/allocation.py", "allocate", "      allocation.allocate"),
    ("autodcc/leads/services/allocation.py", "take_from_ledger", "        take_from_ledger"),
    ("autodcc/leads/services/common.py", "settings_for", "      common.settings_for"),
    ("autodcc/core/workhours.py", "add_open_minutes", "      workhours.add_open_minutes"),
    ("autodcc/leads/services/assignment.py", "assign", "      assignment.assign"),
    ("autodcc/leads/services/assignment.py", "available_agents", "        available_agents"),
    ("autodcc/leads/services/assignment.py", "_take", "        _take (agent ledger)"),
    ("autodcc/leads/services/assignment.py", "notify_agent", "        notify_agent → message_send"),
    ("autodcc/leads/services/common.py", "record", "      common.record (audit)"),
    ("django/db/backends/base/base.py", "run_and_clear_commit_hooks", "  after-commit hooks"),
    ("autodcc/core/outbox.py", "dispatch_due", "    outbox.dispatch_due (inline SMS delivery)"),
    ("autodcc/api/leads.py", "capture", "  API view (capture + re-read + response)"),
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="captures timed and profiled (200)")
    parser.add_argument("--top", type=int, default=18, help="functions listed by own time (18)")
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

    for _ in range(60):  # warm caches, ledgers, templates, imports
        post()

    # 1. the statements of one capture --------------------------------------------------------
    print("\n== 1. SQL statements of one POST /api/leads (city 上海, 3 dealers there) ==")

    def statements(ctx: CaptureQueriesContext) -> list[str]:
        """Real statements only: Django also lists the BEGIN/COMMIT of each transaction."""
        return [q["sql"] for q in ctx.captured_queries if q["sql"] not in {"BEGIN", "COMMIT", "ROLLBACK"}]

    def transactions(ctx: CaptureQueriesContext) -> int:
        return sum(q["sql"] == "COMMIT" for q in ctx.captured_queries)

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
    counts = {"API, 上海 (city with dealers)": (len(statements(ctx)), transactions(ctx))}
    with CaptureQueriesContext(connection) as ctx:
        post("昆明")
    counts["API, 昆明 (no dealer there: nearest)"] = (len(statements(ctx)), transactions(ctx))
    body, headers = payloads.next("上海")
    client.post("/api/leads", data=body, content_type="application/json", headers=headers)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.post("/api/leads", data=body, content_type="application/json", headers=headers)
    assert resp.status_code == 200 and resp.json()["replay"], resp.content
    counts["API, replayed Idempotency-Key (200)"] = (len(statements(ctx)), transactions(ctx))
    data = LeadInput(
        name="李娜",
        phone=f"147{payloads.n + 60_000_000:08d}",
        channel="import",
        city="杭州",
        source_ref=f"imp-{payloads.n}",
        consent_version="2026-01",
        consent_share_with_dealer=True,
    )
    with CaptureQueriesContext(connection) as ctx:
        lead_capture(actor=SYSTEM, data=data, idempotency_key=f"import:import:imp-{payloads.n}")
    counts["lead_capture() alone, as an import row (杭州)"] = (len(statements(ctx)), transactions(ctx))
    print("queries per capture (BEGIN/COMMIT not counted):")
    for label, (c, t) in counts.items():
        print(f"  {label:<46} {c:>4} statements, {t} explicit transactions (COMMIT)")

    # 2. SQL time by statement kind ------------------------------------------------------------
    n = args.requests
    sql = SqlStats()
    with sql.installed():
        t0 = time.perf_counter()
        for _ in range(n):
            post()
        wall = time.perf_counter() - t0
    total_sql = sum(sql.seconds.values())
    total_q = sum(sql.count.values())
    print(
        f"\n== 2. {n} sequential API captures in-process (mixed cities): {wall / n * 1000:.1f} ms wall each "
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
        post()
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\n== 3. cProfile of {n} API captures ({total / n * 1000:.1f} ms each under the profiler) ==")
    print(f"{'step':<52}{'calls':>7}{'cum ms':>9}{'share':>7}")
    whole = None
    for label, calls, ms in breakdown(stats, n):
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
