"""TD-3: when the dealer records the test drive as done, the consumer gets one SMS with the link
to the report form; the report sent from that link counts for a first-N reward as before."""

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from autodcc.campaigns.models import Campaign, FirstNClaim, FirstNReward
from autodcc.catalog import demo as catalog_demo
from autodcc.catalog.models import Trim
from autodcc.core import workhours
from autodcc.core.actors import consumer
from autodcc.core.errors import DomainError, NotFound
from autodcc.core.models import AuditLog
from autodcc.messaging.models import Event, Message, MessageStatus
from autodcc.messaging.services import optout_add
from autodcc.testdrives import services as td
from autodcc.testdrives.models import Booking, BookingStatus, Report, Vehicle


def next_open_day(days=1):
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


def book(s7, net, enquiry, hour=10, **buyer):
    return td.booking_create(actor=consumer("store"), trim=s7, dealer=net.dealer_a, starts_at=at(next_open_day(), hour),
                             lead=enquiry(channel="storefront", city="", **buyer))


def report_invitations(booking):
    return Message.objects.filter(event=Event.TESTDRIVE_REPORT, related_id=str(booking.pk))


def test_the_consumer_gets_one_sms_with_the_report_link_and_the_report_counts(net, s7, enquiry, client):
    today = timezone.localdate()
    campaign = Campaign.objects.create(code="FIRST1", name="首批试驾礼", starts_on=today - dt.timedelta(days=1),
                                       ends_on=today + dt.timedelta(days=30))
    reward = FirstNReward.objects.create(campaign=campaign, name="限量 T 恤", n=1, unit_cost="89.00")
    booking = book(s7, net, enquiry, name="王芳")
    assert not report_invitations(booking).exists()  # not before the drive

    td.booking_complete(actor=net.a_consultant.actor, booking=booking)
    td.booking_complete(actor=net.a_manager.actor, booking=booking)  # recorded twice: one message

    sms = report_invitations(booking).get()
    customer = Booking.objects.get(pk=booking.pk).lead.customer
    assert sms.recipient_phone == customer.phone and sms.status == MessageStatus.QUEUED
    assert sms.dealer_id == net.dealer_a.pk and sms.recipient_staff_id is None
    assert "王芳" in sms.body and "试驾报告" in sms.body and booking.number in sms.body
    link = sms.data["link"]
    assert link in sms.body and link not in sms.display_body  # the link acts as the buyer: staff never read it
    assert AuditLog.objects.filter(action="testdrive.complete", object_id=str(booking.pk)).count() == 1

    # the consumer follows the link: the report form is there, and the report counts for the reward
    path = urlparse(link).path
    page = client.get(path)
    assert page.status_code == 200 and 'id="report"' in page.content.decode()
    response = client.post(path + "report/", {"overall": 5, "driving": 5, "comfort": 4, "service": 5,
                                              "likely_to_buy": "on", "comments": "加速很好"})
    assert response.status_code == 302
    assert Report.objects.get(booking=booking).overall == 5
    assert FirstNClaim.objects.get(reward=reward).booking_id == booking.pk
    # nothing more is sent once the report is in
    td.booking_complete(actor=net.a_manager.actor, booking=booking)
    assert report_invitations(booking).count() == 1


def test_an_opt_out_from_all_messages_stops_it_a_marketing_opt_out_does_not(net, s7, enquiry):
    quiet = book(s7, net, enquiry, hour=10, phone="13912340001")
    offers_only = book(s7, net, enquiry, hour=11, phone="13912340002")
    optout_add(actor=consumer("sms"), raw_phone="13912340001", scope="all")
    optout_add(actor=consumer("sms"), raw_phone="13912340002", scope="marketing")
    for booking in (quiet, offers_only):
        td.booking_complete(actor=net.a_manager.actor, booking=booking)
    assert report_invitations(quiet).get().status == MessageStatus.SUPPRESSED
    assert report_invitations(offers_only).get().status == MessageStatus.QUEUED  # a service message, not marketing


def test_no_invitation_for_a_cancelled_booking_or_from_another_dealer(net, s7, enquiry):
    booking = book(s7, net, enquiry)
    with pytest.raises(NotFound):  # another dealer's staff do not find it
        td.booking_complete(actor=net.b_manager.actor, booking=booking)
    td.booking_cancel(actor=consumer("store"), booking=booking, by_token=booking.token)
    with pytest.raises(DomainError):
        td.booking_complete(actor=net.a_manager.actor, booking=booking)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert not report_invitations(booking).exists()
