"""HQ follows the platforms in the browser: a Tmall push arrives, one lead is refused while no
dealer takes leads, HQ replays it from the connector's page; the pages fit a laptop and a phone."""

from __future__ import annotations

import pytest
from django.test import Client
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import go_to
from tests.channels import fakes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def channel_settings(settings):
    settings.CHANNELS = {"tmall": {"app_key": fakes.TMALL["app_key"], "secret": fakes.TMALL["secret"],
                                   "max_skew_seconds": 600, "consent_version": "天猫平台授权"},
                         "autohome": {"secret": fakes.SECRETS["autohome"], "timestamp_header": fakes.HEADERS["autohome"][0],
                                      "signature_header": fakes.HEADERS["autohome"][1], "max_skew_seconds": 300,
                                      "consent_version": "汽车之家平台授权"}}


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width


def test_hq_sees_the_connectors_and_replays_a_refused_lead(live_net, live_server, log_in, shot):
    from autodcc.channels.models import Delivery, Outcome
    from autodcc.network import directory
    from autodcc.network.models import Dealer

    platform = Client()
    fakes.qimen_push(platform, fakes.tmall_lead())
    fakes.qimen_push(platform, fakes.tmall_lead(), secret="wrong")
    Dealer.objects.update(is_active=False)
    directory.forget()
    fakes.signed_push(platform, "autohome", fakes.PLATFORM_LEADS["autohome"](7))
    Dealer.objects.update(is_active=True)
    directory.forget()
    refused = Delivery.objects.get(connector="autohome")
    assert refused.outcome == Outcome.REJECTED

    page = log_in(live_net.hq_marketer)
    go_to(page, "channels")
    expect(page.locator("h1")).to_have_text("渠道对接")
    tmall = page.locator('#connector-table tr[data-connector="tmall"]')
    expect(tmall.locator('td[data-outcome="captured"]')).to_have_text("1")
    expect(page.locator('#connector-table tr[data-connector="autohome"] .badge.bad')).to_have_text("1")
    shot(page, "channels-index-hq_marketer")

    page.locator('#connector-table tr[data-connector="tmall"] a').click()
    expect(page.locator("#refusal-table")).to_contain_text("签名错误")
    expect(page.locator("#recent-table")).to_contain_text("139****2222")
    shot(page, "channels-tmall-hq_marketer")

    page.goto(f"{live_server.url}/console/channels/autohome/")
    expect(page.locator("#failed-table")).to_contain_text("AH00000007")
    page.locator("#failed-table button", has_text="重放").click()
    expect(page.locator(".messages")).to_contain_text("已重放")
    expect(page.locator("h1")).to_contain_text("AH00000007")
    shot(page, "channels-delivery-replayed-hq_marketer")
    refused.refresh_from_db()
    assert refused.outcome == Outcome.CAPTURED and refused.lead is not None

    page.set_viewport_size(PHONE)
    for url, name in (("/console/channels/", "index"), ("/console/channels/autohome/", "autohome"),
                      (f"/console/channels/deliveries/{refused.pk}/", "delivery")):
        page.goto(live_server.url + url)
        _fits(page)
        shot(page, f"channels-{name}-phone")


def test_hq_imports_a_platforms_score_export(live_net, live_server, log_in, shot, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["商家编码", "商家名称", "统计月份", "服务分", "合格线"])
    sheet.append(["SH-001", "上海浦东店", "2026-11", 93, 90])
    sheet.append(["NOPE", "未知", "2026-11", 80, 90])
    path = tmp_path / "车易通服务分.xlsx"
    book.save(path)

    page = log_in(live_net.hq_marketer)
    go_to(page, "scores")
    page.locator("select[name=platform]").select_option("cheyitong")
    page.locator("input[name=file]").set_input_files(str(path))
    page.locator("#score-import-form button[type=submit]").click()
    expect(page.locator("#import-errors")).to_contain_text("未知的经销商代码“NOPE”")
    shot(page, "channels-score-import-hq_marketer")
    page.goto(f"{live_server.url}/console/channels/scores/?month=2026-11")
    expect(page.locator("#imported-table")).to_contain_text("93.0")
    shot(page, "channels-scores-hq_marketer")
    page.set_viewport_size(PHONE)
    page.reload()
    _fits(page)
    shot(page, "channels-scores-phone")
