import datetime as dt

import pytest

from autodcc.core.actors import SYSTEM
from autodcc.core.errors import Conflict, DomainError, NotFound
from autodcc.core.models import AuditLog
from autodcc.customers import criteria
from autodcc.customers.models import AgeBand, Customer, CustomerKind
from autodcc.customers.selectors import customer_search
from autodcc.customers.services import customer_update, group_save, vehicle_add
from autodcc.leads.services import lead_capture


@pytest.fixture
def customers(net, enquiry):
    a = lead_capture(actor=SYSTEM, data=enquiry(name="王芳", phone="13712340001", dealer="SH-001")).lead.customer
    b = lead_capture(actor=SYSTEM, data=enquiry(name="李强", phone="13712340002", dealer="HZ-001",
                                                channel="yiche")).lead.customer
    return a, b


def test_the_profile_is_edited_and_audited(net, customers):
    a, _b = customers
    customer_update(actor=net.a_agent.actor, customer=a, age_band=AgeBand.A25_34, occupation="教师",
                    budget_min=150000, budget_max=200000, current_car="大众朗逸")
    entry = AuditLog.objects.get(action="customer.update")
    assert entry.changes["occupation"] == ("", "教师")
    with pytest.raises(NotFound):  # dealer A cannot reach dealer B's customer
        customer_update(actor=net.a_agent.actor, customer=customers[1], occupation="x")


def test_vehicles_need_a_valid_vin_and_plate(net, customers):
    a, _b = customers
    v = vehicle_add(actor=net.a_agent.actor, customer=a, vin="lsvag2180e2100001 ", plate="沪A·12345",
                    model_name="澜川 S7", purchase_date=dt.date(2025, 5, 1))
    assert (v.vin, v.plate, v.dealer) == ("LSVAG2180E2100001", "沪A12345", net.dealer_a)
    for vin, plate in (("LSVAG2180E21000O1", ""), ("SHORT", ""), ("LSVAG2180E2100002", "XX123")):
        with pytest.raises(DomainError):
            vehicle_add(actor=net.a_agent.actor, customer=a, vin=vin, plate=plate)
    with pytest.raises(Conflict):
        vehicle_add(actor=net.a_agent.actor, customer=a, vin="LSVAG2180E2100001")
    assert vehicle_add(actor=net.a_agent.actor, customer=a, vin="LSVAG2180E2100003", plate="沪AD12345").plate == "沪AD12345"


def test_search_by_name_phone_last_four_plate_and_vin(net, customers):
    a, b = customers
    vehicle_add(actor=net.a_agent.actor, customer=a, vin="LSVAG2180E2100001", plate="沪A12345")
    actor = net.a_agent.actor
    for q in ("王芳", "13712340001", "137 1234 0001", "0001", "沪A12345", "沪a12345", "LSVAG2180E2100001", "2100001"):
        assert list(customer_search(actor=actor, q=q)) == [a], q
    assert list(customer_search(actor=actor, q="李强")) == []  # dealer B's customer
    assert list(customer_search(actor=net.hq_service.actor, q="李强")) == [b]


def test_criteria_extraction_is_saved_as_a_group(net, customers):
    a, _b = customers
    Customer.objects.filter(pk=a.pk).update(age_band=AgeBand.A25_34, kind=CustomerKind.PROSPECT)
    found = criteria.extract(actor=net.hq_marketer.actor, criteria={"lead_channel": ["autohome"],
                                                                     "age_band": AgeBand.A25_34})
    assert list(found) == [a]
    group = group_save(actor=net.hq_marketer.actor, name="汽车之家 25–34 岁", criteria={"lead_channel": ["autohome"],
                                                                                   "age_band": "25_34"})
    assert group.member_count == 1 and list(group.members.all()) == [a]
    assert AuditLog.objects.filter(action="customer_group.create").exists()
    with pytest.raises(DomainError):
        group_save(actor=net.hq_marketer.actor, name="空", criteria={"lead_channel": []})
    with pytest.raises(KeyError):
        criteria.extract(actor=net.hq_marketer.actor, criteria={"password": "x"})
    # dealer staff only extract from their own customers
    mine = group_save(actor=net.a_manager.actor, name="本店意向", criteria={"lead_status": ["new"]})
    assert list(mine.members.all()) == [a] and mine.dealer == net.dealer_a


def test_a_prospect_with_a_car_on_file_is_a_non_member_and_a_member_stays_one(net, customers):
    """LEAD-13: a car put on file for a prospect (bought elsewhere, serviced here) makes them a
    non-member; a member (bought here) stays a member whatever cars are added."""
    from autodcc.customers.models import CustomerKind

    a, _b = customers
    vehicle_add(actor=net.a_agent.actor, customer=a, vin="LSVAG2180E2100011")
    a.refresh_from_db()
    assert a.kind == CustomerKind.NON_MEMBER
    assert AuditLog.objects.filter(action="customer.update", object_id=str(a.pk)).exists()
    type(a).objects.filter(pk=a.pk).update(kind=CustomerKind.MEMBER)
    vehicle_add(actor=net.a_agent.actor, customer=a, vin="LSVAG2180E2100012")
    a.refresh_from_db()
    assert a.kind == CustomerKind.MEMBER
