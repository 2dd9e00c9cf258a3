"""Bulk lead import (autodcc.leads.importing) against BenchRow.objects.bulk_create.

Run: .venv/bin/python bench/import_bulk.py [--rows auto|N] [--seed 42] [--max-minutes 15]

Fresh PostgreSQL database (autodcc_bench), migrated, demo network. A seeded CSV of N leads with
unique mobiles (the headers importing.py reads: 姓名,手机,城市,渠道,平台线索号,授权版本,同意共享经销商,
意向车型) is imported as an ImportJob run by ``importing.run_job`` (what the import task runs: read and
check every row, then capture them through the capture pipeline, ``importing.BATCH`` rows per
transaction; one outbox event at the end tells each agent once for the whole file). In the same
run 100,000 BenchRow objects are built and saved with ``bulk_create(batch_size=1000)``. CPU
seconds are measured per process (this one, PostgreSQL).

``--rows auto`` (the default) first imports a 2,000-row pilot into a fresh database; if 100,000
rows would take longer than --max-minutes at the pilot's pace, the measured import is the largest
multiple of 10,000 rows (at least 10,000) that would not (and says so). The pilot only chooses the
size: no figure is extrapolated.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

TARGET_RATIO = 0.25
FULL_ROWS, STEP_ROWS, PILOT_ROWS = 100_000, 10_000, 2_000
BULK_ROWS, BULK_BATCH = 100_000, 1000

HEADER = ["姓名", "手机", "城市", "渠道", "平台线索号", "授权版本", "同意共享经销商", "意向车型"]
CITIES = [
    "上海",
    "杭州",
    "广州",
    "北京",
    "南京",
    "深圳",
    "苏州",
    "武汉",
    "昆明",
    "成都",
]  # 昆明, 成都: nearest
CITY_WEIGHTS = [3, 2, 2, 3, 1, 1, 1, 1, 1, 1]
CHANNELS = [("汽车之家", "AH"), ("易车", "YC"), ("懂车帝", "DCD"), ("官网", "WEB")]
PREFIXES = [
    *range(130, 140),
    150,
    151,
    152,
    153,
    155,
    156,
    157,
    158,
    159,
    166,
    175,
    176,
    177,
    178,
    *range(180, 190),
    198,
    199,
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "子涵",
    "浩然",
    "思远",
]
MODELS = ["L7", "L9", "S5", ""]


def make_csv(rows: int, seed: int) -> bytes:
    """A reproducible CSV: the same seed and size give the same bytes; every mobile unique and valid."""
    import phonenumbers

    rng = random.Random(seed)
    phones: set[str] = set()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    i = 0
    while i < rows:
        mobile = f"{rng.choice(PREFIXES)}{rng.randrange(10**8):08d}"
        if mobile in phones:
            continue
        number = phonenumbers.parse(mobile, "CN")
        if not phonenumbers.is_valid_number(number):
            continue
        phones.add(mobile)
        channel, ref_prefix = rng.choice(CHANNELS)
        writer.writerow(
            [
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                mobile,
                rng.choices(CITIES, CITY_WEIGHTS)[0],
                channel,
                f"{ref_prefix}{seed}{i:08d}",
                "2026-01",
                "是",
                rng.choice(MODELS),
            ]
        )
        i += 1
    return out.getvalue().encode("utf-8")


def run_import(data: bytes, filename: str, *, progress: bool) -> tuple[float, object]:
    """Create the job and its file as leads_import does, then time importing.run_job."""
    from django.db import connection

    from autodcc.core.actors import SYSTEM
    from autodcc.core.models import ImportJob
    from autodcc.leads import importing

    job = ImportJob.objects.create(kind=importing.KIND, filename=filename, created_by_label=SYSTEM.label)
    path = importing._path(job, filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stop = threading.Event()

    def report() -> None:
        t0 = time.perf_counter()
        try:
            while not stop.wait(60):
                done = ImportJob.objects.filter(pk=job.pk).values_list("processed_rows", flat=True).first()
                elapsed = time.perf_counter() - t0
                print(f"  … {done:,} rows captured after {elapsed:.0f} s", file=sys.stderr, flush=True)
        finally:
            connection.close()

    watcher = threading.Thread(target=report, daemon=True)
    if progress:
        watcher.start()
    t0 = time.perf_counter()
    try:
        finished = importing.run_job(job.pk, skip_bad_rows=False)
    finally:
        stop.set()
    elapsed = time.perf_counter() - t0
    if progress:
        watcher.join()
    return elapsed, finished


def validate_pass(data: bytes, filename: str) -> float:
    """The read + check pass of run_job alone (no capture), timed on the same file."""
    from autodcc.core import tabular
    from autodcc.core.actors import SYSTEM
    from autodcc.leads import importing
    from autodcc.leads.services.capture import Caller, Request, prepare

    t0 = time.perf_counter()
    caller = Caller.of(SYSTEM)
    rows = tabular.read_rows(io.BytesIO(data), filename, importing.header_aliases(), importing.REQUIRED)
    requests = []
    for row in rows:
        errors: list[tuple[str, str]] = []
        requests.append(Request(importing._to_input(row.values, errors), caller))
    prepare(requests)
    return time.perf_counter() - t0


class CpuMeter:
    """CPU used from now on by this process, by PostgreSQL (this database's backends) and the machine."""

    def __init__(self) -> None:
        self.pg_pids = harness.postgres_pids(harness.DB_NAME)
        self.pg0 = harness.cpu_seconds(self.pg_pids)
        self.self0 = self._self()
        self.busy0 = harness.machine_busy_seconds()

    @staticmethod
    def _self() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def read(self, wall: float) -> dict[str, float]:
        pg = harness.cpu_used(self.pg0, harness.cpu_seconds(harness.postgres_pids(harness.DB_NAME))) / wall
        py = (self._self() - self.self0) / wall
        machine = (harness.machine_busy_seconds() - self.busy0) / wall
        return {"python": py, "postgres": pg, "machine": machine, "other": machine - py - pg}


# The rows one imported lead is made of, replayed by ``sql_floor`` (unique columns changed so the copies
# fit beside the originals: a copied lead is closed, a copied customer's mobile and a copied capture's key
# get a suffix).
FLOOR_TABLES: list[tuple[str, dict[str, str], str]] = [
    ("customers_customer", {"phone": "phone || 'x'"}, ""),
    ("customers_consent", {}, ""),
    ("leads_lead", {"status": "'invalid'"}, ""),
    ("leads_capture", {"key": "key || 'x'"}, ""),
    ("leads_handover", {}, ""),
    ("core_auditlog", {}, "action = 'lead.capture'"),
]


def sql_floor(connections: int) -> tuple[float, int]:
    """What PostgreSQL alone needs for the rows the import wrote: every table's rows read out with
    ``COPY … TO STDOUT`` beforehand, then written again with ``COPY … FROM STDIN`` by ``connections``
    sessions at once (each a share of the rows, one transaction, foreign keys checked at the end)
    and rolled back. No Python work per row, no pipeline: a floor under any import of these rows.
    Returns (seconds of the write phase, leads replayed)."""
    import psycopg

    with psycopg.connect(harness.DATABASE_URL, autocommit=True) as conn:
        leads = conn.execute("SELECT count(*) FROM leads_lead").fetchone()[0]
        loads = []
        for table, changed, where in FLOOR_TABLES:
            cols = [r[0] for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
                " AND NOT attisdropped AND attname <> 'id' ORDER BY attnum", (table,))]
            select = ", ".join(changed.get(c, f'"{c}"') for c in cols)
            sql = (f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')), {select} FROM {table}"
                   + (f" WHERE {where}" if where else ""))
            shares = [bytearray() for _ in range(connections)]
            with conn.cursor().copy(f"COPY ({sql}) TO STDOUT") as copy:
                for i, row in enumerate(copy):  # psycopg yields the data in blocks of whole rows
                    shares[i % connections] += row
            names = ", ".join(['"id"', *(f'"{c}"' for c in cols)])
            loads.append((f"COPY {table} ({names}) FROM STDIN", shares))

    def write(share: int, barrier: threading.Barrier, spent: list[float]) -> None:
        with psycopg.connect(harness.DATABASE_URL) as conn:  # one transaction, rolled back on leaving
            barrier.wait()
            t0 = time.perf_counter()
            with conn.cursor() as cur:
                for sql, shares in loads:
                    with cur.copy(sql) as copy:
                        copy.write(bytes(shares[share]))
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            spent.append(time.perf_counter() - t0)
            conn.rollback()

    barrier, spent = threading.Barrier(connections), []
    threads = [threading.Thread(target=write, args=(i, barrier, spent)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return max(spent), leads


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", default="auto", help="rows to import: a number, or auto (default)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--max-minutes", type=float, default=15.0, help="time allowed for 100,000 rows (auto)"
    )
    args = parser.parse_args()

    print(f"setup: fresh database, migrate, demo network … ({harness.env_summary()})", flush=True)
    info = harness.setup_django(fresh=True)
    from django.db import connection

    from autodcc.core.models import ImportStatus
    from autodcc.leads.models import Lead
    from bench.benchapp.models import BenchRow

    print(f"setup: {info['dealers']} dealers, {info['staff']} staff in {info['setup_s']:.1f} s", flush=True)

    note = ""
    if args.rows == "auto":
        pilot = make_csv(PILOT_ROWS, args.seed + 1)
        elapsed, _job = run_import(pilot, f"pilot-{PILOT_ROWS}.csv", progress=False)
        projected = FULL_ROWS / (PILOT_ROWS / elapsed) / 60
        fits = int(args.max_minutes * 60 * PILOT_ROWS / elapsed)
        rows = FULL_ROWS if projected <= args.max_minutes else max(STEP_ROWS, fits // STEP_ROWS * STEP_ROWS)
        print(
            f"pilot: {PILOT_ROWS:,} rows imported in {elapsed:.1f} s; "
            f"at that pace {FULL_ROWS:,} rows would take "
            f"~{projected:.1f} min (limit {args.max_minutes:g}) → measuring {rows:,} rows",
            flush=True,
        )
        if rows != FULL_ROWS:
            note = f"{rows:,} rows, not 100,000 (100,000 would take over ~{args.max_minutes:g} min here)"
        connection.close()
        info = harness.setup_django(fresh=True)  # the measured run starts from a fresh database again
    else:
        rows = int(args.rows)

    rows_label = f"{rows:,} rows"
    t0 = time.perf_counter()
    data = make_csv(rows, args.seed)
    filename = f"leads-{rows}-seed{args.seed}.csv"
    (harness.VAR / filename).write_bytes(data)
    print(
        f"csv: {rows:,} rows, {len(data) / 1e6:.1f} MB, seed {args.seed}, "
        f"made in {time.perf_counter() - t0:.1f} s "
        f"(bench/.var/{filename})",
        flush=True,
    )

    # bulk_create baseline (building the objects is timed too)
    before = BenchRow.objects.count()
    cpu = CpuMeter()
    t0 = time.perf_counter()
    BenchRow.objects.bulk_create([BenchRow(n=i) for i in range(BULK_ROWS)], batch_size=BULK_BATCH)
    bulk_s = time.perf_counter() - t0
    bulk_cpu = cpu.read(bulk_s)
    assert BenchRow.objects.count() - before == BULK_ROWS
    bulk_rps = BULK_ROWS / bulk_s

    check_s = validate_pass(data, filename)
    leads_before = Lead.objects.count()
    from autodcc.leads import importing

    print(
        f"import: running {rows:,} rows through importing.run_job (the capture pipeline, {importing.BATCH} rows per "
        f"transaction) …",
        flush=True,
    )
    cpu = CpuMeter()
    import_s, job = run_import(data, filename, progress=True)
    import_cpu = cpu.read(import_s)
    new_leads = Lead.objects.count() - leads_before
    import_rps = rows / import_s
    ratio = import_rps / bulk_rps

    print()
    print(f"{'measurement':<44}{'rows':>9}{'seconds':>10}{'rows/s':>10}")
    print(f"{'BenchRow bulk_create (batch 1000)':<44}{BULK_ROWS:>9,}{bulk_s:>10.2f}{bulk_rps:>10.0f}")
    print(f"{'lead import, importing.run_job':<44}{rows:>9,}{import_s:>10.1f}{import_rps:>10.1f}")
    print(
        f"{'  of which the read + validate pass (alone)':<44}{rows:>9,}"
        f"{check_s:>10.1f}{rows / check_s:>10.0f}"
    )
    print(f"{'CPU cores (CPU s / wall s)':<36}{'python (this process)':>22}{'postgres':>10}{'other':>8}{'machine':>9}")
    for label, c in (("bulk_create", bulk_cpu), ("lead import (run_job)", import_cpu)):
        print(f"  {label:<34}{c['python']:>22.2f}{c['postgres']:>10.2f}{c['other']:>8.2f}{c['machine']:>9.2f}")
    print(
        f"job: status {job.status}, created {job.created_count:,}, updated {job.updated_count:,}, "
        f"errors {len(job.errors)}; new Lead rows {new_leads:,}"
    )
    if note:
        print(f"NOTE: the import was measured on {note}; nothing is extrapolated.")
    floors = [(n, *sql_floor(n)) for n in (1, 2)]
    for n, seconds, leads in floors:
        print(f"SQL floor, {n} session{'s' if n > 1 else ' '} (COPY of the rows the import wrote, no Python per row): "
              f"{leads:,} leads' rows in {seconds:.2f} s = {leads / seconds:,.0f} leads/s = "
              f"{leads / seconds / bulk_rps:.3f} × bulk_create")
    print()
    print(f"import/bulk_create = {ratio:.4f}")
    ok_job = job.status == ImportStatus.DONE and job.created_count == rows == new_leads
    print(
        f"{harness.verdict(ratio >= TARGET_RATIO)}  import ≥ {TARGET_RATIO} × bulk_create rows/s "
        f"({import_rps:.1f} vs {bulk_rps:.0f} rows/s{', on ' + rows_label if note else ''})"
    )
    print(
        f"{harness.verdict(ok_job)}  every row imported once "
        f"({job.created_count:,} created = {new_leads:,} new leads "
        f"= {rows:,} rows)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
