"""The lists staff print or pass on every day download as Excel too (KPI-6): the expected arrivals
of a day, the approvals waiting, a saved group's members, the accessory orders — each the whole
list the person may see (not one page), mobiles masked, in the audit trail, and another dealer's
rows never in it."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.customers.models import CustomerGroup
from autodcc.leads import services as leads
from autodcc.leads.services.defeat import lead_request_defeat
from autodcc.leads.services.followup import lead_follow_up, visit_booked
from autodcc.orders.services import order_record_step


def cells(response):
    book = load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def flat(rows):
    return " ".join(str(v) for row in rows for v in row if v is not None)


@pytest.fixture
def day():
    return timezone.localdate() + dt.timedelta(days=2)


@pytest.fixture
def world(net, enquiry, day, paid_order):
    ours = [leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", name=f"到店客户{i}",
                                                          phone=f"1391234000{i}")).lead for i in range(3)]
    theirs = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="HZ-001", name="杭州客户",
                                                            phone="13912349999")).lead
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    for n, lead in enumerate([*ours, theirs]):
        visit_booked(actor=SYSTEM, lead=lead, scheduled_at=when + dt.timedelta(hours=n), purpose="看车",
                     reference="")
    for lead, agent in ((ours[0], net.a_agent), (theirs, net.b_agent)):
        lead_follow_up(actor=agent.actor, lead=lead, kind="call_out", result="reached", note="已购竞品")
        lead_request_defeat(actor=agent.actor, lead=lead, kind="defeat", reason="competitor",
                            competitor_brand="特斯拉", competitor_model="Model Y", note="已购竞品")
    group = CustomerGroup.objects.create(name="到店客户", dealer=net.dealer_a, criteria={}, created_by_label="test",
                                         member_count=60)
    group.members.add(*[lead.customer for lead in ours])
    from autodcc.customers.models import Customer

    extra = [Customer.objects.create(name=f"群组客户{i}", phone=f"1380000{i:04d}") for i in range(57)]
    group.members.add(*extra)  # more than one page of the list
    order = paid_order(dealer="SH-001", edition=True, name="精品客户", phone="13912348888")
    order_record_step(actor=net.a_manager.actor, order=order, step="contracted", contract_value=Decimal("189000"))
    return ours, theirs, group, order


@pytest.mark.parametrize("what", ["arrivals", "approvals", "group_members"])
def test_each_daily_list_downloads_whole_masked_and_audited(net, login, world, day, what):
    _ours, _theirs, group, _order = world
    client = login(net.a_manager)
    url = {"arrivals": reverse("console:arrivals") + f"?day={day.isoformat()}",
           "approvals": reverse("console:approvals"),
           "group_members": reverse("console:group_detail", args=[group.pk])}[what]
    page = client.get(url).content.decode()
    assert "data-export" in page and "format=xlsx" in page
    response = client.get(url + ("&" if "?" in url else "?") + "format=xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = cells(response)
    text = flat(rows)
    expected = {"arrivals": 3, "approvals": 1, "group_members": 60}[what]
    assert len(rows) - 1 == expected  # the whole list, not the first page
    assert "13912340000" not in text and "139****0000" in text
    assert "杭州客户" not in text and "13912349999" not in text  # another dealer's rows are never in it
    audit = AuditLog.objects.filter(action="file.download", object_type=f"list.{what}").latest("pk")
    assert audit.actor_user_id == net.a_manager.user.pk and audit.changes["rows"][1] == expected


def test_the_accessory_orders_download_for_hq_with_every_order(net, login, world, install_parts):
    _ours, _theirs, _group, order = world
    install_parts(order, net.a_manager.actor)
    client = login(net.hq_service)
    response = client.get(reverse("console:accessory_list") + "?format=xlsx")
    rows = cells(response)
    assert response.status_code == 200 and len(rows) == 2 and order.number in flat(rows)
    assert "已安装" in flat(rows)


def test_another_dealers_group_is_a_404_also_as_a_file(net, login, world):
    _ours, _theirs, group, _order = world
    client = login(net.b_manager)
    assert client.get(reverse("console:group_detail", args=[group.pk]) + "?format=xlsx").status_code == 404


def test_the_audit_trail_downloads_with_the_filters_and_mobiles_masked(net, login, world):
    from autodcc.customers.services import customer_update

    ours, _theirs, _group, _order = world
    customer_update(actor=net.a_manager.actor, customer=ours[0].customer, name="到店客户零")
    client = login(net.a_manager)
    response = client.get(reverse("console:audit_list") + "?format=xlsx")
    rows = cells(response)
    text = flat(rows)
    assert response.status_code == 200 and len(rows) > 2 and "到店客户零" in text
    assert not any(f"1391234000{i}" in text for i in range(3))  # no mobile leaves unmasked
    assert "杭州客户" not in text  # dealer B's trail is not dealer A's
    assert AuditLog.objects.filter(action="file.download", object_type="list.audit").exists()
