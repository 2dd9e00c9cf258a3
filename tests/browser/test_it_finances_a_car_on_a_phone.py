"""CAT-4 on a 390 px phone: a consumer chooses a car, one of HQ's finance offers and a
down-payment share, and reads the APR over all costs and the monthly payment."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def store(live_net: Any, settings: Any, tmp_path: Any) -> Any:
    from autodcc.catalog import demo as catalog_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    catalog_demo.build()
    return live_net


def test_a_consumer_picks_an_offer_and_a_down_payment_share(store, live_server, page: Page, shot):
    from autodcc.catalog import offers
    from autodcc.catalog.models import FinanceOffer, Trim
    from autodcc.storefront.templatetags.storefront import money

    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/store/calculator/")
    trim = Trim.objects.get(code="S7-LR")
    page.select_option("select[name=trim]", trim.slug)
    page.get_by_role("button", name="计算").click()
    expect(page.locator("#offers")).to_contain_text("60期低月供")

    deal = FinanceOffer.objects.get(title="60期低月供")  # at least 30 % down, 48 or 60 months
    page.locator(f"input[name=offer][value='{deal.pk}']").check()
    # the script greys out the shares below the offer's minimum and the terms it does not offer
    expect(page.locator("select[name=down_pct] option[value='20']")).to_be_disabled()
    expect(page.locator("select[name=months] option[value='36']")).to_be_disabled()
    expect(page.locator(".own-rate")).to_be_hidden()
    page.select_option("select[name=down_pct]", "40")
    page.select_option("select[name=months]", "60")
    page.get_by_role("button", name="计算").click()

    price = trim.offer_price
    down = (price * Decimal("0.4")).quantize(Decimal("0.01"))
    loan = offers.loan(deal, price=price, down_payment=down, months=60, method="equal_instalment")
    apr = page.locator("#apr-instalment")
    expect(apr).to_have_text(f"{loan.apr}%")
    expect(page.locator("#monthly-top")).to_have_text(f"¥{money(loan.first_payment)}")
    expect(page.locator("#down-amount")).to_contain_text(f"¥{money(down)}")
    expect(page.locator("#loan-offer")).to_contain_text("平安银行")
    expect(page.locator("#schedule-equal_principal .apr")).to_be_visible()
    # the APR is shown larger than the monthly rate
    sizes = page.evaluate("""() => [
        parseFloat(getComputedStyle(document.getElementById('apr-instalment')).fontSize),
        parseFloat(getComputedStyle(document.querySelector('.monthly-rate')).fontSize)]""")
    assert sizes[0] > sizes[1] * 1.5, sizes
    assert re.fullmatch(r"\d+\.\d\d%", apr.inner_text())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide"
    page.locator("#apr").scroll_into_view_if_needed()
    shot(page, "store-calculator-finance-offer")
    assert not csp, csp
