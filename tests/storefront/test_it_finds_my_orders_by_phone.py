"""“My orders and test drives”: a buyer who lost the SMS link proves the number with a code and
finds their own orders and bookings — and nobody else's."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from autodcc.core.actors import consumer
from autodcc.customers.models import PhoneCode
from autodcc.messaging.models import Event, Message
from autodcc.orders.services import order_create

URL = reverse("store:mine")


def last_code(phone="+8613912340000"):
    body = Message.objects.filter(event=Event.VERIFICATION_CODE, recipient_phone=phone).latest("pk").body
    return re.search(r"\d{6}", body).group(0)


@pytest.fixture
def orders(shop, catalogue, enquiry):
    mine = order_create(actor=consumer("store"), trim=catalogue["s7"], edition=None,
                        buyer=enquiry(channel="storefront", dealer="SH-001", city="", phone="13912340000", name="吴先生"))
    theirs = order_create(actor=consumer("store"), trim=catalogue["s7"], edition=None,
                          buyer=enquiry(channel="storefront", dealer="SH-001", city="", phone="13912349999"))
    return mine, theirs


def test_a_code_by_sms_opens_the_buyers_own_orders(client, orders):
    mine, theirs = orders
    page = client.post(URL, {"phone": "139 1234 0000"}).content.decode()
    assert 'id="code-sent"' in page and 'name="code"' in page
    assert PhoneCode.objects.count() == 1 and len(PhoneCode.objects.get().code_hash) == 64  # only a hash is kept
    code = last_code()
    assert code not in PhoneCode.objects.get().code_hash
    response = client.post(URL, {"phone": "13912340000", "code": code})
    assert response.status_code == 302 and response["Location"] == URL
    page = client.get(URL).content.decode()
    assert mine.number in page and reverse("store:order", args=[mine.token]) in page
    assert theirs.number not in page and "139****0000" in page and "13912340000" not in page
    # the code served once
    client.post(URL, {"action": "leave"})
    page = client.post(URL, {"phone": "13912340000", "code": code}).content.decode()
    assert "已过期或已使用" in page and mine.number not in page


def test_wrong_codes_are_counted_and_end_the_code(client, orders):
    client.post(URL, {"phone": "13912340000"})
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    page = client.post(URL, {"phone": "13912340000", "code": wrong}).content.decode()
    assert "还可尝试 4 次" in page
    for _ in range(4):
        client.post(URL, {"phone": "13912340000", "code": wrong})
    page = client.post(URL, {"phone": "13912340000", "code": code}).content.decode()
    assert "已过期或已使用" in page  # five wrong tries: even the right code no longer opens it
    assert PhoneCode.objects.get().attempts == 5


def test_codes_are_rationed_per_number(client, orders):
    client.post(URL, {"phone": "13912340000"})
    page = client.post(URL, {"phone": "13912340000"}).content.decode()
    assert "不到一分钟" in page and PhoneCode.objects.count() == 1
    PhoneCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    assert 'id="code-sent"' in client.post(URL, {"phone": "13912340000"}).content.decode()


def test_an_expired_code_does_not_open_anything(client, orders):
    client.post(URL, {"phone": "13912340000"})
    PhoneCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    page = client.post(URL, {"phone": "13912340000", "code": last_code()}).content.decode()
    assert "已过期" in page and orders[0].number not in page


@pytest.mark.parametrize("phone", ["12345", "1391234000\x00", "1" * 10_000, "abc", ""])
def test_bad_numbers_get_a_clear_answer(client, shop, phone):
    response = client.post(URL, {"phone": phone})
    assert response.status_code == 200
    assert 'class="field-error" data-field="phone"' in response.content.decode()
    assert not PhoneCode.objects.exists() and not Message.objects.exists()
