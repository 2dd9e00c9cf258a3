"""The managers' insight pages (KPI-1..4, KPI-6): the funnel dashboard, defeat analysis with its
drill-down, comparisons with the brand's averages and platform scores, the daily report and the
monthly operations report.

Every figure comes from :mod:`autodcc.insights` scoped by the actor (a consultant reads their own
leads, a dealer its own, a region its dealers, HQ all). The scope is compared with the *brand's*
pooled figures for the same period; dealer staff never see another dealer's own numbers. The step
that falls furthest below the brand is the "problem stage" (问题环节，显而易见) and every page
shows it first. Every table exports to Excel with the same filters (role-gated and audited).
"""

from autodcc.console.views.insights.compare import compare
from autodcc.console.views.insights.funnel import dashboard, dashboard_export, defeat_leads, defeats
from autodcc.console.views.insights.reports import daily, monthly
from autodcc.console.views.insights.store import store

__all__ = [
    "compare", "daily", "dashboard", "dashboard_export", "defeat_leads", "defeats", "monthly", "store",
]
