"""Every operational list downloads as Excel (SPEC KPI-6): the whole filtered list the person may
see, mobile numbers masked as on screen, each download in the audit trail."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.leads import services as leads
from autodcc.messaging.models import Event
from autodcc.messaging.services import message_send

LISTS = {  # URL name → (persona, the query that shows rows, the export's name in the audit trail)
    "lead_list": ("a_manager", "", "leads"),
    "customer_list": ("a_manager", "q=客户", "customers"),
    "order_list": ("a_manager", "", "orders"),
    "booking_list": ("a_manager", "", "testdrives"),
    "dealer_list": ("hq_marketer", "", "dealers"),
    "staff_list": ("a_manager", "", "staff"),
    "message_list": ("hq_service", "", "messages"),
    "complaint_list": ("a_manager", "", "complaints"),
}


def cells(response):
    book = load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


@pytest.fixture
def data(net, enquiry, paid_order, catalogue):
    from autodcc.testdrives import services as td
    from autodcc.testdrives.models import Vehicle

    Vehicle.objects.create(dealer=net.dealer_a, trim=catalogue["s7"])
    day = timezone.localdate() + dt.timedelta(days=3)
    while not td.slot_starts(net.dealer_a, day):
        day += dt.timedelta(days=1)
    td.booking_create(actor=SYSTEM, trim=catalogue["s7"], dealer=net.dealer_a, starts_at=td.slot_starts(net.dealer_a, day)[1],
                      lead=enquiry(channel="storefront", city="", phone="13911110001"))
    a = [leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", name=f"客户A{i}", phone=f"1391111000{i}")).lead
         for i in range(3)]
    b = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="HZ-001", name="客户B", phone="13922220000")).lead
    order = paid_order(name="客户A付款", phone="13911110009")
    message_send(event=Event.VISIT_CONFIRMATION, to_phone="13911110001", dealer=net.dealer_a,
                 context={"name": "客户", "dealer": "上海", "address": "x", "time": "明天", "consultant": "王"})
    from autodcc.core.actors import consumer
    from autodcc.feedback import services as feedback

    feedback.complaint_file(actor=consumer("store"), source="store", data=feedback.ComplaintInput(
        name="投诉客户", phone="13911110000", category="delivery", description="交车延期", dealer="SH-001",
        consent_version="store-2026-01", consent_share=True))
    return a, b, order


@pytest.mark.parametrize("name", list(LISTS))
def test_each_list_downloads_masked_and_audited(net, login, data, name):
    who, query, export = LISTS[name]
    client = login(getattr(net, who))
    page = client.get(reverse(f"console:{name}") + (f"?{query}" if query else "")).content.decode()
    assert "data-export" in page and "format=xlsx" in page
    response = client.get(reverse(f"console:{name}") + f"?{query}&format=xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = cells(response)
    assert len(rows) >= 2  # a header and rows
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert not any(number in flat for number in ("13911110000", "13911110001", "13911110009", "13800000006"))
    assert "****" in flat or name == "dealer_list"
    entry = AuditLog.objects.filter(action="file.download", object_type=f"list.{export}").latest("pk")
    assert entry.actor_user_id == getattr(net, who).user.pk and entry.changes["rows"][1] == len(rows) - 1


def test_a_dealers_export_holds_only_its_own_leads_whatever_the_page(net, login, data):
    a, b, _order = data
    rows = cells(login(net.a_manager).get(reverse("console:lead_list") + "?format=xlsx"))
    numbers = {row[0] for row in rows[1:]}
    assert {lead.number for lead in a} <= numbers and b.number not in numbers
    rows = cells(login(net.b_manager).get(reverse("console:lead_list") + "?format=xlsx"))
    assert {row[0] for row in rows[1:]} == {b.number}


def test_a_list_longer_than_an_export_says_so_in_the_file(net, login, data, monkeypatch):
    from autodcc.console import exports

    monkeypatch.setattr(exports, "MAX_ROWS", 2)
    rows = cells(login(net.a_manager).get(reverse("console:lead_list") + "?format=xlsx"))
    assert len(rows) == 4 and "仅导出前 2 行" in rows[-1][0]  # header, 2 rows, the note: never cut silently
