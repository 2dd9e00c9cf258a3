"""First-N rewards (CMP-6): booked online → confirmed by the dealer → report submitted; ranked by
when that happened; exactly N under parallel submissions; shipped by HQ with carrier and tracking."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from autodcc.campaigns import first_n
from autodcc.campaigns.models import Campaign, FirstNClaim, FirstNReward
from autodcc.core.actors import SYSTEM, consumer
from autodcc.core.errors import DomainError, Forbidden
from autodcc.leads import services as leads
from autodcc.testdrives import services as td
from autodcc.testdrives.models import Booking, BookingStatus, Vehicle


def brand_reward(n):
    today = timezone.localdate()
    campaign = Campaign.objects.create(code=f"FIRST{n}", name="首批试驾礼", starts_on=today - dt.timedelta(days=1),
                                       ends_on=today + dt.timedelta(days=30))
    return FirstNReward.objects.create(campaign=campaign, name="限量 T 恤", n=n, unit_cost="89.00")


def completed_bookings(net, catalogue, count, *, online=True):
    car = Vehicle.objects.create(dealer=net.dealer_a, trim=catalogue["s7"])
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    made = []
    for i in range(count):
        lead = leads.lead_capture(actor=SYSTEM, data=leads.LeadInput(
            name=f"试驾客户{i}", phone=f"1361234{i:04d}", channel="storefront", dealer="SH-001",
            consent_version="2026-01", consent_share_with_dealer=True)).lead
        made.append(Booking.objects.create(number=f"TDX{i:05d}", dealer=net.dealer_a, vehicle=car, lead=lead,
                                           starts_at=start + dt.timedelta(hours=i),
                                           ends_at=start + dt.timedelta(hours=i, minutes=30),
                                           status=BookingStatus.COMPLETED, online=online))
    return made


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_reports_around_the_twentieth_give_exactly_twenty(net, catalogue):
    reward = brand_reward(20)
    bookings = completed_bookings(net, catalogue, 50)
    start = threading.Barrier(50)
    errors: list[BaseException] = []

    def submit(booking):
        try:
            start.wait()
            with transaction.atomic():
                first_n.claim(reward, booking)
        except BaseException as exc:  # every failure is reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(b,)) for b in bookings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    claims = list(FirstNClaim.objects.filter(reward=reward).order_by("rank"))
    assert [c.rank for c in claims] == list(range(1, 21))  # exactly 20, ranked 1..20
    assert len({c.booking_id for c in claims}) == 20
    assert [c.met_at for c in claims] == sorted(c.met_at for c in claims)  # ranked by when the condition was met


def test_the_condition_is_an_online_booking_confirmed_and_reported(net, catalogue, enquiry, login):
    reward = brand_reward(2)
    Vehicle.objects.create(dealer=net.dealer_a, trim=catalogue["s7"])
    day = timezone.localdate() + dt.timedelta(days=2)
    slots = td.slot_starts(net.dealer_a, day)
    online = td.booking_create(actor=consumer("store"), trim=catalogue["s7"], dealer=net.dealer_a, starts_at=slots[1],
                               lead=enquiry(dealer="SH-001", city=""))
    assert online.online
    td.booking_complete(actor=net.a_consultant.actor, booking=online)
    td.report_submit(token=online.token, overall=5, driving=5, comfort=4, service=5, likely_to_buy=True)
    claim = FirstNClaim.objects.get(reward=reward)
    assert (claim.booking, claim.rank) == (online, 1)
    by_staff = td.booking_for_lead(actor=net.a_agent.actor, lead=leads.lead_capture(
        actor=SYSTEM, data=enquiry(dealer="SH-001", city="")).lead, trim=catalogue["s7"], starts_at=slots[2])
    assert not by_staff.online
    td.booking_complete(actor=net.a_consultant.actor, booking=by_staff)
    td.report_submit(token=by_staff.token, overall=4, driving=4, comfort=4, service=4, likely_to_buy=False)
    assert FirstNClaim.objects.filter(reward=reward).count() == 1  # booked by staff: not this gift's condition
    with pytest.raises(DomainError):
        first_n.ship(actor=net.hq_marketer.actor, claim_=claim, address="上海市浦东新区", carrier="顺丰", tracking_no="")
    with pytest.raises(Forbidden):
        first_n.ship(actor=net.a_manager.actor, claim_=claim, address="x", carrier="顺丰", tracking_no="SF1")
    shipped = first_n.ship(actor=net.hq_marketer.actor, claim_=claim, address="上海市浦东新区世纪大道 100 号",
                           carrier="顺丰", tracking_no="SF1234567890")
    assert shipped.shipped_at is not None and shipped.tracking_no == "SF1234567890"
    from django.urls import reverse

    page = login(net.hq_marketer).get(reverse("console:campaign_detail", args=[reward.campaign_id])).content.decode()
    assert 'data-count="claimed">1<' in page  # the launch-day console counts the gifts won
