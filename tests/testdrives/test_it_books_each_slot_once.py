import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from autodcc.catalog import demo as catalog_demo
from autodcc.catalog.models import Trim
from autodcc.core import workhours
from autodcc.core.actors import consumer
from autodcc.core.errors import Conflict, DomainError, Invalid
from autodcc.core.models import AuditLog
from autodcc.leads.models import Lead
from autodcc.leads.selectors import work_list
from autodcc.messaging.models import Event, Message
from autodcc.network.services import city_for
from autodcc.testdrives import services as td
from autodcc.testdrives.models import Booking, BookingStatus, Vehicle


def next_open_day(days=2):
    day = timezone.localdate() + dt.timedelta(days=days)
    while not workhours.is_open_day(day, "1234567"):
        day += dt.timedelta(days=1)
    return day


def at(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


@pytest.fixture
def s7(net):
    catalog_demo.build()
    trim = Trim.objects.get(code="S7-LR")
    Vehicle.objects.create(dealer=net.dealer_a, trim=trim, colour="湖光蓝")
    return trim


def test_a_booking_becomes_a_lead_on_the_dealers_work_list(net, s7, enquiry):
    when = at(next_open_day(), 10)
    booking = td.booking_create(actor=consumer("store"), trim=s7, dealer=net.dealer_a, starts_at=when,
                                lead=enquiry(channel="storefront", city=""))
    assert booking.number.startswith("TD") and booking.status == BookingStatus.BOOKED
    lead = booking.lead
    assert lead.dealer == net.dealer_a and lead.channel == "storefront" and lead.model_interest == str(s7)
    assert Message.objects.filter(event=Event.BOOKING_CONFIRMATION, related_id=str(booking.pk)).count() == 1
    assert lead in work_list(actor=net.a_agent.actor).new_leads
    assert AuditLog.objects.filter(action="testdrive.book").exists()


def test_the_same_slot_cannot_be_booked_twice(net, s7, enquiry):
    when = at(next_open_day(), 11)
    td.booking_create(actor=consumer("a"), trim=s7, dealer=net.dealer_a, starts_at=when, lead=enquiry(city=""))
    leads = Lead.objects.count()
    with pytest.raises(Conflict) as exc:
        td.booking_create(actor=consumer("b"), trim=s7, dealer=net.dealer_a, starts_at=when, lead=enquiry(city=""))
    assert exc.value.code == "slot.taken" and Lead.objects.count() == leads  # nothing saved for the loser
    assert [s.free for s in td.slots(dealer=net.dealer_a, trim=s7, day=when.date()) if s.starts_at == when] == [False]


def test_parallel_bookings_of_one_slot_one_wins(live_net, enquiry):
    net = live_net
    catalog_demo.build()
    trim = Trim.objects.get(code="S7-LR")
    Vehicle.objects.create(dealer=net.dealer_a, trim=trim)
    when = at(next_open_day(), 14)

    def book(n):
        try:
            td.booking_create(actor=consumer(f"c{n}"), trim=trim, dealer=net.dealer_a, starts_at=when,
                              lead=enquiry(city="", phone=f"1380013{n:04d}"))
            return "ok"
        except Conflict as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(book, range(4)))
    assert sorted(results) == ["ok", "slot.taken", "slot.taken", "slot.taken"]
    assert Booking.objects.filter(starts_at=when).count() == 1 and Lead.objects.count() == 1


@pytest.mark.parametrize(("when", "code"), [
    (lambda: timezone.now() - dt.timedelta(hours=2), "slot.past"),
    (lambda: at(next_open_day(), 19), "slot.outside_hours"),
    (lambda: at(next_open_day(), 7), "slot.outside_hours"),
    (lambda: at(next_open_day(), 10) + dt.timedelta(minutes=10), "slot.misaligned"),
    (lambda: at(next_open_day(60), 10), "slot.too_far"),
])
def test_bad_times_are_refused_and_nothing_is_saved(net, s7, enquiry, when, code):
    with pytest.raises(DomainError) as exc:
        td.booking_create(actor=consumer("x"), trim=s7, dealer=net.dealer_a, starts_at=when(), lead=enquiry(city=""))
    assert exc.value.code == code
    assert not Booking.objects.exists() and not Lead.objects.exists()


def test_an_invalid_phone_or_missing_consent_is_refused(net, s7, enquiry):
    for bad in (enquiry(city="", phone="123"), enquiry(city="", consent_share_with_dealer=False)):
        with pytest.raises(Invalid):
            td.booking_create(actor=consumer("x"), trim=s7, dealer=net.dealer_a, starts_at=at(next_open_day(), 10),
                              lead=bad)
    assert not Booking.objects.exists() and not Lead.objects.exists()


def test_suggested_dealers_follow_the_allocation_rules(net, s7):
    assert td.suggest_dealers(city=city_for("上海"), trim=s7)[0] == net.dealer_a
    nearest = td.suggest_dealers(city=city_for("苏州"), trim=s7)
    assert nearest[0] == net.dealer_a  # no dealer in Suzhou: Shanghai is nearest


def test_completion_report_reminder_and_cancel(net, s7, enquiry):
    when = at(next_open_day(1), 10)
    booking = td.booking_create(actor=consumer("a"), trim=s7, dealer=net.dealer_a, starts_at=when, lead=enquiry(city=""))
    assert td.send_reminders(now=when - dt.timedelta(hours=2)) == 1
    assert td.send_reminders(now=when - dt.timedelta(hours=1)) == 0
    assert Message.objects.filter(event=Event.TESTDRIVE_REMINDER).count() == 1
    with pytest.raises(DomainError):
        td.report_submit(token=booking.token, overall=5, driving=5, comfort=4, service=5, likely_to_buy=True)
    td.booking_complete(actor=net.a_consultant.actor, booking=booking)
    lead = Lead.objects.get(pk=booking.lead_id)
    assert lead.arrived_at and lead.test_driven_at and lead.test_driven_by == net.a_consultant.staff
    with pytest.raises(DomainError):
        td.report_submit(token=booking.token, overall=9, driving=5, comfort=4, service=5, likely_to_buy=True)
    report = td.report_submit(token=booking.token, overall=5, driving=5, comfort=4, service=5, likely_to_buy=True,
                              comments="加速很好")
    assert report.booking == booking
    with pytest.raises(DomainError):
        td.report_submit(token=booking.token, overall=5, driving=5, comfort=4, service=5, likely_to_buy=True)
    other = td.booking_create(actor=consumer("b"), trim=s7, dealer=net.dealer_a, starts_at=at(next_open_day(1), 11),
                              lead=enquiry(city=""))
    td.booking_cancel(actor=consumer("b"), booking=other, by_token=other.token)
    assert Booking.objects.get(pk=other.pk).status == BookingStatus.CANCELLED
    from autodcc.core.errors import NotFound

    with pytest.raises(NotFound):  # another dealer's staff cannot touch it
        td.booking_complete(actor=net.b_manager.actor, booking=booking)


def test_the_holder_hears_of_a_booking_on_a_lead_they_already_work(net, s7, enquiry):
    """A new lead's agent gets the new-lead notice; a known customer's booking joins the open lead
    and its holder is told (TD-2: the dealer is notified)."""
    first = td.booking_create(actor=consumer("store"), trim=s7, dealer=net.dealer_a, starts_at=at(next_open_day(), 10),
                              lead=enquiry(channel="storefront", city="", phone="13912345601"))
    holder = first.lead.holder
    assert holder is not None and not Message.objects.filter(event=Event.TESTDRIVE_BOOKED).exists()
    second = td.booking_create(actor=consumer("store"), trim=s7, dealer=net.dealer_a,
                               starts_at=at(next_open_day(), 14),
                               lead=enquiry(channel="storefront", city="", phone="13912345601"))
    assert second.lead == first.lead
    told = Message.objects.get(event=Event.TESTDRIVE_BOOKED)
    assert (told.recipient_staff_id, told.recipient_phone) == (holder.pk, holder.phone)
    assert second.number in told.body and "线上预约" in told.body and str(second.lead.number) in told.body
    # the holder booking it themselves is not told of their own booking
    td.booking_for_lead(actor=holder.user and _actor(holder), lead=second.lead, trim=s7,
                        starts_at=at(next_open_day(days=3), 10))
    assert Message.objects.filter(event=Event.TESTDRIVE_BOOKED).count() == 1


def _actor(staff):
    from autodcc.network.actors import actor_for_staff

    return actor_for_staff(staff)
