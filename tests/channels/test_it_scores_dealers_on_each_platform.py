"""Platform scores (KPI-3): each platform's Excel export imported with row-level errors, and the
scores computed from our own leads, against their thresholds."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from autodcc.channels.models import ScoreImport
from autodcc.channels.scores import computed_scores, parse_month
from autodcc.core.models import AuditLog
from autodcc.insights.models import PlatformScore
from autodcc.leads.models import Lead
from tests.channels import fakes


def xlsx(rows: list[list], title: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


AUTOHOME_HEADER = ["序号", "经销商代码", "经销商名称", "考核月份", "线索响应得分", "邀约到店得分", "综合得分", "达标线"]


def upload(client, platform: str, data: bytes, name: str = "export.xlsx"):
    return client.post(reverse("console:platform_scores"),
                       {"platform": platform, "file": SimpleUploadedFile(name, data)}, follow=True)


def test_an_autohome_export_is_imported_with_its_bad_rows_reported(net, client, login):
    data = xlsx([AUTOHOME_HEADER,
                 [1, "SH-001", "上海浦东店", "2026-11", 45, 40, 88.5, 85],
                 [2, "hz-001", "杭州滨江店", "2026年11月", 40, 38, 78, None],
                 [3, "XX-404", "不存在", "2026-11", 40, 40, 80, 85],
                 [4, "BJ-001", "北京亦庄店", "十一月", 40, 40, 120, 85]],
                title="汽车之家车商汇·经销商月度考核（2026年11月）")
    response = upload(login(net.hq_marketer), "cheshanghui", data)
    page = response.content.decode()
    assert response.status_code == 200 and "4 行中已保存 2 行" in page
    record = ScoreImport.objects.get()
    assert (record.rows, record.saved) == (4, 2)
    problems = {(e["row"], e["column"]) for e in record.errors}
    assert problems == {(5, "经销商代码"), (6, "考核月份"), (6, "综合得分")}  # the title is row 1, the header row 2
    assert "未知的经销商代码“XX-404”" in page and "不是月份" in page
    scores = {s.dealer.code: s for s in PlatformScore.objects.select_related("dealer")}
    assert scores["SH-001"].score == Decimal("88.5") and scores["SH-001"].passes
    assert scores["HZ-001"].threshold == Decimal("85.0") and not scores["HZ-001"].passes  # default threshold
    assert scores["SH-001"].month == dt.date(2026, 11, 1)
    assert AuditLog.objects.filter(action="platform_score.save").count() == 2
    assert AuditLog.objects.filter(action="platform_score.import").count() == 1


def test_yiche_and_dongchedi_exports_have_their_own_columns(net, client, login):
    hq = login(net.hq_marketer)
    upload(hq, "cheyitong", xlsx([["商家编码", "商家名称", "统计月份", "服务分", "合格线"],
                                  ["SH-001", "上海浦东店", dt.datetime(2026, 11, 1), 93, 90]]))
    upload(hq, "dongchedi", xlsx([["门店编码", "门店名称", "月份", "经营分", "达标分"], ["BJ-001", "北京亦庄店", "202611", 70, 85]]))
    got = {(s.platform, s.dealer.code): (s.score, s.passes) for s in PlatformScore.objects.select_related("dealer")}
    assert got == {("cheyitong", "SH-001"): (Decimal("93.0"), True), ("dongchedi", "BJ-001"): (Decimal("70.0"), False)}
    wrong = upload(hq, "dongchedi", xlsx([["经销商代码", "考核月份", "综合得分"], ["SH-001", "2026-11", 90]]))
    assert "errorlist" in wrong.content.decode() and "门店编码" in wrong.content.decode()
    assert ScoreImport.objects.count() == 2


def test_a_file_that_is_not_a_workbook_is_refused_clearly(net, client, login):
    response = upload(login(net.hq_marketer), "cheyitong", b"\x00not excel", name="scores.xlsx")
    assert response.status_code == 200 and not ScoreImport.objects.exists()
    assert "errorlist" in response.content.decode()


def test_a_regional_manager_imports_only_their_regions_dealers(net, client, login):
    upload(login(net.regional_manager), "cheyitong", xlsx([["商家编码", "商家名称", "统计月份", "服务分", "合格线"],
                                                          ["SH-001", "", "2026-11", 91, 90], ["BJ-001", "", "2026-11", 91, 90]]))
    record = ScoreImport.objects.get()
    assert record.saved == 1 and record.errors[0]["row"] == 3 and "BJ-001" in record.errors[0]["message"]
    url = reverse("console:platform_score_import", args=[record.pk])
    assert client.get(url).status_code == 200
    upload(login(net.hq_marketer), "cheyitong", xlsx([["商家编码", "商家名称", "统计月份", "服务分", "合格线"],
                                                     ["BJ-001", "", "2026-11", 91, 90]]))
    hq_import = ScoreImport.objects.exclude(pk=record.pk).get()
    assert client.get(reverse("console:platform_score_import", args=[hq_import.pk])).status_code == 200  # HQ sees all
    manager = login(net.regional_manager)
    assert manager.get(reverse("console:platform_score_import", args=[hq_import.pk])).status_code == 404
    assert "BJ-001" not in manager.get(reverse("console:platform_scores")).content.decode()


def test_dealer_staff_may_not_open_the_scores(net, client, login):
    for who in ("a_manager", "a_agent", "hq_service"):
        assert login(getattr(net, who)).get(reverse("console:platform_scores")).status_code == 403


def test_scores_are_computed_from_our_leads_per_platform_and_dealer(net, client, login):
    from autodcc.leads.services import lead_follow_up

    for n in range(1, 5):
        fakes.signed_push(client, "autohome", fakes.PLATFORM_LEADS["autohome"](n))
    leads = list(Lead.objects.order_by("pk"))
    for lead in leads[:3]:
        lead_follow_up(actor=net.b_agent.actor, lead=lead, kind="call_out", result="reached")
    Lead.objects.filter(pk=leads[3].pk).update(status="invalid")
    rows = computed_scores(actor=net.hq_marketer.actor, month=dt.date.today())
    row = next(r for r in rows if r.channel == "autohome")
    assert row.dealer == net.dealer_b and row.leads == 4
    assert row.values["valid_rate"] == Decimal("75.0") and row.passes("valid_rate") is False
    assert row.values["sla_rate"] is not None
    assert computed_scores(actor=net.a_manager.actor, month=dt.date.today()) == []  # dealer A sees none of B's
    page = login(net.hq_marketer).get(reverse("console:platform_scores")).content.decode()
    assert "75.0%" in page and "汽车之家" in page


def test_months_are_read_as_the_platforms_write_them():
    assert parse_month("2026-11") == parse_month("2026年11月") == parse_month("202611") == dt.date(2026, 11, 1)
    assert parse_month("2026/11/30") == dt.date(2026, 11, 1)
    assert parse_month("2026-13") is None and parse_month("十一月") is None
