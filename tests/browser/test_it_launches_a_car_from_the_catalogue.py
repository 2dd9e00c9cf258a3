"""HQ marketing launches a car without a developer, through Chromium (CAT-1, CAT-5, ORD-6, CARE-1).

HQ marketing creates a series with its picture, a model and two trims with colours, pictures and
prices, an accessory package with part numbers and a limited special edition; previews the store
page and publishes it. On a phone the store shows the series, and a consumer pays the edition's
deposit. The dealer's manager records the visit and the contract; the delivery is refused until
the package is ordered, shipped by HQ and installed, then accepted with the VIN: the owner's
vehicle is on file."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIN = "LSVAU2180N2654321"


def picture(colour: tuple[int, int, int]) -> dict[str, Any]:
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (1600, 1000), colour).save(data, format="JPEG")
    return {"name": "car.jpg", "mimeType": "image/jpeg", "buffer": data.getvalue()}


def fill(page: Page, form: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"{form} [name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value) if not value.isdigit() else field.select_option(value)
        else:
            field.fill(value)


def save(page: Page, form: str) -> None:
    page.locator(f"{form} button[type=submit]").click()
    page.wait_for_load_state()
    errors = page.locator(".errorlist").all_inner_texts()
    assert not errors, errors
    expect(page.locator(".messages")).to_contain_text("已保存")


def new_trim(page: Page, model_url: str, code: str, slug: str, name: str, guide: str, offer: str,
             colours: list[tuple[str, str]], shade: tuple[int, int, int]) -> str:
    page.goto(model_url)
    page.locator("main a", has_text="新建配置").click()
    fill(page, "#trim-form", {"code": code, "slug": slug, "name": name, "guide_price": guide, "offer_price": offer,
                              "deposit": "500", "seats": "5", "range_km": "520", "power_kw": "150", "sort": "1"})
    page.locator("#trim-form input[name=relief_eligible]").check()
    page.locator("#trim-form input[name=vessel_tax_exempt]").check()
    save(page, "#trim-form")
    for colour, hexcode in colours:
        page.locator("#colour-form input[name=colour-name]").fill(colour)
        page.locator("#colour-form input[name=colour-hex]").evaluate("(e, v) => e.value = v", hexcode)
        page.locator("#colour-form button[type=submit]").click()
        expect(page.locator("#colours")).to_contain_text(colour)
    page.locator("#photo-form input[name=image]").set_input_files(picture(shade))
    page.locator("#photo-form input[name=caption]").fill("外观")
    page.locator("#photo-form button[type=submit]").click()
    expect(page.locator("#pictures figure")).to_have_count(1)
    return page.url


def test_hq_marketing_launches_a_series_and_its_edition_reaches_the_owner(live_net, live_server, settings, tmp_path,
                                                                           page: Page, browser: Any, log_in, shot):
    from autodcc.catalog.models import Edition, Series, Trim
    from autodcc.orders.models import AccessoryOrder, AccessoryStatus, Order, OrderStatus

    settings.MEDIA_ROOT = tmp_path / "media"
    net = live_net
    page.set_viewport_size(DESKTOP)
    log_in(net.hq_marketer)

    # a new series, with its picture
    go_to(page, "catalog")
    page.locator("main a", has_text="新建车系").click()
    fill(page, "#series-form", {"code": "Z3", "slug": "z3", "name": "澜川 Z3", "tagline": "城市小型纯电 SUV",
                                "body_type": "SUV", "sort": "9"})
    page.locator("#series-form input[name=image]").set_input_files(picture((40, 90, 160)))
    save(page, "#series-form")
    expect(page.locator("h1")).to_contain_text("澜川 Z3")
    series_url = page.url

    # a model and two trims with colours, pictures and prices
    page.locator("main a", has_text="新建车型").click()
    fill(page, "#model-form", {"code": "Z3-BEV-27", "name": "澜川 Z3 纯电 2027款", "year": "2027", "sort": "1"})
    page.locator("#model-form select[name=energy]").select_option("bev")
    save(page, "#model-form")
    model_url = page.url
    new_trim(page, model_url, "Z3-STD", "z3-std", "标准版", "139900", "132900",
             [("星辰白", "#f2f2f0"), ("湖光蓝", "#2a6f97")], (200, 200, 200))
    new_trim(page, model_url, "Z3-MAX", "z3-max", "长续航 Max", "159900", "152900",
             [("曜石黑", "#1b1b1d"), ("暖阳橙", "#d9822b")], (40, 40, 40))
    shot(page, "catalogue-trim")
    assert Trim.objects.filter(model__code="Z3-BEV-27", is_active=False, published_at__isnull=True).count() == 2

    # the accessory package and a limited special edition
    go_to(page, "editions")
    page.locator("main a", has_text="新建精品包").first.click()
    fill(page, "#package-form", {"code": "Z3-PKG", "name": "Z3 首发精品包", "internal_price": "3800",
                                 "lead_time_days": "10",
                                 "parts": "ACC-Z301, 首发版迎宾灯, 2\nACC-Z302, 定制头枕, 2\nACC-Z303, 车载香氛"})
    save(page, "#package-form")
    go_to(page, "editions")
    page.locator("main a", has_text="新建特别版").click()
    fill(page, "#edition-form", {"code": "Z3-LAUNCH", "slug": "z3-launch-edition", "name": "澜川 Z3 首发版",
                                 "guide_price": "165900", "offer_price": "155900", "deposit": "500", "quantity": "20",
                                 "rewards": "交车后赠送 1000 元充电券", "voucher_value": "1000", "fuel_card_value": "0"})
    page.locator("#edition-form select[name=trim]").select_option(label=str(Trim.objects.get(code="Z3-MAX")))
    page.locator("#edition-form select[name=package]").select_option(label="Z3 首发精品包")
    page.locator("#edition-form input[name=is_active]").check()
    save(page, "#edition-form")
    edition = Edition.objects.get(code="Z3-LAUNCH")
    assert edition.quantity == 20 and edition.package.parts.count() == 3

    # preview: HQ sees the store page before anyone else
    page.goto(series_url)
    preview = page.locator("main a", has_text="预览商城页面").get_attribute("href")
    page.goto(f"{live_server.url}{preview}")
    expect(page.locator(".preview-banner")).to_be_visible()
    expect(page.locator("main")).to_contain_text("长续航 Max")
    anonymous = browser.new_page(locale="zh-CN", timezone_id="Asia/Shanghai")  # a consumer, not logged in
    assert anonymous.goto(f"{live_server.url}/store/series/z3/").status == 404  # not published yet
    page.goto(series_url)
    page.get_by_role("button", name="发布到商城").click()
    expect(page.locator(".messages")).to_contain_text("已在商城上架")
    assert Series.objects.get(code="Z3").is_active
    assert Trim.objects.filter(model__code="Z3-BEV-27", is_active=True).count() == 2

    # a consumer on a phone: the series, the edition, the deposit
    anonymous.set_viewport_size(PHONE)
    anonymous.goto(f"{live_server.url}/store/series/z3/")
    expect(anonymous.locator("main h1")).to_have_text("澜川 Z3")
    expect(anonymous.locator(".trim-card")).to_have_count(2)
    assert anonymous.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(anonymous, "store-new-series-390")
    anonymous.goto(f"{live_server.url}/store/trims/z3-max/")
    anonymous.locator('a.order-edition[data-edition="z3-launch-edition"]').click()
    anonymous.locator("#city-form input[name=city]").fill("上海")
    anonymous.locator("#find-dealers").click()
    form = anonymous.locator("#order-form")
    expect(form).to_be_visible()
    form.locator('label.pick-radio[data-dealer="SH-001"] input[type=radio]').check()
    form.locator("input[name=colour]").nth(1).check()
    for box in ("accept_terms", "consent_privacy", "consent_share_with_dealer"):
        form.locator(f"input[name={box}]").check()
    form.locator("input[name=name]").fill("赵敏")
    form.locator("input[name=phone]").fill("13912340077")
    anonymous.locator("#submit-order").click()
    expect(anonymous).to_have_url(re.compile(r"/pay/sandbox/DO\d+P1/$"))
    anonymous.locator("#sandbox-pay").click()
    expect(anonymous.locator("#order-status")).to_have_class(re.compile(r"\bstatus-paid\b"))
    order = Order.objects.get(edition=edition)
    assert order.status == OrderStatus.PAID and order.trim.code == "Z3-MAX" and order.dealer == net.dealer_a

    # the dealer: visit, contract; delivery refused until the package is installed
    page.locator("header.app form[action$='/logout/'] button[type=submit]").click()
    log_in(net.a_manager)
    order_url = f"{live_server.url}/console/orders/{order.pk}/"
    page.goto(order_url)
    for done, step in ((3, "visited"), (4, "contracted")):  # ordered, paid, visited, contracted
        details = page.locator(f"details#step-{step}")
        if details.get_attribute("open") is None:
            details.locator("> summary").click()
        page.locator(f"#step-form-{step} button[type=submit]").click()
        expect(page.locator("#order-timeline li.done")).to_have_count(done)

    def try_delivery() -> None:
        details = page.locator("details#step-delivered")
        if details.get_attribute("open") is None:
            details.locator("> summary").click()
        page.locator("#step-form-delivered input[name=vin]").fill(VIN)
        page.locator("#step-form-delivered button[type=submit]").click()

    try_delivery()
    expect(page.locator("#step-form-delivered .errorlist")).to_contain_text("附件包")
    page.locator("details#accessory > summary").click()
    page.locator("#accessory-form button[type=submit]").click()
    expect(page.locator("[data-accessory-status]")).to_have_attribute("data-accessory-status", "ordered")
    try_delivery()
    expect(page.locator("#step-form-delivered .errorlist")).to_contain_text("附件包")
    assert Order.objects.get(pk=order.pk).status != OrderStatus.DELIVERED

    # HQ confirms and ships the parts from its list of every part order
    page.locator("header.app form[action$='/logout/'] button[type=submit]").click()
    log_in(net.hq_service)
    for step in ("confirmed", "shipped"):
        page.goto(f"{live_server.url}/console/accessories/")
        page.locator(f'tr[data-accessory] button[data-accessory-next="{step}"]').click()
        expect(page.locator(".messages")).to_be_visible()
    assert AccessoryOrder.objects.get(order=order).status == AccessoryStatus.SHIPPED

    # the dealer receives and installs them; now the car is delivered with its VIN
    page.locator("header.app form[action$='/logout/'] button[type=submit]").click()
    log_in(net.a_manager)
    page.goto(order_url)
    for step in ("arrived", "installed"):
        page.locator(f'#accessory-step-form button[data-accessory-next="{step}"]').click()
        expect(page.locator("[data-accessory-status]")).to_have_attribute("data-accessory-status", step)
    try_delivery()
    expect(page.locator("#delivery-updates")).to_contain_text("车辆已交付")
    shot(page, "launch-delivered")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.vehicle.vin == VIN
    assert order.vehicle.customer == order.customer
    page.goto(f"{live_server.url}/console/customers/?q={VIN[-6:]}")
    expect(page.locator("main")).to_contain_text(order.customer.name)
    anonymous.close()
