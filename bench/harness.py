"""Shared set-up for the benchmarks: one environment, a fresh PostgreSQL database, Django, gunicorn,
and (capture_http.py's worker mode only) a local Redis broker and one Celery worker.

Every benchmark runs with the same environment (``bench_env()``): PostgreSQL, persistent
connections (DB_CONN_MAX_AGE=60), no broker and no Redis (autodcc's default: tasks and outbox
dispatch run inline, after commit), logging at WARNING, files under bench/.var/.
``bench_env(broker=BROKER_URL)`` is the same plus CELERY_BROKER_URL (the worker mode).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # /work/main
SRC = ROOT / "src"
VAR = ROOT / "bench" / ".var"
PYTHON = ROOT / ".venv" / "bin" / "python"

PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "autodcc_bench")
DATABASE_URL = f"{PG_SERVER}/{DB_NAME}"
CONN_MAX_AGE = "60"
# worker mode of capture_http.py: Redis on this machine, database 13 (flushed before each worker run)
BROKER_URL = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/13")
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]

# Settings that would change what is measured if inherited from the caller's shell.
_DROP = (
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "HTTPS",
    "SECURE_SSL_REDIRECT",
    "BEHIND_PROXY",
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "AXES_ENABLED",
)


def bench_env(*, broker: str = "") -> dict[str, str]:
    """The benchmarks' environment; with ``broker`` also CELERY_BROKER_URL (tasks go to a worker)."""
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": DATABASE_URL,
            "DB_CONN_MAX_AGE": CONN_MAX_AGE,
            "DEBUG": "0",
            "HTTPS": "0",
            "AUTODCC_VAR_DIR": str(VAR),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(SRC)]),
            # the API's limits stay on (their counting is part of each request's cost) but never trip
            "API_RATE_PER_KEY": "1000000000/m",
            "API_RATE_PER_ADDRESS": "1000000000/m",
        }
    )
    if broker:
        env["CELERY_BROKER_URL"] = broker
    return env


def env_summary(*, broker: str = "") -> str:
    tasks = f"CELERY_BROKER_URL={broker} (tasks/outbox on a worker)" if broker else "no broker (tasks/outbox inline)"
    return (
        f"PostgreSQL {DB_NAME}, DB_CONN_MAX_AGE={CONN_MAX_AGE}, {tasks}, "
        f"LOG_LEVEL=WARNING, settings bench.settings"
    )


def use_bench_env() -> None:
    """Make this process run Django with the bench environment (call before importing Django)."""
    (VAR / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT
    for key in _DROP:
        os.environ.pop(key, None)
    os.environ.update(bench_env())
    for p in (str(SRC), str(ROOT)):
        if p not in sys.path:
            sys.path.insert(0, p)


def reset_database() -> None:
    """Drop and create the bench database (never touches any other database)."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django(*, fresh: bool = True, token: bool = False) -> dict[str, Any]:
    """Fresh database, migrated, demo network loaded; optionally one channel API token."""
    use_bench_env()
    if fresh:
        reset_database()
    import django

    django.setup()
    from django.core.management import call_command

    info: dict[str, Any] = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    ContentType.objects.clear_cache()  # a second set-up in one process starts with nothing cached
    cache.clear()
    from autodcc.network import demo

    result = demo.build()
    info["setup_s"] = time.perf_counter() - t0
    info["dealers"], info["staff"] = result.dealers, result.staff
    if token:
        from autodcc.core.actors import SYSTEM
        from autodcc.network.services import api_token_create

        _token, raw = api_token_create(actor=SYSTEM, name="bench", channel="autohome")
        info["token"] = raw
    return info


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn serving autodcc's WSGI app with bench.settings: sync workers, no access log."""

    def __init__(self, *, workers: int = 2, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.workers = workers
        self.port = port or free_port()
        self.env = env or bench_env()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = VAR / "gunicorn.log"
        self.out = VAR / "gunicorn.out"  # the app's own stderr (Django's error log lines, tracebacks)

    def __enter__(self) -> Gunicorn:
        self.log.write_text("")
        cmd = [
            str(PYTHON),
            "-m",
            "gunicorn",
            "autodcc.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--backlog",
            "2048",
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
        ]
        with self.out.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    # one request per worker loads the app in both before anything is measured
                    for _ in range(self.workers * 4):
                        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                        c.request("GET", "/bench/json/")
                        c.getresponse().read()
                        c.close()
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log}")

    def pids(self) -> list[int]:
        """The master and its workers."""
        if self.proc is None:
            return []
        pid = self.proc.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *map(int, children)]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __exit__(self, *exc: object) -> None:
        self.stop()


def ensure_redis() -> str:
    """Start the local Redis (no persistence) unless ``redis-cli ping`` answers; returns how it went."""

    def ping() -> bool:
        try:
            out = subprocess.run(["redis-cli", "ping"], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return out.stdout.strip() == "PONG"

    if ping():
        return "already running"
    subprocess.run(REDIS_START, check=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if ping():
            return "started"
        time.sleep(0.1)
    raise RuntimeError("redis-server did not answer within 10 s")


def redis_client(url: str = BROKER_URL) -> Any:
    """A redis-py client; use it as a context manager (no connection may outlive it into a fork)."""
    import redis

    return redis.Redis.from_url(url)


class CeleryWorker:
    """One Celery worker (``celery -A autodcc worker -l WARNING --concurrency 1 -P solo``) with the
    bench environment and a broker; returns from ``__enter__`` once it answers a control ping."""

    def __init__(self, *, env: dict[str, str], name: str = "bench") -> None:
        self.env = env
        self.broker = env["CELERY_BROKER_URL"]
        self.proc: subprocess.Popen[bytes] | None = None
        self.name = name
        self.log = VAR / ("celery.log" if name == "bench" else f"celery-{name}.log")
        self.started_s = 0.0

    def __enter__(self) -> CeleryWorker:
        cmd = [str(PYTHON), "-m", "celery", "-A", "autodcc", "worker", "-l", "WARNING",
               "--concurrency", "1", "-P", "solo", "-n", f"{self.name}@%h"]
        t0 = time.monotonic()
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)
        # The ping runs in a child process: a broker connection held by this process would be
        # inherited by the forked load generators (and kombu's after-fork clean-up blocks on it).
        ping = ("import sys; from celery import Celery; app = Celery('bench-ping', broker=sys.argv[1]); "
                "sys.exit(0 if app.control.ping(timeout=1.0) else 1)")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited ({self.proc.returncode}); see {self.log}")
            if subprocess.run([str(PYTHON), "-c", ping, self.broker], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                self.started_s = time.monotonic() - t0
                return self
        self.stop()
        raise RuntimeError(f"celery worker did not answer a ping within 60 s; see {self.log}")

    def pids(self) -> list[int]:
        return [self.proc.pid] if self.proc is not None else []

    def stop(self) -> None:
        """Warm shutdown (SIGTERM: the running task finishes), SIGKILL after 30 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __exit__(self, *exc: object) -> None:
        self.stop()


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of these processes so far (gone ones are left out)."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / _TICK
    return found


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots by the processes alive at the second one."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def machine_busy_seconds() -> float:
    """CPU seconds all cores of this machine have spent not idle so far (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / _TICK


_EXC = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Timeout)): (.*)$")


def exceptions_in(*paths: Path, top: int = 3) -> list[tuple[int, str]]:
    """The most frequent exception lines (``module.SomeError: message``) in these log files."""
    found: Counter[str] = Counter()
    for path in paths:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            m = _EXC.match(line.strip())
            if m:
                found[f"{m.group(1)}: {m.group(2)[:160]}"] += 1
    return [(n, line) for line, n in found.most_common(top)]


def pids_named(comm: str) -> list[int]:
    """Every process whose /proc/<pid>/comm is ``comm``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == comm:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


_BACKEND = re.compile(r"^postgres: (?:\S+: )?(\S+) (\S+) (\S+\(\d+\)|\[local\])")
_PARALLEL = re.compile(r"parallel worker for PID (\d+)")


def postgres_pids(database: str | None = None) -> list[int]:
    """The PostgreSQL server's processes (default: every one). With ``database``: its auxiliary
    processes and the backends (and their parallel workers) of that database only — not the
    backends other databases' clients keep busy on the same server."""
    pids = pids_named("postgres")
    if database is None:
        return pids
    owner: dict[int, str | None] = {}
    leaders: dict[int, int] = {}
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").strip()
        except OSError:
            continue
        if m := _BACKEND.match(cmdline):
            owner[pid] = m.group(2)
        elif m := _PARALLEL.search(cmdline):
            leaders[pid] = int(m.group(1))
        else:
            owner[pid] = None  # postmaster, checkpointer, walwriter, …: shared by all
    for pid, leader in leaders.items():
        owner[pid] = owner.get(leader, "?")
    return [pid for pid, db in owner.items() if db is None or db == database]


def redis_pids() -> list[int]:
    return pids_named("redis-server")


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


STATS_SETTLE_S = 11.0  # PostgreSQL 15 flushes an idle backend's statistics within 10 s


def commits(database: str, *, settle: bool = True) -> int:
    """PostgreSQL's count of committed transactions in ``database`` (after the idle backends have
    flushed their statistics)."""
    import psycopg

    if settle:
        time.sleep(STATS_SETTLE_S)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [database]).fetchone()
    return int(row[0]) if row else 0


def statements_per_capture(token: str, *, city: str = "上海") -> dict[str, Any]:
    """The SQL of one ``POST /api/leads`` (a new phone, a city with dealers) through Django's test
    client in this process, after one warm-up capture: statements by kind and the commits."""
    import json as _json
    from collections import Counter

    from django.db import connection
    from django.test import Client

    client = Client()
    stamp = int(time.time() * 1000) % 10**8
    body = {"name": "测试", "channel": "autohome", "city": city, "consent_version": "2026-01",
            "consent_share_with_dealer": True}
    kinds: Counter[str] = Counter()
    commit_count = [0]

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        verb = sql.lstrip().split(None, 1)[0].upper()
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
        kinds[f"{verb} {table.group(1) if table else '?'}"] += 1
        return execute(sql, params, many, context)

    real_commit = connection.commit

    def counting_commit() -> None:
        commit_count[0] += 1
        real_commit()

    from django.conf import settings

    settings.OUTBOX_DISPATCH_INTERVAL = 1e9  # the capture alone: no outbox dispatch after these responses
    for n, measured in ((0, False), (1, True)):
        payload = {**body, "phone": f"139{stamp + n:08d}"}
        if measured:
            kinds.clear()
            connection.commit = counting_commit  # type: ignore[method-assign]
            with connection.execute_wrapper(wrapper):
                response = client.post("/api/leads", _json.dumps(payload), content_type="application/json",
                                       HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=f"stmt-{stamp}-{n}")
            connection.commit = real_commit  # type: ignore[method-assign]
        else:
            response = client.post("/api/leads", _json.dumps(payload), content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=f"stmt-{stamp}-{n}")
        if response.status_code != 201:
            raise SystemExit(f"statement count: the capture answered {response.status_code}: {response.content[:300]!r}")
    return {"statements": sum(kinds.values()), "commits": commit_count[0],
            "kinds": ", ".join(f"{k} ×{v}" if v > 1 else k for k, v in kinds.items())}


class CpuTracker:
    """CPU used by groups of processes over a phase, sampled every ``every`` seconds so that a
    process that ends during the phase (a database backend whose connection was recycled) is
    still counted up to its last sample; one born during the phase counts from zero."""

    def __init__(self, groups: Any, every: float = 0.5) -> None:
        import threading

        self.groups = groups  # () -> {name: [pids]}
        self.every = every
        self.first: dict[str, dict[int, float]] = {name: cpu_seconds(pids) for name, pids in groups().items()}
        self.last: dict[str, dict[int, float]] = {name: dict(v) for name, v in self.first.items()}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        for name, pids in self.groups().items():
            self.last.setdefault(name, {}).update(cpu_seconds(pids))

    def _run(self) -> None:
        while not self.stop_event.wait(self.every):
            self._sample()

    def stop(self) -> dict[str, float]:
        self.stop_event.set()
        self.thread.join()
        self._sample()
        return {name: sum(s - self.first.get(name, {}).get(pid, 0.0) for pid, s in seen.items())
                for name, seen in self.last.items()}


PG_LOG = Path(os.environ.get("BENCH_PG_LOG", "/var/log/postgresql/postgresql-15-main.log"))


def deadlocks(database: str) -> int | None:
    """How many "deadlock detected" errors PostgreSQL's log holds for ``database`` (None: the log
    cannot be read here)."""
    try:
        text = PG_LOG.read_text(errors="replace")
    except OSError:
        return None
    return sum(1 for line in text.splitlines() if f"@{database} ERROR:  deadlock detected" in line)
