"""Insights (funnel, daily reports) at national scale: 10 million leads, 500 dealers, 36 months.

Run: .venv/bin/python bench/insights_scale.py [--leads 10000000] [--dealers 500] [--months 36] [--seed 7]
         [--reuse] [--samples 200] [--no-explain] [--no-candidates] [--keep-candidates] [--max-wait-minutes 60]

1. Generation (skipped with ``--reuse`` when the database already holds a finished generation with
   the same parameters): drops and recreates the database ``autodcc_bench_insights`` (override with
   ``BENCH_DB``; never ``autodcc_bench``, which the other benchmarks use), migrates it, then creates
   3 regions, the dealers over real cities (``network.City`` rows of the migration), 10 staff per
   dealer (GM, DCC supervisor, 4 DCC agents, 4 sales consultants) plus one HQ marketing user, and
   streams customers, leads and captures (one capture per lead plus the repeat enquiries) into
   PostgreSQL with ``COPY … FROM STDIN`` — the secondary indexes and foreign keys of the three
   tables are dropped before the COPY and recreated afterwards, then ``VACUUM (ANALYZE)`` (the
   server runs with autovacuum off). Seeded: the same arguments give the same rows.
2. Measurement through the app's own functions (``insights.queries.funnel``,
   ``insights.reports.daily_reports``), persistent connection, every call warmed once first:
   a. one dealer's month funnel (cohort, group None) as the dealer's GM, for N random dealer-months;
   b. the national month grouped by dealer (HQ actor), 5 runs;
   c. ``daily_reports(day=<last day of last month>, with_people=True)`` for all dealers, 3 runs;
   d. (information) the activity-basis month funnel of one dealer.
   Each figure is printed beside the median of 5 ``SELECT count(*) FROM leads_lead`` and the CPU
   other processes used meanwhile. Measured with the server's ``jit = on``, then again with
   ``SET jit = off`` (this session only).
3. ``EXPLAIN (ANALYZE, BUFFERS)`` of the statements each measured call sends (captured from the
   call itself).
4. Unless ``--no-candidates``: candidate indexes (``CANDIDATES``) created in SQL in this database —
   first the repeat-capture index alone (a, b, d re-measured), then all of them (everything
   re-measured, jit on and off, EXPLAIN again) — and dropped again (``--keep-candidates`` keeps them).
   A summary table closes the run. Before each heavy phase the script waits (up to
   ``--max-wait-minutes``) while another benchmark or a pytest run is using the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "autodcc_bench_insights")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

if harness.DB_NAME == "autodcc_bench":
    sys.exit("insights_scale.py must not use autodcc_bench (the other benchmarks' database); set BENCH_DB")

TARGET_A_P95_MS = 50.0
TARGET_B_S = 1.0
TARGET_C_S = 60.0
# other work that shares the 2 cores and the PostgreSQL server: wait for it before a heavy phase
OTHER_BENCHES = ("capture_http.py", "import_bulk.py", "profile_capture.py", "pytest")
MEASURED = ("src/autodcc/insights/queries.py", "src/autodcc/insights/reports.py", "src/autodcc/leads/models.py")
LEAD_TABLES = ("customers_customer", "leads_lead", "leads_capture")

# ---------------------------------------------------------------------------------------------
# distributions
CHANNELS = [  # (value, weight, platform reference prefix or "", capture label)
    ("autohome", 22, "AH", "API: 汽车之家"), ("dongchedi", 18, "DCD", "API: 懂车帝"), ("yiche", 12, "YC", "API: 易车"),
    ("walk_in", 10, "", "staff"), ("own_site", 8, "", "website"), ("hotline", 7, "", "staff"),
    ("social", 6, "", "website"), ("referral", 4, "", "staff"), ("tmall", 3, "TM", "API: 天猫"),
    ("storefront", 3, "", "storefront"), ("group_buy", 2, "", "import"), ("import", 2, "", "import"),
    ("forum", 2, "", "website"), ("other", 1, "", "staff"),
]
STAFF_CHANNELS = {"walk_in", "hotline", "referral"}
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 2, 4, 7, 9, 9, 7, 6, 7, 7, 7, 6, 6, 8, 9, 8, 5, 2.5]
# month of year → seasonality (Spring Festival dip, spring and 金九银十 peaks, year-end push)
SEASON = {1: 0.95, 2: 0.7, 3: 1.1, 4: 1.1, 5: 1.05, 6: 1.0, 7: 0.9, 8: 0.95, 9: 1.1, 10: 1.15, 11: 1.05, 12: 1.1}
MODELS = [("澜川 L5", 30), ("澜川 L7", 25), ("澜川 S3", 20), ("澜川 X9", 10), ("澜川 E6 纯电", 15)]
MESSAGES = ["请尽快联系我", "想了解最低价", "周末可以试驾吗", "有没有置换补贴", "贷款方案是什么", "什么时候有现车"]
CAMPAIGNS = ["车展特惠", "线上团购节", "试驾有礼"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚",
         "桂英", "丹", "鹏", "辉", "玲", "建华", "晓东", "佳怡", "子涵", "浩然", "思远", "雨桐"]
# province code prefix → region
EAST = {"31", "32", "33", "34", "35", "36", "37"}
SOUTH = {"43", "44", "45", "46", "50", "51", "52", "53", "54"}
BIG_CITIES = {"110000": 10, "310000": 10, "440100": 8, "440300": 8, "500000": 6, "120000": 5, "510100": 6,
              "330100": 6, "320100": 5, "420100": 5, "610100": 4, "320500": 5, "330200": 4, "370200": 4,
              "350200": 3, "210200": 3, "440600": 4, "441900": 4, "320200": 4, "330300": 3, "410100": 4,
              "430100": 4, "370100": 3, "340100": 3, "350100": 3, "210100": 3}

# funnel conversion (conditional probabilities; overall ≈ 70 % contacted, 35 % invited, 20 % arrived,
# 8 % test-driven, 5 % ordered, 4 % delivered, 15 % defeated, 5 % invalid)
P_CONTACT, P_INVITE, P_ARRIVE, P_TEST, P_ORDER, P_DELIVER = 0.70, 0.50, 0.5714, 0.40, 0.25, 0.80
P_INVALID_UNINVITED, P_DEFEAT = 0.05 / 0.65, 0.15 / 0.90
P_REPEAT = 0.09  # leads with at least one repeat enquiry
P_REUSE_CUSTOMER = 0.25  # a closed lead whose customer had an earlier lead
DAY = 86400
NULL = "\\N"


def log(msg: str) -> None:
    print(msg, flush=True)


def other_bench_running() -> list[str]:
    found = []
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(name in cmd for name in OTHER_BENCHES) and "insights_scale" not in cmd:
            found.append(f"{entry.name}: {cmd.strip()[:100]}")
    return found


def wait_quiet(phase: str, max_minutes: float) -> None:
    """Wait while another benchmark runs on this machine (it shares the 2 cores and PostgreSQL)."""
    deadline = time.monotonic() + max_minutes * 60
    said = False
    while found := other_bench_running():
        if time.monotonic() > deadline:
            log(f"  ! {phase}: another benchmark is still running after {max_minutes:g} min, going ahead: {found}")
            return
        if not said:
            log(f"  … {phase}: waiting for another benchmark to finish: {found}")
            said = True
        time.sleep(10)
    if said:
        log(f"  … {phase}: the machine is free again")


class CpuWatch:
    """CPU used by everything else on the machine (not this process, not PostgreSQL) during a phase."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.busy0 = self._busy()
        self.own0 = self._own()

    @staticmethod
    def _busy() -> float:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        """This process + every PostgreSQL process, and the postmaster's reaped children (parallel
        query workers exit before the phase ends: their CPU shows up there)."""
        total = sum(harness.cpu_seconds([os.getpid()]).values())
        pg = set(harness.postgres_pids())
        tick = os.sysconf("SC_CLK_TCK")
        for pid in pg:
            try:
                f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(f[11]) + int(f[12])) / tick
            if int(f[1]) not in pg:  # the postmaster
                total += (int(f[13]) + int(f[14])) / tick
        return total

    def others(self) -> float:
        """Average number of cores busy with other processes since the start."""
        el = time.monotonic() - self.t0
        other = (self._busy() - self.busy0) - (self._own() - self.own0)
        return max(0.0, other / el) if el > 0 else 0.0


def month_starts(last_month_start: dt.date, months: int) -> list[dt.date]:
    out = [last_month_start]
    while len(out) < months:
        d = out[-1] - dt.timedelta(days=1)
        out.append(d.replace(day=1))
    return out[::-1]


def month_end(start: dt.date) -> dt.date:
    return (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def pct(values: list[float], q: float) -> float:
    return harness.percentile(sorted(values), q)


# ---------------------------------------------------------------------------------------------
# database plumbing (psycopg directly, for the COPY and the DDL)

def pg_connect():
    import psycopg

    return psycopg.connect(harness.DATABASE_URL, autocommit=True)


def meta_get(conn) -> dict[str, str]:
    try:
        return dict(conn.execute("SELECT k, v FROM bench_insights_meta").fetchall())
    except Exception:
        return {}


def database_exists() -> bool:
    import psycopg

    with psycopg.connect(f"{harness.PG_SERVER}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [harness.DB_NAME]).fetchone() is not None


def drop_secondary(conn, table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Drop a table's foreign keys, unique constraints and non-primary indexes; return their definitions."""
    cons = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype IN ('f', 'u') ORDER BY conname", [table]).fetchall()
    for name, _ in cons:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    idx = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p') ORDER BY 1",
        [table, table]).fetchall()
    for name, _ in idx:
        conn.execute(f'DROP INDEX "{name}"')
    return cons, idx


# ---------------------------------------------------------------------------------------------
# 1. generation

def build_network(rng: random.Random, n_dealers: int, report_month: dt.date) -> dict:
    """Regions, dealers over real cities, 10 staff per dealer, one HQ user, this month's targets (ORM)."""
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from autodcc.core.roles import Role
    from autodcc.network.models import City, Dealer, Region, RoleGrant, Staff

    User = get_user_model()
    with transaction.atomic():
        regions = {code: Region.objects.create(code=code, name=name) for code, name in
                   [("EAST", "华东大区"), ("SOUTH", "华南西南大区"), ("NORTH", "华北华中大区")]}
        cities = [c for c in City.objects.select_related("province").order_by("adcode")
                  if c.province.code[:2] not in {"71", "81", "82"}]
        weights = [BIG_CITIES.get(c.adcode, 2.5 if c.adcode.endswith("0100") else 1.0) for c in cities]
        # every big city and provincial capital gets a dealer, the rest drawn by weight
        chosen = [c for c, w in zip(cities, weights, strict=True) if w >= 2.5][:n_dealers]
        chosen += rng.choices(cities, weights=weights, k=n_dealers - len(chosen))
        per_city: dict[str, int] = {}
        dealers = []
        for n, city in enumerate(chosen, 1):
            p2 = city.province.code[:2]
            region = regions["EAST" if p2 in EAST else "SOUTH" if p2 in SOUTH else "NORTH"]
            per_city[city.adcode] = per_city.get(city.adcode, 0) + 1
            short = f"{city.name.removesuffix('市')}{per_city[city.adcode]}号店"
            dealers.append(Dealer(
                code=f"D{n:04d}", name=f"{short}{settings.AUTODCC_BRAND}销售服务有限公司", short_name=short,
                brand=settings.AUTODCC_BRAND, region=region, city=city,
                lng=(city.lng + Decimal(rng.uniform(-0.08, 0.08))).quantize(Decimal("0.000001")),
                lat=(city.lat + Decimal(rng.uniform(-0.08, 0.08))).quantize(Decimal("0.000001")),
                phone=f"400-8{n:03d}-{1000 + n:04d}", is_key=n % 7 == 0, is_active=True,
                opens_at=dt.time(8, 30), closes_at=dt.time(18, 0), open_weekdays="1234567"))
        dealers = Dealer.objects.bulk_create(dealers)
        roles = [("gm", Role.DEALER_GM), ("dccs", Role.DCC_SUPERVISOR),
                 *[(f"dcc{i}", Role.DCC_AGENT) for i in range(1, 5)],
                 *[(f"sc{i}", Role.SALES_CONSULTANT) for i in range(1, 5)]]
        users = [User(username="hq-marketing", password="!")]
        users += [User(username=f"{d.code.lower()}-{suffix}", password="!") for d in dealers for suffix, _ in roles]
        users = User.objects.bulk_create(users)
        staff = Staff.objects.bulk_create(
            [Staff(user=u, name=SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)], employee_no=f"E{i:06d}")
             for i, u in enumerate(users)])
        grants = [RoleGrant(staff=staff[0], role=Role.HQ_MARKETING)]
        info = []
        for k, d in enumerate(dealers):
            mine = staff[1 + k * len(roles): 1 + (k + 1) * len(roles)]
            grants += [RoleGrant(staff=s, role=role, dealer=d) for s, (_, role) in zip(mine, roles, strict=True)]
            info.append({"id": d.pk, "city": d.city_id, "gm": mine[0].pk,
                         "agents": tuple(s.pk for s in mine[2:6]), "consultants": tuple(s.pk for s in mine[6:10])})
        RoleGrant.objects.bulk_create(grants)
    return {"dealers": info, "city_ids": [c.pk for c in cities], "staff": len(staff)}


def set_targets(dealer_weights: dict[int, float], leads_per_month: float, month: dt.date) -> None:
    from autodcc.insights.models import MonthlyTarget

    total = sum(dealer_weights.values())
    share = {pk: leads_per_month * w / total for pk, w in dealer_weights.items()}
    MonthlyTarget.objects.bulk_create([
        MonthlyTarget(dealer_id=pk, month=month, leads=round(n), arrivals=round(n * 0.2), orders=round(n * 0.05))
        for pk, n in share.items()])


def generate(args: argparse.Namespace) -> dict:
    import django

    harness.use_bench_env()
    harness.reset_database()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    t_all = time.perf_counter()
    rng = random.Random(args.seed)
    today = dt.date.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    months = month_starts(last_month, args.months)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    net = build_network(rng, args.dealers, last_month)
    dealers = net["dealers"]
    log(f"  migrate + network: {time.perf_counter() - t0:.1f} s ({len(dealers)} dealers, {net['staff']} staff)")

    # dealer sizes: log-normal (the biggest dealers get ~5× the median)
    dealer_w = [rng.lognormvariate(0, 0.6) for _ in dealers]
    set_targets({d["id"]: w for d, w in zip(dealers, dealer_w, strict=True)}, args.leads / args.months, last_month)
    connection.close()

    # --- the day plan: leads per day (trend × season × weekday) ---------------------------------
    base = months[0]
    end = month_end(months[-1])
    n_days = (end - base).days + 1
    day_w = []
    for i in range(n_days):
        d = base + dt.timedelta(days=i)
        trend = 1 + 0.25 * i / n_days
        day_w.append(trend * SEASON[d.month] * (1.35 if d.weekday() >= 5 else 1.0) * rng.uniform(0.85, 1.15))
    scale = args.leads / sum(day_w)
    per_day = [int(w * scale) for w in day_w]
    for i in rng.sample(range(n_days), args.leads - sum(per_day)):
        per_day[i] += 1
    now_local = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
    now_s = int((now_local - dt.datetime.combine(base, dt.time.min)).total_seconds())

    # local (UTC+8) seconds since base → text; days cover the stamps that run past the last month
    day_txt = [(base + dt.timedelta(days=i)).isoformat() for i in range(n_days + 800)]
    ts_day = [s + " " for s in day_txt]
    ts_tod = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08" for s in range(DAY)]

    def ts(s: int) -> str:
        return ts_day[s // DAY] + ts_tod[s % DAY]

    # --- drop secondary indexes and FKs, COPY ---------------------------------------------------
    ddl = pg_connect()
    ddl.execute("CREATE TABLE bench_insights_meta (k text PRIMARY KEY, v text)")
    saved = {t: drop_secondary(ddl, t) for t in LEAD_TABLES}
    n_idx = sum(len(i) for _, i in saved.values())
    n_fk = sum(len(c) for c, _ in saved.values())
    log(f"  dropped {n_idx} indexes and {n_fk} constraints on {', '.join(LEAD_TABLES)} for the COPY")

    from psycopg.copy import QueuedLibpqWriter

    conns = {t: pg_connect() for t in LEAD_TABLES}
    for c in conns.values():
        c.execute("SET synchronous_commit = off")
    lead_cols = ("id, dealer_id, customer_id, consent_id, channel, campaign, source_ref, model_interest, city_id, "
                 "message, status, status_before_defeat, stage, grade, expected_purchase_on, expected_visit_on, "
                 "next_follow_up_on, allocation_reason, agent_id, consultant_id, assigned_at, first_response_due_at, "
                 "first_response_at, first_response_minutes, escalated_at, duplicate_count, api_token_id, created_at, "
                 "updated_at, contacted_at, contacted_by_id, invited_at, invited_by_id, arrived_at, arrived_by_id, "
                 "presented_at, presented_by_id, test_driven_at, test_driven_by_id, negotiated_at, negotiated_by_id, "
                 "ordered_at, ordered_by_id, delivered_at, delivered_by_id, defeated_at, defeated_by_id")
    cust_cols = ("id, name, phone, kind, gender, age_band, occupation, family, hobbies, budget_min, budget_max, "
                 "current_car, wechat_openid, created_at, updated_at, city_id")
    cap_cols = "id, channel, campaign, source_ref, duplicate, by_label, at, lead_id"
    cur = {t: c.cursor() for t, c in conns.items()}
    copies = {
        "customers_customer": cur["customers_customer"].copy(f"COPY customers_customer ({cust_cols}) FROM STDIN",
                                                              writer=QueuedLibpqWriter(cur["customers_customer"])),
        "leads_lead": cur["leads_lead"].copy(f"COPY leads_lead ({lead_cols}) FROM STDIN",
                                              writer=QueuedLibpqWriter(cur["leads_lead"])),
        "leads_capture": cur["leads_capture"].copy(f"COPY leads_capture ({cap_cols}) FROM STDIN",
                                                    writer=QueuedLibpqWriter(cur["leads_capture"])),
    }
    cp_cust, cp_lead, cp_cap = (c.__enter__() for c in copies.values())

    ch_values = [c[0] for c in CHANNELS]
    ch_cum = list(_cum([c[1] for c in CHANNELS]))
    ch_prefix = {c[0]: c[2] for c in CHANNELS}
    ch_label = {c[0]: c[3] for c in CHANNELS}
    hour_cum = list(_cum(HOUR_WEIGHTS))
    dealer_cum = list(_cum(dealer_w))
    model_names = [m for m, _ in MODELS]
    model_cum = list(_cum([w for _, w in MODELS]))
    names = [s + g for s in SURNAMES for g in GIVEN]
    city_ids = net["city_ids"]
    grades_open = "HHAAABBBBCCC"
    R = rng.random
    lognorm = rng.lognormvariate
    randrange = rng.randrange
    choices = rng.choices

    lead_id = cust_id = cap_id = 0
    repeats: list[tuple[int, int, int, str]] = []  # heap of (at, seq, lead_id, channel)
    buf_l: list[str] = []
    buf_c: list[str] = []
    buf_k: list[str] = []
    status_n: dict[str, int] = {}
    stage_n = dict.fromkeys(("contacted", "invited", "arrived", "test_driven", "ordered", "delivered"), 0)
    t_copy = time.perf_counter()
    month_idx = 0
    for day_i, n in enumerate(per_day):
        day0 = day_i * DAY
        d = base + dt.timedelta(days=day_i)
        campaign_month = f"{d.year}-{d.month:02d} "
        times = sorted(day0 + h * 3600 + randrange(3600)
                       for h in choices(range(24), cum_weights=hour_cum, k=n))
        who = choices(range(len(dealers)), cum_weights=dealer_cum, k=n)
        chans = choices(ch_values, cum_weights=ch_cum, k=n)
        for c, k, ch in zip(times, who, chans, strict=True):
            # repeat enquiries that happened before this lead was created get their capture ids first
            while repeats and repeats[0][0] <= c:
                at, _, lid, rch = heapq.heappop(repeats)
                cap_id += 1
                buf_k.append(f"{cap_id}\t{rch}\t\t\tt\t{ch_label[rch]}\t{ts(at)}\t{lid}\n")
            lead_id += 1
            dl = dealers[k]
            agent = dl["agents"][randrange(4)] if R() < 0.9 else None
            # --- the path through the funnel ---
            contacted = invited = arrived = presented = test = nego = ordered = delivered = defeated = None
            invalid = False
            if R() < P_CONTACT:
                contacted = c + 60 + int(lognorm(7.3, 1.3))  # median ~25 min, a long tail of days
                if R() < P_INVITE:
                    invited = contacted + randrange(5 * DAY)
                    if R() < P_ARRIVE:
                        arrived = invited + DAY + randrange(9 * DAY)
                        if R() < 0.9:
                            presented = arrived + 600 + randrange(1800)
                        if R() < P_TEST:
                            test = arrived + 1200 + randrange(4200)
                        if R() < 0.3:
                            nego = arrived + 3600 + randrange(7200)
                        if R() < P_ORDER:
                            ordered = arrived + 7200 + (0 if R() < 0.4 else randrange(20 * DAY))
                            if nego is None or nego > ordered:
                                nego = ordered - 1800
                            if R() < P_DELIVER:
                                delivered = ordered + 7 * DAY + randrange(38 * DAY)
            if ordered is None:
                last = arrived or invited or contacted or c
                if invited is None and R() < P_INVALID_UNINVITED:
                    invalid, defeated = True, last + DAY + randrange(9 * DAY)
                elif R() < P_DEFEAT:
                    defeated = last + 3 * DAY + randrange(57 * DAY)
            # --- what has happened by now ---
            if defeated is not None and defeated > now_s:
                defeated, invalid = None, False
            if delivered is not None and delivered > now_s:
                delivered = None
            if ordered is not None and ordered > now_s:
                ordered = None
            if nego is not None and nego > now_s:
                nego = None
            if test is not None and test > now_s:
                test = None
            if presented is not None and presented > now_s:
                presented = None
            if arrived is not None and arrived > now_s:
                arrived = None
            if invited is not None and invited > now_s:
                invited = None
            if contacted is not None and contacted > now_s:
                contacted = None
            open_status = ("ordered" if ordered else "negotiating" if nego else "arrived" if arrived else
                           "invited" if invited else "following" if contacted else "new")
            if defeated is not None:
                status, before, closed = ("invalid" if invalid else "defeated"), open_status, defeated
            elif delivered is not None:
                status, before, closed = "delivered", "", delivered
            else:
                status, before, closed = open_status, "", None
            status_n[status] = status_n.get(status, 0) + 1
            consultant = dl["consultants"][randrange(4)] if arrived or (invited and R() < 0.3) else None
            stage = "showroom" if consultant else "dcc" if agent else "marketing"
            updated = (closed or delivered or ordered or nego or test or presented or arrived or invited
                       or contacted or c)
            if closed is None:
                follow = day_txt[updated // DAY + 1 + randrange(14)]
                grade = grades_open[randrange(12)] if contacted else "N"
            else:
                follow = NULL
                grade = grades_open[randrange(12)] if contacted else "N"
            # --- the customer (a closed lead sometimes belongs to an earlier customer) ---
            if closed is not None and cust_id and R() < P_REUSE_CUSTOMER:
                customer = 1 + randrange(cust_id)
            else:
                cust_id += 1
                customer = cust_id
                buf_c.append(f"{cust_id}\t{names[randrange(len(names))]}\t+861{3000000000 + cust_id:010d}\t"
                             f"{'member' if status == 'delivered' else 'prospect'}\t{'mf'[randrange(2)]}\t\t\t\t\t"
                             f"\\N\t\\N\t\t\t{ts(c)}\t{ts(c)}\t{dl['city']}\n")
            # --- repeat enquiries while the lead is open ---
            dup = 0
            if R() < P_REPEAT:
                for _ in range(1 if R() < 0.8 else 2 if R() < 0.75 else 3):
                    at = c + 3600 + randrange(45 * DAY)
                    if at <= now_s and (closed is None or at < closed):
                        dup += 1
                        heapq.heappush(repeats, (at, lead_id * 4 + dup, lead_id,
                                                 ch if R() < 0.6 else ch_values[randrange(len(ch_values))]))
            due = c + 1800
            late = contacted is None or contacted > due
            prefix = ch_prefix[ch]
            ref = f"{prefix}{day_txt[day_i].replace('-', '')}{lead_id:08d}" if prefix else ""
            campaign = campaign_month + CAMPAIGNS[lead_id % 3] if R() < 0.3 else ""
            model = choices(model_names, cum_weights=model_cum)[0]
            msg = MESSAGES[randrange(len(MESSAGES))] if R() < 0.1 else ""
            city = dl["city"] if R() < 0.95 else city_ids[randrange(len(city_ids))]
            reason = ("staff" if ch in STAFF_CHANNELS else
                      "city" if R() < 0.7 else "chosen" if R() < 0.85 else "nearest")
            a = NULL if agent is None else agent
            cs = NULL if consultant is None else consultant
            buf_l.append(
                f"{lead_id}\t{dl['id']}\t{customer}\t\\N\t{ch}\t{campaign}\t{ref}\t{model}\t{city}\t{msg}\t{status}\t"
                f"{before}\t{stage}\t{grade}\t\\N\t\\N\t{follow}\t{reason}\t{a}\t{cs}\t"
                f"{ts(c) if agent else NULL}\t{ts(due)}\t{ts(contacted) if contacted else NULL}\t"
                f"{(contacted - c) // 60 if contacted else NULL}\t"
                f"{ts(due + 300) if late and due + 300 <= now_s and R() < 0.5 else NULL}\t{dup}\t\\N\t{ts(c)}\t"
                f"{ts(updated)}\t"
                f"{ts(contacted) if contacted else NULL}\t{a if contacted else NULL}\t"
                f"{ts(invited) if invited else NULL}\t{a if invited else NULL}\t"
                f"{ts(arrived) if arrived else NULL}\t{cs if arrived else NULL}\t"
                f"{ts(presented) if presented else NULL}\t{cs if presented else NULL}\t"
                f"{ts(test) if test else NULL}\t{cs if test else NULL}\t"
                f"{ts(nego) if nego else NULL}\t{cs if nego else NULL}\t"
                f"{ts(ordered) if ordered else NULL}\t{cs if ordered else NULL}\t"
                f"{ts(delivered) if delivered else NULL}\t{cs if delivered else NULL}\t"
                f"{ts(defeated) if defeated else NULL}\t{dl['gm'] if defeated else NULL}\n")
            cap_id += 1
            buf_k.append(f"{cap_id}\t{ch}\t{campaign}\t{ref}\tf\t{ch_label[ch]}\t{ts(c)}\t{lead_id}\n")
            if contacted:
                stage_n["contacted"] += 1
                if invited:
                    stage_n["invited"] += 1
                if arrived:
                    stage_n["arrived"] += 1
                if test:
                    stage_n["test_driven"] += 1
                if ordered:
                    stage_n["ordered"] += 1
                if delivered:
                    stage_n["delivered"] += 1
        if len(buf_l) >= 20000 or day_i == n_days - 1:
            cp_lead.write("".join(buf_l))
            cp_cust.write("".join(buf_c))
            cp_cap.write("".join(buf_k))
            buf_l.clear(), buf_c.clear(), buf_k.clear()
        if (d + dt.timedelta(days=1)).day == 1:
            month_idx += 1
            el = time.perf_counter() - t_copy
            log(f"    {d:%Y-%m}: {lead_id:>10,} leads, {cust_id:>10,} customers, {cap_id:>10,} captures "
                f"({el:6.0f} s, {lead_id / el:,.0f} leads/s)")
    while repeats:  # repeat enquiries after the last lead was created (up to now)
        at, _, lid, rch = heapq.heappop(repeats)
        cap_id += 1
        buf_k.append(f"{cap_id}\t{rch}\t\t\tt\t{ch_label[rch]}\t{ts(at)}\t{lid}\n")
    cp_cap.write("".join(buf_k))
    for ctx in copies.values():
        ctx.__exit__(None, None, None)
    for c in conns.values():
        c.close()
    t_copy = time.perf_counter() - t_copy
    log(f"  COPY: {lead_id:,} leads, {cust_id:,} customers, {cap_id:,} captures in {t_copy:.0f} s")

    # --- indexes and constraints back, sequences, VACUUM (ANALYZE) -----------------------------
    ddl.execute("SET maintenance_work_mem = '1GB'")
    t0 = time.perf_counter()
    for table, (cons, idx) in saved.items():
        for name, definition in idx:
            t1 = time.perf_counter()
            ddl.execute(definition)
            if time.perf_counter() - t1 > 20:
                log(f"    index {name}: {time.perf_counter() - t1:.0f} s")
        for name, definition in cons:
            if definition.startswith("UNIQUE"):
                ddl.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    t_idx = time.perf_counter() - t0
    t0 = time.perf_counter()
    for table, (cons, _idx) in saved.items():
        for name, definition in cons:
            if not definition.startswith("UNIQUE"):
                ddl.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    t_fk = time.perf_counter() - t0
    for table in LEAD_TABLES:
        ddl.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    t0 = time.perf_counter()
    ddl.execute("VACUUM (ANALYZE)")
    ddl.execute("CHECKPOINT")
    t_vac = time.perf_counter() - t0
    total = time.perf_counter() - t_all
    log(f"  indexes ({n_idx}): {t_idx:.0f} s, foreign keys ({n_fk}): {t_fk:.0f} s, VACUUM (ANALYZE) + CHECKPOINT: "
        f"{t_vac:.0f} s")
    summary = {
        "leads": str(args.leads), "dealers": str(args.dealers), "months": str(args.months), "seed": str(args.seed),
        "first_month": months[0].isoformat(), "last_month": months[-1].isoformat(),
        "customers": str(cust_id), "captures": str(cap_id),
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "t_total": f"{total:.0f}", "t_copy": f"{t_copy:.0f}", "t_indexes": f"{t_idx:.0f}", "t_fks": f"{t_fk:.0f}",
        "t_vacuum": f"{t_vac:.0f}",
        "mix": ", ".join(f"{k} {v / lead_id:.1%}" for k, v in sorted(status_n.items(), key=lambda kv: -kv[1])),
        "stages": ", ".join(f"{k} {v / lead_id:.1%}" for k, v in stage_n.items()),
    }
    with ddl.cursor() as c:
        c.executemany("INSERT INTO bench_insights_meta (k, v) VALUES (%s, %s)", list(summary.items()))
    ddl.close()
    return summary


def _cum(weights: list[float]):
    total = 0.0
    for w in weights:
        total += w
        yield total


def print_sizes() -> None:
    conn = pg_connect()
    rows = conn.execute(
        "SELECT c.relname, c.reltuples::bigint, pg_relation_size(c.oid), pg_indexes_size(c.oid), "
        "pg_total_relation_size(c.oid), (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 6").fetchall()
    db = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    conn.close()
    gib = 1024 ** 3
    log(f"  {'table':<22} {'rows':>12} {'heap':>9} {'indexes':>9} {'total':>9}")
    for name, n, heap, idx, tot, n_idx in rows:
        log(f"  {name:<22} {n:>12,} {heap / gib:>7.2f} G {idx / gib:>7.2f} G {tot / gib:>7.2f} G  ({n_idx} indexes)")
    log(f"  database {harness.DB_NAME}: {db / gib:.2f} GiB")


# ---------------------------------------------------------------------------------------------
# 2. measurement

def count_star_ms(runs: int = 5) -> float:
    from django.db import connection

    times = []
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM leads_lead")  # warm
        c.fetchone()
        for _ in range(runs):
            t0 = time.perf_counter()
            c.execute("SELECT count(*) FROM leads_lead")
            c.fetchone()
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


class Bench:
    def __init__(self, args: argparse.Namespace, meta: dict[str, str]) -> None:
        from django.db import connection

        from autodcc.network.actors import actor_for_staff
        from autodcc.network.models import Dealer, Staff

        self.args = args
        self.rng = random.Random(args.seed + 1)
        self.months = month_starts(dt.date.fromisoformat(meta["last_month"]), int(meta["months"]))
        self.last_month = self.months[-1]
        self.report_day = month_end(self.last_month)
        self.dealer_ids = list(Dealer.objects.order_by("pk").values_list("pk", flat=True))
        gms = Staff.objects.filter(grants__role="dealer_gm").select_related("user").prefetch_related("grants")
        self.gm = {}
        for s in gms:
            actor = actor_for_staff(s)
            self.gm[next(iter(actor.dealer_ids))] = actor
        hq = Staff.objects.select_related("user").prefetch_related("grants").get(user__username="hq-marketing")
        self.hq = actor_for_staff(hq)
        assert self.hq.is_hq
        n = args.samples
        self.sample = [(self.rng.choice(self.dealer_ids), self.rng.choice(self.months)) for _ in range(n)]
        self.count_ms = float("nan")
        with connection.cursor() as c:  # leads per dealer (to find the biggest one for EXPLAIN)
            c.execute("SELECT dealer_id, count(*) FROM leads_lead WHERE created_at >= %s GROUP BY 1",
                      [dt.datetime.combine(self.last_month, dt.time.min, dt.timezone(dt.timedelta(hours=8)))])
            self.size = dict(c.fetchall())

    def beside(self, watch: CpuWatch | None = None) -> str:
        extra = ""
        if watch is not None:
            busy = watch.others()
            extra = f", other processes {busy:.2f} cores" + (" — DISTURBED" if busy > 0.25 else "")
        return f"[count(*) {self.count_ms:.0f} ms{extra}]"

    # the measured calls -------------------------------------------------------------------------
    def dealer_month(self, dealer_id: int, month: dt.date, basis: str = "cohort") -> None:
        from autodcc.insights.queries import Filters, funnel

        funnel(actor=self.gm[dealer_id], filters=Filters(month, month_end(month), basis=basis), group=None)

    def national_by_dealer(self) -> None:
        from autodcc.insights.queries import Filters, funnel

        funnel(actor=self.hq, filters=Filters(self.last_month, month_end(self.last_month)), group="dealer")

    def reports(self) -> int:
        from autodcc.insights.reports import daily_reports

        return len(daily_reports(day=self.report_day, with_people=True))

    # the figures --------------------------------------------------------------------------------
    def a(self, basis: str = "cohort") -> dict[str, float]:
        first, warm = [], []
        for dealer_id, month in self.sample:
            t0 = time.perf_counter()
            self.dealer_month(dealer_id, month, basis)
            first.append((time.perf_counter() - t0) * 1000)
        for dealer_id, month in self.sample:
            t0 = time.perf_counter()
            self.dealer_month(dealer_id, month, basis)
            warm.append((time.perf_counter() - t0) * 1000)
        return {"p50": pct(warm, 50), "p95": pct(warm, 95), "p99": pct(warm, 99), "max": max(warm),
                "first_p50": pct(first, 50), "first_p95": pct(first, 95)}

    def b(self, runs: int = 5) -> tuple[float, list[float]]:
        self.national_by_dealer()
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            self.national_by_dealer()
            times.append(time.perf_counter() - t0)
        return statistics.median(times), times

    def c(self, runs: int = 3) -> tuple[float, list[float], int]:
        self.reports()
        times, n = [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            n = self.reports()
            times.append(time.perf_counter() - t0)
        return statistics.median(times), times, n

    def measure(self, label: str, only: set[str] | None = None) -> dict:
        out: dict = {}
        self.count_ms = count_star_ms()
        out["count_ms"] = self.count_ms
        log(f"\n== {label} ==")
        log(f"  SELECT count(*) FROM leads_lead: median of 5 = {self.count_ms:.0f} ms")
        if only is None or "a" in only:
            w = CpuWatch()
            r = self.a("cohort")
            out["a"] = r
            log(f"  a. dealer month funnel, cohort, {len(self.sample)} dealer-months as the dealer's GM: "
                f"p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms "
                f"(first call p50 {r['first_p50']:.1f}, p95 {r['first_p95']:.1f})  "
                f"target p95 ≤ {TARGET_A_P95_MS:g} ms: "
                f"{harness.verdict(r['p95'] <= TARGET_A_P95_MS)}  {self.beside(w)}")
        if only is None or "b" in only:
            w = CpuWatch()
            med, times = self.b()
            out["b"] = med
            log(f"  b. national month by dealer ({self.last_month:%Y-%m}, HQ): median {med:.3f} s "
                f"(runs {', '.join(f'{t:.3f}' for t in times)})  target ≤ {TARGET_B_S:g} s: "
                f"{harness.verdict(med <= TARGET_B_S)}  {self.beside(w)}")
        if only is None or "c" in only:
            w = CpuWatch()
            med, times, n = self.c()
            out["c"] = med
            log(f"  c. daily_reports(day={self.report_day}, with_people=True), {n} dealers: median {med:.2f} s "
                f"(runs {', '.join(f'{t:.2f}' for t in times)})  target ≤ {TARGET_C_S:g} s: "
                f"{harness.verdict(max(times) <= TARGET_C_S)}  {self.beside(w)}")
        if only is None or "d" in only:
            w = CpuWatch()
            r = self.a("activity")
            out["d"] = r
            log(f"  d. (information) dealer month funnel, activity basis: p50 {r['p50']:.1f} ms, "
                f"p95 {r['p95']:.1f} ms, "
                f"p99 {r['p99']:.1f} ms (first call p95 {r['first_p95']:.1f})  {self.beside(w)}")
        return out

    def explain_all(self, suffix: str) -> None:
        d, m = self.sample[0]
        big = max(self.dealer_ids, key=lambda pk: self.size.get(pk, 0))
        self.explain(f"a. dealer {d} month {m:%Y-%m} cohort{suffix}", lambda: self.dealer_month(d, m), min_ms=1.0)
        self.explain(f"a. biggest dealer {big} month {self.last_month:%Y-%m} cohort{suffix}",
                     lambda: self.dealer_month(big, self.last_month), min_ms=1.0, max_plans=1)
        self.explain(f"d. dealer {d} month {m:%Y-%m} activity{suffix}", lambda: self.dealer_month(d, m, "activity"),
                     min_ms=1.0)
        self.explain(f"b. national month by dealer{suffix}", self.national_by_dealer, min_ms=20.0)
        self.explain(f"c. daily reports{suffix}", self.reports, min_ms=100.0, max_plans=3)

    # 3. EXPLAIN ------------------------------------------------------------------------------------
    def explain(self, label: str, call, min_ms: float = 5.0, max_plans: int = 4) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        call()
        with CaptureQueriesContext(connection) as ctx:
            call()
        stmts = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
        log(f"\n-- EXPLAIN: {label}: {len(stmts)} statements, {sum(t for t, _ in stmts):.1f} ms in SQL")
        for t, sql in stmts:
            log(f"   {t:8.1f} ms  {' '.join(sql.split())[:150]}")
        heavy = sorted([s for s in stmts if s[0] >= min_ms], key=lambda s: -s[0])[:max_plans]
        for t, sql in heavy:
            log(f"\n   [{t:.1f} ms] {sql}")
            with connection.cursor() as c:
                c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                for (line,) in c.fetchall():
                    log(f"     {line}")


# candidate indexes, created in SQL in the bench database only: (name, DDL, why)
STAGE_COLUMNS = ("contacted", "invited", "arrived", "test_driven", "ordered", "delivered", "defeated")
CANDIDATES = [
    ("bench_capture_repeat_at", "CREATE INDEX bench_capture_repeat_at ON leads_capture (at) INCLUDE (lead_id) "
     "WHERE duplicate", "a, b, d: the repeat enquiries of a period without reading every capture"),
    # ---- the first one alone is measured as well (a, b, d), then all of them ----
    ("bench_lead_dealer_id", "CREATE INDEX bench_lead_dealer_id ON leads_lead (dealer_id, id)",
     "a, d: a dealer's lead ids from the index alone (could replace the FK index on dealer_id)"),
    *[(f"bench_lead_{m}_at_dealer", f"CREATE INDEX bench_lead_{m}_at_dealer ON leads_lead ({m}_at, dealer_id) "
       f"WHERE {m}_at IS NOT NULL", "d, c: a stage's dates with the dealer in the index, NULLs left out "
       "(could replace lead_<stage>_at_idx)") for m in STAGE_COLUMNS],
]


def set_jit(on: bool) -> None:
    """Session setting on Django's (persistent) connection: the server default is jit = on."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SET jit = on" if on else "SET jit = off")


def summary_table(passes: list[tuple[str, dict]]) -> None:
    def f(r: dict, key: str, sub: str | None, fmt: str) -> str:
        if key not in r:
            return "—"
        v = r[key][sub] if sub else r[key]
        return format(v, fmt)

    log("\n== summary (median of 5 count(*); a., d. in ms over the dealer-months; b. median of 5, c. of 3, in s) ==")
    log(f"  {'':<44} {'count(*)':>9} {'a. p50':>7} {'a. p95':>7} {'a. p99':>7} {'b.':>7} {'c.':>7} {'d. p95':>7}")
    for label, r in passes:
        log(f"  {label:<44} {r['count_ms']:>6.0f} ms {f(r, 'a', 'p50', '.1f'):>7} {f(r, 'a', 'p95', '.1f'):>7} "
            f"{f(r, 'a', 'p99', '.1f'):>7} {f(r, 'b', None, '.3f'):>7} {f(r, 'c', None, '.2f'):>7} "
            f"{f(r, 'd', 'p95', '.1f'):>7}")
    log(f"  targets: a. p95 ≤ {TARGET_A_P95_MS:g} ms, b. ≤ {TARGET_B_S:g} s, c. ≤ {TARGET_C_S:g} s (d. information)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--leads", type=int, default=10_000_000)
    p.add_argument("--dealers", type=int, default=500)
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--samples", type=int, default=200, help="dealer-months for a. and d.")
    p.add_argument("--reuse", action="store_true", help="keep the database if it holds this generation")
    p.add_argument("--no-candidates", action="store_true", help="do not try the candidate indexes")
    p.add_argument("--keep-candidates", action="store_true", help="leave the candidate indexes in place")
    p.add_argument("--no-explain", action="store_true")
    p.add_argument("--max-wait-minutes", type=float, default=60)
    args = p.parse_args()

    harness.use_bench_env()
    import hashlib

    hashes = ", ".join(f"{Path(f).name} {hashlib.sha256((harness.ROOT / f).read_bytes()).hexdigest()[:12]}"
                       for f in MEASURED)
    log(f"insights_scale: {args.leads:,} leads, {args.dealers} dealers, {args.months} months, seed {args.seed}; "
        f"{harness.env_summary()}")
    log(f"  measured code: {hashes} (sha256 prefixes)")
    want = {"leads": str(args.leads), "dealers": str(args.dealers), "months": str(args.months), "seed": str(args.seed)}
    meta: dict[str, str] = {}
    if args.reuse and database_exists():
        with pg_connect() as conn:
            meta = meta_get(conn)
        if any(meta.get(k) != v for k, v in want.items()):
            held = {k: meta.get(k) for k in want} if meta else "no finished generation"
            log(f"  --reuse: {harness.DB_NAME} holds {held}, generating afresh")
            meta = {}
    import shutil

    free = shutil.disk_usage("/work").free / 1024 ** 3
    log(f"  free disk on /work: {free:.1f} GiB")
    if not meta:
        if free < 25 * args.leads / 10_000_000:
            sys.exit(f"not enough free disk: {free:.1f} GiB (needs ~{25 * args.leads / 10_000_000:.0f} GiB with WAL)")
        wait_quiet("generation", args.max_wait_minutes)
        log("\n== 1. generation ==")
        meta = generate(args)
    else:
        import django

        django.setup()
        log(f"\n== 1. generation (reused, made {meta['generated_at']}) ==")
    log(f"  months {meta['first_month'][:7]} … {meta['last_month'][:7]}; {int(meta['leads']):,} leads, "
        f"{int(meta['customers']):,} customers, {int(meta['captures']):,} captures")
    log(f"  status mix: {meta['mix']}")
    log(f"  reached: {meta['stages']}")
    log(f"  generation time: {meta['t_total']} s (COPY {meta['t_copy']} s, indexes {meta['t_indexes']} s, foreign keys "
        f"{meta['t_fks']} s, VACUUM (ANALYZE) {meta['t_vacuum']} s)")
    print_sizes()
    log(f"  free disk on /work after generation: {shutil.disk_usage('/work').free / 1024 ** 3:.1f} GiB")

    wait_quiet("measurement", args.max_wait_minutes)
    bench = Bench(args, meta)
    passes = [("app schema, jit on (server default)", bench.measure("2. measurement (app schema, jit on)"))]

    if not args.no_explain:
        log("\n== 3. EXPLAIN (ANALYZE, BUFFERS) of the statements each call sends ==")
        bench.explain_all("")

    from django.db import connection

    set_jit(False)
    passes.append(("app schema, jit off", bench.measure("2'. measurement (app schema, SET jit = off)")))
    set_jit(True)

    if not args.no_candidates:
        wait_quiet("candidates", args.max_wait_minutes)
        log("\n== 4. candidate indexes (SQL in this database only; src/ unchanged) ==")

        def create(candidates: list[tuple[str, str, str]]) -> None:
            with connection.cursor() as c:
                c.execute("SET maintenance_work_mem = '1GB'")
                for name, ddl, why in candidates:
                    t0 = time.perf_counter()
                    c.execute(f"DROP INDEX IF EXISTS {name}")
                    c.execute(ddl)
                    c.execute("SELECT pg_relation_size(%s::regclass)", [name])
                    size = c.fetchone()[0]
                    log(f"  {ddl}  -- {time.perf_counter() - t0:.0f} s, {size / 1024 ** 2:.0f} MiB; {why}")
                c.execute("ANALYZE leads_lead")
                c.execute("ANALYZE leads_capture")
                c.execute("RESET maintenance_work_mem")

        create(CANDIDATES[:1])
        passes.append((f"{CANDIDATES[0][0]} only, jit on",
                       bench.measure(f"4'. measurement with {CANDIDATES[0][0]} only, jit on", only={"a", "b", "d"})))
        if not args.no_explain:
            d, m = bench.sample[0]
            bench.explain(f"a. dealer {d} month {m:%Y-%m} cohort, {CANDIDATES[0][0]} only",
                          lambda: bench.dealer_month(d, m), min_ms=3.0, max_plans=1)
        create(CANDIDATES[1:])
        passes.append(("candidate indexes, jit on", bench.measure("5. measurement with the candidate indexes, jit on")))
        set_jit(False)
        passes.append(("candidate indexes, jit off",
                       bench.measure("5'. measurement with the candidate indexes, SET jit = off")))
        if not args.no_explain:
            log("\n== 6. EXPLAIN with the candidate indexes, jit off ==")
            bench.explain_all(", candidates, jit off")
        # the candidates as replacements: the indexes they would supersede dropped for one pass, then rebuilt
        with connection.cursor() as c:
            c.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'leads_lead' AND "
                      "(indexname = ANY(%s) OR indexdef LIKE '%%USING btree (dealer_id)')",
                      [[f"lead_{m}_at_idx" for m in STAGE_COLUMNS]])
            replaced = c.fetchall()
        log(f"\n== 7. the candidates replacing {', '.join(n for n, _ in replaced)} (dropped for this pass) ==")
        try:
            with connection.cursor() as c:
                for name, _ in replaced:
                    c.execute(f'DROP INDEX "{name}"')
            passes.append(("candidates replacing 8 app indexes, jit off",
                           bench.measure("7. candidates replacing the stage and dealer_id indexes, SET jit = off")))
            if not args.no_explain:
                bench.explain("c. daily reports, candidates replacing the app indexes, jit off", bench.reports,
                              min_ms=100.0, max_plans=2)
        finally:
            t0 = time.perf_counter()
            with connection.cursor() as c:
                c.execute("SET maintenance_work_mem = '1GB'")
                for name, definition in replaced:
                    c.execute(f'DROP INDEX IF EXISTS "{name}"')
                    c.execute(definition)
                c.execute("RESET maintenance_work_mem")
                c.execute("ANALYZE leads_lead")
            log(f"  {len(replaced)} app indexes rebuilt ({time.perf_counter() - t0:.0f} s)")
        set_jit(True)
        if not args.keep_candidates:
            with connection.cursor() as c:
                for name, *_ in CANDIDATES:
                    c.execute(f"DROP INDEX IF EXISTS {name}")
            log("  candidate indexes dropped again (--keep-candidates keeps them)")
    summary_table(passes)


if __name__ == "__main__":
    main()
