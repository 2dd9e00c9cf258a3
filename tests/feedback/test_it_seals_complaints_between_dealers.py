"""Complaints are sealed between dealers on every path: a dealer's API key files for its own
dealer only (naming another dealer, or another dealer's order, is a clear error and saves
nothing) and reads its own dealer's; another dealer's staff get 404 for a complaint and its
attachments; a regional manager sees its region; roles without the capability get 403."""

import pytest
from django.urls import reverse

from autodcc.core.actors import SYSTEM
from autodcc.customers.models import Customer
from autodcc.feedback.models import Complaint
from autodcc.network.services import api_token_create

BODY = {"name": "王磊", "phone": "13611112222", "category": "delivery", "description": "交车时间一再推迟。",
        "consent_version": "dms-2026-01", "consent_share_with_dealer": True}


@pytest.fixture
def keys(net):
    _a, a = api_token_create(actor=SYSTEM, name="SH-001 DMS", dealer=net.dealer_a)
    _b, b = api_token_create(actor=SYSTEM, name="HZ-001 DMS", dealer=net.dealer_b)
    _c, channel = api_token_create(actor=SYSTEM, name="天猫客服", channel="tmall")
    return {"a": f"Bearer {a}", "b": f"Bearer {b}", "channel": f"Bearer {channel}"}


def post(client, key, body, **headers):
    return client.post("/api/complaints", body, content_type="application/json", HTTP_AUTHORIZATION=key, **headers)


def test_a_dealers_key_files_for_its_own_dealer(net, client, keys):
    response = post(client, keys["a"], BODY)
    assert response.status_code == 201, response.content
    found = Complaint.objects.get(pk=response.json()["id"])
    assert found.dealer == net.dealer_a and found.queue == "dealer" and found.source == "api"
    assert response.json()["dealer_code"] == "SH-001"
    assert client.get(f"/api/complaints/{found.pk}", HTTP_AUTHORIZATION=keys["a"]).status_code == 200
    assert client.get(f"/api/complaints/{found.pk}", HTTP_AUTHORIZATION=keys["b"]).status_code == 404


def test_naming_another_dealer_is_an_error_and_saves_nothing(net, client, keys):
    response = post(client, keys["a"], {**BODY, "dealer": "HZ-001"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "dealer" and "HZ-001" in error["errors"][0]["message"]
    assert Complaint.objects.count() == 0 and not Customer.objects.filter(phone="+8613611112222").exists()


def test_another_dealers_order_is_unknown_to_a_key(net, client, keys, paid_order):
    order = paid_order(dealer="HZ-001", phone="13611112222")
    response = post(client, keys["a"], {**BODY, "order": order.number})
    assert response.status_code == 400 and response.json()["error"]["field"] == "order"
    assert Complaint.objects.count() == 0
    # the order's own dealer may
    assert post(client, keys["b"], {**BODY, "order": order.number}).status_code == 201


def test_a_channel_key_names_any_dealer_and_reads_only_what_it_filed(net, client, keys):
    response = post(client, keys["channel"], {**BODY, "dealer": "HZ-001"})
    assert response.status_code == 201 and response.json()["dealer_code"] == "HZ-001"
    mine = response.json()["id"]
    other = post(client, keys["a"], {**BODY, "phone": "13611113333"}).json()["id"]
    assert client.get(f"/api/complaints/{mine}", HTTP_AUTHORIZATION=keys["channel"]).status_code == 200
    assert client.get(f"/api/complaints/{other}", HTTP_AUTHORIZATION=keys["channel"]).status_code == 404


def test_a_retry_with_the_same_key_files_once(net, client, keys):
    first = post(client, keys["a"], BODY, HTTP_IDEMPOTENCY_KEY="dms-77")
    again = post(client, keys["a"], BODY, HTTP_IDEMPOTENCY_KEY="dms-77")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and again.json()["replay"] is True
    assert Complaint.objects.count() == 1


@pytest.fixture
def complaints(net, file_complaint, paid_order):
    a = file_complaint("delivery", dealer="SH-001")
    b = file_complaint("delivery", dealer="HZ-001")
    c = file_complaint("delivery", dealer="BJ-001")
    hq = file_complaint("online_store")
    return {"a": a, "b": b, "c": c, "hq": hq}


def test_another_dealers_staff_get_404_on_every_page_of_a_complaint(net, login, complaints):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from autodcc.feedback.models import Attachment

    b = complaints["b"]
    attachment = Attachment.objects.create(complaint=b, file=SimpleUploadedFile("p.png", b"\x89PNG"), name="p.png",
                                           size=4)
    client = login(net.a_manager)
    assert client.get(reverse("console:complaint_detail", args=[b.pk])).status_code == 404
    for action in ("assign", "start", "note", "resolve", "close"):
        response = client.post(reverse("console:complaint_action", args=[b.pk]), {"action": action, "note-note": "x"})
        assert response.status_code == 404, action
    assert client.get(reverse("console:complaint_attachment", args=[attachment.pk])).status_code == 404
    b.refresh_from_db()
    assert b.status == "new" and b.entries.count() == 2
    page = client.get(reverse("console:complaint_list")).content.decode()
    assert complaints["a"].number in page and b.number not in page and complaints["hq"].number not in page
    own = client.get(reverse("console:complaint_detail", args=[complaints["a"].pk]))
    assert own.status_code == 200


def test_the_region_sees_its_dealers_and_hq_sees_all(net, login, complaints):
    client = login(net.regional_manager)
    page = client.get(reverse("console:complaint_list")).content.decode()
    assert complaints["a"].number in page and complaints["b"].number in page
    assert complaints["c"].number not in page and complaints["hq"].number not in page
    assert client.get(reverse("console:complaint_detail", args=[complaints["c"].pk])).status_code == 404
    client = login(net.hq_service)
    page = client.get(reverse("console:complaint_list")).content.decode()
    assert all(c.number in page for c in complaints.values())


@pytest.mark.parametrize("who", ["a_agent", "a_consultant", "hq_finance"])
def test_roles_without_the_capability_get_403(net, login, complaints, who):
    client = login(getattr(net, who))
    own = complaints["a"]
    for name, args in (("complaint_list", []), ("complaint_new", []), ("complaint_report", []),
                       ("complaint_rules", []), ("complaint_detail", [own.pk])):
        assert client.get(reverse(f"console:{name}", args=args)).status_code == 403, name
    assert client.post(reverse("console:complaint_action", args=[own.pk]),
                       {"action": "resolve", "resolve-resolution": "x"}).status_code == 403


def test_dealer_staff_may_not_route_or_touch_the_rules(net, login, complaints):
    client = login(net.a_manager)
    assert client.get(reverse("console:complaint_rules")).status_code == 403
    response = client.post(reverse("console:complaint_action", args=[complaints["a"].pk]),
                           {"action": "reassign", "reassign-queue": "dealer", "reassign-dealer": net.dealer_b.pk})
    assert response.status_code == 403
    assert Complaint.objects.get(pk=complaints["a"].pk).dealer == net.dealer_a


def test_an_hq_departments_complaint_is_handled_by_hq_only(net, login, complaints, paid_order, file_complaint):
    order = paid_order(dealer="SH-001")
    product = file_complaint("product", order_obj=order, phone=order.customer.phone)  # HQ's, about dealer A
    client = login(net.a_manager)
    assert client.get(reverse("console:complaint_detail", args=[product.pk])).status_code == 200  # A may read it
    response = client.post(reverse("console:complaint_action", args=[product.pk]),
                           {"action": "resolve", "resolve-resolution": "已处理"})
    assert response.status_code == 403
    client.post(reverse("console:complaint_action", args=[product.pk]), {"action": "note", "note-note": "客户已到店"})
    assert product.entries.filter(kind="note").count() == 1  # but may add what it knows
    hq = login(net.hq_service)
    response = hq.post(reverse("console:complaint_action", args=[product.pk]),
                       {"action": "resolve", "resolve-resolution": "已更换部件。"})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=product.pk).status == "resolved"
