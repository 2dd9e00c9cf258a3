"""A launch-day entry through either door of the store: the form posted by a browser without script
(a 302 with the receipt as a message) and the page's script (a JSON answer, no page load). Both
take the same rules from ``draw.entry_submit``; each case runs through both."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from autodcc.campaigns import draw, services
from autodcc.campaigns.models import Campaign, DrawEntry, DrawRound
from autodcc.core import memo
from autodcc.core.errors import DomainError

CODE = "DOORS"
GOOD = {"name": "王芳", "phone": "13912345678", "city": "上海", "consent": "on"}


@pytest.fixture
def open_round(net):
    now = timezone.now()
    campaign = services.campaign_save(actor=net.hq_marketer.actor, campaign=Campaign(
        code=CODE, name="开业日", theme="launch", starts_on=timezone.localdate(), ends_on=timezone.localdate()))
    memo.forget(("draw-schedule", CODE))
    return draw.round_prepare(actor=net.hq_marketer.actor, campaign=campaign, number=1,
                              opens_at=now - dt.timedelta(minutes=5), closes_at=now + dt.timedelta(minutes=55),
                              prize="澜川 S7 七日用车权")


def by_form(client, data, code=CODE):
    """What a browser without script does: post the page, follow the redirect."""
    response = client.post(reverse("store:draw", args=[code]), data, follow=True)
    html = response.content.decode()
    return response.status_code, html


def by_script(client, data, code=CODE):
    response = client.post(reverse("store:draw_enter", args=[code]), data, HTTP_ACCEPT="application/json")
    return response.status_code, response.content.decode()


DOORS = pytest.mark.parametrize("door", [by_form, by_script], ids=["form", "script"])


def zh(code, **params):
    with translation.override("zh-hans"):
        return DomainError(code, **params).message


@DOORS
def test_an_entry_gets_its_receipt_and_a_second_one_is_refused_in_chinese(open_round, client, door):
    status, shown = door(client, GOOD)
    entry = DrawEntry.objects.get(round=open_round)
    assert status in (200, 201) and entry.receipt in shown and str(entry.pk) in shown
    assert entry.phone == "+8613912345678" and entry.name == "王芳" and entry.city == "上海市"
    status, shown = door(client, {**GOOD, "phone": "139 1234 5678"})
    assert status in (200, 409) and zh("draw.duplicate", number=1) in shown
    assert DrawEntry.objects.filter(round=open_round).count() == 1
    assert DrawRound.objects.get(pk=open_round.pk).duplicates_refused == 1


@DOORS
@pytest.mark.parametrize(("field", "value", "error"), [
    ("name", "", zh("draw.name_missing")),
    ("name", "王" * 10_000, zh("draw.name_too_long", max=draw.NAME_MAX)),
    ("name", "王\x00芳", None),
    ("phone", "1391234567", None),
    ("phone", "1" * 10_000, None),
    ("city", "", zh("draw.city_missing")),
    ("city", "不存在市", None),
    ("consent", "", None),
], ids=["no-name", "10kB-name", "NUL-name", "short-phone", "10kB-phone", "no-city", "unknown-city", "no-consent"])
def test_an_incomplete_or_bad_entry_is_refused_on_its_field_and_nothing_is_kept(open_round, client, door, field,
                                                                                 value, error):
    status, shown = door(client, {**GOOD, field: value})
    assert status in (200, 400)
    assert DrawEntry.objects.count() == 0
    assert f'data-field="{field}"' in shown or f'"field": "{field}"' in shown
    if error:
        assert error in shown


def test_the_script_answer_names_each_field_and_says_it_in_chinese(open_round, client):
    response = client.post(reverse("store:draw_enter", args=[CODE]), {"name": "", "phone": "12", "city": ""})
    answer = response.json()
    assert response.status_code == 400 and answer["accepted"] is False
    fields = {e["field"] for e in answer["errors"]}
    assert fields == {"name", "phone", "city", "consent"}
    assert zh("draw.name_missing") in [e["message"] for e in answer["errors"]]


def test_the_script_answer_carries_the_receipt(open_round, client):
    response = client.post(reverse("store:draw_enter", args=[CODE]), GOOD)
    answer = response.json()
    entry = DrawEntry.objects.get()
    assert response.status_code == 201
    assert (answer["accepted"], answer["round"], answer["number"], answer["receipt"]) == (True, 1, entry.pk,
                                                                                       entry.receipt)
    assert entry.receipt in answer["message"]


@DOORS
def test_no_entry_outside_the_round(open_round, client, door):
    DrawRound.objects.filter(pk=open_round.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    memo.forget(("draw-schedule", CODE))
    status, shown = door(client, GOOD)
    assert status in (200, 409) and DrawEntry.objects.count() == 0
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        assert gettext("No round is open right now.") in shown


@DOORS
def test_an_unknown_campaign_is_404(open_round, client, door):
    status, _shown = door(client, GOOD, code="NO-SUCH")
    assert status == 404


def test_the_script_door_needs_the_csrf_token_and_a_post(open_round):
    client = Client(enforce_csrf_checks=True)
    url = reverse("store:draw_enter", args=[CODE])
    assert client.post(url, GOOD).status_code == 403
    page = client.get(reverse("store:draw", args=[CODE]))
    token = page.cookies["csrftoken"].value
    assert client.post(url, GOOD, HTTP_X_CSRFTOKEN=token).status_code == 201
    assert client.get(url).status_code == 405
    assert DrawEntry.objects.count() == 1


def test_both_doors_share_one_limit_per_address(open_round, client, settings):
    settings.STORE_POST_RATE = "2/m"
    from autodcc.storefront.views.common import RATE_LIMITED

    by_form(client, {**GOOD, "phone": "13900000001"})
    by_script(client, {**GOOD, "phone": "13900000002"})
    status, shown = by_script(client, {**GOOD, "phone": "13900000003"})
    with translation.override("zh-hans"):
        assert status == 429 and str(RATE_LIMITED) in shown
    assert DrawEntry.objects.count() == 2


def test_receipts_are_six_letters_of_the_unambiguous_alphabet_without_bias():
    assert len(draw.RECEIPT_ALPHABET) == 32 and len(set(draw.RECEIPT_ALPHABET)) == 32  # 5 bits a letter
    assert not set("01IO") & set(draw.RECEIPT_ALPHABET)
    seen = [draw._receipt() for _ in range(4000)]
    assert all(len(r) == 6 and set(r) <= set(draw.RECEIPT_ALPHABET) for r in seen)
    counts = {c: sum(r.count(c) for r in seen) for c in draw.RECEIPT_ALPHABET}
    assert min(counts.values()) > 0.6 * 750 and max(counts.values()) < 1.4 * 750  # 24,000 letters / 32
