"""A batch follows the same rules as a single capture: an import of thousands and an API call of
one go through the same pipeline, with a bounded number of statements per batch."""

from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

from autodcc.core import fairshare
from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog, FairShare
from autodcc.core.roles import Role
from autodcc.customers.models import Consent
from autodcc.leads.models import AllocationReason, Capture, Handover, Lead
from autodcc.leads.services import lead_capture
from autodcc.messaging.models import Event, Message
from autodcc.network import services as network
from autodcc.network.services import city_for


def test_a_batch_spreads_evenly_joins_open_leads_and_records_everything(net, enquiry, via,
                                                                       django_capture_on_commit_callbacks):
    extra = network.dealer_create(actor=SYSTEM, code="SH-002", name="上海闵行店", region=net.east, city="310000")
    network.staff_create(actor=SYSTEM, username="sh2-agent", name="闵行网销", mobile="13500000099",
                         grants=[(Role.DCC_AGENT, extra, None)])
    items = [(SYSTEM, enquiry(city="上海"), f"k{i}", None) for i in range(10)]
    items += [(SYSTEM, enquiry(phone="13712349999", city="上海", channel="yiche"), "k-known", None)]  # joins
    items += [(SYSTEM, enquiry(city="苏州"), "k-nearest", None), (SYSTEM, enquiry(phone="123"), "k-bad", None)]
    with django_capture_on_commit_callbacks(execute=True):  # the agents are told after commit
        known = lead_capture(actor=SYSTEM, data=enquiry(phone="13712349999", dealer="SH-001")).lead
        outcomes = via(items)
    assert [o.created for o in outcomes[:10]] == [True] * 10
    assert outcomes[10].lead.pk == known.pk and not outcomes[10].created
    assert outcomes[11].lead.allocation_reason == AllocationReason.NEAREST
    assert outcomes[12].errors and outcomes[12].errors[0].field == "phone"
    shanghai = Counter(o.lead.dealer.code for o in outcomes[:10])
    assert shanghai == {"SH-001": 5, "SH-002": 5}
    city = city_for("310000")
    assert dict(FairShare.objects.filter(kind=fairshare.CITY, owner_id=city.pk).values_list("member_id", "count")) \
        == {net.dealer_a.pk: 5, extra.pk: 5}
    new_ids = [o.lead.pk for o in outcomes[:10]] + [outcomes[11].lead.pk]
    assert AuditLog.objects.filter(action="lead.capture", object_id__in=[str(i) for i in new_ids]).count() == 11
    assert Handover.objects.filter(lead_id__in=new_ids).count() == 11
    assert Capture.objects.filter(lead=known, duplicate=True, channel="yiche").count() == 1
    assert Lead.objects.get(pk=known.pk).duplicate_count == 1
    assert Consent.objects.filter(customer=known.customer).count() == 2  # appended, one per capture
    # one message per agent for everything dispatched together (the single capture and the batch)
    told = Counter(Message.objects.filter(event=Event.LEAD_ASSIGNED).values_list("recipient_staff_id", flat=True))
    assert told[net.a_agent.staff.pk] == 1


def test_a_replayed_batch_creates_nothing(net, enquiry, via):
    items = [(SYSTEM, enquiry(city="杭州"), f"r{i}", None) for i in range(3)]
    first = via(items)
    counts = (Lead.objects.count(), Capture.objects.count(), Consent.objects.count(), AuditLog.objects.count())
    again = via(items)
    assert [o.replay for o in again] == [True] * 3
    assert [o.lead_id for o in again] == [o.lead_id for o in first]
    assert counts == (Lead.objects.count(), Capture.objects.count(), Consent.objects.count(), AuditLog.objects.count())


def test_the_same_phone_twice_in_a_batch_makes_one_lead(net, enquiry, via):
    items = [(SYSTEM, enquiry(phone="13798760000", city="上海"), "", None),
             (SYSTEM, enquiry(phone="13798760000", city="上海", channel="yiche"), "", None)]
    outcomes = via(items)
    assert outcomes[0].created and not outcomes[1].created and outcomes[0].lead_id == outcomes[1].lead_id
    assert Lead.objects.count() == 1 and Lead.objects.get().duplicate_count == 1


def test_the_same_key_twice_in_a_batch_is_one_capture(net, enquiry):
    from autodcc.leads.services.capture import Caller, Request, capture

    caller = Caller.of(SYSTEM)
    outcomes = capture([Request(enquiry(), caller, key="dup"), Request(enquiry(), caller, key="dup")])
    assert outcomes[0].created and outcomes[1].replay and outcomes[1].lead_id == outcomes[0].lead_id
    assert Lead.objects.count() == 1 and Capture.objects.count() == 1


def test_statements_per_batch_do_not_grow_with_its_size(net, enquiry):
    """Set-based: the same statements for 5 leads as for 200 (one transaction)."""
    from autodcc.leads.services.capture import Caller, Request, capture

    caller = Caller.of(SYSTEM)
    cities = ("上海", "杭州", "北京", "苏州")
    capture([Request(enquiry(city=c), caller) for c in cities])  # the directory and the rules are read once a while
    counts = []
    for size in (60, 300):
        batch = [Request(enquiry(city=cities[i % 4]), caller, key=f"s{size}-{i}") for i in range(size)]
        with CaptureQueriesContext(connection) as queries:
            outcomes = capture(batch)
        assert all(o.created for o in outcomes)
        counts.append(sum(1 for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))))
    # lookup, lock, the no-agent check for dealer C (it has no DCC agent), the split's counts; one write each
    # for customers, leads, consents, captures, handovers, pool assignments, audit rows and the outbox (on
    # PostgreSQL many rows are copied, with one more statement for the ids of customers, leads and captures)
    assert max(counts) <= 16 and abs(counts[1] - counts[0]) <= 1, counts
