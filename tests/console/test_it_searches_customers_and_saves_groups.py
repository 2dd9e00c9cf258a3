"""Customer search, the customer page, and customer groups from criteria, through the console."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from autodcc.core.actors import SYSTEM
from autodcc.core.errors import message_for
from autodcc.core.models import AuditLog
from autodcc.customers import services as customers
from autodcc.customers.models import Customer, CustomerGroup, Vehicle
from autodcc.leads import services as leads

HX = {"HTTP_HX_REQUEST": "true"}
VIN = "LSVAU2180N2123456"


def url(name, *args):
    return reverse(f"console:{name}", args=args)


def message(code, **params):
    with translation.override("zh-hans"):
        return escape(message_for(code, params))


def capture(name, phone, dealer, **extra):
    data = leads.LeadInput(name=name, phone=phone, channel="autohome", dealer=dealer, consent_version="2026-01",
                           consent_share_with_dealer=True, **extra)
    return leads.lead_capture(actor=SYSTEM, data=data).lead


@pytest.fixture
def people(net):
    wang = capture("王小明", "13911112222", "SH-001", model_interest="澜川 S7").customer
    li = capture("李小红", "13933334444", "SH-001", model_interest="澜川 X5").customer
    zhao = capture("赵大海", "13955556666", "HZ-001", model_interest="澜川 S7").customer
    customers.vehicle_add(actor=net.a_manager.actor, customer=wang, vin=VIN, plate="沪A12345", model_name="澜川 S7")
    return {"wang": wang, "li": li, "zhao": zhao}


def names_found(client, q):
    html = client.get(url("customer_list"), {"q": q}, **HX).content.decode()
    assert "<html" not in html and 'id="results"' in html
    return {name for name in ("王小明", "李小红", "赵大海") if name in html}, html


def test_search_by_name_phone_last_four_plate_and_vin(net, login, people):
    client = login(net.a_agent)
    assert names_found(client, "王小明")[0] == {"王小明"}
    assert names_found(client, "139 1111 2222")[0] == {"王小明"}
    assert names_found(client, "4444")[0] == {"李小红"}
    assert names_found(client, "沪a 12345")[0] == {"王小明"}
    assert names_found(client, VIN)[0] == {"王小明"}
    assert names_found(client, VIN[-6:])[0] == {"王小明"}
    found, html = names_found(client, "小")
    assert found == {"王小明", "李小红"}  # 赵大海 is dealer B's customer
    assert "139****2222" in html and "13911112222" not in html and "+8613911112222" not in html
    full = client.get(url("customer_list")).content.decode()
    assert "<html" in full and "王小明" not in full  # nothing listed before a search


def test_another_dealers_customer_is_not_found(net, login, people):
    client = login(net.a_manager)
    assert names_found(client, "赵大海")[0] == set()
    assert names_found(client, "13955556666")[0] == set()
    assert names_found(client, "6666")[0] == set()
    assert client.get(url("customer_detail", people["zhao"].pk)).status_code == 404
    assert client.post(url("customer_edit", people["zhao"].pk), {"name": "x", "kind": "prospect"}).status_code == 404
    # dealer B's staff and HQ find them
    assert names_found(login(net.b_agent), "赵大海")[0] == {"赵大海"}
    assert names_found(login(net.hq_service), "小")[0] == {"王小明", "李小红"}


def test_the_customer_page_edits_the_profile_and_adds_vehicles(net, login, people):
    wang = people["wang"]
    client = login(net.a_agent)
    page = client.get(url("customer_detail", wang.pk)).content.decode()
    assert "139****2222" in page and "13911112222" not in page and VIN in page and "2026-01" in page
    response = client.post(url("customer_edit", wang.pk), {"name": "王小明", "kind": "prospect", "age_band": "25_34",
                                                           "occupation": "教师", "budget_min": "150000",
                                                           "budget_max": "200000"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="profile"' in html and "教师" in html
    wang.refresh_from_db()
    assert (wang.age_band, wang.budget_max) == ("25_34", 200000)
    # the profile edit (the car on file already made the prospect a non-member: an entry of its own)
    assert AuditLog.objects.filter(action="customer.update", object_id=str(wang.pk),
                                   actor_user_id=net.a_agent.user.pk).count() == 1

    response = client.post(url("customer_edit", wang.pk), {"name": "", "kind": "prospect"}, **HX)
    assert message("customer.name_missing") in response.content.decode()
    assert Customer.objects.get(pk=wang.pk).name == "王小明"

    response = client.post(url("vehicle_add", wang.pk), {"vin": "LSVAU2180N2I23456"}, **HX)
    assert message("vehicle.vin_invalid", value="LSVAU2180N2I23456") in response.content.decode()
    response = client.post(url("vehicle_add", wang.pk), {"vin": VIN}, **HX)
    assert message("vehicle.vin_taken", value=VIN) in response.content.decode()
    response = client.post(url("vehicle_add", wang.pk), {"vin": "lsvau2180n2654321", "plate": "沪B D12345",
                                                         "model_name": "澜川 X5"}, **HX)
    assert 'id="vehicles"' in response.content.decode() and "LSVAU2180N2654321" in response.content.decode()
    car = Vehicle.objects.get(vin="LSVAU2180N2654321")
    assert car.dealer == net.dealer_a
    # registered later, the mileage reported: updated on the page, audited; a wrong plate says so
    response = client.post(url("vehicle_edit", car.pk), {"plate": "沪X 1", "mileage_km": "3200"}, **HX)
    assert message("vehicle.plate_invalid", value="沪X 1") in response.content.decode()
    response = client.post(url("vehicle_edit", car.pk), {"plate": "沪B D99999", "mileage_km": "3200"}, **HX)
    car.refresh_from_db()
    assert (car.plate, car.mileage_km) == ("沪BD99999", 3200) and "沪BD99999" in response.content.decode()
    assert AuditLog.objects.filter(action="vehicle.update", object_id=str(car.pk)).count() == 1
    assert login(net.b_agent).post(url("vehicle_edit", car.pk), {"plate": ""}).status_code == 404


def test_group_preview_and_save(net, login, people):
    client = login(net.a_manager)
    criteria = {"lead_status": ["new"], "lead_model": "S7"}
    preview = client.post(url("group_preview"), criteria, **HX)
    html = preview.content.decode()
    assert preview.status_code == 200 and "<html" not in html and 'id="preview"' in html
    assert "王小明" in html and "李小红" not in html and "赵大海" not in html
    assert "139****2222" in html and "13911112222" not in html
    assert 'id="preview-count"' in html
    assert not CustomerGroup.objects.exists()

    empty = client.post(url("group_create"), {"name": "空"})
    assert empty.status_code == 200 and not CustomerGroup.objects.exists()
    unnamed = client.post(url("group_create"), criteria)
    assert unnamed.status_code == 200 and "王小明" in unnamed.content.decode() and not CustomerGroup.objects.exists()

    response = client.post(url("group_create"), {**criteria, "name": "S7 新线索"})
    group = CustomerGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == url("group_detail", group.pk)
    assert group.member_count == 1 and list(group.members.all()) == [people["wang"]]
    assert group.dealer == net.dealer_a and group.criteria == {"lead_status": ["new"], "lead_model": "S7"}
    log = AuditLog.objects.get(action="customer_group.create")
    assert log.object_id == str(group.pk) and log.dealer_id == net.dealer_a.pk
    page = client.get(response["Location"]).content.decode()
    assert "王小明" in page and "139****2222" in page and "13911112222" not in page
    assert "S7 新线索" in client.get(url("group_list")).content.decode()

    # other criteria kinds: profile, vehicle, dealer; an unknown city is refused on its field
    preview = client.post(url("group_preview"), {"has_vehicle": "1", "lead_dealer": net.dealer_a.pk}, **HX)
    assert "王小明" in preview.content.decode() and "李小红" not in preview.content.decode()
    preview = client.post(url("group_preview"), {"city": "火星"}, **HX).content.decode()
    assert "火星" in preview and 'id="preview-count"' not in preview

    # groups are per dealer: B's manager does not see A's
    other = login(net.b_manager)
    assert other.get(url("group_detail", group.pk)).status_code == 404
    assert "S7 新线索" not in other.get(url("group_list")).content.decode()
    assert login(net.a_agent).get(url("group_list")).status_code == 403
