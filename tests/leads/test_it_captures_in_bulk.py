"""capture_many follows the same rules as lead_capture, set-based."""

from collections import Counter

from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.core.roles import Role
from autodcc.leads.models import AllocationReason, Capture, CityLedger, Handover, IdempotencyKey, Lead
from autodcc.leads.services import lead_capture
from autodcc.leads.services.bulk import capture_many
from autodcc.messaging.models import Event, Message
from autodcc.network import services as network
from autodcc.network.services import city_for


def test_a_batch_spreads_evenly_joins_open_leads_and_records_everything(net, enquiry):
    extra = network.dealer_create(actor=SYSTEM, code="SH-002", name="上海闵行店", region=net.east, city="310000")
    network.staff_create(actor=SYSTEM, username="sh2-agent", name="闵行网销", mobile="13500000099",
                         grants=[(Role.DCC_AGENT, extra, None)])
    known = lead_capture(actor=SYSTEM, data=enquiry(phone="13712349999", dealer="SH-001")).lead
    items = [(enquiry(city="上海"), f"k{i}") for i in range(10)]
    items += [(enquiry(phone="13712349999", city="上海", channel="yiche"), "k-known")]  # joins its open lead
    items += [(enquiry(city="苏州"), "k-nearest"), (enquiry(phone="123"), "k-bad")]
    outcomes = capture_many(actor=SYSTEM, items=items)
    assert [o.created for o in outcomes[:10]] == [True] * 10
    assert outcomes[10].lead.pk == known.pk and not outcomes[10].created
    assert outcomes[11].lead.allocation_reason == AllocationReason.NEAREST
    assert outcomes[12].errors and outcomes[12].errors[0].field == "phone"
    shanghai = Counter(o.lead.dealer.code for o in outcomes[:10])
    assert shanghai == {"SH-001": 5, "SH-002": 5}
    assert dict(CityLedger.objects.filter(city=city_for("310000")).values_list("dealer__code", "count")) == \
        {"SH-001": 5, "SH-002": 5}
    new_ids = [o.lead.pk for o in outcomes[:10]] + [outcomes[11].lead.pk]
    assert AuditLog.objects.filter(action="lead.capture", object_id__in=[str(i) for i in new_ids]).count() == 11
    assert Handover.objects.filter(lead_id__in=new_ids).count() == 11
    assert Capture.objects.filter(lead=known, duplicate=True, channel="yiche").count() == 1
    assert Lead.objects.get(pk=known.pk).duplicate_count == 1
    # one message per agent for the whole batch
    told = Counter(Message.objects.filter(event=Event.LEAD_ASSIGNED).values_list("recipient_staff_id", flat=True))
    assert told[net.a_agent.staff.pk] == 2  # the single capture before, and one for the batch


def test_a_replayed_batch_creates_nothing(net, enquiry):
    items = [(enquiry(city="杭州"), f"r{i}") for i in range(3)]
    first = capture_many(actor=SYSTEM, items=items)
    counts = (Lead.objects.count(), Capture.objects.count(), IdempotencyKey.objects.count())
    again = capture_many(actor=SYSTEM, items=items)
    assert [o.replay for o in again] == [True] * 3
    assert [o.lead.pk for o in again] == [o.lead.pk for o in first]
    assert counts == (Lead.objects.count(), Capture.objects.count(), IdempotencyKey.objects.count())


def test_the_same_phone_twice_in_a_batch_makes_one_lead(net, enquiry):
    items = [(enquiry(phone="13798760000", city="上海"), ""), (enquiry(phone="13798760000", city="上海"), "")]
    outcomes = capture_many(actor=SYSTEM, items=items)
    assert outcomes[0].created and not outcomes[1].created and outcomes[0].lead.pk == outcomes[1].lead.pk
    assert Lead.objects.count() == 1
