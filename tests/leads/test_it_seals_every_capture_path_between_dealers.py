"""Another dealer's customer or code never reads or writes that dealer's rows, on any capture
path: staff entry, the import, the pipeline itself (both entry points), the store. (The API's
dealer and channel keys: test_it_captures_over_the_api.py.)"""

import io

import pytest

from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog, ImportJob, ImportStatus
from autodcc.customers.models import Consent
from autodcc.insights.queries import Filters, funnel
from autodcc.leads.importing import leads_import
from autodcc.leads.models import AllocationReason, Capture, Lead
from autodcc.leads.services import lead_capture

PHONE = "13712340000"


@pytest.fixture
def at_a(net, enquiry):
    """Dealer A's open lead for the customer, under the name A was given."""
    return lead_capture(actor=SYSTEM, data=enquiry(phone=PHONE, name="张先生", dealer="SH-001", channel="autohome")).lead


def test_another_dealers_agent_entering_the_phone_makes_their_own_lead(net, at_a, login):
    client = login(net.b_agent)
    response = client.post("/console/leads/new/", {
        "name": "张三", "phone": PHONE, "city": "杭州", "channel": "walk_in", "model_interest": "S7",
        "consent_version": "on", "consent_share_with_dealer": "on"})
    assert response.status_code == 302
    mine = Lead.objects.get(dealer=net.dealer_b)
    assert response["Location"] == f"/console/leads/{mine.pk}/"
    assert mine.customer_id == at_a.customer_id and mine.allocation_reason == AllocationReason.STAFF
    a_lead = Lead.objects.get(pk=at_a.pk)
    assert a_lead.duplicate_count == 0 and a_lead.captures.count() == 1
    assert not AuditLog.objects.filter(dealer_id=net.dealer_a.pk, actor_label=net.b_agent.staff.name).exists()
    assert Consent.objects.filter(dealer=net.dealer_a).count() == 1  # A's consent record as it was
    assert client.get(f"/console/leads/{mine.pk}/").status_code == 200
    assert client.get(f"/console/leads/{at_a.pk}/").status_code == 404


def test_another_dealers_import_naming_dealer_a_creates_nothing_there(net, at_a, django_capture_on_commit_callbacks,
                                                                      settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    b_gm = net.b_manager
    rows = ("姓名,手机,城市,经销商代码,渠道,授权版本,同意共享经销商\n"
            "王五,13712340001,上海,SH-001,汽车之家,2026-01,是\n"
            f"张三,{PHONE},杭州,,汽车之家,2026-01,是\n")
    with django_capture_on_commit_callbacks(execute=True):
        job = leads_import(actor=b_gm.actor, upload=io.BytesIO(rows.encode("utf-8-sig")), filename="l.csv",
                           skip_bad_rows=True)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportStatus.DONE_WITH_ERRORS
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "经销商代码")]
    assert Lead.objects.filter(dealer=net.dealer_a).count() == 1  # only A's own
    assert Lead.objects.get(dealer=net.dealer_b).customer_id == at_a.customer_id  # B's own lead for the phone
    assert Lead.objects.get(pk=at_a.pk).duplicate_count == 0


def test_a_dealers_staff_naming_another_dealer_is_refused(net, enquiry, via_one):
    outcome = via_one(net.b_agent.actor, enquiry(dealer="SH-001"))
    assert outcome.errors and outcome.errors[0].field == "dealer" and outcome.errors[0].code in {
        "lead.dealer_not_yours", "lead.capture_rejected"}
    assert not Lead.objects.exists()


def test_a_consumer_booking_at_dealer_b_gets_a_lead_at_b(net, at_a, enquiry, via_one):
    from autodcc.core.actors import consumer

    outcome = via_one(consumer(PHONE), enquiry(phone=PHONE, dealer="HZ-001", channel="storefront"))
    assert outcome.created and outcome.lead.dealer == net.dealer_b
    assert Lead.objects.get(pk=at_a.pk).duplicate_count == 0


def test_a_store_enquiry_shows_the_consumer_nothing_of_the_stored_profile(net, at_a, client):
    from autodcc.catalog import demo as catalog_demo

    catalog_demo.build()
    response = client.post("/store/enquiry/", {
        "trim": "x9-phev-pro", "city": "杭州", "name": "冒名", "phone": PHONE, "message": "",
        "consent_privacy": "on", "consent_share_with_dealer": "on"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "张先生" not in html


def test_repeats_are_counted_under_their_own_channel(net, at_a, enquiry):
    lead_capture(actor=SYSTEM, data=enquiry(phone=PHONE, dealer="SH-001", channel="yiche"))
    lead_capture(actor=SYSTEM, data=enquiry(phone=PHONE, dealer="SH-001", channel="yiche"))
    assert Capture.objects.filter(lead=at_a, duplicate=True, channel="yiche").count() == 2
    from django.utils import timezone

    today = timezone.localdate()
    rows = {r.key: r for r in funnel(actor=net.hq_marketer.actor, filters=Filters(today, today), group="channel")}
    assert rows["yiche"].counts["repeats"] == 2 and rows["autohome"].counts.get("repeats", 0) == 0
