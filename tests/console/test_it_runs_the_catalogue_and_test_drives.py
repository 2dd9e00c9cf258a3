import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from autodcc.catalog import demo as catalog_demo
from autodcc.catalog.models import SpecValue, Trim
from autodcc.core import workhours
from autodcc.core.actors import consumer
from autodcc.core.models import AuditLog
from autodcc.testdrives import services as td
from autodcc.testdrives.models import Booking, BookingStatus, Vehicle


@pytest.fixture
def catalogue(net):
    catalog_demo.build()
    return Trim.objects.get(code="S7-LR")


def form_data(form):
    """What a browser posts for an unbound Django form as rendered (initial values)."""
    data = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple) or hasattr(value, "all"):
            data[name] = [getattr(v, "pk", v) for v in (value.all() if hasattr(value, "all") else value)]
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    return data


def test_hq_marketing_edits_prices_with_clear_errors(net, login, catalogue):
    client = login(net.hq_marketer)
    url = reverse("console:trim_edit", args=[catalogue.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = form_data(page.context["form"])
    form.update(offer_price="239900", deposit="500")
    response = client.post(url, form)
    assert response.status_code == 200 and "239900" in response.content.decode()  # offer above guide: refused
    assert Trim.objects.get(pk=catalogue.pk).offer_price == Decimal("219900.00")
    form.update(offer_price="209900")
    assert client.post(url, form).status_code == 302
    assert Trim.objects.get(pk=catalogue.pk).offer_price == Decimal("209900.00")
    assert AuditLog.objects.filter(action="trim.update").count() == 1
    assert login(net.a_manager).get(url).status_code == 403


def test_a_specification_table_and_a_picture_are_uploaded(net, login, catalogue):
    client = login(net.hq_marketer)
    csv = "分组,项目,S7-LR,S7-PERF\n动力,CLTC 纯电续航,705 km,630 km\n电池,电池容量,100 kWh,100 kWh\n"
    response = client.post(reverse("console:catalog"),
                           {"file": SimpleUploadedFile("specs.csv", csv.encode("utf-8-sig"), "text/csv")})
    assert response.status_code == 302
    assert SpecValue.objects.get(trim=catalogue, group="电池", label="电池容量").value == "100 kWh"
    bad = "分组,项目,NOPE\nx,y,z\n"
    page = client.post(reverse("console:catalog"), {"file": SimpleUploadedFile("bad.csv", bad.encode(), "text/csv")})
    assert page.status_code == 200 and "NOPE" in page.content.decode()
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(data, format="PNG")
    before = catalogue.photos.count()
    response = client.post(reverse("console:trim_photo", args=[catalogue.pk]),
                           {"image": SimpleUploadedFile("side.png", data.getvalue(), "image/png"), "caption": "侧面"})
    assert response.status_code == 302 and catalogue.photos.count() == before + 1
    not_image = client.post(reverse("console:trim_photo", args=[catalogue.pk]),
                            {"image": SimpleUploadedFile("x.png", b"not a picture", "image/png")})
    assert not_image.status_code == 200 and catalogue.photos.count() == before + 1


def test_hq_service_follows_test_drives_and_the_dealer_completes_them(net, login, catalogue, enquiry):
    Vehicle.objects.create(dealer=net.dealer_a, trim=catalogue)
    day = timezone.localdate() + dt.timedelta(days=2)
    while not workhours.is_open_day(day, "1234567"):
        day += dt.timedelta(days=1)
    booking = td.booking_create(actor=consumer("store"), trim=catalogue, dealer=net.dealer_a,
                                starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30))),
                                lead=enquiry(city=""))
    hq = login(net.hq_service).get(reverse("console:booking_list")).content.decode()
    from autodcc.core.phone import mask, national

    customer_phone = booking.lead.customer.phone
    assert booking.number in hq and mask(customer_phone) in hq and national(customer_phone) not in hq
    b_page = login(net.b_manager).get(reverse("console:booking_list")).content.decode()
    assert booking.number not in b_page
    client = login(net.a_consultant)
    assert client.post(reverse("console:booking_action", args=[booking.pk]), {"action": "complete"}).status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.COMPLETED
    assert login(net.b_manager).get(reverse("console:booking_detail", args=[booking.pk])).status_code == 404


def test_a_dealer_keeps_its_test_drive_fleet(net, login, catalogue):
    client = login(net.a_manager)
    response = client.post(reverse("console:fleet"), {"trim": catalogue.pk, "colour": "湖光蓝", "plate": "沪A12345"})
    vehicle = Vehicle.objects.get(dealer=net.dealer_a)
    assert response.status_code == 302 and vehicle.colour == "湖光蓝"
    client.post(reverse("console:fleet_toggle", args=[vehicle.pk]), {"active": "0"})
    assert not Vehicle.objects.get(pk=vehicle.pk).is_active
    assert login(net.b_manager).post(reverse("console:fleet_toggle", args=[vehicle.pk]),
                                     {"active": "1"}).status_code == 404
