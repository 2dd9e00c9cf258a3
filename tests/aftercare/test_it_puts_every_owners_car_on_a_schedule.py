"""Every owner's car on the maintenance schedule of its model (CARE-1, CARE-2): a delivered car
knows its trim; a car staff add by hand is given its trim from the catalogue (or another brand's
model typed in, found when it names one model); a car whose model is not known is flagged on the
advisor's list and its pages until staff choose it, and then follows that model's schedule.
Bad input is refused in Chinese and saves nothing; another dealer's car is a 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from autodcc.aftercare import services
from autodcc.aftercare.models import MaintenanceReminder, VehicleCare
from autodcc.catalog.models import CarModel, Trim
from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.customers.models import Vehicle
from autodcc.leads import services as leads

TODAY = timezone.localdate()
HX = {"HTTP_HX_REQUEST": "true"}
FLAG = "未匹配保养计划"
# bought so that the first service (6 months, see conftest) falls due in four days
SOON = services.rules.add_months(TODAY, -6) + dt.timedelta(days=4)


def url(name, *args):
    return reverse(f"console:{name}", args=args)


@pytest.fixture
def owner(net):
    """A customer of dealer A (known through a lead there)."""
    data = leads.LeadInput(name="韩车主", phone="13977778888", channel="autohome", dealer="SH-001",
                           consent_version="2026-01", consent_share_with_dealer=True)
    return leads.lead_capture(actor=SYSTEM, data=data).lead.customer


def add_car(client, owner, **values):
    data = {"vin": "LSVAU2180N2654321", "purchase_date": SOON.isoformat(), **values}
    return client.post(url("vehicle_add", owner.pk), data, **HX)


def test_a_delivered_car_knows_its_trim(net, delivered):
    vehicle = delivered()
    trim = Trim.objects.get(code="S7-LR")
    assert vehicle.trim == trim and vehicle.model_name == trim.model.name
    assert VehicleCare.objects.get(vehicle=vehicle).car_model == trim.model
    added = AuditLog.objects.get(action="vehicle.add", object_id=str(vehicle.pk))
    assert added.after["trim_id"] == trim.pk


def test_a_car_added_with_its_trim_gets_the_schedule_and_the_reminder(net, login, schedules, owner):
    client = login(net.a_manager)
    form = client.get(url("customer_detail", owner.pk)).content.decode()
    trim = Trim.objects.get(code="S7-EREV")
    assert f'<optgroup label="{trim.model.name}">' in form and "增程 Max" in form  # grouped by model, in Chinese
    assert "其他品牌车型" in form
    response = add_car(client, owner, trim=str(trim.pk), plate="沪AF12345")
    assert response.status_code == 200 and "LSVAU2180N2654321" in response.content.decode()
    car = Vehicle.objects.get(vin="LSVAU2180N2654321")
    assert (car.trim, car.model_name, car.dealer) == (trim, trim.model.name, net.dealer_a)
    care = VehicleCare.objects.get(vehicle=car)
    assert care.car_model == trim.model and care.next_due_on == services.rules.add_months(SOON, 6)
    services.reminders_send(today=TODAY)
    assert MaintenanceReminder.objects.filter(vehicle=car, service_no=1).exists()


def test_another_brands_model_or_a_variant_of_ours_typed_in(net, login, schedules, owner):
    client = login(net.a_manager)
    add_car(client, owner, model_name="澜川S7 增程")
    car = Vehicle.objects.get(vin="LSVAU2180N2654321")
    assert car.trim is None and car.model_name == "澜川S7 增程"
    care = VehicleCare.objects.get(vehicle=car)
    assert care.car_model == CarModel.objects.get(code="S7-EREV-26") and care.next_due_on is not None
    add_car(client, owner, vin="LSVAU2180N2654322", model_name="宝马 X5")
    other = VehicleCare.objects.get(vehicle__vin="LSVAU2180N2654322")
    assert other.car_model is None and other.next_due_on is None


def test_an_unknown_model_is_flagged_and_choosing_the_trim_fixes_it(net, login, advisors, schedules, owner):
    add_car(login(net.a_manager), owner, model_name="S7")  # the battery or the range-extender model: not known
    client = login(advisors["a_advisor"])  # the service advisor, who sees the customer through the car
    car = Vehicle.objects.get(vin="LSVAU2180N2654321")
    assert VehicleCare.objects.get(vehicle=car).car_model is None
    edit = url("vehicle_edit", car.pk)

    page = client.get(url("care_maintenance") + "?tab=unmatched").content.decode()
    assert "韩车主" in page and FLAG in page and edit in page
    assert "韩车主" not in client.get(url("care_maintenance") + "?tab=due").content.decode()
    page = client.get(url("care_vehicle", car.pk)).content.decode()
    assert FLAG in page and "选择车型" in page and edit in page
    page = client.get(url("customer_detail", owner.pk)).content.decode()
    assert f'data-unmatched="{car.pk}"' in page and FLAG in page and edit in page
    page = client.get(edit).content.decode()
    assert FLAG in page and 'name="trim"' in page and 'value="S7"' in page  # the name typed, kept

    trim = Trim.objects.get(code="S7-EREV")
    back = url("care_vehicle", car.pk)
    response = client.post(edit, {"plate": "", "trim": str(trim.pk), "model_name": "", "mileage_km": "",
                                  "next": back})
    assert response.status_code == 302 and response["Location"] == back
    car.refresh_from_db()
    care = VehicleCare.objects.get(vehicle=car)
    assert (car.trim, car.model_name) == (trim, trim.model.name)
    assert care.car_model == trim.model and care.next_due_on == services.rules.add_months(SOON, 6)
    assert "韩车主" not in client.get(url("care_maintenance") + "?tab=unmatched").content.decode()
    assert "韩车主" in client.get(url("care_maintenance") + "?tab=due").content.decode()
    assert FLAG not in client.get(url("care_vehicle", car.pk)).content.decode()
    entry = AuditLog.objects.get(action="vehicle.update", object_id=str(car.pk))
    assert entry.before["trim_id"] is None and entry.after["trim_id"] == trim.pk
    assert entry.before["care_model"] == "" and entry.after["care_model"] == trim.model.name
    assert entry.after["next_due_on"] == care.next_due_on.isoformat()
    history = client.get(url("care_vehicle", car.pk)).content.decode()
    assert "next_due_on" not in history and "care_model" not in history


def test_the_quick_edit_on_the_customer_page_keeps_the_model(net, login, delivered):
    car = delivered()
    client = login(net.a_manager)
    response = client.post(url("vehicle_edit", car.pk), {"plate": "沪AD54321", "mileage_km": "1200"}, **HX)
    assert response.status_code == 200 and 'id="vehicles"' in response.content.decode()
    car.refresh_from_db()
    assert car.plate == "沪AD54321" and car.trim.code == "S7-LR" and car.model_name == car.trim.model.name


def test_a_trim_since_withdrawn_stays_when_the_car_is_edited(net, login, delivered):
    car = delivered()
    Trim.objects.filter(pk=car.trim_id).update(is_active=False)
    client = login(net.a_manager)
    page = client.get(url("vehicle_edit", car.pk)).content.decode()
    assert "已停售" in page
    response = client.post(url("vehicle_edit", car.pk), {"plate": "沪AD54321", "trim": str(car.trim_id),
                                                          "model_name": ""})
    assert response.status_code == 302
    car.refresh_from_db()
    assert car.plate == "沪AD54321" and car.trim.code == "S7-LR"


def test_another_dealers_staff_get_a_404_on_the_car(net, login, delivered):
    car = delivered()
    trim = Trim.objects.get(code="S7-EREV")
    client = login(net.b_manager)
    assert client.get(url("vehicle_edit", car.pk)).status_code == 404
    response = client.post(url("vehicle_edit", car.pk), {"trim": str(trim.pk), "model_name": ""})
    assert response.status_code == 404
    car.refresh_from_db()
    assert car.trim.code == "S7-LR" and not AuditLog.objects.filter(action="vehicle.update").exists()


@pytest.mark.parametrize("values, words", [
    ({"trim": "withdrawn"}, "已停售"),
    ({"trim": "999999"}, "已停售"),
    ({"trim": "abc"}, "已停售"),
    ({"trim": "9" * 40}, "已停售"),
    ({"model_name": "长" * 10_240}, "过长"),
    ({"model_name": "宝马\x00X5"}, "空字符"),
    ({"model_name": "宝马\x07X5"}, "控制字符"),
    ({"trim": "s7", "model_name": "宝马 X5"}, "二者只填其一"),
])
def test_bad_input_is_refused_in_chinese_and_saves_nothing(net, login, schedules, owner, values, words):
    withdrawn = Trim.objects.get(code="S5-ENTRY")
    Trim.objects.filter(pk=withdrawn.pk).update(is_active=False)
    s7 = Trim.objects.get(code="S7-LR")
    fix = {"withdrawn": str(withdrawn.pk), "s7": str(s7.pk)}
    values = {k: fix.get(v, v) for k, v in values.items()}
    client = login(net.a_manager)
    # adding: nothing saved
    response = add_car(client, owner, **values)
    assert response.status_code == 200 and words in response.content.decode()
    assert not Vehicle.objects.filter(vin="LSVAU2180N2654321").exists()
    # editing: nothing changed, no audit row
    add_car(client, owner, vin="LSVAU2180N2654322", model_name="S7")
    car = Vehicle.objects.get(vin="LSVAU2180N2654322")
    response = client.post(url("vehicle_edit", car.pk), {"plate": "", "model_name": "", "trim": "", **values})
    assert response.status_code == 200 and words in response.content.decode()
    car.refresh_from_db()
    assert (car.trim, car.model_name) == (None, "S7")
    assert not AuditLog.objects.filter(action="vehicle.update").exists()


def test_a_car_without_a_purchase_date_waits_in_a_working_tab_until_staff_enter_it(net, login, advisors, schedules,
                                                                                  owner):
    trim = Trim.objects.get(code="S7-EREV")
    add_car(login(net.a_manager), owner, trim=str(trim.pk), purchase_date="")
    car = Vehicle.objects.get(vin="LSVAU2180N2654321")
    assert VehicleCare.objects.get(vehicle=car).next_due_on is None  # a known model, but nothing to count from
    client = login(advisors["a_advisor"])
    edit = url("vehicle_edit", car.pk)
    page = client.get(url("care_maintenance") + "?tab=unmatched").content.decode()
    assert f'data-no-purchase-date="{car.pk}"' in page and "购车日期未知" in page and edit in page
    assert "无下次保养" in page  # the tab's name says what its cars have in common

    # a date in the future is refused in words, and nothing changes
    response = client.post(edit, {"plate": "", "trim": str(trim.pk), "model_name": "",
                                  "purchase_date": (TODAY + dt.timedelta(days=3)).isoformat(), "mileage_km": ""})
    assert response.status_code == 200 and "购车日期" in response.content.decode()
    car.refresh_from_db()
    assert car.purchase_date is None

    back = url("care_vehicle", car.pk)
    response = client.post(edit, {"plate": "", "trim": str(trim.pk), "model_name": "",
                                  "purchase_date": SOON.isoformat(), "mileage_km": "", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    care = VehicleCare.objects.get(vehicle=car)
    assert care.next_due_on == services.rules.add_months(SOON, 6)
    assert f'data-no-purchase-date="{car.pk}"' not in client.get(
        url("care_maintenance") + "?tab=unmatched").content.decode()
    assert "韩车主" in client.get(url("care_maintenance") + "?tab=due").content.decode()
    entry = AuditLog.objects.filter(action="vehicle.update", object_id=str(car.pk)).latest("pk")
    assert entry.before["purchase_date"] is None and entry.after["purchase_date"] == SOON.isoformat()
    assert entry.after["next_due_on"] == care.next_due_on.isoformat()

    # left empty later, the known date stays
    client.post(edit, {"plate": "", "trim": str(trim.pk), "model_name": "", "purchase_date": "", "mileage_km": ""})
    car.refresh_from_db()
    assert car.purchase_date == SOON
