"""A scenario with known answers: every figure and rate equals the hand-computed table."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from autodcc.insights import exports, kpi
from autodcc.insights.queries import Filters, defeat_pareto, funnel
from autodcc.insights.reports import compare_dealers, daily_reports
from autodcc.leads.models import Lead, Status

SEP, OCT = (dt.date(2026, 9, 1), dt.date(2026, 9, 30)), (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


# the hand-computed table: (dealer, month) → cohort counts
EXPECTED = {
    ("SH-001", "2026-09"): {"leads": 6, "invalid": 1, "valid": 5, "contacted": 5, "invited": 3, "arrived": 2,
                            "ordered": 1, "delivered": 0, "defeated": 1, "repeats": 2},
    ("SH-001", "2026-10"): {"leads": 2, "invalid": 0, "valid": 2, "contacted": 1, "invited": 1, "arrived": 1,
                            "test_driven": 1, "ordered": 1, "delivered": 1, "defeated": 0, "repeats": 0},
    ("HZ-001", "2026-09"): {"leads": 3, "invalid": 0, "valid": 3, "contacted": 3, "invited": 2, "arrived": 1,
                            "ordered": 0, "delivered": 0, "defeated": 1, "repeats": 1},
    ("HZ-001", "2026-10"): {"leads": 1, "invalid": 0, "valid": 1, "contacted": 1, "invited": 1, "arrived": 1,
                            "ordered": 1, "delivered": 0, "defeated": 0, "repeats": 0},
}
# rates of dealer A in September: invited÷valid, arrived÷invited, ordered÷arrived, ordered÷valid, defeated÷valid
A_SEPT_RATES = {"invite_rate": Decimal("60.0"), "arrival_rate": Decimal("66.7"), "close_rate": Decimal("50.0"),
                "lead_close_rate": Decimal("20.0"), "defeat_rate": Decimal("20.0"),
                "valid_rate": Decimal("62.5")}  # 5 valid ÷ (6 leads + 2 repeats)


def test_every_cohort_figure_matches_the_table(scenario, net):
    for (code, month), expected in EXPECTED.items():
        start, end = SEP if month == "2026-09" else OCT
        dealer = net.dealer_a if code == "SH-001" else net.dealer_b
        row = funnel(actor=net.hq_marketer.actor, filters=Filters(start, end, dealer_ids=[dealer.pk]))[0]
        for metric, n in expected.items():
            assert row.counts[metric] == n, (code, month, metric)
    a_sept = funnel(actor=net.a_manager.actor, filters=Filters(*SEP))[0]
    for code, value in A_SEPT_RATES.items():
        assert a_sept.rates[code] == value, code


def test_grouping_by_channel_and_dealer(scenario, net):
    by_channel = {r.key: r.counts for r in funnel(actor=net.a_manager.actor, filters=Filters(*SEP), group="channel")}
    assert by_channel["autohome"]["leads"] == 4 and by_channel["autohome"]["invited"] == 3
    # L1 (Autohome) was repeated once through Autohome and once through Yiche: each under its own channel
    assert by_channel["autohome"]["repeats"] == 1 and by_channel["yiche"]["repeats"] == 1
    assert by_channel["yiche"]["leads"] == 2 and by_channel["yiche"]["valid"] == 1
    by_dealer = {r.label.split()[0]: r.counts["leads"] for r in funnel(actor=net.hq_service.actor,
                                                                        filters=Filters(SEP[0], OCT[1]), group="dealer")}
    assert by_dealer == {"SH-001": 8, "HZ-001": 4}
    months = [(r.label, r.counts["leads"]) for r in funnel(actor=net.regional_manager.actor,
                                                            filters=Filters(SEP[0], OCT[1]), group="month")]
    assert months == [("2026-09", 9), ("2026-10", 3)]


def test_activity_counts_events_in_their_own_month(scenario, net):
    sept = funnel(actor=net.a_manager.actor, filters=Filters(*SEP, basis="activity"))[0].counts
    octo = funnel(actor=net.a_manager.actor, filters=Filters(*OCT, basis="activity"))[0].counts
    assert (sept["invited"], octo["invited"]) == (2, 2)  # L3 created in September, invited on 2 October
    assert (sept["ordered"], octo["ordered"], octo["delivered"]) == (1, 1, 1)


def test_scope_dealer_staff_see_only_their_dealer(scenario, net):
    assert funnel(actor=net.b_manager.actor, filters=Filters(*SEP))[0].counts["leads"] == 3
    L = scenario
    Lead.objects.filter(pk=L[1].pk).update(consultant=net.a_consultant.staff)
    assert funnel(actor=net.a_consultant.actor, filters=Filters(*SEP))[0].counts["leads"] == 1


def test_defeat_pareto_and_comparisons(scenario, net):
    pareto = defeat_pareto(actor=net.hq_marketer.actor, filters=Filters(*SEP))
    assert [(r["reason"], r["n"], r["cumulative"]) for r in pareto] == [("competitor", 1, Decimal("50.0")),
                                                                        ("price", 1, Decimal("100.0"))]
    assert [r["reason"] for r in defeat_pareto(actor=net.a_manager.actor, filters=Filters(*SEP))] == ["price"]
    comparison = {c.dealer.code: c for c in compare_dealers(actor=net.hq_marketer.actor, month=SEP[0],
                                                            dealers=[net.dealer_a, net.dealer_b])}
    # national average over the 3 active dealers: (6 + 3 + 0) / 3 leads
    assert comparison["SH-001"].national["leads"] == Decimal("3.0")
    assert comparison["HZ-001"].region["leads"] == Decimal("4.5")  # SH-001 and HZ-001 are both EAST
    assert comparison["HZ-001"].weakest is None  # 3 valid leads: too few to judge a step
    assert comparison["HZ-001"].below_national == ["ordered"]  # 0 orders against a national 0.3


def test_the_excel_export_has_the_same_figures_and_is_audited(scenario, net):
    from autodcc.core.models import AuditLog

    rows = funnel(actor=net.hq_marketer.actor, filters=Filters(*SEP), group="dealer")
    data = exports.funnel_xlsx(actor=net.hq_marketer.actor, rows=rows, dimension="经销商", filters={"month": "2026-09"})
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    table = {r[0]: dict(zip(header, r, strict=False)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    a = next(v for k, v in table.items() if k.startswith("SH-001"))
    assert a[kpi.label_of("leads")] == 6 and a[kpi.label_of("invited")] == 3 and a[kpi.label_of("repeats")] == 2
    invite_header = next(h for h in header if h.startswith(str(kpi.DEFAULT_RATES[3].label)))
    assert Decimal(str(a[invite_header])) == Decimal("60.0")
    assert AuditLog.objects.filter(action="insights.export").exists()
    from autodcc.core.errors import Forbidden

    with pytest.raises(Forbidden):
        exports.funnel_xlsx(actor=net.a_agent.actor, rows=rows, dimension="x", filters={})


def test_daily_reports_for_every_dealer(scenario, net):
    reports = {r.dealer.code: r for r in daily_reports(day=dt.date(2026, 10, 6))}
    a = reports["SH-001"]
    assert a.yesterday["arrived"] == 1 and a.yesterday["test_driven"] == 1  # L7 on 6 October
    assert a.month_to_date["invited"] == 2 and a.month_to_date["leads"] == 1  # L3's and L7's invitations; L7 new
    assert "到店1" in a.summary()
    assert reports["BJ-001"].yesterday["leads"] == 0


def test_the_weakest_step_is_the_largest_shortfall_against_the_benchmark():
    brand = {"valid": 1000, "contacted": 950, "invited": 500, "arrived": 300, "invited_arrived": 300,
             "test_driven": 200, "ordered": 90, "delivered": 80}
    dealer = {"valid": 100, "contacted": 96, "invited": 50, "arrived": 15, "invited_arrived": 15, "test_driven": 12,
              "ordered": 6, "delivered": 6}
    assert kpi.weakest_stage(dealer, brand) == "invited>arrived"  # 30 % against the brand's 60 %
    assert kpi.weakest_stage(brand, brand) is None


def test_a_formula_brackets_a_denominator_that_is_a_sum():
    with translation.override("en"):
        assert kpi.formula("invited", "valid") == "Invited ÷ Valid leads"
        assert kpi.formula("valid", "leads_and_repeats") == "Valid leads ÷ (Leads + repeat enquiries)"


def test_invited_arrival_rate_leaves_walk_ins_out(scenario, net):
    """邀约到店率 is arrivals that followed an invitation ÷ invitations (DOMAIN.md §5): walk-ins and a
    visit before the invitation count as arrivals but never push the rate past 100 %."""
    from tests.insights.conftest import lead

    for n in (20, 21, 22):  # three walk-ins, never invited
        lead(net.dealer_a, n, "walk_in", "2026-09-15", Status.ARRIVED, contacted_at="2026-09-15",
             arrived_at="2026-09-15")
    lead(net.dealer_a, 23, "walk_in", "2026-09-16", Status.INVITED, contacted_at="2026-09-16",
         arrived_at="2026-09-16", invited_at="2026-09-20")  # came first, invited back afterwards
    row = funnel(actor=net.a_manager.actor, filters=Filters(*SEP))[0]
    assert (row.counts["invited"], row.counts["arrived"], row.counts["invited_arrived"]) == (4, 6, 2)
    assert row.rates["arrival_rate"] == Decimal("50.0")  # 2 of the 4 invited came when invited
    assert kpi.stage_conversions(row.counts)["invited>arrived"] == Decimal("50.0")
    activity = funnel(actor=net.a_manager.actor, filters=Filters(*SEP, basis="activity"))[0]
    assert (activity.counts["arrived"], activity.counts["invited_arrived"]) == (6, 2)
