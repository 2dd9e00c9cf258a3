"""A sales manager reads the funnel in a browser: filters by month and channel (htmx), the charts
draw, the problem stage stands out, the defeat Pareto leads to its leads, and the Excel download
has the same figures as the screen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from autodcc.customers.models import Customer
from autodcc.insights.exports import COUNT_COLUMNS
from autodcc.leads.models import Capture, DefeatRequest, DefeatStatus, Lead, Status
from tests.browser.conftest import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def lead(dealer, n, channel, created, status=Status.FOLLOWING, **stamps):
    customer = Customer.objects.create(name=f"客户{n}", phone=f"+86137000{n:05d}")
    open_ = status not in (Status.DEFEATED, Status.INVALID, Status.DELIVERED)
    return Lead.objects.create(dealer=dealer, customer=customer, channel=channel, created_at=at(created), status=status,
                               allocation_reason="city", next_follow_up_on=dt.date(2026, 12, 1) if open_ else None,
                               **{k: at(v) for k, v in stamps.items()})


def build_scenario(net) -> dict[int, Lead]:
    """Dealer A in September 2026: 4 leads from Autohome (one ordered, one defeated on price), 2 from
    Yiche (one invalid), and 5 August leads from Yiche defeated in September; dealer B: 3 from
    Dongchedi (one defeated, bought a competitor)."""
    a, b = net.dealer_a, net.dealer_b
    L = {
        1: lead(a, 1, "autohome", "2026-09-02", Status.ORDERED, contacted_at="2026-09-02", invited_at="2026-09-03",
                arrived_at="2026-09-05", ordered_at="2026-09-06"),
        2: lead(a, 2, "autohome", "2026-09-10", Status.ARRIVED, contacted_at="2026-09-10", invited_at="2026-09-11",
                arrived_at="2026-09-12"),
        3: lead(a, 3, "autohome", "2026-09-28", Status.INVITED, contacted_at="2026-09-28", invited_at="2026-10-02"),
        4: lead(a, 4, "autohome", "2026-09-15", Status.DEFEATED, contacted_at="2026-09-15", defeated_at="2026-09-20"),
        5: lead(a, 5, "yiche", "2026-09-16", Status.INVALID, contacted_at="2026-09-16"),
        6: lead(a, 6, "yiche", "2026-09-17"),
        9: lead(b, 9, "dongchedi", "2026-09-04", Status.ARRIVED, contacted_at="2026-09-04", invited_at="2026-09-05",
                arrived_at="2026-09-08"),
        10: lead(b, 10, "dongchedi", "2026-09-05", Status.INVITED, contacted_at="2026-09-05", invited_at="2026-09-06"),
        11: lead(b, 11, "dongchedi", "2026-09-07", Status.DEFEATED, contacted_at="2026-09-07",
                 defeated_at="2026-09-25"),
    }
    # leads from August, defeated in September: in September's Pareto, not in its cohort
    for n, reason in ((20, "budget"), (21, "budget"), (22, "competitor"), (23, "design"), (24, "finance")):
        L[n] = lead(a, n, "yiche", "2026-08-20", Status.DEFEATED, contacted_at="2026-08-20",
                    defeated_at="2026-09-12")
        DefeatRequest.objects.create(lead=L[n], kind="defeat", reason=reason, status=DefeatStatus.APPROVED,
                                     decided_at=at("2026-09-12"))
    Capture.objects.create(lead=L[1], channel="autohome", duplicate=True, by_label="t", at=at("2026-09-08"))
    for target, reason, day in ((L[4], "price", "2026-09-20"), (L[11], "competitor", "2026-09-25")):
        DefeatRequest.objects.create(lead=target, kind="defeat", reason=reason, status=DefeatStatus.APPROVED,
                                     decided_at=at(day))
    return L


def figure(page: Page, metric: str):
    return page.locator(f'#totals [data-metric="{metric}"]')


def expect_chart(page: Page, selector: str) -> None:
    """ECharts drew into the container (a canvas, or an svg with the svg renderer)."""
    expect(page.locator(f"{selector} canvas, {selector} svg").first).to_be_visible()
    expect(page.locator(f"{selector} .chart")).to_have_attribute("data-rendered", re.compile(r"\w+"))


def test_a_manager_reads_filters_and_exports_the_funnel(live_net, live_server, log_in, shot, tmp_path):
    L = build_scenario(live_net)
    page = log_in(live_net.a_manager)
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(f"{page.url}: {m.text}")
            if m.type == "error" and "Content Security Policy" in m.text else None)

    go_to(page, "insights")
    expect(page).to_have_url(f"{live_server.url}/console/insights/")
    expect_chart(page, "#funnel-chart")
    page.evaluate("window.__noReload = true")

    # September: the hand-computed figures, with the problem stage first
    page.locator("#id_month").fill("2026-09")
    expect(page).to_have_url(re.compile(r"/console/insights/\?(.*&)?month=2026-09(&|$)"))
    expect(figure(page, "leads")).to_have_text("6")
    for metric, n in (("valid", "5"), ("invited", "3"), ("arrived", "2"), ("ordered", "1"), ("defeated", "1")):
        expect(figure(page, metric)).to_have_text(n)
    for code, value in (("invite_rate", "60.0"), ("arrival_rate", "66.7"), ("close_rate", "50.0"),
                        ("lead_close_rate", "20.0"), ("defeat_rate", "20.0")):
        expect(page.locator(f'#rates [data-rate="{code}"]')).to_have_text(value)
    expect(page.locator("#problem-stage")).to_have_attribute("data-step", "contacted>invited")
    expect(page.locator("#problem-stage")).to_be_visible()
    expect_chart(page, "#funnel-chart")
    expect_chart(page, "#group-chart")
    assert page.evaluate("window.__noReload === true"), "the filters reloaded the page instead of swapping it"
    shot(page, "dashboard-manager")

    # only Autohome: the figures and the charts follow
    page.locator("#id_channel").select_option("autohome")
    expect(page).to_have_url(re.compile(r"channel=autohome"))
    expect(figure(page, "leads")).to_have_text("4")
    expect(figure(page, "valid")).to_have_text("4")
    expect(page.locator('#rates [data-rate="invite_rate"]')).to_have_text("75.0")
    expect_chart(page, "#funnel-chart")
    expect_chart(page, "#group-chart")
    expect(page.locator("#funnel-table tbody tr")).to_have_count(1)

    # the Excel download has what the screen shows
    with page.expect_download() as info:
        page.locator("#export-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = [list(r) for r in load_workbook(path).active.iter_rows(values_only=True)]
    total = dict(zip(COUNT_COLUMNS, rows[-1][1:1 + len(COUNT_COLUMNS)], strict=True))
    assert (total["leads"], total["valid"], total["invited"], total["arrived"], total["ordered"],
            total["defeated"]) == (4, 4, 3, 2, 1, 1)
    for metric in ("leads", "valid", "invited", "arrived", "ordered", "defeated"):
        assert str(total[metric]) == figure(page, metric).inner_text()

    # defeat analysis with the same filters: the Pareto, then the leads behind a reason
    page.locator("#to-defeats").click()
    expect(page).to_have_url(re.compile(r"/console/insights/defeats/\?.*channel=autohome"))
    expect_chart(page, "#pareto-chart")
    expect(page.locator("#defeat-table tbody tr[data-reason]")).to_have_count(1)
    page.locator("#id_channel").select_option("")  # all channels: A's own reasons, B's competitor not among them
    expect(page.locator("#defeat-table tbody tr[data-reason]")).to_have_count(5)
    expect(page.locator("#defeat-table tbody tr[data-reason]").first).to_have_attribute("data-reason", "budget")
    expect(page.locator('#defeat-table tr[data-reason="competitor"] td').nth(1)).to_have_text("1")
    expect_chart(page, "#pareto-chart")
    shot(page, "defeats-manager")
    page.locator('[data-reason-link="price"]').click()
    expect(page).to_have_url(re.compile(r"/console/insights/defeats/leads/\?.*reason=price"))
    rows = page.locator("#defeat-lead-table tbody tr[data-lead]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-lead", L[4].number)
    expect(rows.first).to_contain_text("137****0004")
    rows.first.get_by_role("link", name=L[4].number).click()
    expect(page).to_have_url(f"{live_server.url}/console/leads/{L[4].pk}/")
    assert not csp_errors, csp_errors


def test_hq_sorts_the_table_by_dealer_and_keeps_its_heading_in_view(live_net, live_server, log_in, shot):
    build_scenario(live_net)
    page = log_in(live_net.hq_marketer)  # lands on the dashboard
    page.goto(f"{live_server.url}/console/insights/?date_from=2026-09-01&date_to=2026-09-30&group=dealer")
    table = page.locator("#funnel-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    heading = table.locator('thead th[data-col="leads"]')
    heading.click()  # most leads first
    expect(heading).to_have_attribute("aria-sort", "descending")
    expect(rows.first.locator("th")).to_contain_text("SH-001")  # 6 leads against HZ-001's 3
    heading.click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    expect(rows.first.locator("th")).to_contain_text("HZ-001")
    assert heading.evaluate("th => getComputedStyle(th).position") == "sticky"
    assert table.locator("tbody th").first.evaluate("th => getComputedStyle(th).position") == "sticky"
    shot(page, "insights-by-dealer-sorted-1366")
