"""htmx filters and in-place toggles work in a browser; the dealer list fits a phone; Chinese by default."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
HAN = re.compile(r"[\u4e00-\u9fff]")  # any Chinese character


def _mark_document(page: Page) -> None:
    """Leave a marker on window: a full page load would wipe it, an htmx swap keeps it."""
    page.evaluate("window.__noReload = true")


def _assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__noReload === true"), "the page was reloaded instead of swapped by htmx"


def test_searching_dealers_refreshes_the_table_in_place(live_net, live_server, log_in):
    page = log_in(live_net.hq_service)
    page.goto(f"{live_server.url}/console/dealers/")
    rows = page.locator("#dealer-table tr[data-dealer]")
    expect(rows).to_have_count(3)
    _mark_document(page)

    page.locator("form.filters input[type=search]").press_sequentially("HZ")

    expect(page).to_have_url(re.compile(r"/console/dealers/\?(.*&)?q=HZ(&|$)"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-dealer", "HZ-001")
    expect(page.locator("form.filters input[type=search]")).to_have_value("HZ")  # the form was not replaced
    _assert_not_reloaded(page)


def test_the_excel_export_takes_the_filters_changed_in_place(live_net, live_server, log_in):
    page = log_in(live_net.hq_service)
    page.goto(f"{live_server.url}/console/dealers/")
    expect(page.locator("#dealer-table tr[data-dealer]")).to_have_count(3)
    page.locator("form.filters input[type=search]").press_sequentially("HZ")
    expect(page.locator("#dealer-table tr[data-dealer]")).to_have_count(1)
    with page.expect_download() as info:
        page.locator("a[data-export]").first.click()
    book = load_workbook(io.BytesIO(info.value.path().read_bytes()), read_only=True)
    rows = [r for r in book.active.iter_rows(values_only=True) if any(r)]
    codes = [c for r in rows[1:] for c in r if isinstance(c, str) and re.fullmatch(r"[A-Z]{2}-\d{3}", c)]
    assert codes == ["HZ-001"], rows  # the one dealer on the screen, not the three of the first load


def test_the_regional_manager_toggles_the_key_dealer_flag_in_place(live_net, live_server, log_in, shot):
    page = log_in(live_net.regional_manager)
    page.goto(f"{live_server.url}/console/dealers/{live_net.dealer_a.pk}/")
    flag = page.locator("#key-flag")
    expect(flag.locator(".badge.key")).to_have_count(0)
    _mark_document(page)

    page.locator("button#toggle-key").click()
    expect(flag.locator(".badge.key")).to_be_visible()
    expect(page.locator("input[name=is_key]")).to_have_value("0")  # the next click would remove it
    shot(page, "dealer-detail-key-regional_manager")

    page.locator("button#toggle-key").click()
    expect(flag.locator(".badge.key")).to_have_count(0)
    expect(page.locator("input[name=is_key]")).to_have_value("1")
    _assert_not_reloaded(page)
    live_net.dealer_a.refresh_from_db()
    assert live_net.dealer_a.is_key is False


def test_a_supervisor_toggles_an_agents_duty_in_place(live_net, live_server, log_in, shot):
    page = log_in(live_net.a_supervisor)
    page.goto(f"{live_server.url}/console/staff/{live_net.a_agent.staff.pk}/")
    duty = page.locator("#duty")
    expect(duty.locator(".badge.ok")).to_be_visible()  # agents start on duty
    _mark_document(page)

    page.locator("button#toggle-duty").click()
    expect(duty.locator(".badge.warn")).to_be_visible()
    expect(duty.locator(".badge.ok")).to_have_count(0)
    shot(page, "staff-detail-off-duty-a_supervisor")
    _assert_not_reloaded(page)
    live_net.a_agent.staff.refresh_from_db()
    assert live_net.a_agent.staff.on_duty is False


def test_the_dealer_list_fits_a_phone(live_net, live_server, log_in, shot):
    page = log_in(live_net.hq_marketer)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/console/dealers/")
    expect(page.locator("#dealer-table tr[data-dealer]")).to_have_count(3)
    shot(page, "dealers-phone-hq_marketer")

    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"] + 1:
        culprits = page.evaluate(
            """limit => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > limit + 1)
                .filter(el => !el.closest('.table-wrap') && !el.closest('ul.main'))
                .slice(0, 10)
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                           + (typeof el.className === 'string' && el.className.trim()
                              ? '.' + el.className.trim().split(/ +/).join('.') : '')
                           + ' right=' + Math.round(el.getBoundingClientRect().right))""",
            PHONE["width"],
        )
        pytest.fail(f"the page is {width}px wide on a {PHONE['width']}px phone; overflowing: {culprits}")


def test_the_console_speaks_chinese_by_default(live_net, live_server, page, log_in, shot):
    page.goto(f"{live_server.url}/console/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main form button[type=submit]")).to_contain_text("登录")
    expect(page.locator("main h1")).to_contain_text("登录")
    shot(page, "login")

    log_in(live_net.a_agent)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator('header.app a[data-nav="dealers"]')).to_contain_text(HAN)
    expect(page.locator("main h1")).to_contain_text(HAN)
    expect(page.locator("header.app form[action$='/logout/'] button")).to_contain_text(HAN)
