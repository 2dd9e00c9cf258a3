"""CAT-4 in the store: the calculator offers the finance offers valid today for the car, takes
the down payment as a share of the price, keeps each offer's terms and minimum down payment,
and shows the APR over all costs more prominently than the monthly rate."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from autodcc.catalog import offers, services
from autodcc.catalog.models import FinanceOffer, Trim
from autodcc.storefront.templatetags.storefront import money

pytestmark = pytest.mark.django_db


def calc(client, **params):
    return client.get("/store/calculator/?" + urlencode(params))


def offer_named(title: str) -> FinanceOffer:
    return FinanceOffer.objects.get(title=title)


def test_each_car_lists_the_offers_valid_for_it(shop, client):
    s7 = calc(client, trim="s7-long-range").content.decode()
    assert "36期0息" in s7 and "60期低月供" in s7 and "低息分期 2.99%" not in s7
    x9 = calc(client, trim="x9-20t-7").content.decode()
    assert "36期0息" in x9 and "低息分期 2.99%" in x9 and "60期低月供" not in x9


def test_an_offer_with_a_down_payment_share_shows_its_apr_above_the_monthly_rate(shop, client):
    deal = offer_named("60期低月供")  # 1.99 % plus 3 % of the loan, at least 30 % down, 48 or 60 months
    response = calc(client, trim="s7-long-range", offer=deal.pk, down_by="pct", down_pct="30", months="60")
    assert response.status_code == 200
    html = response.content.decode()
    price = Trim.objects.get(slug="s7-long-range").offer_price
    down = (price * Decimal("0.3")).quantize(Decimal("0.01"))
    expected = {m: offers.loan(deal, price=price, down_payment=down, months=60, method=m)
                for m in ("equal_instalment", "equal_principal")}
    apr_box = re.search(r'<div class="apr-box" id="apr">(.*?)</div>', html, re.S).group(1)
    assert f'<strong id="apr-instalment">{expected["equal_instalment"].apr}%</strong>' in apr_box
    assert f'<strong id="apr-principal">{expected["equal_principal"].apr}%</strong>' in apr_box
    assert expected["equal_instalment"].apr > Decimal("1.99")  # the fee counts
    assert f"¥{money(down)}" in html and "(30%)" in html
    assert f'<dd class="fee">¥{money(expected["equal_instalment"].fee)}</dd>' in html
    assert f'id="monthly-top">¥{money(expected["equal_instalment"].first_payment)}<' in html
    # the APR comes before, and larger than, the monthly rate
    assert html.index('id="apr-instalment"') < html.index('class="monthly-rate"')


def test_the_worked_example_through_an_offer_in_the_store(shop, client, net):
    deal = services.save(actor=net.hq_marketer.actor, obj=FinanceOffer(
        lender="澜川汽车金融", title="三年零息", terms="36", annual_rate=Decimal("0"), fee_value=Decimal("4000"),
        min_down_pct=Decimal("0")))
    html = calc(client, trim="s5-entry", offer=deal.pk, down_by="amount", down_payment="12900",
                months="36").content.decode()  # 112,900 − 12,900 = a 100,000 loan
    assert 'id="loan-amount">¥100,000.00<' in html
    assert '<strong id="apr-instalment">2.67%</strong>' in html
    assert '<dd class="monthly-rate">0%</dd>' in html


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"down_pct": "10"}, "down_pct", "首付不低于车价的 20%"),
    ({"months": "60"}, "months", "只提供 36 期"),
    ({"down_by": "amount", "down_payment": "500000"}, "down_payment", "不能高于车价"),
    ({"down_by": "amount", "down_payment": "1000"}, "down_payment", "首付不低于车价的 20%"),
])
def test_an_offers_rules_are_refused_on_their_field(shop, client, params, field, words):
    deal = offer_named("36期0息")
    query = {"trim": "s5-entry", "offer": deal.pk, "down_by": "pct", "down_pct": "20", "months": "36", **params}
    response = calc(client, **query)
    assert response.status_code == 200
    errors = response.context["loan_form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert response.context["instalments"] is None
    assert f'data-field="{field}"' in response.content.decode()


def test_an_offer_for_another_car_or_out_of_date_is_refused(shop, client):
    s7_only = offer_named("60期低月供")
    response = calc(client, trim="s5-entry", offer=s7_only.pk, months="60")
    assert "该金融方案今天不适用于所选车型" in " ".join(response.context["loan_form"].errors["offer"])
    FinanceOffer.objects.filter(pk=s7_only.pk).update(is_active=False)
    response = calc(client, trim="s7-long-range", offer=s7_only.pk, months="60")
    assert response.context["loan_form"].errors["offer"] and response.context["instalments"] is None


@pytest.mark.parametrize("params", [
    {"offer": "\x00"},
    {"offer": "x" * 10_000},
    {"down_by": "amount", "down_payment": "9" * 10_000},
    {"down_by": "amount", "down_payment": "1\x00"},
    {"down_pct": "\x00"},
    {"offer": "own", "annual_rate": "\x004"},
    {"offer": "own", "annual_rate": "-3"},
    {"offer": "own", "annual_rate": "Infinity"},
    {"offer": "own", "annual_rate": "4", "fee": "1e9999"},
    {"months": "7" * 10_000},
])
def test_nul_and_huge_input_get_a_message_never_a_server_error(shop, client, params):
    response = calc(client, trim="s5-entry", **params)
    assert response.status_code == 200
    assert response.context["loan_form"].errors
    assert response.context["instalments"] is None
