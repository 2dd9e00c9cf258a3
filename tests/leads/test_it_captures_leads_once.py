import pytest
from django.utils import translation

from autodcc.core.actors import SYSTEM
from autodcc.core.errors import Invalid
from autodcc.core.models import AuditLog
from autodcc.customers.models import Consent, Customer
from autodcc.leads.models import AllocationReason, Capture, Lead, Stage, Status
from autodcc.leads.services import lead_capture


def test_a_capture_creates_customer_consent_lead_allocation_and_assignment(net, enquiry):
    result = lead_capture(actor=SYSTEM, data=enquiry(phone="13912345678", dealer="SH-001"))
    lead = result.lead
    assert result.created and not result.replay
    assert lead.dealer == net.dealer_a and lead.allocation_reason == AllocationReason.CHOSEN
    assert lead.agent == net.a_agent.staff and lead.stage == Stage.DCC and lead.status == Status.NEW
    assert lead.customer.phone == "+8613912345678" and lead.next_follow_up_on is not None
    assert lead.first_response_due_at > lead.created_at
    consent = Consent.objects.get(customer=lead.customer)
    assert consent.version == "2026-01" and consent.share_with_dealer and consent.channel == "autohome"
    assert AuditLog.objects.filter(action="lead.capture", object_id=str(lead.pk)).exists()
    assert lead.handovers.get().to_staff == net.a_agent.staff  # marketing → DCC is a recorded act


def test_a_known_phone_attaches_to_the_open_lead_and_counts_the_repeat(net, enquiry):
    first = lead_capture(actor=SYSTEM, data=enquiry(phone="13912345678", dealer="SH-001", channel="autohome")).lead
    again = lead_capture(actor=SYSTEM, data=enquiry(phone="139 1234 5678", dealer="SH-001", channel="yiche"))
    assert not again.created and again.lead.pk == first.pk
    assert Lead.objects.count() == 1 and Customer.objects.count() == 1
    assert Lead.objects.get().duplicate_count == 1
    assert list(Capture.objects.values_list("channel", "duplicate")) == [("autohome", False), ("yiche", True)]
    # at another dealer the same customer gets a lead of its own
    other = lead_capture(actor=SYSTEM, data=enquiry(phone="13912345678", dealer="HZ-001"))
    assert other.created and other.lead.customer_id == first.customer_id


def test_a_replayed_idempotency_key_creates_nothing(net, enquiry):
    data = enquiry()
    first = lead_capture(actor=SYSTEM, data=data, idempotency_key="k-1")
    counts = (Lead.objects.count(), Capture.objects.count(), Consent.objects.count(), AuditLog.objects.count())
    replay = lead_capture(actor=SYSTEM, data=data, idempotency_key="k-1")
    assert replay.replay and replay.lead.pk == first.lead.pk
    assert counts == (Lead.objects.count(), Capture.objects.count(), Consent.objects.count(), AuditLog.objects.count())


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"phone": "1391234"}, "phone", "1391234"),
    ({"city": "火星"}, "city", "未知城市"),
    ({"consent_version": ""}, "consent_version", "同意"),
    ({"consent_share_with_dealer": False}, "consent_share_with_dealer", "单独同意"),
    ({"city": "", "dealer": ""}, "city", "城市"),
    ({"dealer": "XX-404"}, "dealer", "XX-404"),
    ({"channel": "tiktok"}, "channel", "tiktok"),
    ({"name": " "}, "name", "姓名"),
])
def test_bad_input_is_refused_in_chinese_and_saves_nothing(net, enquiry, change, field, words):
    before = (Lead.objects.count(), Customer.objects.count(), Consent.objects.count(), AuditLog.objects.count())
    with translation.override("zh-hans"):
        with pytest.raises(Invalid) as exc:
            lead_capture(actor=SYSTEM, data=enquiry(**change))
        error = next(e for e in exc.value.errors if e.field == field)
        assert words in error.message, error.message
    assert before == (Lead.objects.count(), Customer.objects.count(), Consent.objects.count(), AuditLog.objects.count())


def test_a_dealers_staff_keep_walk_ins_at_their_dealer(net, enquiry):
    lead = lead_capture(actor=net.a_consultant.actor, data=enquiry(channel="walk_in", city="北京")).lead
    assert lead.dealer == net.dealer_a and lead.allocation_reason == AllocationReason.STAFF
