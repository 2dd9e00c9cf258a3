"""The calculator (CAT-3, CAT-4) shows exactly what catalog.pricing and catalog.finance compute,
every line with its explanation; bad input shows a message on its field."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from autodcc.catalog import finance
from autodcc.catalog.models import Edition, Trim
from autodcc.catalog.selectors import landed_price_for
from autodcc.storefront.templatetags.storefront import money

pytestmark = pytest.mark.django_db

DOMAIN = "/store/calculator/?trim=s5-entry&down_by=amount&down_payment=12900&months=36"  # 112,900 − 12,900 = a 100,000 loan


def text(response) -> str:
    html = response.content.decode()
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def schedule_box(html: str, method: str) -> str:
    return re.search(rf'id="schedule-{method}">(.*?)</article>', html, re.S).group(1)


def dd(box: str, cls: str) -> str:
    return re.search(rf'<dd class="{cls}">([^<]+)</dd>', box).group(1)


def test_every_line_and_the_total_match_the_pricing_module(shop, client):
    trim = Trim.objects.get(slug="s7-long-range")
    edition = Edition.objects.get(slug="s7-tmall-edition")
    colour = trim.colours.get(name="湖光蓝")
    day = timezone.localdate() + dt.timedelta(days=10)
    response = client.get(f"/store/calculator/?trim=s7-long-range&edition=s7-tmall-edition&colour={colour.pk}"
                          f"&day={day}&commercial_insurance=5200&accessories=3000")
    html = response.content.decode()
    expected = landed_price_for(trim, day=day, edition=edition, colour=colour,
                                commercial_insurance=Decimal(5200), accessories=Decimal(3000))
    for line in expected.lines:
        row = re.search(rf'<tr data-line="{line.code}">(.*?)</tr>', html, re.S).group(1)
        assert str(line.label) in row and money(line.amount) in row, line.code
        assert str(line.explanation) in text(response), line.code
    assert f'<td class="num total">{money(expected.total)}</td>' in html
    assert expected.amount("invoice") == Decimal("217900.00")  # the edition's offer + the colour's 3,000
    assert "6800" not in html and "6,800" not in html


def test_the_loan_matches_the_domain_examples(shop, client):
    html = client.get(DOMAIN + "&offer=own&annual_rate=4").content.decode()
    assert 'id="loan-amount">¥100,000.00<' in html
    box = schedule_box(html, "equal_instalment")
    assert dd(box, "first") == "¥2,952.40" and dd(box, "interest") == "¥6,286.35"
    box = schedule_box(html, "equal_principal")
    assert dd(box, "first") == "¥3,111.11" and dd(box, "last") == "¥2,787.04"
    assert dd(box, "interest") == "¥6,166.67"
    apr_box = re.search(r'<div class="apr-box" id="apr">(.*?)</div>', html, re.S).group(1)
    assert '<strong id="apr-instalment">4.00%</strong>' in apr_box  # no fee: the APR is the nominal rate
    assert '<dd class="monthly-rate">0.3333%</dd>' in html


def test_a_zero_percent_rate_with_a_fee_shows_its_annualised_rate_prominently(shop, client):
    html = client.get(DOMAIN + "&offer=own&fee=4000&annual_rate=0").content.decode()
    apr_box = re.search(r'<div class="apr-box" id="apr">(.*?)</div>', html, re.S).group(1)
    assert '<strong id="apr-instalment">2.67%</strong>' in apr_box and "4,000.00" in apr_box
    box = schedule_box(html, "equal_instalment")
    assert dd(box, "interest") == "¥0.00" and dd(box, "apr") == "2.67%"


def test_the_figures_match_the_finance_module_for_other_inputs(shop, client):
    trim = Trim.objects.get(slug="x9-20t-7")
    html = client.get("/store/calculator/?trim=x9-20t-7&down_by=amount&down_payment=50000&months=60&offer=own"
                      "&annual_rate=3.85").content.decode()
    for method in ("equal_instalment", "equal_principal"):
        expected = finance.schedule(price=trim.offer_price, down_payment=Decimal(50000), months=60,
                                    annual_rate=Decimal("0.0385"), method=method)
        box = schedule_box(html, method)
        assert dd(box, "first") == f"¥{money(expected.first_payment)}"
        assert dd(box, "last") == f"¥{money(expected.last_payment)}"
        assert dd(box, "interest") == f"¥{money(expected.total_interest)}"
        assert dd(box, "apr") == f"{expected.apr}%"
        assert box.count("<tr><td>") == 60


def test_defaults_need_no_input(shop, client):
    response = client.get("/store/calculator/?trim=s7-erev")
    assert response.status_code == 200
    form = response.context["loan_form"]
    assert form.is_valid() and form.cleaned_data["months"] == 36
    assert form.cleaned_data["down_pct"] == 20 and response.context["down_payment"] == Decimal("39980.00")
    assert response.context["instalments"] is not None and response.context["landed"] is not None


def test_a_down_payment_above_the_price_is_refused_on_its_field(shop, client):
    response = client.get("/store/calculator/?trim=s5-entry&down_by=amount&down_payment=200000&offer=own&annual_rate=4")
    form = response.context["loan_form"]
    assert form.errors["down_payment"] and response.context["instalments"] is None
    assert 'data-field="down_payment"' in response.content.decode()
    assert "首付（¥200,000.00）不能高于车价（¥112,900.00）" in response.content.decode()  # the page's money format
    assert response.context["landed"] is not None  # the price part still shows


def test_a_term_of_zero_is_refused_in_chinese(shop, client):
    response = client.get("/store/calculator/?trim=s5-entry&down_payment=10000&months=0&annual_rate=4")
    errors = response.context["loan_form"].errors["months"]
    assert "选择一个有效的选项" in errors[0]
    assert response.context["instalments"] is None


def test_other_bad_inputs(shop, client):
    cases = {
        "annual_rate=40&offer=own": ("loan_form", "annual_rate"),
        "annual_rate=abc&offer=own": ("loan_form", "annual_rate"),
        "annual_rate=-1&offer=own": ("loan_form", "annual_rate"),
        "annual_rate=1e400&offer=own": ("loan_form", "annual_rate"),
        "offer=own&fee=-5": ("loan_form", "fee"),
        "down_by=amount&down_payment=-1&offer=own": ("loan_form", "down_payment"),
        "down_by=pct&down_pct=33&offer=own": ("loan_form", "down_pct"),
        "down_by=sideways": ("loan_form", "down_by"),
        "day=1999-01-01": ("price_form", "day"),
        "day=not-a-date": ("price_form", "day"),
        "commercial_insurance=-100": ("price_form", "commercial_insurance"),
    }
    for query, (form, field) in cases.items():
        response = client.get(f"/store/calculator/?trim=s5-entry&{query}")
        assert response.status_code == 200, query
        assert response.context[form].errors.get(field), (query, response.context[form].errors)
    assert "输入一个数字。" in client.get("/store/calculator/?trim=s5-entry&annual_rate=abc").content.decode()
    assert client.get("/store/calculator/?trim=nope").context["price_form"].errors["trim"]


def test_switching_the_car_drops_the_old_cars_colour_and_edition(shop, client):
    colour = Trim.objects.get(slug="s7-long-range").colours.get(name="湖光蓝")
    response = client.get(f"/store/calculator/?trim=s5-entry&colour={colour.pk}&edition=s7-tmall-edition")
    assert response.context["price_form"].is_valid() and response.context["landed"] is not None
    assert response.context["landed"].amount("invoice") == Decimal("112900.00")


def test_a_colours_surcharge_is_written_the_chinese_way(shop, client):
    html = client.get("/store/calculator/?trim=s5-entry").content.decode()
    assert "湖光蓝（+¥3,000）" in html and "(+" not in html
