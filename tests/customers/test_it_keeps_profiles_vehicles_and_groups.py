import datetime as dt

import pytest

from autodcc.core.actors import SYSTEM
from autodcc.core.errors import Conflict, DomainError, NotFound
from autodcc.core.models import AuditLog
from autodcc.customers import criteria
from autodcc.customers.models import AgeBand, Customer, CustomerGroup, CustomerKind
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


def test_criteria_reach_gender_lead_dates_consultant_test_drives_plates_mileage_and_service_due(net, customers, login):
    """LEAD-14: any profile, lead or vehicle field — each criterion picks exactly the customers it names."""
    from django.urls import reverse
    from django.utils import timezone

    from autodcc.aftercare.models import VehicleCare
    from autodcc.leads.models import Lead

    a, b = customers
    today = timezone.localdate()
    Customer.objects.filter(pk=a.pk).update(gender="f")
    Customer.objects.filter(pk=b.pk).update(gender="m")
    Lead.objects.filter(customer=a).update(expected_purchase_on=today + dt.timedelta(days=20),
                                           expected_visit_on=today + dt.timedelta(days=3),
                                           consultant=net.a_consultant.staff, test_driven_at=timezone.now(),
                                           next_follow_up_on=today - dt.timedelta(days=1))
    Lead.objects.filter(customer=b).update(expected_purchase_on=today + dt.timedelta(days=90),
                                           next_follow_up_on=today + dt.timedelta(days=5))
    car = vehicle_add(actor=net.a_agent.actor, customer=a, vin="LSVAG2180E2100001", plate="沪AD12345",
                      model_name="澜川 S7", purchase_date=today - dt.timedelta(days=170), mileage_km=9000)
    VehicleCare.objects.update_or_create(vehicle=car, defaults={"next_due_on": today + dt.timedelta(days=10)})
    hq = net.hq_marketer.actor

    def found(**c):
        return set(criteria.extract(actor=hq, criteria=c))

    assert found(gender=["f"]) == {a} and found(gender=["m"]) == {b}
    assert found(lead_purchase_to=(today + dt.timedelta(days=30)).isoformat()) == {a}
    assert found(lead_purchase_from=(today + dt.timedelta(days=30)).isoformat()) == {b}
    assert found(lead_visit_from=today.isoformat(), lead_visit_to=(today + dt.timedelta(days=7)).isoformat()) == {a}
    assert found(lead_follow_up_by=today.isoformat()) == {a}
    assert found(lead_consultant=net.a_consultant.staff.pk) == {a}
    assert found(lead_test_driven=True) == {a} and found(lead_test_driven=False) == {b}
    assert found(vehicle_plate="ad123") == {a} and found(vehicle_plate="沪B") == set()
    assert found(mileage_at_least=8000) == {a} and found(mileage_at_least=10000) == set()
    assert found(service_due_by=(today + dt.timedelta(days=14)).isoformat()) == {a}
    assert found(service_due_by=(today + dt.timedelta(days=7)).isoformat()) == set()

    # the same through the console's form, saved as a group a campaign can reuse
    client = login(net.hq_marketer)
    page = client.get(reverse("console:group_create")).content.decode()
    for label in ("性别", "已试驾", "预计购车", "车牌", "下次保养"):
        assert label in page, label
    chosen = {"gender": "f", "lead_test_driven": "1", "vehicle_plate": "AD123"}
    preview = client.post(reverse("console:group_preview"), chosen).content.decode()
    assert "王芳" in preview and "李强" not in preview
    response = client.post(reverse("console:group_create"), {**chosen, "name": "试驾过的女车主"})
    group = CustomerGroup.objects.get(name="试驾过的女车主")
    assert response.status_code == 302 and group.criteria == {"gender": ["f"], "lead_test_driven": True,
                                                               "vehicle_plate": "AD123"}
    assert list(group.members.all()) == [a]
