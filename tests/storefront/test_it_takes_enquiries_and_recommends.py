"""The price enquiry becomes a storefront lead at a dealer of the consumer's city; the
recommendation ranks trims by the stated needs with reasons."""

from __future__ import annotations

import re

import pytest

from autodcc.catalog.models import Trim
from autodcc.catalog.recommend import Needs
from autodcc.catalog.selectors import recommendations
from autodcc.customers.models import Consent
from autodcc.leads.models import Lead

pytestmark = pytest.mark.django_db

URL = "/store/enquiry/"


def enquiry_data(**overrides):
    data = {"trim": "x9-phev-pro", "city": "杭州", "name": "陈静", "phone": "13712345678",
            "message": "想了解优惠", "consent_privacy": "on", "consent_share_with_dealer": "on",
            "consent_marketing": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_enquiry_becomes_a_storefront_lead_and_thanks_the_consumer(shop, client):
    html = client.get(URL + "?trim=x9-phev-pro").content.decode()
    assert '<option value="x9-phev-pro" selected>' in html and "store-2026-01" not in html  # stored only
    response = client.post(URL, enquiry_data())
    assert response.status_code == 302 and response["Location"] == "/store/enquiry/thanks/"
    lead = Lead.objects.get()
    assert lead.channel == "storefront" and lead.dealer == shop.dealer_b  # the Hangzhou dealer
    assert lead.model_interest == str(Trim.objects.get(slug="x9-phev-pro")) and lead.message == "想了解优惠"
    consent = Consent.objects.get()
    assert consent.version == "store-2026-01" and consent.share_with_dealer and consent.marketing
    assert consent.channel == "storefront"
    html = client.get(response["Location"]).content.decode()
    assert shop.dealer_b.name in html and "057186660001" in html
    # a second enquiry from the same phone joins the open lead
    client.post(URL, enquiry_data())
    assert Lead.objects.count() == 1


@pytest.mark.parametrize(("overrides", "field", "chinese"), [
    ({"phone": "138"}, "phone", "不是有效的中国大陆手机号码"),
    ({"phone": "02158880001"}, "phone", "不是有效的中国大陆手机号码"),
    ({"city": "火星"}, "city", "未知城市“火星”"),
    ({"city": ""}, "city", "这个字段是必填项"),
    ({"trim": "nope"}, "trim", "选择一个有效的选项"),
    ({"consent_privacy": None}, "consent_privacy", None),
    ({"consent_share_with_dealer": None}, "consent_share_with_dealer", None),
])
def test_bad_enquiries_are_refused_on_their_field(shop, client, overrides, field, chinese):
    response = client.post(URL, enquiry_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    html = response.content.decode()
    assert f'data-field="{field}"' in html
    if chinese:
        assert chinese in html
    assert not Lead.objects.exists() and not Consent.objects.exists()


def test_the_recommendation_ranks_with_reasons(shop, client):
    query = "?budget=300000&seats=5&energy=nev&use=family&must_have=sunroof&must_have=360_camera"
    response = client.get("/store/recommend/" + query)
    html = response.content.decode()
    expected = recommendations(Needs(budget=300000, seats=5, energy="nev", use="family",
                                     must_have=frozenset({"sunroof", "360_camera"})), limit=6)
    shown = re.findall(r'<h3><a href="/store/trims/([^/]+)/">', html)
    slugs = dict(Trim.objects.values_list("pk", "slug"))
    assert shown == [slugs[r.trim.id] for r in expected]
    assert shown[0] in {"s7-erev", "s7-long-range"}  # the fitting family NEVs with both must-haves
    for reason in expected[0].reasons:
        assert reason in html
    assert "/store/compare/?trims=" in html


def test_the_recommendation_form_shows_its_errors(shop, client):
    response = client.get("/store/recommend/?budget=abc&seats=12")
    form = response.context["form"]
    assert form.errors["budget"] and form.errors["seats"] and not response.context["results"]
    assert "输入一个数字" in response.content.decode()
    assert client.get("/store/recommend/").context["asked"] is False


def test_only_real_matches_carry_the_recommended_badge(shop, client):
    html = client.get("/store/recommend/?budget=300000&seats=5&energy=bev&use=family").content.decode()
    cards = re.findall(r'<li class="card[^"]*">(.*?)</li>\s*(?=<li class="card|</ol>)', html, re.S)
    assert cards
    for card in cards:
        mismatch = "不是您想要的能源类型" in card or "不太适合您的用车场景" in card or "略高于您的预算" in card
        assert ('class="badge ok"' in card) is not mismatch, card
    assert any('class="badge ok"' in card for card in cards)  # the BEV family SUVs within budget
    assert 'class="badge warn"' in html  # the range-extended S7 is not what was asked for


def test_the_family_use_is_not_the_family_profile(shop, client):
    html = client.get("/store/recommend/").content.decode()
    assert '<option value="family">家庭出行</option>' in html and "家庭结构" not in html
