import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from autodcc.core.errors import Forbidden
from autodcc.core.models import AuditLog, ImportStatus
from autodcc.network.importing import dealers_import, error_report_xlsx
from autodcc.network.models import Dealer

HEADER = "经销商代码,经销商名称,简称,大区,城市,地址,电话,营业开始,营业结束,重点网点\n"


def csv_file(*rows: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO((header + "\n".join(rows) + "\n").encode("utf-8-sig"))


def test_a_clean_file_creates_and_then_updates(net):
    upload = csv_file("NJ-001,南京江宁店全称,南京江宁店,EAST,南京,江宁区 1 号,025-52100001,09:00,18:00,是",
                      "GZ-001,广州天河店全称,广州天河店,NORTH,440100,,,,,否")
    job = dealers_import(actor=net.hq_marketer.actor, upload=upload, filename="dealers.csv")
    assert (job.status, job.created_count, job.updated_count, job.errors) == (ImportStatus.DONE, 2, 0, [])
    nj = Dealer.objects.get(code="NJ-001")
    assert nj.is_key and nj.city.adcode == "320100" and str(nj.opens_at) == "09:00:00"
    assert AuditLog.objects.filter(action="dealer.create", object_id=str(nj.pk)).exists()
    again = dealers_import(actor=net.hq_marketer.actor, filename="dealers.csv",
                           upload=csv_file("NJ-001,南京江宁店新名,南京江宁店,EAST,南京,江宁区 2 号,,,,否"))
    assert (again.created_count, again.updated_count) == (0, 1)
    nj.refresh_from_db()
    assert nj.name == "南京江宁店新名" and not nj.is_key
    assert nj.phone == "+862552100001"  # a blank cell keeps the current value
    assert Dealer.objects.filter(code="NJ-001").count() == 1


def test_bad_rows_are_all_reported_and_nothing_is_saved(net):
    upload = csv_file(
        "NJ-001,南京店,南京店,EAST,南京,,,,,",            # row 2: fine
        "WH-001,武汉店,武汉店,EAST,火星市,,,,,",          # row 3: unknown city
        "XA-001,西安店,西安店,EAST,西安,,12345,,,",       # row 4: malformed phone
        "NJ-001,重复,重复,EAST,南京,,,,,",               # row 5: duplicate code in the file
        "SH-001X,,x,EAST,上海,,,25:00,,也许",            # row 6: no name, bad time, bad yes/no
        "CD-001,成都店,成都店,MOON,成都,,,,,",            # row 7: unknown region
    )
    before = (Dealer.objects.count(), AuditLog.objects.filter(action="dealer.create").count())
    with translation.override("zh-hans"):
        job = dealers_import(actor=net.hq_marketer.actor, upload=upload, filename="bad.csv")
    assert job.status == ImportStatus.REJECTED
    rows = {(e["row"], e["column"]) for e in job.errors}
    assert {(3, "城市"), (4, "电话"), (5, "经销商代码"), (6, "经销商名称"), (6, "营业开始"), (6, "重点网点"),
            (7, "大区")} <= rows, job.errors
    assert 2 not in {e["row"] for e in job.errors}
    assert any("火星市" in e["message"] for e in job.errors)
    assert (Dealer.objects.count(), AuditLog.objects.filter(action="dealer.create").count()) == before
    sheet = load_workbook(io.BytesIO(error_report_xlsx(job))).active
    assert sheet.max_row == len(job.errors) + 1
    assert [c.value for c in sheet[1]] == ["行号", "列", "问题"]


def test_an_excel_file_with_english_headers_is_read_too(net):
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "region", "city", "is_key"])
    sheet.append(["CQ-001", "重庆渝北店", "NORTH", "重庆", "1"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    job = dealers_import(actor=net.hq_marketer.actor, upload=data, filename="dealers.xlsx")
    assert job.status == ImportStatus.DONE, job.errors
    assert Dealer.objects.get(code="CQ-001").city.name == "重庆市"


@pytest.mark.parametrize(("content", "name", "says"), [
    (b"", "empty.csv", "没有"),
    ("名称,城市\n甲,上海\n".encode(), "noheader.csv", "经销商代码"),
    (b"PK\x03\x04 not really excel", "broken.xlsx", "无法"),
])
def test_an_unusable_file_is_refused_with_a_reason(net, content, name, says):
    with translation.override("zh-hans"):
        job = dealers_import(actor=net.hq_marketer.actor, upload=io.BytesIO(content), filename=name)
    assert job.status == ImportStatus.REJECTED
    assert says in job.errors[0]["message"], job.errors


def test_gbk_encoded_csv_from_excel_is_understood(net):
    upload = io.BytesIO((HEADER + "NJ-009,南京店,南京店,EAST,南京,,,,,\n").encode("gb18030"))
    job = dealers_import(actor=net.hq_marketer.actor, upload=upload, filename="excel-export.csv")
    assert job.status == ImportStatus.DONE, job.errors


def test_only_hq_marketing_imports(net):
    with pytest.raises(Forbidden):
        dealers_import(actor=net.a_gm.actor, upload=csv_file(), filename="x.csv")
