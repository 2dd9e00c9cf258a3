"""First load, in a real browser, of each staff persona's landing page and of a lead page (target ≤ 1 s).

Run: .venv/bin/python bench/console_first_load.py [--runs 3] [--workers 2]

A fresh PostgreSQL database (the bench harness's, its own name), migrated, `collectstatic`, the full
demo data (`demo_data`); gunicorn (`autodcc.wsgi:application`, DEBUG=0: static files from WhiteNoise
with the manifest) and headless Chromium (Playwright, 1366×900, zh-CN). Per persona and run:

- landing: a new context (empty cache), the login form, and the page the login redirects to (the
  navigation starts with the login POST, so its server time includes the login and the redirects);
- lead (warm): one lead page opened next in the same context (static files cached);
- lead (cold): a new context logged in over HTTP only (no page loaded), then the same lead page.

Navigation Timing (responseStart, domContentLoadedEventEnd, loadEventEnd from the navigation's start),
bytes transferred (the document and every resource), script time (Chromium's ScriptDuration); the
median of `--runs` runs per figure, PASS/MISS on load ≤ 1000 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DB", "autodcc_bench_console")  # its own database: other benchmarks may be running

from bench import harness

TARGET_MS = 1000.0
PASSWORD = "autodcc-demo"  # network.demo.DEMO_PASSWORD (checked once Django is set up)
PERSONAS = [  # one login per role, as the demo creates them (network/demo.py)
    ("hq-marketing", "HQ marketing"), ("hq-service", "HQ customer service"), ("hq-finance", "HQ finance"),
    ("rm-east", "regional manager"), ("sh-001-gm", "dealer GM"), ("sh-001-sm", "sales manager"),
    ("sh-001-dccs", "DCC supervisor"), ("sh-001-dcc1", "DCC agent"), ("sh-001-sc1", "sales consultant"),
    ("sh-001-sa", "service advisor"),
]
LEAD_PATH = re.compile(r"^/console/leads/\d+/$")
LOADED = "() => { const n = performance.getEntriesByType('navigation')[0]; return !!n && n.loadEventEnd > 0; }"
TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const one = (name, e, start) => ({name, size: e.transferSize, body: e.decodedBodySize, start, end: e.responseEnd});
  return {
    path: location.pathname + location.search, server: n.responseStart - n.startTime,
    redirect: n.redirectCount ? n.redirectEnd - n.redirectStart : 0,
    dcl: n.domContentLoadedEventEnd - n.startTime, load: n.loadEventEnd - n.startTime,
    bytes: n.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
    resources: [one('document ' + location.pathname, n, n.requestStart), ...res.map(r => one(r.name, r, r.startTime))],
  };
}"""
LEAD_LINK = """() => Array.from(document.querySelectorAll('a[href]'), a => new URL(a.href).pathname)"""
FIGURES = ("server", "redirect", "dcl", "load", "script", "bytes")


def script_ms(cdp: Any) -> float:
    """Chromium's cumulative JavaScript time in this page's renderer (ms)."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics.get("ScriptDuration", 0.0) * 1000


def measured(page: Any, cdp: Any, script_before: float, errors: list[str]) -> dict[str, Any]:
    """The timings of the page just navigated to, once its load event has finished."""
    page.wait_for_function(LOADED)
    timing = page.evaluate(TIMING)
    after = script_ms(cdp)
    timing["script"] = after - script_before if after >= script_before else after  # renderer swapped
    timing["errors"] = list(errors)
    errors.clear()
    return timing


def new_page(browser: Any, base: str) -> tuple[Any, Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", base_url=base)
    page = context.new_page()
    errors: list[str] = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    return context, page, cdp, errors


def landing_and_lead(browser: Any, base: str, login: str, lead: str | None) -> tuple[dict, dict | None, str | None]:
    """New context: the login form, the landing page it leads to, then one lead page (warm cache)."""
    context, page, cdp, errors = new_page(browser, base)
    try:
        page.goto("/console/login/")
        form = page.locator("main form")
        form.locator("input[name=username]").fill(login)
        form.locator("input[name=password]").fill(PASSWORD)
        before = script_ms(cdp)
        with page.expect_navigation(wait_until="load"):
            form.locator("button[type=submit]").click()
        if "/console/login/" in page.url:
            raise SystemExit(f"{login}: the login failed ({page.url})")
        landing = measured(page, cdp, before, errors)
        if lead is None:  # a lead this persona sees: on its landing page, else first in its lead list
            paths = [p for p in page.evaluate(LEAD_LINK) if LEAD_PATH.match(p)]
            if not paths and page.goto("/console/leads/").ok:
                page.wait_for_load_state("load")
                paths = [p for p in page.evaluate(LEAD_LINK) if LEAD_PATH.match(p)]
            errors.clear()
            lead = paths[0] if paths else None
        if lead is None:
            return landing, None, None
        before = script_ms(cdp)
        page.goto(lead, wait_until="load")
        return landing, measured(page, cdp, before, errors), lead
    finally:
        context.close()


def cold_lead(browser: Any, base: str, login: str, lead: str) -> dict:
    """New context logged in over HTTP (no page loaded, empty cache), then the lead page."""
    context, page, cdp, errors = new_page(browser, base)
    try:
        form = context.request.get("/console/login/").text()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        answer = context.request.post("/console/login/", max_redirects=0, form={
            "csrfmiddlewaretoken": token, "username": login, "password": PASSWORD})
        if answer.status != 302:
            raise SystemExit(f"{login}: the login over HTTP answered {answer.status}")
        before = script_ms(cdp)
        page.goto(lead, wait_until="load")
        return measured(page, cdp, before, errors)
    finally:
        context.close()


def descendants(root: int, leave_out: int) -> list[int]:
    """Every process below ``root`` (the Playwright driver and Chromium), except ``leave_out``'s tree."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [root]
    while todo:
        current = todo.pop()
        children = [pid for pid, ppid in parent.items() if ppid == current and pid != leave_out]
        found += children
        todo += children
    return found


def median_of(runs: list[dict]) -> dict[str, Any]:
    row = {k: statistics.median(r[k] for r in runs) for k in FIGURES}
    row["path"] = runs[0]["path"]
    row["runs"] = runs
    return row


def breakdown(label: str, row: dict[str, Any]) -> None:
    """What the median run of one page spent its time on: the document and the resources that ended last."""
    run = sorted(row["runs"], key=lambda r: r["load"])[len(row["runs"]) // 2]
    print(f"\n{label} {run['path']} (median run: load {run['load']:.0f} ms, server {run['server']:.0f} ms, "
          f"of which login + redirects {run['redirect']:.0f} ms; DOMContentLoaded {run['dcl']:.0f} ms; "
          f"script {run['script']:.0f} ms; {run['bytes'] / 1024:.0f} KB)")
    print(f"  {'resource':58} {'KB sent':>8} {'KB body':>8} {'start ms':>9} {'end ms':>8}")
    document, *resources = run["resources"]
    for r in [document, *sorted(resources, key=lambda r: -r["end"])[:5]]:
        name = r["name"].split("/static/", 1)[-1][-58:]
        print(f"  {name:58} {r['size'] / 1024:8.1f} {r['body'] / 1024:8.1f} {r['start']:9.0f} {r['end']:8.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (serve's default: 2)")
    args = parser.parse_args()
    harness.setup_django(fresh=True)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from playwright.sync_api import sync_playwright

    from autodcc.network import demo

    assert demo.DEMO_PASSWORD == PASSWORD, "the demo password changed"
    env = harness.bench_env()
    static_root = Path(env.get("STATIC_ROOT") or Path(env["AUTODCC_VAR_DIR"]) / "static").resolve()
    assert Path(settings.STATIC_ROOT).resolve() == static_root, (settings.STATIC_ROOT, static_root)
    call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment serves them
    assert (static_root / "staticfiles.json").exists(), "collectstatic wrote no manifest"
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    print(out.getvalue().splitlines()[0])
    known = set(get_user_model().objects.filter(username__in=[p for p, _ in PERSONAS]).values_list("username", flat=True))
    personas = [(login, role) for login, role in PERSONAS if login in known]
    rows: list[tuple[str, str, dict[str, Any]]] = []
    cpu: dict[str, float] = {}
    with harness.Gunicorn(workers=args.workers) as server, sync_playwright() as pw:
        base = f"http://127.0.0.1:{server.port}"
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True)
        me, master = os.getpid(), server.pids()[0]
        tracker = harness.CpuTracker(lambda: {
            "gunicorn": server.pids(), "postgres": harness.postgres_pids(harness.DB_NAME),
            "browser": descendants(me, master), "this script": [me]})
        busy0, start = harness.machine_busy_seconds(), time.monotonic()
        for login, role in personas:
            landing: list[dict] = []
            warm: list[dict] = []
            cold: list[dict] = []
            lead = None
            for _ in range(args.runs):
                first, second, lead = landing_and_lead(browser, base, login, lead)
                landing.append(first)
                if second is not None and lead is not None:
                    warm.append(second)
                    cold.append(cold_lead(browser, base, login, lead))
            who = f"{role} ({login})"
            rows.append((who, "landing, cold", median_of(landing)))
            if lead is None:
                rows.append((who, "lead: none visible, skipped", {}))
            else:
                rows.append((who, "lead, warm", median_of(warm)))
                rows.append((who, "lead, cold", median_of(cold)))
        busy, wall = harness.machine_busy_seconds() - busy0, time.monotonic() - start
        cpu = tracker.stop()
        browser.close()
    print(f"\n{'persona':36} {'page':14} {'path':26} {'server':>6} {'(login)':>7} {'DCL':>5} {'load':>5} "
          f"{'script':>6} {'KB':>6}")
    for who, page, row in rows:
        if not row:
            print(f"{who:36} {page}")
            continue
        login = f"{row['redirect']:7.0f}" if row["redirect"] else " " * 7
        print(f"{who:36} {page:14} {row['path'][:26]:26} {row['server']:6.0f} {login} "
              f"{row['dcl']:5.0f} {row['load']:5.0f} {row['script']:6.0f} {row['bytes'] / 1024:6.0f} "
              f"{harness.verdict(row['load'] <= TARGET_MS)}")
        for error in sorted({e for r in row["runs"] for e in r["errors"]}):
            print(f"  !! {error}")
    measured_rows = [(who, page, row) for who, page, row in rows if row]
    worst = max(measured_rows, key=lambda r: r[2]["load"])
    misses = [r for r in measured_rows if r[2]["load"] > TARGET_MS]
    print(f"(ms from the navigation's start, median of {args.runs} runs; server = responseStart, (login) = the "
          f"part of it in the login POST and redirects; script = Chromium's ScriptDuration; KB transferred)")
    breakdown("slowest page:", worst[2])
    for who, page, row in misses:
        if row is not worst[2]:
            breakdown(f"MISS {who} {page}:", row)
    ours = sum(cpu.values())
    print(f"\nmachine: {os.cpu_count()} CPUs, shared by the browser, gunicorn ({args.workers} sync workers) and "
          f"PostgreSQL. Cores used over the {wall:.0f} s of measurement: " + ", ".join(
              f"{name} {seconds / wall:.2f}" for name, seconds in cpu.items())
          + f", other processes {max(0.0, busy - ours) / wall:.2f}, machine {busy / wall:.2f}")
    print(f"{harness.verdict(not misses)}  every first load ≤ {TARGET_MS:g} ms: worst {worst[2]['load']:.0f} ms "
          f"({worst[0]}, {worst[1]}, {worst[2]['path']}); {len(misses)} of {len(measured_rows)} pages miss")
    return 0 if not misses else 1


if __name__ == "__main__":
    sys.exit(main())
