"""Comparison (CAT-2): 2–4 trims side by side, differing rows highlighted, "differences only"
through the querystring (and a small script in the browser)."""

from __future__ import annotations

import re

import pytest

from autodcc.catalog.models import Trim
from autodcc.catalog.selectors import compare

pytestmark = pytest.mark.django_db

URL = "/store/compare/?trims=s7-long-range&trims=s7-performance"


def rows(html: str) -> dict[str, str]:
    """Row label → the row's class ('differs' or 'same')."""
    return {label: cls for cls, label in
            re.findall(r'<tr class="(differs|same)"><th scope="row">([^<]+)</th>', html)}


def test_differing_rows_are_highlighted(shop, client):
    html = client.get(URL).content.decode()
    found = rows(html)
    assert found["最大功率"] == "differs" and found["抬头显示"] == "differs"  # 230 vs 390 kW; HUD only on one
    assert found["座位数"] == "same" and found["主动刹车"] == "same"
    trims = list(Trim.objects.filter(slug__in=["s7-long-range", "s7-performance"]).order_by("sort"))
    expected = {r.label: ("differs" if r.differs else "same") for r in compare(trims)}
    assert {k: v for k, v in found.items() if k in expected} == expected
    assert "230 kW" in html and "390 kW" in html


def test_differences_only_hides_equal_rows(shop, client):
    full = rows(client.get(URL).content.decode())
    html = client.get(URL + "&diff=1").content.decode()
    only = rows(html)
    assert only and set(only.values()) == {"differs"}
    assert set(only) == {label for label, cls in full.items() if cls == "differs"}
    assert "座位数" not in only
    assert 'href="?trims=s7-long-range&amp;trims=s7-performance"' in html  # the way back to every row


def test_the_toggle_works_without_script_and_the_script_is_loaded_with_a_nonce(shop, client):
    html = client.get(URL).content.decode()
    link = r'<a href="\?trims=s7-long-range&amp;trims=s7-performance&amp;diff=1" id="toggle-diff"'
    assert re.search(link, html)
    assert re.search(r'<script src="[^"]*storefront/store\.js" nonce="[^"]+" defer>', html)
    assert "style=" not in html and "<style" not in html and "onclick" not in html


def test_two_to_four_trims(shop, client):
    html = client.get("/store/compare/?trims=s7-long-range").content.decode()
    assert 'id="compare-table"' not in html and 'class="notice error"' in html
    slugs = ["s5-entry", "s5-standard", "s5-long-range", "s7-long-range", "s7-erev"]
    five = "&".join(f"trims={t}" for t in slugs)
    html = client.get(f"/store/compare/?{five}").content.decode()
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert head.count("/store/trims/") == 4 and "s7-erev" not in head and 'class="notice error"' in html
    # unknown or repeated trims are ignored
    query = "?trims=s7-long-range&trims=nope&trims=s7-long-range&trims=x9-20t-7"
    html = client.get("/store/compare/" + query).content.decode()
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert head.count("/store/trims/") == 2


def test_prices_carry_the_yuan_sign_and_a_wide_table_says_it_scrolls(shop, client):
    html = client.get(URL).content.decode()
    assert "¥219,900" in html and "¥229,900" in html and " 元<" not in html
    assert 'id="compare-scroll-hint"' not in html  # two trims fit a phone
    html = client.get(URL + "&trims=s7-erev").content.decode()
    assert 'id="compare-scroll-hint"' in html and "查看全部 3 款配置" in html
