"""Every store page opens without a login, has its title and description, stays small in queries
and time, and never shows staff data or the accessory package's internal price."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from store_helpers import local, next_open_day

from autodcc.catalog.models import AccessoryPackage, Series, Trim
from autodcc.core.actors import consumer
from autodcc.leads.services import LeadInput
from autodcc.testdrives import services as td
from autodcc.testdrives.models import Booking

pytestmark = pytest.mark.django_db


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return gettext(text)


def title_of(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, "no <title>"
    return found.group(1).strip()


def booked(shop) -> Booking:
    trim = Trim.objects.get(slug="s7-long-range")
    return td.booking_create(
        actor=consumer("test"), trim=trim, dealer=shop.dealer_a, starts_at=local(next_open_day(), 10),
        lead=LeadInput(name="李娜", phone="13912345678", channel="storefront",
                       consent_version="store-2026-01", consent_share_with_dealer=True))


def pages(shop) -> list[tuple[str, str]]:
    """(address, the text its title must contain) for every store page."""
    booking = booked(shop)
    return [
        ("/store/", zh("Online store")),
        ("/store/series/s7/", "澜川 S7"),
        ("/store/trims/s7-long-range/", str(Trim.objects.get(slug="s7-long-range"))),
        ("/store/compare/", zh("Compare trims")),
        ("/store/compare/?trims=s7-long-range&trims=s7-erev&trims=x9-phev-pro", zh("Compare trims")),
        ("/store/calculator/", zh("Price and loan calculator")),
        ("/store/calculator/?trim=s7-long-range&edition=s7-tmall-edition&commercial_insurance=5000&accessories=3000",
         zh("Price and loan calculator")),
        ("/store/recommend/", zh("Help me choose")),
        ("/store/recommend/?budget=300000&seats=5&energy=nev&use=family&must_have=sunroof",
         zh("Help me choose")),
        ("/store/testdrive/", zh("Book a test drive")),
        ("/store/testdrive/?trim=s7-long-range", zh("Book a test drive")),
        ("/store/testdrive/?trim=s7-long-range&city=上海", zh("Book a test drive")),
        (f"/store/testdrive/?trim=s7-long-range&dealer=SH-001&day={next_open_day()}",
         zh("Book a test drive")),
        (f"/store/testdrive/?trim=s7-long-range&dealer=SH-001&day={next_open_day()}&time=11:30",
         zh("Book a test drive")),
        (f"/store/testdrive/{booking.token}/", booking.number),
        ("/store/enquiry/", zh("Ask for a price")),
        ("/store/enquiry/thanks/", zh("Thank you")),
        ("/store/privacy/", zh("Privacy notice")),
    ]


def test_every_page_opens_without_login_with_its_title_and_description(shop, client):
    for url, title in pages(shop):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert title in title_of(html), (url, title_of(html))
        description = re.search(r'<meta name="description" content="([^"]+)">', html)
        assert description and len(description.group(1)) > 10, url
        assert 'lang="zh-hans"' in html


def test_no_staff_data_or_internal_package_price_on_any_page(shop, client):
    package = AccessoryPackage.objects.get(code="TM-PKG-S7")
    assert package.internal_price == 6800
    staff = [p.staff for p in shop.people.values()]
    random_values = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')  # tokens may hold any digits
    for url, _title in pages(shop):
        html = random_values.sub("", client.get(url).content.decode())
        for amount in ("6800", "6,800"):
            assert amount not in html, (url, amount)
        for person in staff:
            assert person.name not in html and person.user.username not in html, (url, person.name)
            assert person.phone[-8:] not in html, (url, person.phone)
    # the edition itself is public: its prices and rewards are on the trim page
    html = client.get("/store/trims/s7-long-range/").content.decode()
    assert "澜川 S7 天猫特别版" in html and "214,900" in html and "229,900" in html
    assert "2000 元充电券" in html
    assert "ACC-7701" in html  # the numbered parts are listed, their price is not


def test_the_booking_page_shows_the_dealer_contact_but_not_the_agent(shop, client):
    booking = booked(shop)
    assert booking.lead.agent is not None
    html = client.get(f"/store/testdrive/{booking.token}/").content.decode()
    assert booking.number in html and "浦东新区龙阳路 2000 号" in html and "02158880001" in html
    assert booking.lead.agent.name not in html and "13912345678" not in html and "139****5678" in html


def test_home_lists_series_with_from_and_guide_prices(shop, client):
    html = client.get("/store/").content.decode()
    for series in Series.objects.all():
        assert series.name in html and f"/store/series/{series.slug}/" in html
    assert "112,900" in html and "119,900" in html  # S5 from its cheapest trim: offer and guide
    # the body type only where the tagline does not say it already
    assert "城市通勤纯电轿车<" in html and "中大型 SUV<" in html and "六座家庭旗舰 · MPV<" in html
    assert "/store/testdrive/" in html and "/store/calculator/" in html and "/store/recommend/" in html


def test_an_off_sale_trim_is_gone_from_the_store(shop, client):
    Trim.objects.filter(slug="s5-entry").update(is_active=False)
    gone = client.get("/store/trims/s5-entry/")
    assert gone.status_code == 404
    page = gone.content.decode()  # the consumer's own words and the store's navigation, not the console's
    assert "/store/compare/" in page and "该页面不存在或已下线" in page and "经销商" not in page.split("<main")[1][:600]
    html = client.get("/store/").content.decode()
    assert "112,900" not in html and "129,900" in html  # the S5 now starts at the next trim


def test_the_sitemap_lists_the_public_pages(shop, client):
    xml = client.get("/sitemap.xml").content.decode()
    assert "/store/</loc>" in xml and "/store/compare/</loc>" in xml
    for series in Series.objects.all():
        assert f"/store/series/{series.slug}/</loc>" in xml
    for trim in Trim.objects.all():
        assert f"/store/trims/{trim.slug}/</loc>" in xml


def test_pictures_are_served_only_from_the_catalogue(shop, client):
    photo = Trim.objects.get(slug="s7-long-range").photos.first()
    response = client.get(f"/store/pictures/{photo.image.name}")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:4] == b"\x89PNG"
    bad_names = ("../secret_key", "catalog/../../secret_key", "imports/job-1.csv",
                 "catalog/trims/missing.png")
    for bad in bad_names:
        assert client.get(f"/store/pictures/{bad}").status_code == 404, bad


# the most queries each page may make with the demo catalogue
QUERY_BUDGET = {
    "/store/": 3, "/store/series/s7/": 5, "/store/trims/s7-long-range/": 9, "/store/compare/": 2,
    "/store/compare/?trims=s7-long-range&trims=s7-erev&trims=x9-phev-pro": 3,
    "/store/calculator/?trim=s7-long-range&edition=s7-tmall-edition": 4,
    "/store/recommend/?budget=300000&seats=5&energy=nev&use=family&must_have=sunroof": 5,
    "/store/testdrive/": 3, "/store/testdrive/?trim=s7-long-range&city=上海": 9,
    "/store/testdrive/?trim=s7-long-range&dealer=SH-001&day={day}": 7,
    "/store/enquiry/": 3, "/sitemap.xml": 5,
}


def test_pages_make_few_queries(shop, client):
    """The query budget per page (their server time is measured in bench/store_pages.py)."""
    day = next_open_day()
    for pattern, budget in QUERY_BUDGET.items():
        url = pattern.format(day=day)
        client.get(url)  # warm up
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= budget, (url, len(queries), [q["sql"] for q in queries])


def test_the_footer_switches_the_language(shop, client):
    html = client.get("/store/trims/s7-long-range/").content.decode()
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/store/trims/s7-long-range/"})
    assert response.status_code == 302 and response["Location"] == "/store/trims/s7-long-range/"
    html = client.get(response["Location"]).content.decode()
    assert 'lang="en"' in html and "Book a test drive" in html


def test_the_privacy_notice_shows_its_date_not_the_internal_version(shop, client):
    html = client.get("/store/privacy/").content.decode()
    assert "更新日期：2026年1月" in html and "store-2026-01" not in html
