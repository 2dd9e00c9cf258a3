"""A consumer on a 390 px phone opens the store's chat panel, asks, gets the bank's answer, asks for
a person; an HQ customer-service agent finds the conversation in the console's live queue and
replies; the consumer sees the reply in the panel. Screenshots at 390 px and 1366 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def store(live_net: Any, settings: Any, tmp_path: Any) -> Any:
    from autodcc.assistant import services
    from autodcc.catalog import demo as catalog_demo
    from autodcc.core.actors import SYSTEM

    settings.MEDIA_ROOT = tmp_path / "media"
    catalog_demo.build()
    services.bank_load(actor=SYSTEM)
    return live_net


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide at {page.url}"


def test_a_consumer_asks_on_a_phone_and_customer_service_answers(store, live_server, browser: Browser, page: Page,
                                                                  log_in, shot):
    net = store
    phone_context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai",
                                        is_mobile=True, has_touch=True)
    consumer = phone_context.new_page()
    problems: list[str] = []
    consumer.on("pageerror", lambda e: problems.append(str(e)))
    consumer.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)

    consumer.goto(f"{live_server.url}/store/")
    _fits(consumer)
    open_button = consumer.locator("#assistant-open")
    expect(open_button).to_be_visible()
    expect(open_button).to_have_text("在线咨询")
    shot(consumer, "assistant-1-store-with-button")
    open_button.click()
    dock = consumer.locator("#assistant-dock")
    expect(dock).to_be_visible()
    box = dock.bounding_box()
    assert box and box["width"] <= PHONE["width"] and box["x"] >= 0  # the panel fills the phone's screen
    expect(dock.locator("#assistant-log")).to_contain_text("智能助手")

    dock.locator("#assistant-text").fill("交了订金后悔了，钱能退回来吗")
    dock.locator("#assistant-send").click()
    expect(dock.locator('.msg[data-sender="bot"]').last).to_contain_text("可以退")
    expect(dock.locator('.msg-links a[href="/store/mine/"]')).to_be_visible()
    expect(dock.locator("#assistant-text")).to_have_value("")
    _fits(consumer)
    shot(consumer, "assistant-2-answered")

    dock.locator("#assistant-person").click()
    expect(dock.locator("#assistant-waiting")).to_be_visible()
    expect(dock.locator("#assistant-phone-input")).to_be_visible()
    shot(consumer, "assistant-3-waiting")

    # customer service, in the console at 1366 px
    log_in(net.hq_service)
    go_to(page, "chats")
    waiting = page.locator("#waiting tbody tr[data-chat]")
    expect(waiting).to_have_count(1)
    shot(page, "assistant-4-queue")
    waiting.first.locator("a").click()
    expect(page.locator("#transcript")).to_contain_text("交了订金后悔了")
    page.locator("#reply-form textarea[name=text]").fill("您好，我是客服小林。请告诉我订单号，我帮您查退款进度。")
    page.locator("#reply-send").click()
    expect(page.locator("#transcript")).to_contain_text("我是客服小林")
    shot(page, "assistant-5-console-reply")

    # the consumer's panel shows the reply without reloading
    expect(dock.locator('.msg[data-sender="agent"]')).to_contain_text("我是客服小林", timeout=15000)
    dock.locator("#assistant-text").fill("订单号 DO2612")
    dock.locator("#assistant-send").click()
    expect(dock.locator('.msg[data-sender="consumer"]').last).to_contain_text("订单号 DO2612")
    _fits(consumer)
    shot(consumer, "assistant-6-reply-seen")
    expect(page.locator("#transcript")).to_contain_text("订单号 DO2612", timeout=15000)  # the console refreshes

    page.locator("#chat-close").click()
    expect(page.locator("#waiting tbody")).to_contain_text("没有客户在等待")
    expect(dock.locator('.msg[data-sender="system"]').last).to_contain_text("客服已结束本次对话", timeout=15000)

    from autodcc.assistant.models import Conversation

    conversation = Conversation.objects.get()
    assert conversation.status == "closed" and conversation.agent_id == net.hq_service.staff.pk
    assert not problems, problems
    phone_context.close()


def test_the_console_pages_at_desktop_and_phone_size(store, live_server, page: Page, log_in, shot):
    from autodcc.assistant import services

    chat = services.conversation_start()
    services.ask(conversation=chat, text="你们S7的车机能装抖音吗")
    log_in(store.hq_marketer)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/console/faq/")
        expect(page.locator("#faq-list tbody tr")).to_have_count(len(services.bank.shipped_bank()))
        shot(page, f"assistant-bank-{width}")
        page.goto(f"{live_server.url}/console/faq/questions/")
        expect(page.locator("#open-questions")).to_contain_text("车机能装抖音吗")
        shot(page, f"assistant-questions-{width}")
    page.locator("a.add-to-bank").first.click()
    expect(page.locator("#faq-source")).to_contain_text("车机能装抖音吗")
    shot(page, "assistant-new-from-question-390")


def test_the_panel_at_desktop_size_sits_in_a_corner(store, live_server, page: Page, shot):
    page.goto(f"{live_server.url}/store/calculator/")
    page.locator("#assistant-open").click()
    dock = page.locator("#assistant-dock")
    expect(dock).to_be_visible()
    dock.locator("#assistant-text").fill("S7满电能跑多少公里")
    dock.locator("#assistant-send").click()
    expect(dock.locator('.msg[data-sender="bot"]').last).to_contain_text("705 km")
    box = dock.bounding_box()
    assert box and box["width"] <= 400 and box["x"] > 900  # a panel at the right, the page still usable
    shot(page, "assistant-desktop-1366")
    dock.locator("#assistant-close").click()
    expect(dock).to_be_hidden()
