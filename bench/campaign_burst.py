"""Launch-day draw burst: entries as the store page posts them against the one-row insert view, and the draw.

Run: .venv/bin/python bench/campaign_burst.py [--concurrency 8] [--duration 20] [--warmup 3]
                                              [--workers 2] [--no-form] [--draw-entries 100000]

A fresh PostgreSQL database (autodcc_bench), migrated, demo network; a brand campaign BURST (today
only) prepared by the demo's HQ marketer with round 1 of its draw (draw.round_prepare) open from a
minute ago for an hour. One gunicorn (2 sync workers, persistent connections) and a closed-loop load
generator on the same machine (one process per connection, http.client, as capture_http.py). The
phases take turns (--turns 4: insert, entry, form, form, entry, insert, …; each turn a warm-up and a
measured slice), so that what drifts during a run (tables growing, checkpoints) weighs on each alike:
  insert  POST /bench/insert/       one BenchRow INSERT (the baseline)
  entry   POST /store/draw/BURST/enter/   the entry as the page's script posts it (what a phone's
          browser does): each client GETs the page once (the csrftoken cookie and the form's
          csrfmiddlewaretoken), then posts the form's fields urlencoded (csrfmiddlewaretoken, name,
          phone, city, consent=on) with that cookie, X-CSRFToken, Origin and Referer, a new mobile
          each time (client i: 137 + i as two digits + the turn + a five-digit counter). 201 = entry accepted;
          the client reads its entry number and receipt from the JSON answer.
  form    POST /store/draw/BURST/   the same entry through the form, as a browser without script
          posts it (mobiles 139 + i + counter). 302 = accepted; the client reads its number and
          receipt from the flash message the 302 carries (the signed ``messages`` cookie the
          redirected page would show; the redirect, one more page load, is not followed). Reported
          beside the target, not against it: --no-form leaves it out.

The store's POST forms are limited per client address (STORE_POST_RATE, 20/m by default; the
settings read no environment variable for it): gunicorn runs with a settings module written to a
temporary directory for the run (``from bench.settings import *`` + ``STORE_POST_RATE``), so the
limit is still counted on every POST but never reached.

After the load: every accepted mobile (201 or 302) must have its DrawEntry with the client's entry number
and receipt (0 lost), no mobile twice in the round (0 duplicated); then the follow-up the scheduled
task runs (draw.entries_follow_up) is timed and each entry must have its campaign lead.
Then a second round whose window has closed gets --draw-entries rows inserted directly (COPY via
core.rows.insert), and round_close (freeze + digest) and round_draw (seed reveal + winner by the
published rule) are timed in this process; the public JSON is checked with drawrule.verify.

Prints req/s, p50/p95/p99, CPU per process, the ratio entries/insert, the checks, the draw time, and
PASS/MISS for: entries ≥ 0.8 × insert throughput, entry p99 ≤ 50 ms, 0 lost / 0 duplicated, the
draw of 100,000 entries < 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import multiprocessing as mp
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from bench.capture_http import CITIES, CITY_WEIGHTS, GIVEN, SURNAMES, Phase, Result, own_cpu, run_phase

CODE = "BURST"
ENTRY_PATH = f"/store/draw/{CODE}/"
ENTER_PATH = f"/store/draw/{CODE}/enter/"
PREFIX = {"entry": "137", "form": "139"}  # each door its own mobiles
ACCEPTED = {"entry": 201, "form": 302}
INSERT = Phase("insert", "POST", "/bench/insert/")
STORE_POST_RATE = "1000000000/m"  # counted on every POST, never reached
TARGET_RATIO = 0.8  # accepted entries per second against the one-row insert view
TARGET_P99_MS = 50.0
TARGET_DRAW_S = 2.0
TARGET_DRAW_ENTRIES = 100_000
BUSY_LOAD = 1.0  # 1-minute load average at the start above which the machine has not settled yet
OTHER_NOISE = 0.2  # cores busy outside the measured processes above which a figure is not comparable

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# "…: entry number 123, receipt ABC234." / "…：报名号 123，凭证码 ABC234。"
RECEIPT = re.compile(r"(\d+)[，,][^A-Z2-9]*?([A-HJ-NP-Z2-9]{6})[。.]")
ERROR = re.compile(r'(?:role="alert">|class="field-error"[^>]*>)([^<]{0,160})')


def _mobile(via: str, client: int, turn: int, n: int) -> str:
    """Client i's own range in each turn: the door's prefix + i (two digits) + the turn + a five-digit counter."""
    return f"{PREFIX[via]}{client:02d}{turn}{n:05d}"


def _keep_cookies(jar: dict[str, str], resp: http.client.HTTPResponse) -> str:
    """Store the response's cookies in the client's jar (the flash message's ``messages`` cookie is
    returned instead: it belongs to the redirected page, which is not fetched)."""
    messages = ""
    for header in resp.headers.get_all("Set-Cookie") or []:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if name == "messages":
                messages = morsel.value
            elif morsel["max-age"] == "0":
                jar.pop(name, None)
            else:
                jar[name] = morsel.value
    return messages


def _entrant(index: int, port: int, run: str, t_warm_end: float, t_end: float, out: Any, via: str,
             turn: int) -> None:
    """One client: GET the form once for its CSRF token, then POST entries until ``t_end`` through
    ``via``: "entry" as the page's script does, "form" as a browser without script."""
    import json

    from django.contrib.messages.storage.cookie import CookieStorage

    decoder = CookieStorage(None)
    rng = random.Random(f"{run}-{index}-{turn}")
    origin = f"http://127.0.0.1:{port}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    jar: dict[str, str] = {}
    latencies: list[float] = []
    errors = 0
    status_all: Counter[int] = Counter()
    accepted: list[tuple[int, str, str]] = []  # (entry number, receipt, mobile) of every acceptance
    good = ACCEPTED[via]
    path = ENTER_PATH if via == "entry" else ENTRY_PATH
    refusals: Counter[str] = Counter()
    unreadable = 0
    conn.request("GET", ENTRY_PATH)
    resp = conn.getresponse()
    page = resp.read().decode("utf-8", "replace")
    _keep_cookies(jar, resp)
    m = CSRF_INPUT.search(page)
    if resp.status != 200 or m is None or "csrftoken" not in jar:
        conn.close()
        out.put((index, [], 0, {}, [], {f"GET {ENTRY_PATH}: {resp.status}, token {m is not None}, "
                                        f"cookies {sorted(jar)}": 1}, 0, 0.0))
        return
    token = m.group(1)
    n = 0
    while True:
        now = time.monotonic()
        if now >= t_end:
            break
        mobile = _mobile(via, index, turn, n)
        n += 1
        body = urlencode({"csrfmiddlewaretoken": token, "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                          "phone": mobile, "city": rng.choices(CITIES, CITY_WEIGHTS)[0], "consent": "on"}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
                   "Referer": origin + ENTRY_PATH, "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        if via == "entry":
            headers.update({"X-CSRFToken": token, "Accept": "application/json"})
        measured = now >= t_warm_end
        t0 = time.perf_counter()
        content = b""
        try:
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            content = resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
        elapsed_ms = (time.perf_counter() - t0) * 1000
        status_all[status] += 1
        if status == good and via == "entry":
            _keep_cookies(jar, resp)
            try:
                answer = json.loads(content)
                accepted.append((int(answer["number"]), str(answer["receipt"]), mobile))
            except (ValueError, KeyError, TypeError):
                unreadable += 1
                accepted.append((0, "", mobile))
        elif status == good:
            found = None
            if messages := _keep_cookies(jar, resp):
                for message in decoder._decode(messages) or []:
                    found = RECEIPT.search(str(message.message)) or found
            if found is None:
                unreadable += 1
                accepted.append((0, "", mobile))
            else:
                accepted.append((int(found.group(1)), found.group(2), mobile))
        elif status:
            _keep_cookies(jar, resp)
            text = content.decode("utf-8", "replace")
            shown = ERROR.findall(text) or re.findall(r'"message": "([^"]{0,160})"', text)
            refusals[f"{status}: {' / '.join(s.strip() for s in shown) or 'no error shown'}"] += 1
        if measured:
            if status == good:
                latencies.append(elapsed_ms)
            else:
                errors += 1
    conn.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.put((index, latencies, errors, dict(status_all), accepted, dict(refusals), unreadable,
             usage.ru_utime + usage.ru_stime))


def run_entries(*, port: int, run: str, concurrency: int, warmup: float, duration: float,
                via: str, turn: int) -> tuple[Result, Counter[str], int]:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    start = time.monotonic() + 0.3
    t_warm_end, t_end = start + warmup, start + warmup + duration
    procs = [ctx.Process(target=_entrant, args=(i, port, run, t_warm_end, t_end, queue, via, turn))
             for i in range(concurrency)]
    for p in procs:
        p.start()
    result = Result(via, duration_s=duration)
    refusals: Counter[str] = Counter()
    unreadable = 0
    for _ in procs:
        _index, latencies, errors, status_all, accepted, refused, unread, cpu = queue.get(timeout=warmup + duration + 120)
        result.latencies_ms.extend(latencies)
        result.measured_errors += errors
        result.all_status.update(status_all)
        result.accepted.extend(accepted)
        refusals.update(refused)
        unreadable += unread
        result.client_cpu_s += cpu
    for p in procs:
        p.join()
    return result, refusals, unreadable


def merged(parts: list[Result]) -> Result:
    """The turns of one phase as one: their answers, latencies and measured seconds added up, the
    CPU cores averaged over their wall time."""
    whole = Result(parts[0].name, duration_s=sum(p.duration_s for p in parts))
    whole.wall_s = sum(p.wall_s for p in parts)
    for p in parts:
        whole.latencies_ms.extend(p.latencies_ms)
        whole.measured_errors += p.measured_errors
        whole.all_status.update(p.all_status)
        whole.accepted.extend(p.accepted)
        whole.client_cpu_s += p.client_cpu_s
    for key in parts[0].cores:
        whole.cores[key] = sum(p.cores.get(key, 0.0) * p.wall_s for p in parts) / max(whole.wall_s, 1e-9)
    return whole


def measure(server: harness.Gunicorn, load: Callable[[], Any]) -> tuple[Any, dict[str, float], float]:
    """Run one phase with the CPU accounting of capture_http.py: CPU seconds per second of the phase
    for gunicorn, PostgreSQL (the bench database's backends), the load generator, other, machine."""
    from django.db import connections

    connections.close_all()  # nothing shared with the forked load processes

    def groups() -> dict[str, list[int]]:
        return {"gunicorn": server.pids(), "postgres": harness.postgres_pids(harness.DB_NAME)}

    tracker = harness.CpuTracker(groups)
    busy0, self0, t0 = harness.machine_busy_seconds(), own_cpu(), time.monotonic()
    out = load()
    wall = time.monotonic() - t0
    busy = (harness.machine_busy_seconds() - busy0) / wall
    used = tracker.stop()
    result: Result = out[0] if isinstance(out, tuple) else out
    cores = {name: seconds / wall for name, seconds in used.items()}
    cores["load"] = (result.client_cpu_s + own_cpu() - self0) / wall
    cores["other"] = busy - sum(cores.values())
    cores["machine"] = busy
    result.cores, result.wall_s = cores, wall
    return out, cores, wall


def gunicorn_env(tmp: Path) -> dict[str, str]:
    """The bench environment with a settings module that raises STORE_POST_RATE for this run."""
    (tmp / "burst_settings.py").write_text(
        '"""bench.settings with the store\'s POST limit raised (written by bench/campaign_burst.py)."""\n\n'
        "from bench.settings import *  # noqa: F403\n\n"
        f'STORE_POST_RATE = "{STORE_POST_RATE}"\n', encoding="utf-8")
    env = harness.bench_env()
    env["DJANGO_SETTINGS_MODULE"] = "burst_settings"
    env["PYTHONPATH"] = os.pathsep.join([str(tmp), env["PYTHONPATH"]])
    return env


def hq_marketer() -> Any:
    from autodcc.network.actors import actor_for_staff
    from autodcc.network.models import Staff

    staff = (Staff.objects.filter(grants__role="hq_marketing", grants__dealer=None, grants__region=None)
             .prefetch_related("grants").select_related("user").order_by("pk").first())
    if staff is None:
        raise SystemExit("the demo network has no HQ marketer")
    return actor_for_staff(staff)


def check_entries(burst: Result, round_pk: int) -> dict[str, Any]:
    """Every 302 answered mobile has its row (number and receipt as the client read them); no mobile twice."""
    from django.db.models import Count

    from autodcc.campaigns.models import DrawEntry, DrawRound
    from autodcc.leads.models import Lead

    rows = list(DrawEntry.objects.filter(round_id=round_pk).values_list("pk", "receipt", "phone", "lead_id"))
    by_phone: dict[str, tuple[int, str]] = {}
    for pk, receipt, phone, _lead in rows:
        by_phone[phone] = (pk, receipt)
    answered = [a[2] for a in burst.accepted]
    lost = [m for m in answered if f"+86{m}" not in by_phone]
    mismatched = [m for n, r, m in burst.accepted if f"+86{m}" in by_phone and by_phone[f"+86{m}"] != (n, r)]
    answered_twice = len(answered) - len(set(answered))
    db_dups = (DrawEntry.objects.filter(round_id=round_pk).values("phone").annotate(n=Count("pk"))
               .filter(n__gt=1).count())
    unanswered = len(rows) - len(set(answered) - set(lost))
    draw_round = DrawRound.objects.select_related("campaign").get(pk=round_pk)
    from autodcc.campaigns import draw

    t0 = time.perf_counter()
    followed = draw.entries_follow_up(limit=10**9)  # what the scheduled task does every 30 s
    follow_s = time.perf_counter() - t0
    leads = Lead.objects.filter(campaign=draw_round.campaign).count()
    with_lead = DrawEntry.objects.filter(round_id=round_pk, lead__isnull=False).count()
    return {"followed": followed, "follow_s": follow_s,
            "rows": len(rows), "distinct": len(by_phone), "answered": len(answered), "lost": len(lost),
            "mismatched": len(mismatched), "answered_twice": answered_twice, "db_dups": db_dups,
            "unanswered": unanswered, "refused": draw_round.duplicates_refused, "leads": leads,
            "with_lead": with_lead, "lost_sample": lost[:3], "mismatch_sample": mismatched[:3]}


def time_draw(campaign: Any, actor: Any, entries: int, seed: int) -> dict[str, Any]:
    """A round whose window has closed, ``entries`` rows inserted directly, then round_close and
    round_draw timed in this process."""
    from django.db import transaction
    from django.utils import timezone

    from autodcc.campaigns import draw, drawrule
    from autodcc.campaigns.models import DrawEntry
    from autodcc.core.rows import insert

    now = timezone.now()
    closed = draw.round_prepare(actor=actor, campaign=campaign, number=2, opens_at=now - dt.timedelta(hours=2),
                                closes_at=now - dt.timedelta(hours=1), prize="澜川 S7 七日用车权")
    rng = random.Random(seed)
    at = closed.opens_at + dt.timedelta(minutes=1)
    rows = [(closed.pk, "".join(rng.choices(draw.RECEIPT_ALPHABET, k=6)), rng.choice(SURNAMES) + rng.choice(GIVEN),
             f"+86137{i:08d}", rng.choices(CITIES, CITY_WEIGHTS)[0], at) for i in range(entries)]
    t0 = time.perf_counter()
    with transaction.atomic():
        insert(DrawEntry, ["round_id", "receipt", "name", "phone", "city", "created_at"], rows)
    insert_s = time.perf_counter() - t0
    count = DrawEntry.objects.filter(round=closed).count()
    t1 = time.perf_counter()
    closed = draw.round_close(closed)
    t2 = time.perf_counter()
    drawn = draw.round_draw(actor=actor, draw_round=closed)
    t3 = time.perf_counter()
    data = draw.public(drawn)
    problems = drawrule.verify(data)
    t4 = time.perf_counter()
    winner = drawn.winners[0]
    winner_ok = DrawEntry.objects.filter(round=closed, pk=winner).exists()
    return {"entries": count, "insert_s": insert_s, "close_s": t2 - t1, "draw_s": t3 - t2, "total_s": t3 - t1,
            "verify_s": t4 - t3, "problems": problems, "winner": winner, "winner_ok": winner_ok,
            "entry_count": drawn.entry_count, "digest": drawn.digest}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=8,
                        help="clients, one process each (8, as bench/capture_http.py; 8–32: beyond 8 the load "
                             "generator's processes take the two cores from the server, and at 32 the insert "
                             "view's own p99 passes 50 ms)")
    parser.add_argument("--duration", type=float, default=20.0,
                        help="measured seconds per phase, over all its turns (20)")
    parser.add_argument("--turns", type=int, default=4, help="turns each phase takes, alternating (4)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds before each turn (1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--no-form", action="store_true", help="leave out the form (no script) phase")
    parser.add_argument("--draw-entries", type=int, default=TARGET_DRAW_ENTRIES,
                        help=f"entries of the timed draw ({TARGET_DRAW_ENTRIES:,})")
    args = parser.parse_args()
    if not 8 <= args.concurrency <= 32:
        parser.error("--concurrency must be between 8 and 32")
    if not 1 <= args.turns <= 10:
        parser.error("--turns must be between 1 and 10 (a mobile number holds the turn as one digit)")

    load_1min = os.getloadavg()[0]
    if load_1min > BUSY_LOAD:
        print(f"!! load average {load_1min:.2f} over the last minute: the machine was busy just now (the test suite, "
              f"another bench); figures taken before it settles ran 10–15 % lower (docs/scaling.md)", flush=True)
    print(f"setup: fresh database, migrate, demo network … ({harness.env_summary()})", flush=True)
    info = harness.setup_django(fresh=True)
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from autodcc.campaigns import draw, services
    from autodcc.campaigns.models import Campaign
    from bench.benchapp.models import BenchRow

    call_command("collectstatic", interactive=False, verbosity=0)  # the store's pages use the manifest, as deployed
    actor = hq_marketer()
    today = timezone.localdate()
    campaign = services.campaign_save(actor=actor, campaign=Campaign(
        code=CODE, name="上市日限时抽奖", theme="launch", starts_on=today, ends_on=today))
    now = timezone.now()
    first = draw.round_prepare(actor=actor, campaign=campaign, number=1, opens_at=now - dt.timedelta(minutes=1),
                               closes_at=now + dt.timedelta(hours=1), prize="澜川 S7 七日用车权")
    print(f"setup: {info['dealers']} dealers, {info['staff']} staff in {info['setup_s']:.1f} s; campaign {CODE} "
          f"(brand, {today}) by {actor.label}, round 1 open {first.opens_at:%H:%M:%S}–{first.closes_at:%H:%M:%S}; "
          f"gunicorn {args.workers} sync workers with STORE_POST_RATE={STORE_POST_RATE} (a settings module in a "
          f"temporary directory: the settings read no environment variable for it); load: {args.concurrency} "
          f"clients, {args.duration:g} s measured per phase in {args.turns} alternating turns, each after {args.warmup:g} s "
          f"of warm-up, on this machine "
          f"({os.cpu_count()} cores)", flush=True)
    run = str(int(time.time()))
    tmp = Path(tempfile.mkdtemp(prefix="campaign-burst-"))
    try:
        env = gunicorn_env(tmp)
        rows_before = BenchRow.objects.count()
        with harness.Gunicorn(workers=args.workers, env=env) as server:
            probe = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            probe.request("GET", ENTRY_PATH)
            answer = probe.getresponse()
            body = answer.read().decode("utf-8", "replace")
            probe.close()
            if answer.status != 200 or 'id="entry-form"' not in body:
                raise SystemExit(f"GET {ENTRY_PATH} answered {answer.status} without the entry form; see {server.out}")
            # the phases take turns (insert, entry, form, then form, entry, insert, …) so that what
            # drifts during the run (the tables growing, checkpoints) weighs on each alike
            names = ["insert", "entry", *(() if args.no_form else ("form",))]
            parts: dict[str, list[Result]] = {name: [] for name in names}
            refused: dict[str, Counter[str]] = {name: Counter() for name in names}
            unread: Counter[str] = Counter()
            slice_s = args.duration / args.turns
            for turn in range(args.turns):
                for name in (names if turn % 2 == 0 else names[::-1]):
                    if name == "insert":
                        out, _c, _w = measure(server, lambda turn=turn: run_phase(
                            INSERT, port=server.port, token="", run=f"{run}-{turn}", concurrency=args.concurrency,
                            warmup=args.warmup, duration=slice_s))
                        parts[name].append(out)
                    else:
                        (out, refusals, unreadable), _c, _w = measure(server, lambda name=name, turn=turn: run_entries(
                            port=server.port, run=run, concurrency=args.concurrency, warmup=args.warmup,
                            duration=slice_s, via=name, turn=turn))
                        parts[name].append(out)
                        refused[name].update(refusals)
                        unread[name] += unreadable
            ins = merged(parts["insert"])
            doors = [(merged(parts[name]), refused[name], unread[name]) for name in names[1:]]
        new_bench_rows = BenchRow.objects.count() - rows_before
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"gunicorn stopped (error log: {server.log.relative_to(harness.ROOT)}, "
          f"app output: {server.out.relative_to(harness.ROOT)})")
    for n, line in harness.exceptions_in(server.log, server.out):
        print(f"!! {n} × {line}")

    # ---- request figures ------------------------------------------------------------------------
    burst = doors[0][0]
    results = [ins, *(d[0] for d in doors)]
    names = ["gunicorn", "postgres", "load", "other", "machine"]
    print()
    print(f"{'phase':<9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'requests':>10}"
          f"   CPU cores: {'/'.join(names)}")
    for r in results:
        cores = " / ".join(f"{r.cores[n]:.2f}" if n in r.cores else "-" for n in names)
        print(f"{r.name:<9}{r.rps:>9.1f}{r.pct(50):>9.2f}{r.pct(95):>9.2f}{r.pct(99):>9.2f}{r.measured_errors:>8}"
              f"{len(r.latencies_ms) + r.measured_errors:>10}   {cores}")
    print("  (insert: 201 answers; entry (the page's script): 201 = accepted; form (no script): 302 = accepted; "
          "errors = any other answer or none, in the measured window)")
    for r in results:
        if r.cores.get("other", 0) > OTHER_NOISE:
            print(f"  !! {r.name}: {r.cores['other']:.2f} cores busy outside the measured processes (another job on "
                  f"the machine?): above {OTHER_NOISE:g} the figures are not comparable (bench/README.md)")
    for r in results:
        good = ACCEPTED.get(r.name, 201)
        odd = {s: c for s, c in r.all_status.items() if s != good}
        if odd:
            print(f"  {r.name}: other statuses over warm-up + measurement: {odd} (0 = no response)")
    for r, refusals, _unreadable in doors:
        for text, n in refusals.most_common(5):
            print(f"  {r.name}: {n} × refused — {text}")
    ins_requests = max(1, sum(ins.all_status.values()))
    ins_ms = (ins.cores.get("gunicorn", 0) + ins.cores.get("postgres", 0)) * ins.wall_s / ins_requests * 1000
    print()
    ratios: dict[str, float] = {}
    for r, _refusals, _unreadable in doors:
        accepted_s = len(r.latencies_ms) / r.duration_s
        ratios[r.name] = accepted_s / ins.rps if ins.rps else float("nan")
        posts = sum(r.all_status.values())
        ms = (r.cores.get("gunicorn", 0) + r.cores.get("postgres", 0)) * r.wall_s / max(1, posts) * 1000
        print(f"{r.name}: {accepted_s:.1f} accepted/s in the measured window vs insert view {ins.rps:.1f} req/s = "
              f"{ratios[r.name]:.3f}; server CPU per POST (gunicorn + PostgreSQL, warm-up and the "
              f"{args.concurrency * args.turns} CSRF GETs included) {ms:.2f} ms; insert view {ins_ms:.2f} ms")
    ratio = ratios["entry"]
    accepted_s = len(burst.latencies_ms) / burst.duration_s

    # ---- the loss check ------------------------------------------------------------------------
    connections.close_all()
    every = Result("all", accepted=[a for d in doors for a in d[0].accepted])
    c = check_entries(every, first.pk)
    answered = sum(d[0].all_status.get(ACCEPTED[d[0].name], 0) for d in doors)
    unreadable = sum(d[2] for d in doors)
    lossless = (c["lost"] == 0 and c["mismatched"] == 0 and c["answered_twice"] == 0 and c["db_dups"] == 0
                and c["rows"] == c["distinct"] and answered == c["answered"] and unreadable == 0)
    for r, _refusals, _unreadable in doors:
        statuses = ", ".join(f"{n} × {s}" for s, n in sorted(r.all_status.items()))
        print(f"{r.name} answers (warm-up + measured): {statuses}; {args.concurrency * args.turns} CSRF GETs (one per client and turn)")
    print(f"entries: {answered} accepted answers → {c['answered']} accepted mobiles ({c['answered_twice']} answered "
          f"twice, {unreadable} without a readable receipt); DrawEntry rows in round 1: {c['rows']}, distinct mobiles "
          f"{c['distinct']} (mobiles twice: {c['db_dups']}); lost (accepted without a row): {c['lost']}"
          f"{' ' + str(c['lost_sample']) if c['lost'] else ''}; rows whose number/receipt differ from the "
          f"client's: {c['mismatched']}{' ' + str(c['mismatch_sample']) if c['mismatched'] else ''}; rows written "
          f"without an accepted answer: {c['unanswered']}; duplicates refused by the round: {c['refused']}")
    print(f"leads:   the follow-up (scheduled task, batches of {draw.FOLLOW_BATCH} through the capture pipeline) took "
          f"{c['followed']} entries in {c['follow_s']:.2f} s ({c['followed'] / max(c['follow_s'], 1e-9):.0f}/s); "
          f"entries with their lead {c['with_lead']} of {c['rows']}; leads of campaign {CODE}: {c['leads']}")
    print(f"insert:  {ins.all_status.get(201, 0)} × 201; new BenchRow rows {new_bench_rows}")

    # ---- the draw ------------------------------------------------------------------------------
    print()
    print(f"draw: round 2 (window closed an hour ago), {args.draw_entries:,} entries inserted directly …", flush=True)
    d = time_draw(campaign, actor, args.draw_entries, seed=int(run))
    draw_ok = (d["entries"] == d["entry_count"] == args.draw_entries and d["winner_ok"] and not d["problems"])
    print(f"draw: {d['entries']:,} rows inserted in {d['insert_s']:.2f} s (core.rows.insert, COPY); round_close "
          f"(freeze, digest) {d['close_s']:.3f} s + round_draw (seed reveal, winner) {d['draw_s']:.3f} s = "
          f"{d['total_s']:.3f} s; entry_count {d['entry_count']:,}, winner entry {d['winner']}; public JSON built "
          f"and checked by drawrule.verify in {d['verify_s']:.2f} s: "
          f"{'OK' if not d['problems'] else '; '.join(d['problems'])}")

    print()
    form_note = f"; through the form without script {ratios['form']:.3f}" if "form" in ratios else ""
    print(f"{harness.verdict(ratio >= TARGET_RATIO)}  entries accepted ≥ {TARGET_RATIO} × insert throughput "
          f"({accepted_s:.1f} vs {ins.rps:.1f} req/s = {ratio:.3f} at {args.concurrency} clients, as the page's "
          f"script posts them{form_note})")
    print(f"{harness.verdict(burst.pct(99) <= TARGET_P99_MS)}  entry POST p99 ≤ {TARGET_P99_MS:g} ms "
          f"({burst.pct(99):.1f} ms at {args.concurrency} clients; p50 {burst.pct(50):.1f} ms)")
    print(f"{harness.verdict(lossless)}  0 entries lost, 0 duplicated ({answered} accepted = {c['rows']} rows "
          f"= {c['distinct']} distinct mobiles; lost {c['lost']}, receipts differing {c['mismatched']}, "
          f"duplicated {c['db_dups']})")
    full = args.draw_entries >= TARGET_DRAW_ENTRIES
    print(f"{harness.verdict(full and draw_ok and d['total_s'] < TARGET_DRAW_S)}  draw of "
          f"{TARGET_DRAW_ENTRIES:,} entries < {TARGET_DRAW_S:g} s (close + draw of {d['entries']:,} entries: "
          f"{d['total_s']:.3f} s{'' if draw_ok else '; CHECK FAILED'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
