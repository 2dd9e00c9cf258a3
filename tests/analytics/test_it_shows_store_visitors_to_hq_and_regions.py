"""The console's store-visitor page: HQ roles and regional managers see the brand's funnel, paths,
sources and campaigns in Chinese and export them (audited); dealer staff get a 403 (the figures
have no dealer dimension)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from autodcc.analytics.models import DailyFigure, DailyPath
from autodcc.core.models import AuditLog

pytestmark = pytest.mark.django_db

URL = reverse("console:insights_store")


@pytest.fixture
def figures():
    today = timezone.localdate()
    common = {"visits": 10, "visitors": 8, "page_views": 40, "product_views": 15, "product_visits": 7,
              "tool_visits": 4, "calculator_visits": 3, "compare_visits": 2, "lead_visits": 2, "deposit_visits": 1,
              "enquiries": 1, "bookings": 1, "orders": 1, "deposits": 1}
    DailyFigure.objects.bulk_create([
        DailyFigure(day=today, dimension="all", key="", **common),
        DailyFigure(day=today, dimension="source", key="baidu", **common),
        DailyFigure(day=today, dimension="campaign", key="SPRING-26", **common),
        DailyFigure(day=today, dimension="entry", key="/store/series/s7/", **common),
        DailyFigure(day=today - dt.timedelta(days=1), dimension="all", key="", **common),
        DailyFigure(day=today - dt.timedelta(days=40), dimension="all", key="", **common),  # outside the range
    ])
    DailyPath.objects.create(day=today, goal="booking", path="series>trim>compare>calculator>booking", visits=1)


@pytest.mark.parametrize("who", ["hq_marketer", "hq_service", "hq_finance", "regional_manager"])
def test_hq_and_regions_see_the_page_in_chinese(net, login, figures, who):
    page = login(getattr(net, who)).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "网店访客" in html and "访问" in html and "试驾" in html
    assert 'data-metric="visits">20<' in html  # today and yesterday, not 40 days ago
    assert "车系 → 配置 → 对比 → 价格与贷款 → 试驾预约" in html
    assert 'data-tab="store"' in html


@pytest.mark.parametrize("who", ["a_gm", "a_manager", "a_supervisor", "a_agent", "a_consultant", "b_manager"])
def test_dealer_staff_are_refused(net, login, figures, who):
    client = login(getattr(net, who))
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?format=xlsx").status_code == 403
    assert 'data-tab="store"' not in client.get(reverse("console:insights")).content.decode()


def test_the_export_has_every_table_and_is_audited(net, login, figures):
    response = login(net.hq_marketer).get(URL + "?format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 6
    funnel = list(book[book.sheetnames[0]].values)
    assert funnel[1][1] == 20 and funnel[-1][1] == 2
    log = AuditLog.objects.get(action="insights.export", object_type="analytics.store")
    assert log.after["filters"]["date_to"] == timezone.localdate().isoformat()


def test_a_bad_range_is_explained_not_a_crash(net, login):
    client = login(net.hq_marketer)
    reversed_range = client.get(URL + "?date_from=2026-11-20&date_to=2026-11-01")
    assert reversed_range.status_code == 400 and "早于" in reversed_range.content.decode()
    assert client.get(URL + "?date_from=2020-01-01&date_to=2026-11-01").status_code == 400
    assert client.get(URL + "?date_from=garbage").status_code == 400
