"""The insight pages show exactly the hand-computed figures of the scenario (conftest.py), export
them to Excel with the same filters, keep each persona to its scope and make the problem stage stand out."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.utils import translation
from openpyxl import load_workbook

from autodcc.core.errors import Forbidden
from autodcc.core.models import AuditLog
from autodcc.insights import kpi
from autodcc.insights.exports import COUNT_COLUMNS
from autodcc.insights.models import MonthlyTarget, PlatformScore
from autodcc.insights.queries import rate_definitions
from autodcc.insights.targets import target_set
from autodcc.leads.models import Lead

SEPT = {"month": "2026-09"}
# dealer A, September (by cohort): the hand-computed table
A_SEPT = {"leads": 6, "valid": 5, "invited": 3, "arrived": 2, "ordered": 1, "defeated": 1}
A_SEPT_RATES = {"invite_rate": "60.0", "arrival_rate": "66.7", "close_rate": "50.0", "lead_close_rate": "20.0",
                "defeat_rate": "20.0"}
DEALER_A_PERSONAS = ["a_manager", "a_gm", "a_supervisor", "a_agent", "a_consultant"]


def figures(html: str) -> dict[str, int]:
    return {m: int(n) for m, n in re.findall(r'data-metric="(\w+)"[^>]*>\s*(\d+)\s*<', html)}


def rates(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-rate="(\w+)">([\d.]+|—)<', html))


def rate_card(html: str, code: str) -> str:
    match = re.search(rf'<article class="rate[^"]*" data-rate-card="{code}">(.*?)</article>', html, re.S)
    assert match, code
    return match.group(1)


def lead_rows(html: str) -> list[str]:
    return re.findall(r'<tr data-lead="(L\d+)"', html)


def sheet_of(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


def get(client, name, *args, **params):
    return client.get(reverse(f"console:{name}", args=args), params)


# --- the dashboard and its export ----------------------------------------------------------------


def test_the_dashboard_shows_the_hand_computed_figures_of_dealer_a(scenario, net, login):
    client = login(net.a_manager)
    response = get(client, "insights", **SEPT)
    assert response.status_code == 200
    html = response.content.decode()
    shown = figures(html)
    for metric, n in A_SEPT.items():
        assert shown[metric] == n, metric
    assert shown["repeats"] == 2 and shown["invalid"] == 1
    shown_rates = rates(html)
    for code, value in A_SEPT_RATES.items():
        assert shown_rates[code] == value, code
    # each rate says what it divides: "= invited 3 ÷ valid leads 5"
    with translation.override("zh-hans"):
        invite = rate_card(html, "invite_rate")
        assert f"= {kpi.label_of('invited')} 3 ÷ {kpi.label_of('valid')} 5" in invite
        arrival = rate_card(html, "arrival_rate")
        assert f"= {kpi.label_of('invited_arrived')} 2 ÷ {kpi.label_of('invited')} 3" in arrival
        # a denominator that is a sum is bracketed: "÷ (线索 + 重复咨询) 8", never "÷ 线索 + 重复咨询 8"
        valid = rate_card(html, "valid_rate")
        assert "= 有效线索 5 ÷ (线索 + 重复咨询) 8" in valid
        assert "(线索 + 重复咨询)" in html[html.index('data-col="valid_rate"'):]
    # the funnel chart and the grouped bar chart are there, as data for charts.js
    assert 'id="funnel-chart"' in html and 'id="group-chart"' in html and "echarts.min.js" in html
    # the problem stage: contacted → invited, 60.0 % against the brand's 62.5 % (5 of 8 in September)
    assert 'id="problem-stage" role="alert" data-step="contacted&gt;invited"' in html
    assert '<li class="bad weakest" data-step="contacted&gt;invited">' in html
    # grouped by channel (the default): Autohome 4 leads, Yiche 2, and the total row
    table = html[html.index('id="funnel-table"'):]
    rows = re.findall(r'<tr data-row="([^"]+)">\s*<th scope="row">[^<]*</th>\s*<td>(\d+)</td>', table)
    assert sorted(int(n) for _label, n in rows) == [2, 4]
    assert re.search(r'<tr data-row="total">\s*<th scope="row">[^<]*</th>\s*<th>6</th>', table)


def test_the_excel_export_has_the_same_figures(scenario, net, login):
    client = login(net.a_manager)
    before = AuditLog.objects.filter(action="insights.export").count()
    page = get(client, "insights", **SEPT).content.decode()
    link = re.search(r'href="([^"]+)" role="button" class="outline" id="export-xlsx"', page).group(1)
    response = client.get(link.replace("&amp;", "&"))
    table = sheet_of(response)
    assert "attachment" in response["Content-Disposition"]
    header, *body = table
    total = body[-1]  # the groups (Autohome, Yiche), then the total
    assert len(body) == 3
    counts = dict(zip(COUNT_COLUMNS, total[1:1 + len(COUNT_COLUMNS)], strict=True))
    for metric, n in A_SEPT.items():
        assert counts[metric] == n, metric
    codes = [d.code for d in rate_definitions()]
    rate_cells = dict(zip(codes, total[2 + len(COUNT_COLUMNS):], strict=True))
    for code, value in A_SEPT_RATES.items():
        assert Decimal(str(rate_cells[code])) == Decimal(value), code
    assert "÷" in header[2 + len(COUNT_COLUMNS)]
    assert header[2 + len(COUNT_COLUMNS)].endswith("÷ (线索 + 重复咨询)")  # the valid-lead rate's sum, bracketed
    assert sorted(r[1] for r in body[:-1]) == [2, 4]  # leads per channel
    log = AuditLog.objects.filter(action="insights.export").order_by("-pk").first()
    assert AuditLog.objects.filter(action="insights.export").count() == before + 1
    assert log.actor_user_id == net.a_manager.user.pk
    assert log.after["filters"]["date_from"] == "2026-09-01" and log.after["filters"]["group"] == "channel"


def test_filtering_by_channel_gives_the_autohome_leads(scenario, net, login):
    client = login(net.a_manager)
    html = get(client, "insights", channel="autohome", **SEPT).content.decode()
    assert figures(html)["leads"] == 4 and figures(html)["invited"] == 3
    # htmx asks for the results only
    partial = client.get(reverse("console:insights"), {"channel": "autohome", **SEPT}, HTTP_HX_REQUEST="true")
    fragment = partial.content.decode()
    assert fragment.lstrip().startswith('<div id="results">') and "<html" not in fragment
    assert figures(fragment)["leads"] == 4
    sheet = sheet_of(get(client, "insights_export", channel="autohome", **SEPT))
    assert sheet[-1][1] == 4


def test_a_period_of_dates_and_the_activity_basis(scenario, net, login):
    client = login(net.a_manager)
    html = get(client, "insights", date_from="2026-09-01", date_to="2026-10-31", group="month").content.decode()
    assert figures(html)["leads"] == 8
    activity = get(client, "insights", basis="activity", month="2026-10").content.decode()
    assert figures(activity)["invited"] == 2  # L3's invitation on 2 October and L7's
    bad = get(client, "insights", date_from="2026-09-30", date_to="2026-09-01", month="2026-09")
    assert bad.status_code == 200 and figures(bad.content.decode())["leads"] == 6  # refused, the month stands


def test_dealer_staff_see_the_brand_only_as_an_aggregate(scenario, net, login):
    html = get(login(net.a_manager), "insights", group="dealer", **SEPT).content.decode()
    assert "SH-001" in html and "HZ-001" not in html
    hq = get(login(net.hq_marketer), "insights", group="dealer", **SEPT).content.decode()
    assert "SH-001" in hq and "HZ-001" in hq and figures(hq)["leads"] == 9


# --- defeat analysis and its drill-down ----------------------------------------------------------


def test_the_drill_down_from_price_lists_lead_l4_only(scenario, net, login):
    client = login(net.a_manager)
    html = get(client, "insights_defeats", **SEPT).content.decode()
    assert 'id="pareto-chart"' in html
    assert re.findall(r'data-reason-link="(\w+)"', html) == ["price"]  # B's competitor defeat is not A's
    # the figures' headers are right-aligned like their figures; the kind is text, left-aligned
    table = html[html.index('id="defeat-table"'):]
    assert len(re.findall(r'<th class="num">', table[:table.index("</thead>")])) == 3
    assert '<td class="text">' in table
    link = re.search(r'<a href="([^"]+)" data-reason-link="price">', html).group(1).replace("&amp;", "&")
    leads = client.get(link)
    assert leads.status_code == 200
    page = leads.content.decode()
    assert lead_rows(page) == [scenario[4].number]
    assert reverse("console:lead_detail", args=[scenario[4].pk]) in page
    assert "137****0004" in page and "13700000004" not in page  # the phone masked
    # the same drill-down as an Excel sheet, phones masked
    sheet = sheet_of(client.get(link + "&format=xlsx"))
    assert [r[0] for r in sheet[1:]] == [scenario[4].number]
    assert sheet[1][2] == "137****0004"
    # HQ sees both reasons; another month has none
    hq = login(net.hq_marketer)
    assert lead_rows(get(hq, "insights_defeat_leads", reason="competitor", **SEPT).content.decode()) == [
        scenario[11].number]
    assert lead_rows(get(hq, "insights_defeat_leads", reason="price", month="2026-10").content.decode()) == []
    assert get(hq, "insights_defeat_leads", reason="nonsense").status_code == 404


def test_the_pareto_exports(scenario, net, login):
    sheet = sheet_of(get(login(net.hq_marketer), "insights_defeats", format="xlsx", **SEPT))
    assert [(r[2], Decimal(str(r[4]))) for r in sheet[1:]] == [(1, Decimal("50.0")), (1, Decimal("100.0"))]


# --- scope: other dealers, consultants, exports --------------------------------------------------


def dealer_urls(net):
    """Every insight URL that takes a dealer, with dealer B's."""
    return {"insights_daily_dealer": net.dealer_b.pk, "insights_monthly_dealer": net.dealer_b.pk}


def test_every_insight_url_with_an_argument_is_enumerated(net):
    console = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "console")
    with_args = {p.name for p in console.url_patterns
                 if isinstance(p, URLPattern) and p.pattern.converters and p.name.startswith("insights")}
    assert with_args == set(dealer_urls(net))


@pytest.mark.parametrize("who", DEALER_A_PERSONAS)
def test_another_dealers_reports_are_404_for_dealer_a_staff(scenario, net, login, who):
    client = login(getattr(net, who))
    for name, pk in dealer_urls(net).items():
        url = reverse(f"console:{name}", args=[pk])
        assert client.get(url).status_code == 404, name
        assert client.get(url, {"format": "xlsx"}).status_code == 404, name
        assert client.post(url, {"leads": 1, "arrivals": 1, "orders": 1}).status_code == 404, name
        own = reverse(f"console:{name}", args=[net.dealer_a.pk])
        assert client.get(own).status_code == 200, name
    assert not MonthlyTarget.objects.filter(dealer=net.dealer_b).exists()


def test_the_region_reaches_its_dealers_reports_and_not_others(scenario, net, login):
    client = login(net.regional_manager)
    assert get(client, "insights_daily_dealer", net.dealer_b.pk).status_code == 200
    assert get(client, "insights_monthly_dealer", net.dealer_b.pk).status_code == 200
    assert get(client, "insights_daily_dealer", net.dealer_c.pk).status_code == 404
    overview = get(client, "insights_daily", day="2026-10-06").content.decode()
    assert 'data-dealer="SH-001"' in overview and 'data-dealer="HZ-001"' in overview
    assert 'data-dealer="BJ-001"' not in overview


def test_a_consultant_sees_only_their_own_figures(scenario, net, login):
    Lead.objects.filter(pk=scenario[1].pk).update(consultant=net.a_consultant.staff)
    client = login(net.a_consultant)
    html = get(client, "insights", **SEPT).content.decode()
    assert figures(html)["leads"] == 1 and figures(html)["ordered"] == 1 and figures(html)["invited"] == 1
    assert rates(html)["invite_rate"] == "100.0"
    monthly = get(client, "insights_monthly", **SEPT).content.decode()
    assert figures(monthly)["leads"] == 1
    daily = get(client, "insights_daily", day="2026-09-10").content.decode()  # L2 came in and was called
    assert re.search(r'<tr data-metric="leads"><th scope="row">[^<]*</th><td data-col="day">0</td>', daily)
    manager = get(login(net.a_manager), "insights_daily", day="2026-09-10").content.decode()
    assert re.search(r'<tr data-metric="leads"><th scope="row">[^<]*</th><td data-col="day">1</td>', manager)
    assert get(login(net.a_consultant), "insights_defeats", **SEPT).content.decode().count("data-reason-link") == 0
    compare = get(login(net.a_consultant), "insights_compare", **SEPT).content.decode()
    assert 'id="compare-not-for-you"' in compare and "SH-001" not in compare


def test_exports_are_refused_to_an_agent_and_audited_for_a_manager(scenario, net, login):
    agent = login(net.a_agent)
    assert get(agent, "insights", **SEPT).status_code == 200
    assert 'id="export-xlsx"' not in get(agent, "insights", **SEPT).content.decode()
    assert get(agent, "insights_export", **SEPT).status_code == 403
    for name in ("insights_defeats", "insights_compare", "insights_daily", "insights_monthly"):
        assert get(agent, name, format="xlsx", **SEPT).status_code == 403, name
    assert get(agent, "insights_defeat_leads", reason="price", format="xlsx", **SEPT).status_code == 403
    assert not AuditLog.objects.filter(action="insights.export").exists()

    manager = login(net.a_manager)
    exports = [("insights_export", {}), ("insights_defeats", {"format": "xlsx"}),
               ("insights_defeat_leads", {"format": "xlsx", "reason": "price"}),
               ("insights_compare", {"format": "xlsx"}), ("insights_compare", {"format": "xlsx", "table": "scores"}),
               ("insights_daily", {"format": "xlsx", "day": "2026-09-06"}),
               ("insights_daily", {"format": "xlsx", "day": "2026-09-06", "table": "people"}),
               ("insights_monthly", {"format": "xlsx"}), ("insights_monthly", {"format": "xlsx", "table": "defeats"}),
               ("insights_monthly", {"format": "xlsx", "table": "scores"})]
    for name, params in exports:
        sheet_of(get(manager, name, **SEPT, **params))
    logs = AuditLog.objects.filter(action="insights.export")
    assert logs.count() == len(exports)
    assert set(logs.values_list("actor_user_id", flat=True)) == {net.a_manager.user.pk}
    assert set(logs.values_list("dealer_id", flat=True)) == {net.dealer_a.pk}


# --- comparisons, platform scores, daily and monthly reports -------------------------------------


def test_hq_compares_every_dealer_in_a_sortable_table(scenario, net, login):
    client = login(net.hq_marketer)
    html = get(client, "insights_compare", sort="-leads", **SEPT).content.decode()
    assert re.findall(r'<tr[^>]*data-dealer="([\w-]+)"', html) == ["national", "SH-001", "HZ-001", "BJ-001"]
    ascending = get(client, "insights_compare", sort="leads", **SEPT).content.decode()
    assert re.findall(r'<tr[^>]*data-dealer="([\w-]+)"', ascending)[1:] == ["BJ-001", "HZ-001", "SH-001"]
    # HZ-001: 0 orders against a national 0.3, marked
    hz = re.search(r'<tr data-dealer="HZ-001">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="below" data-cell="ordered"' in hz
    sheet = sheet_of(get(client, "insights_compare", format="xlsx", **SEPT))
    assert [r[0] for r in sheet[1:]] == ["BJ-001", "HZ-001", "SH-001"]


def test_a_dealer_manager_compares_with_the_averages_only(scenario, net, login):
    html = get(login(net.a_manager), "insights_compare", **SEPT).content.decode()
    assert 'data-dealer="SH-001"' in html and "HZ-001" not in html and "BJ-001" not in html
    assert re.search(r'<tr data-metric="leads"><th scope="row">[^<]*</th>\s*<td class="">6</td>\s*<td>3.0</td>\s*'
                     r'<td>4.5</td>\s*<td>6.0</td>', html)  # national 3.0, region 4.5, city 6.0
    assert 'id="problem-stage" role="alert" data-step="contacted&gt;invited"' in html


def test_platform_scores_are_entered_and_failing_ones_marked_red(scenario, net, login):
    hq = login(net.hq_marketer)
    response = hq.post(reverse("console:insights_compare") + "?month=2026-09",
                       {"dealer": net.dealer_a.pk, "platform": "cheshanghui", "month": "2026-09", "score": "82.5"})
    assert response.status_code == 302
    score = PlatformScore.objects.get(dealer=net.dealer_a)
    assert score.threshold == Decimal("85") and not score.passes  # the platform's default threshold
    hq.post(reverse("console:insights_compare"), {"dealer": net.dealer_a.pk, "platform": "cheyitong",
                                                  "month": "2026-09", "score": "95", "threshold": "90"})
    html = get(hq, "insights_compare", **SEPT).content.decode()
    assert '<tr class="fail" data-score="SH-001-cheshanghui">' in html
    assert '<tr class="" data-score="SH-001-cheyitong">' in html
    assert AuditLog.objects.filter(action="platform_score.save").count() == 2
    bad = hq.post(reverse("console:insights_compare"), {"dealer": net.dealer_a.pk, "platform": "cheyitong",
                                                        "month": "2026-09", "score": "120"})
    assert bad.status_code == 200 and 'id="score-form"' in bad.content.decode()
    manager = login(net.a_manager)
    assert 'data-score="SH-001-cheshanghui"' in get(manager, "insights_monthly", **SEPT).content.decode()
    assert manager.post(reverse("console:insights_compare"), {"dealer": net.dealer_a.pk, "platform": "cheyitong",
                                                              "month": "2026-09", "score": "50"}).status_code == 403


def test_the_daily_report_sets_targets_and_shows_attainment(scenario, net, login):
    client = login(net.a_manager)
    page = get(client, "insights_daily", day="2026-10-06")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="target-form"' in html and "insights.css" in html
    assert re.search(r'<tr data-metric="arrived"><th scope="row">[^<]*</th><td data-col="day">1</td>', html)
    response = client.post(reverse("console:insights_daily") + "?day=2026-10-06",
                           {"leads": 10, "arrivals": 4, "orders": 2})
    assert response.status_code == 302
    target = MonthlyTarget.objects.get(dealer=net.dealer_a, month=dt.date(2026, 10, 1))
    assert (target.leads, target.arrivals, target.orders) == (10, 4, 2)
    assert AuditLog.objects.filter(action="monthly_target.set", dealer_id=net.dealer_a.pk).exists()
    html = get(client, "insights_daily", day="2026-10-08").content.decode()  # L7 ordered on 8 October
    assert re.search(r'<tr data-target="orders">.*?<td>2</td><td>1</td>\s*<td>50.0 %', html, re.S)
    # people: the agents and consultants who worked leads, by role
    assert 'id="people-table"' in html
    # an agent may read the report but not set targets
    agent = login(net.a_agent)
    assert get(agent, "insights_daily").status_code == 200
    assert agent.post(reverse("console:insights_daily"), {"leads": 1, "arrivals": 1, "orders": 1}).status_code == 403


def test_target_set_checks_the_capability_at_the_dealer(net):
    with pytest.raises(Forbidden):
        target_set(actor=net.a_agent.actor, dealer=net.dealer_a, month=dt.date(2026, 9, 1), leads=1, arrivals=1,
                   orders=1)
    with pytest.raises(Forbidden):
        target_set(actor=net.a_manager.actor, dealer=net.dealer_b, month=dt.date(2026, 9, 1), leads=1, arrivals=1,
                   orders=1)
    target_set(actor=net.hq_marketer.actor, dealer=net.dealer_b, month=dt.date(2026, 9, 17), leads=5, arrivals=2,
               orders=1)
    target_set(actor=net.hq_marketer.actor, dealer=net.dealer_b, month=dt.date(2026, 9, 1), leads=6, arrivals=2,
               orders=1)
    assert MonthlyTarget.objects.get(dealer=net.dealer_b, month=dt.date(2026, 9, 1)).leads == 6
    log = AuditLog.objects.filter(action="monthly_target.set").order_by("-pk").first()
    assert log.before["leads"] == 5 and log.after["leads"] == 6


def test_the_monthly_report_shows_the_funnel_defeats_and_the_problem_stage(scenario, net, login):
    html = get(login(net.a_manager), "insights_monthly", **SEPT).content.decode()
    assert figures(html)["leads"] == 6 and rates(html)["invite_rate"] == "60.0"
    assert 'data-step="contacted&gt;invited"' in html and 'id="funnel-chart"' in html
    assert re.findall(r'<tr data-reason="(\w+)">', html) == ["price"]
    hq = get(login(net.hq_marketer), "insights_monthly", **SEPT).content.decode()
    assert figures(hq)["leads"] == 9 and re.findall(r'<tr data-reason="(\w+)">', hq) == ["competitor", "price"]
    sheet = sheet_of(get(login(net.hq_marketer), "insights_monthly_dealer", net.dealer_b.pk, format="xlsx", **SEPT))
    assert sheet[1][1:3] == [3, 9]  # HZ-001's 3 leads against the brand's 9


@pytest.mark.parametrize("who", ["hq_marketer", "hq_service", "hq_finance", "regional_manager", "a_gm", "a_manager",
                                 "a_supervisor", "a_agent", "a_consultant"])
def test_every_insight_page_opens_for_every_persona(scenario, net, login, who):
    client = login(getattr(net, who))
    for name, params in (("insights", {"group": "consultant"}), ("insights", {"group": "week"}),
                         ("insights_defeats", {}), ("insights_defeat_leads", {"reason": "price"}),
                         ("insights_compare", {}), ("insights_daily", {}), ("insights_monthly", {})):
        assert get(client, name, **SEPT, **params).status_code == 200, (name, params)
    nav = get(client, "insights", **SEPT).content.decode()
    assert 'data-nav="insights"' in nav
