"""HQ marketing keeps the catalogue through the console: drafts, publishing with a preview, what
can and cannot be deleted, pictures in store sizes, prices from a date on, accessory packages,
specification tables in and out of Excel, and dated rates checked against the worked examples."""

import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from autodcc.catalog import pricing, rates, services
from autodcc.catalog.models import AccessoryPackage, CarModel, Colour, Photo, PriceChange, RateEntry, Series, SpecValue, Trim
from autodcc.core.errors import Conflict, DomainError, Forbidden, Invalid
from autodcc.core.models import AuditLog


def png(width=1600, height=1200, colour=(10, 120, 90)):
    data = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(data, format="PNG")
    return SimpleUploadedFile("car.png", data.getvalue(), "image/png")


@pytest.fixture
def draft(net):
    """A new series with one model and a trim, as the console's forms create them (drafts)."""
    actor = net.hq_marketer.actor
    series = services.save(actor=actor, obj=Series(code="Z3", slug="z3", name="澜川 Z3", tagline="小型纯电"))
    model = services.save(actor=actor, obj=CarModel(series=series, code="Z3-BEV-27", name="澜川 Z3 纯电 2027款",
                                                    year=2027, energy="bev"))
    trim = services.save(actor=actor, obj=Trim(model=model, code="Z3-STD", slug="z3-std", name="标准版",
                                                guide_price=D("99900"), offer_price=D("95900"), seats=5))
    return series, model, trim


def test_new_series_and_trims_start_as_drafts_and_publish_together(net, draft, client):
    series, _model, trim = draft
    actor = net.hq_marketer.actor
    assert not series.is_active and not trim.is_active and trim.published_at is None
    assert client.get(reverse("store:series", args=["z3"])).status_code == 404
    with pytest.raises(DomainError) as refused:
        services.publish(actor=actor, obj=series, on=True)  # a trim without colour is not sold
    assert refused.value.code == "catalog.trim_without_colour"
    services.save(actor=actor, obj=Colour(trim=trim, name="星辰白", hex="#f2f2f0"))
    services.publish(actor=actor, obj=series, on=True)
    trim.refresh_from_db()
    assert trim.is_active and trim.published_at is not None
    assert "标准版" in client.get(reverse("store:series", args=["z3"])).content.decode()
    assert {"series.create", "trim.create", "colour.create", "series.publish", "trim.publish"} <= set(
        AuditLog.objects.values_list("action", flat=True))


def test_a_published_trim_is_withdrawn_never_deleted(net, draft):
    _series, model, trim = draft
    actor = net.hq_marketer.actor
    services.save(actor=actor, obj=Colour(trim=trim, name="星辰白", hex="#f2f2f0"))
    services.publish(actor=actor, obj=trim, on=True)
    with pytest.raises(Conflict):
        services.delete(actor=actor, obj=trim)
    with pytest.raises(Conflict):
        services.delete(actor=actor, obj=model)  # it still has the trim
    services.publish(actor=actor, obj=trim, on=False)
    trim.refresh_from_db()
    assert not trim.is_active and trim.published_at is not None
    never = services.save(actor=actor, obj=Trim(model=model, code="Z3-X", slug="z3-x", name="草稿",
                                                guide_price=D("1000"), offer_price=D("900"), seats=5))
    services.delete(actor=actor, obj=never)
    assert not Trim.objects.filter(code="Z3-X").exists()
    assert AuditLog.objects.filter(action="trim.delete").count() == 1


def test_dealer_staff_cannot_change_the_catalogue(net, draft):
    _series, _model, trim = draft
    with pytest.raises(Forbidden):
        services.publish(actor=net.a_manager.actor, obj=trim, on=True)
    with pytest.raises(Forbidden):
        services.save(actor=net.a_gm.actor, obj=Trim.objects.get(pk=trim.pk))


def test_pictures_are_stored_in_the_store_sizes(net, draft, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _series, _model, trim = draft
    photo = services.photo_add(actor=net.hq_marketer.actor, trim=trim, image=png(), caption="正面")
    with photo.image.open() as f:
        assert Image.open(f).size == (1280, 720)
    with photo.thumb.open() as f:
        assert Image.open(f).size == (640, 360)
    small = services.photo_add(actor=net.hq_marketer.actor, trim=trim, image=png(400, 400))
    with small.image.open() as f:
        assert Image.open(f).size == (400, 225)  # not enlarged, cropped to 16:9
    page = login(net.hq_marketer).get(reverse("console:trim_edit", args=[trim.pk])).content.decode()
    src = re.search(r'<div class="photo-grid"><figure><img src="([^"]+)"', page).group(1)
    served = login(net.hq_marketer).get(src)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"  # the console shows what it stored
    name = photo.image.name
    services.delete(actor=net.hq_marketer.actor, obj=photo)
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert photo.image.storage.exists(name) in (True, False)  # removed after commit (tests roll back)


def test_prices_from_a_later_date_apply_on_that_day(net, draft):
    _series, _model, trim = draft
    actor = net.hq_marketer.actor
    today = timezone.localdate()
    later = today + dt.timedelta(days=10)
    services.price_change(actor=actor, trim=trim, guide_price=D("99900"), offer_price=D("89900"), effective_on=later)
    trim.refresh_from_db()
    assert trim.offer_price == D("95900")  # not yet
    assert services.price_valid_until(trim) == later - dt.timedelta(days=1)
    with pytest.raises(Invalid):
        services.price_change(actor=actor, trim=trim, guide_price=D("1000"), offer_price=D("2000"),
                              effective_on=later + dt.timedelta(days=1))
    with pytest.raises(DomainError):
        services.price_change(actor=actor, trim=trim, guide_price=D("99900"), offer_price=D("88000"), effective_on=later)
    assert services.apply_due_prices(later - dt.timedelta(days=1)) == 0
    assert services.apply_due_prices(later) == 1
    trim.refresh_from_db()
    assert trim.offer_price == D("89900") and services.apply_due_prices(later) == 0
    now = services.price_change(actor=actor, trim=trim, guide_price=D("98900"), offer_price=D("92900"), effective_on=today)
    trim.refresh_from_db()
    assert now.applied_at and trim.guide_price == D("98900")
    assert AuditLog.objects.filter(action="trim.price", object_id=str(trim.pk)).count() == 2
    assert PriceChange.objects.filter(trim=trim).count() == 2


def test_an_accessory_package_lists_its_parts_with_line_errors():
    assert services.parse_parts("ACC-1, 氛围灯\nACC-2，脚垫，4\n\nACC-3\t冰箱\t1") == [
        ("ACC-1", "氛围灯", 1), ("ACC-2", "脚垫", 4), ("ACC-3", "冰箱", 1)]
    with pytest.raises(Invalid) as bad:
        services.parse_parts("ACC-1, 氛围灯\nACC-1, 又一个\nACC-2\nACC-4, 灯, 0\n" + "X" * 31 + ", 名")
    assert [e.params["line"] for e in bad.value.errors] == [2, 3, 4, 5]
    with pytest.raises(DomainError):
        services.parse_parts("  \n")


def test_a_package_is_saved_with_its_parts_audited(net):
    actor = net.hq_marketer.actor
    package = services.package_save(actor=actor, package=AccessoryPackage(code="PKG-Z", name="精品包",
                                                                          internal_price=D("3000")),
                                    parts=[("P-1", "灯", 1), ("P-2", "垫", 2)])
    assert list(package.parts.values_list("part_no", "quantity")) == [("P-1", 1), ("P-2", 2)]
    services.package_save(actor=actor, package=package, parts=[("P-1", "灯", 1)])
    assert package.parts.count() == 1
    assert AuditLog.objects.filter(action="accessorypackage.parts").count() == 2


def test_the_specification_table_goes_out_to_excel_and_back(net, catalogue):
    s7 = catalogue["s7"]
    data = services.specs_export(Trim.objects.filter(pk=s7.pk))
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == ["分组", "项目", s7.code]
    sheet.cell(row=2, column=3, value="改过的值")
    out = io.BytesIO()
    sheet.parent.save(out)
    changed = (sheet.cell(row=2, column=1).value, sheet.cell(row=2, column=2).value)
    cells = services.specs_import(actor=net.hq_marketer.actor, upload=io.BytesIO(out.getvalue()), filename="specs.xlsx")
    assert cells == sheet.max_row - 1
    assert SpecValue.objects.get(trim=s7, group=changed[0], label=changed[1]).value == "改过的值"


def test_a_bad_specification_row_refuses_the_file_and_says_which(net, catalogue):
    code = catalogue["s7"].code
    before = SpecValue.objects.count()
    text = f"分组,项目,{code}\n动力,续航,700 km\n,没有分组,1\n动力,续航,701 km\n动力,太长,{'长' * 121}\n"
    with pytest.raises(Invalid) as bad:
        services.specs_import(actor=net.hq_marketer.actor, upload=io.BytesIO(text.encode()), filename="s.csv")
    assert [(e.code, e.params.get("row")) for e in bad.value.errors] == [
        ("catalog.spec_row_unnamed", 3), ("catalog.spec_row_twice", 4), ("catalog.spec_too_long", 5)]
    assert SpecValue.objects.count() == before  # nothing half-imported, nothing truncated


def test_a_new_rate_reprices_from_its_date_and_never_rewrites_the_past(net):
    actor = net.hq_marketer.actor
    day = dt.date(2027, 1, 1)
    data = rates.parse("compulsory_insurance", {"under_6_seats": "990", "six_seats_or_more": "1150"})
    examples = rates.check("compulsory_insurance", day, data)
    shown = [e for e in examples if e.shown]  # the insurance examples, re-dated to the new rate's first day
    assert {(e.before, e.after) for e in shown} == {(D("950.00"), D("990.00")), (D("1100.00"), D("1150.00"))}
    assert not any(e.changed for e in examples if not e.shown)  # on their own dates (2025–2026): unchanged
    rates.rate_set(actor=actor, table="compulsory_insurance", effective_on=day, data=data)
    assert pricing.compulsory_insurance(5, day=day) == D("990.00")
    assert pricing.compulsory_insurance(5, day=dt.date(2026, 12, 31)) == D("950.00")
    for _name, kwargs, line, amount in pricing.WORKED_EXAMPLES:  # DOMAIN.md's figures still hold
        assert pricing.landed_price(**kwargs).amount(line) == D(amount)
    back = rates.parse("plate_fee", {"amount": "120"})
    with pytest.raises(DomainError) as refused:
        rates.rate_set(actor=actor, table="plate_fee", effective_on=dt.date(2019, 1, 1), data=back)
    assert refused.value.code == "rates.rewrites_past"
    with pytest.raises(Invalid):
        rates.parse("compulsory_insurance", {"under_6_seats": "多少", "six_seats_or_more": ""})
    assert RateEntry.objects.count() == 1 and AuditLog.objects.filter(action="rate.set").count() == 1


def test_the_rates_page_shows_the_examples_before_saving(net, login):
    client = login(net.hq_marketer)
    url = reverse("console:rates")
    form = {"table": "plate_fee", "effective_on": "2027-03-01", "amount": "150", "note": "测试"}
    checked = client.post(url, form)
    assert checked.status_code == 200 and 'id="rate-examples"' in checked.content.decode()
    assert not RateEntry.objects.exists()
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    assert RateEntry.objects.get().data == {"amount": "150"}
    refused = client.post(url, {**form, "effective_on": "2019-01-01", "confirm": "1"})
    assert refused.status_code == 200 and RateEntry.objects.count() == 1
    assert login(net.a_gm).get(url).status_code == 403
