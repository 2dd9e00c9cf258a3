import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from autodcc.core.models import AuditLog, ImportJob
from autodcc.network.models import Dealer, Staff


def test_hq_creates_a_dealer_and_sees_chinese_errors_first(net, login):
    client = login(net.hq_marketer)
    form = {"code": "SH-001", "name": "重复的店", "region": net.east.pk, "city": "火星", "phone": "123",
            "opens_at": "08:30", "closes_at": "18:00", "open_weekdays": ["1", "2"], "is_active": "on"}
    page = client.post(reverse("console:dealer_create"), form)
    html = page.content.decode()
    assert page.status_code == 200
    assert "已被" in html and "未知城市" in html and "123" in html
    assert Dealer.objects.count() == 3
    form.update(code="NJ-001", city="南京", phone="025-52100001")
    page = client.post(reverse("console:dealer_create"), form)
    dealer = Dealer.objects.get(code="NJ-001")
    assert page.status_code == 302 and page["Location"] == reverse("console:dealer_detail", args=[dealer.pk])
    assert dealer.open_weekdays == "12"
    detail = client.get(page["Location"]).content.decode()
    # the history shows the audit row as people read it: the action, field labels, names, yes/no
    history = detail[detail.index('id="history"'):]
    assert "新建经销商" in history and "dealer.create" not in history
    assert "大区" in history and str(net.east) in history and "region_id" not in history
    assert "营业日" in history and "周一、周二" in history and "open_weekdays" not in history
    assert "启用" in history and ": — → 是" in history and "True" not in history


def test_the_dealer_list_filters_and_refreshes_as_a_fragment(net, login):
    client = login(net.hq_service)
    full = client.get(reverse("console:dealer_list"), {"q": "杭州"}).content.decode()
    assert "HZ-001" in full and "SH-001" not in full and "<html" in full
    fragment = client.get(reverse("console:dealer_list"), {"region": net.north.pk}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html and 'id="results"' in html and "BJ-001" in html and "SH-001" not in html


def test_the_key_flag_toggles_in_place(net, login):
    client = login(net.regional_manager)
    response = client.post(reverse("console:dealer_key_flag", args=[net.dealer_a.pk]), {"is_key": "1"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="key-flag"' in response.content.decode()
    assert Dealer.objects.get(pk=net.dealer_a.pk).is_key
    assert AuditLog.objects.filter(action="dealer.key_flag", actor_user_id=net.regional_manager.user.pk).exists()


def test_an_upload_with_bad_rows_shows_and_downloads_the_report(net, login):
    client = login(net.hq_marketer)
    data = "经销商代码,经销商名称,大区,城市\nNJ-001,南京店,EAST,南京\nWH-001,武汉店,EAST,火星\n".encode("utf-8-sig")
    response = client.post(reverse("console:dealer_import"),
                           {"file": SimpleUploadedFile("dealers.csv", data, content_type="text/csv")})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("console:import_detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "火星" in page and "未保存" in page
    report = client.get(response["Location"], {"format": "xlsx"})
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(report.content)).active.cell(2, 1).value == 3
    assert not Dealer.objects.filter(code="NJ-001").exists()


def test_a_manager_adds_an_agent_and_puts_them_on_leave(net, login):
    client = login(net.a_manager)
    response = client.post(reverse("console:staff_create"), {
        "username": "a-new", "password": "Longenough1", "name": "新同事", "mobile": "13911112222",
        "roles": ["dcc_agent"], "dealer": net.dealer_a.pk,
    })
    staff = Staff.objects.get(user__username="a-new")
    assert response.status_code == 302 and staff.grants.get().dealer == net.dealer_a
    page = client.post(reverse("console:staff_leave_add", args=[staff.pk]),
                       {"starts_at": "2026-12-01T09:00", "ends_at": "2026-11-30T09:00"}, HTTP_HX_REQUEST="true")
    assert "结束" in page.content.decode() and not staff.leaves.exists()
    page = client.post(reverse("console:staff_leave_add", args=[staff.pk]),
                       {"starts_at": "2026-12-01T09:00", "ends_at": "2026-12-03T18:00", "reason": "婚假"},
                       HTTP_HX_REQUEST="true")
    assert "婚假" in page.content.decode() and staff.leaves.count() == 1


def test_the_audit_trail_reads_as_people_read_it_whatever_a_service_wrote(net, login):
    """Fields by their labels, related rows by name, yes/no; a key a service wrote beside the
    model's fields (here a region code under the name of the foreign key) is shown as written."""
    from autodcc.core import audit
    from autodcc.core.actors import SYSTEM

    audit.record(actor=SYSTEM, action="dealer.update", obj=net.dealer_a,
                 before={"region_id": net.north.pk, "is_key": False, "phone": "+862158880001"},
                 after={"region_id": net.east.pk, "is_key": True, "phone": "+862158880002", "region": "EAST-X",
                        "amount": "500.00"})
    html = login(net.hq_marketer).get(reverse("console:audit_list")).content.decode()
    row = html[html.index("修改经销商"):]
    row = row[:row.index("</tr>")]
    assert f"{net.north} → {net.east}" in row and "region_id" not in row
    assert "否 → 是" in row and "False" not in row
    assert "EAST-X" in row and "金额" in row and "500.00" in row
    assert "021****0001" in row and "58880001" not in row
