"""Bad input gets a clear Chinese message and loses nothing: 10 kB of text, a NUL byte, a malformed
phone, a missing consent; a double submit files one complaint. On the store's pages, in the
console and over the API; never a 5xx."""

import pytest
from django.urls import reverse

from autodcc.core.actors import SYSTEM
from autodcc.feedback.models import Complaint
from autodcc.network.services import api_token_create

STORE = {"kind": "complaint", "category": "online_store", "description": "下单后页面一直显示待支付。",
         "name": "陈晨", "phone": "13622223333", "consent_privacy": "on", "consent_share_with_dealer": "on",
         "submission": "form-1"}


def errors_of(response):
    return response.content.decode()


@pytest.mark.parametrize(("change", "words"), [
    ({"description": "长" * 10_240}, "描述过长"),
    ({"description": "有\x00空字符"}, "不可见的控制字符"),
    ({"phone": "1234"}, "不是有效的中国大陆手机号码"),
    ({"description": ""}, "这个字段是必填项"),
    ({"consent_privacy": ""}, "请同意隐私"),
    ({"category": "weather"}, "选择一个有效的选项"),
])
def test_the_store_page_says_what_is_wrong_and_keeps_the_rest(net, client, change, words):
    response = client.post(reverse("store:feedback"), {**STORE, **change})
    assert response.status_code == 400
    page = errors_of(response)
    assert words in page, page[page.find("field-error") - 200:page.find("field-error") + 300]
    assert "陈晨" in page  # what was typed stays in the form
    assert Complaint.objects.count() == 0


def test_a_double_submit_files_one_complaint(net, client):
    first = client.post(reverse("store:feedback"), STORE)
    second = client.post(reverse("store:feedback"), STORE)
    assert first.status_code == second.status_code == 302
    assert Complaint.objects.count() == 1
    page = client.get(first["Location"]).content.decode()
    assert Complaint.objects.get().number in page


def test_the_same_words_again_without_the_form_key_are_the_same_complaint(net, client):
    client.post(reverse("store:feedback"), {**STORE, "submission": ""})
    client.post(reverse("store:feedback"), {**STORE, "submission": ""})
    assert Complaint.objects.count() == 1


def test_the_store_files_a_good_one_routed_and_consented(net, client):
    from autodcc.customers.models import Consent

    response = client.post(reverse("store:feedback"), {**STORE, "category": "online_store"})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.queue == "hq_marketing" and complaint.source == "store"
    consent = Consent.objects.get(customer=complaint.customer)
    assert consent.purposes == ["feedback"] and consent.share_with_dealer and consent.version == "store-2026-01"
    assert consent.channel == "storefront"


def test_the_order_page_form_files_for_the_orders_dealer(net, client, paid_order):
    order = paid_order(dealer="HZ-001")
    url = reverse("store:order_feedback", args=[order.token])
    body = {"fb-kind": "complaint", "fb-category": "delivery", "fb-description": "交车日期一直没人通知。",
            "fb-consent_privacy": "on", "fb-consent_share_with_dealer": "on", "fb-submission": "k1"}
    bad = client.post(url, {**body, "fb-description": "x" * 10_240})
    assert bad.status_code == 400 and "描述过长" in bad.content.decode() and Complaint.objects.count() == 0
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302  # pressed twice
    complaint = Complaint.objects.get()
    assert (complaint.dealer, complaint.order, complaint.source) == (net.dealer_b, order, "store_order")
    page = client.get(reverse("store:order", args=[order.token])).content.decode()
    assert complaint.number in page and 'data-complaint-status="new"' in page


def test_console_entry_refuses_bad_input_in_chinese(net, login):
    client = login(net.a_manager)
    body = {"source": "phone", "kind": "complaint", "category": "sales_service", "name": "周杰",
            "phone": "13633334444", "description": "顾问态度不好。", "consent": "on", "submission": "c1"}
    for change, words in (({"phone": "abc"}, "不是有效的中国大陆手机号码"), ({"description": "坏\x00"}, "控制字符"),
                          ({"description": "长" * 10_240}, "过长"), ({"consent": ""}, "请先征得客户同意"),
                          ({"order": "NOPE-1"}, "没有订单号")):
        response = client.post(reverse("console:complaint_new"), {**body, **change})
        assert response.status_code == 200 and words in response.content.decode(), change
    assert Complaint.objects.count() == 0
    first = client.post(reverse("console:complaint_new"), body)
    second = client.post(reverse("console:complaint_new"), body)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    complaint = Complaint.objects.get()
    assert complaint.dealer == net.dealer_a and complaint.source == "phone"  # a dealer's staff: their own dealer


def test_the_api_refuses_bad_input_clearly(net, client):
    _t, raw = api_token_create(actor=SYSTEM, name="SH-001 DMS", dealer=net.dealer_a)
    key = f"Bearer {raw}"
    body = {"name": "王磊", "phone": "13611112222", "category": "delivery", "description": "交车推迟。",
            "consent_version": "dms-2026-01", "consent_share_with_dealer": True}
    for change, field in (({"description": "长" * 10_240}, "description"), ({"phone": "12"}, "phone"),
                          ({"description": "坏\x00"}, "description"), ({"category": "x"}, "category"),
                          ({"consent_share_with_dealer": False}, "consent_share")):
        response = client.post("/api/complaints", {**body, **change}, content_type="application/json",
                               HTTP_AUTHORIZATION=key)
        assert response.status_code == 400, (change, response.content)
        error = response.json()["error"]
        fields = {e["field"] for e in error.get("errors") or []} | {error.get("field")}
        assert field in fields, (change, error)
    response = client.post("/api/complaints", "{not json", content_type="application/json", HTTP_AUTHORIZATION=key)
    assert response.status_code == 400
    assert Complaint.objects.count() == 0
