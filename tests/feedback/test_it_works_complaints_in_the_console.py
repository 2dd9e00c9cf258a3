"""The console's complaint pages: staff take a call, the list filters by status, category, dealer
and overdue, the detail page shows the whole history and takes the handler's actions, HQ passes a
complaint to another dealer, the report counts by category and dealer with the time to resolve
(median, within the SLA) and exports to Excel (audited)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from autodcc.core.models import AuditLog
from autodcc.feedback import services
from autodcc.feedback.models import Complaint, ComplaintEntry, Status


@pytest.fixture
def some(net, file_complaint):
    old = file_complaint("delivery", dealer="SH-001", now=timezone.now() - dt.timedelta(days=10))
    fresh = file_complaint("sales_service", dealer="SH-001", name="刘洋")
    other = file_complaint("after_sales", dealer="HZ-001")
    return old, fresh, other


def rows(page):
    import re

    return set(re.findall(r'data-complaint="(\d+)"', page))


def test_the_list_filters(net, login, some):
    old, fresh, other = some
    client = login(net.regional_manager)
    url = reverse("console:complaint_list")
    assert rows(client.get(url).content.decode()) == {str(c.pk) for c in some}
    assert rows(client.get(url + "?overdue=on").content.decode()) == {str(old.pk)}
    assert rows(client.get(url + "?category=after_sales").content.decode()) == {str(other.pk)}
    assert rows(client.get(url + f"?dealer={net.dealer_b.pk}").content.decode()) == {str(other.pk)}
    assert rows(client.get(url + "?q=刘洋").content.decode()) == {str(fresh.pk)}
    assert rows(client.get(url + "?status=resolved").content.decode()) == set()
    page = client.get(url).content.decode()
    assert "136****" in page and "+86136" not in page  # masked in the list


def test_staff_take_a_call_and_work_it_to_resolved(net, login):
    client = login(net.a_manager)
    response = client.post(reverse("console:complaint_new"), {
        "source": "walk_in", "kind": "complaint", "category": "after_sales", "name": "黄磊", "phone": "13688889999",
        "description": "空调异响。", "consent": "on", "submission": "w1"})
    complaint = Complaint.objects.get()
    assert response["Location"] == reverse("console:complaint_detail", args=[complaint.pk])
    url = reverse("console:complaint_action", args=[complaint.pk])
    assert client.post(url, {"action": "assign", "assign-assignee": net.b_agent.staff.pk}).status_code == 400
    assert client.post(url, {"action": "assign", "assign-assignee": net.a_supervisor.staff.pk,
                             "assign-note": "请今天回电"}).status_code == 302
    assert client.post(url, {"action": "start", "start-note": "已回电，约周六到店检查。"}).status_code == 302
    assert client.post(url, {"action": "note", "note-note": "配件已订。"}).status_code == 302
    assert client.post(url, {"action": "resolve", "resolve-resolution": ""}).status_code == 400
    assert client.post(url, {"action": "resolve", "resolve-resolution": "已更换压缩机支架。"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED and complaint.assignee == net.a_supervisor.staff
    assert complaint.first_response_at and complaint.minutes_to_resolve is not None
    kinds = list(ComplaintEntry.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert kinds == ["filed", "routed", "assigned", "started", "note", "resolved"]
    actions = set(AuditLog.objects.filter(object_type="feedback.complaint", object_id=str(complaint.pk))
                  .values_list("action", flat=True))
    assert actions == {"complaint.file", "complaint.assign", "complaint.start", "complaint.note", "complaint.resolve"}
    page = client.get(reverse("console:complaint_detail", args=[complaint.pk])).content.decode()
    for words in ("已回电，约周六到店检查。", "配件已订。", "已更换压缩机支架。", "指派给"):
        assert words in page
    assert "13688889999" in page  # the handler sees the number to call back
    assert "136****9999" in client.get(reverse("console:complaint_list")).content.decode()
    assert 'data-response="on-time"' in page  # answered at once: within the SLA

    # answered after its due time, the page says the first response was late
    Complaint.objects.filter(pk=complaint.pk).update(respond_by=complaint.first_response_at - dt.timedelta(minutes=7))
    page = client.get(reverse("console:complaint_detail", args=[complaint.pk])).content.decode()
    assert 'data-response="late"' in page and 'data-response="on-time"' not in page


def test_hq_passes_a_complaint_to_another_dealer(net, login, some):
    _old, fresh, _other = some
    client = login(net.hq_service)
    url = reverse("console:complaint_action", args=[fresh.pk])
    assert client.post(url, {"action": "reassign", "reassign-queue": "dealer"}).status_code == 400  # which dealer?
    response = client.post(url, {"action": "reassign", "reassign-queue": "dealer", "reassign-dealer": net.dealer_b.pk,
                                 "reassign-note": "客户实际在杭州购车"})
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.dealer == net.dealer_b and fresh.queue == "dealer"
    assert fresh.entries.filter(kind="reassigned").count() == 1
    # dealer A no longer sees it, dealer B does
    assert login(net.a_manager).get(reverse("console:complaint_detail", args=[fresh.pk])).status_code == 404
    assert login(net.b_manager).get(reverse("console:complaint_detail", args=[fresh.pk])).status_code == 200


def test_the_report_counts_by_category_and_dealer_and_exports(net, login, some, file_complaint):
    old, fresh, _other = some
    services.complaint_resolve(actor=net.a_manager.actor, complaint=fresh, resolution="已处理。")  # in time
    services.complaint_resolve(actor=net.a_manager.actor, complaint=old, resolution="已处理。")  # late
    client = login(net.hq_service)
    page = client.get(reverse("console:complaint_report")).content.decode()
    assert 'data-figure="filed">3<' in page and 'data-figure="resolved">2<' in page
    assert 'data-figure="in_time">50.0%<' in page
    assert "data-chart=" in page
    response = client.get(reverse("console:complaint_report") + "?format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按类别", "按经销商", "处理时长"]
    dealers = [[c.value for c in row] for row in book["按经销商"].iter_rows()]
    assert dealers[0][:4] == ["经销商", "登记", "未完成", "已处理"]
    by_name = {row[0]: row for row in dealers[1:]}
    assert by_name[str(net.dealer_a)][1:4] == [2, 0, 2] and by_name[str(net.dealer_b)][1:4] == [1, 1, 0]
    assert by_name["合计"][1] == 3
    assert AuditLog.objects.filter(action="file.download", object_type="feedback.report").exists()
    # a dealer's manager: only their own dealer in the report
    page = login(net.b_manager).get(reverse("console:complaint_report")).content.decode()
    assert 'data-figure="filed">1<' in page


def test_hq_edits_a_rule_in_the_console(net, login):
    client = login(net.hq_marketer)
    page = client.get(reverse("console:complaint_rules")).content.decode()
    assert 'data-rule="delivery"' in page
    bad = client.post(reverse("console:complaint_rules"), {
        "category": "delivery", "delivery-target": "dealer", "delivery-first_response_minutes": "0",
        "delivery-resolution_minutes": "600", "delivery-escalate_again_minutes": "60"})
    assert bad.status_code == 400
    ok = client.post(reverse("console:complaint_rules"), {
        "category": "delivery", "delivery-target": "hq_service", "delivery-first_response_minutes": "30",
        "delivery-resolution_minutes": "600", "delivery-escalate_again_minutes": "60"})
    assert ok.status_code == 302
    from autodcc.feedback.models import CategoryRule

    rule = CategoryRule.objects.get(category="delivery")
    assert (rule.target, rule.first_response_minutes) == ("hq_service", 30)


def test_the_customers_page_lists_their_complaints_the_reader_may_see(net, login, enquiry, file_complaint):
    from autodcc.core.actors import SYSTEM
    from autodcc.leads import services as leads

    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", phone="13677770000")).lead
    mine = file_complaint("sales_service", dealer="SH-001", phone="13677770000")
    theirs = file_complaint("delivery", dealer="HZ-001", phone="13677770000")
    page = login(net.a_manager).get(reverse("console:customer_detail", args=[lead.customer_id])).content.decode()
    section = page[page.index('id="complaints"'):]
    assert f'data-complaint="{mine.pk}"' in section and f'data-complaint="{theirs.pk}"' not in section
    page = login(net.hq_service).get(reverse("console:customer_detail", args=[lead.customer_id])).content.decode()
    assert f'data-complaint="{theirs.pk}"' in page
