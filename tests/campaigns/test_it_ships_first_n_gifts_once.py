"""First-N gifts after the count (CMP-6, CMP-9): the winner is told by SMS with their page's link,
gives the delivery address there, HQ ships once with carrier and tracking number and the winner is
told again; bad addresses and incomplete shipping are refused clearly; only whoever may change the
campaign sets the gift up."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from autodcc.campaigns import first_n
from autodcc.campaigns.models import Campaign, ClaimState, FirstNClaim, FirstNReward
from autodcc.core.actors import consumer
from autodcc.core.errors import DomainError, Forbidden, Invalid
from autodcc.core.models import AuditLog
from autodcc.messaging.models import Event, Message
from autodcc.testdrives import services as td
from autodcc.testdrives.models import Vehicle

CJK = re.compile(r"[\u4e00-\u9fff]")


def brand_campaign(code="GIFT"):
    today = timezone.localdate()
    return Campaign.objects.create(code=code, name="首批试驾礼", starts_on=today - dt.timedelta(days=1),
                                   ends_on=today + dt.timedelta(days=30))


@pytest.fixture
def reported(net, catalogue, enquiry):
    """``reported(phone)``: an online booking at dealer A, done (confirmed by its consultant) and reported."""
    Vehicle.objects.create(dealer=net.dealer_a, trim=catalogue["s7"])
    day = timezone.localdate() + dt.timedelta(days=2)
    while len(td.slot_starts(net.dealer_a, day)) < 4:
        day += dt.timedelta(days=1)
    slots = iter(td.slot_starts(net.dealer_a, day))

    def make(phone="13655550001", name="王芳"):
        booking = td.booking_create(actor=consumer("store"), trim=catalogue["s7"], dealer=net.dealer_a,
                                    starts_at=next(slots), lead=enquiry(dealer="SH-001", city="", phone=phone, name=name))
        td.booking_complete(actor=net.a_consultant.actor, booking=booking)
        td.report_submit(token=booking.token, overall=5, driving=5, comfort=4, service=5, likely_to_buy=True)
        booking.refresh_from_db()
        return booking

    return make


def messages_of(event):
    return list(Message.objects.filter(event=event).order_by("pk"))


def refusal(call):
    with pytest.raises(DomainError) as caught:
        call()
    errors = caught.value.errors if isinstance(caught.value, Invalid) else [caught.value]
    with translation.override("zh-hans"):
        for e in errors:
            assert CJK.search(e.message), e.message  # a clear Chinese message, not a code
    return {e.code for e in errors}, {e.field for e in errors}


def test_won_then_address_then_shipped_once(net, reported):
    reward = first_n.reward_save(actor=net.hq_marketer.actor, campaign=brand_campaign(), name="限量 T 恤", n=2,
                                 unit_cost=Decimal("89.00"))
    booking = reported("13655550001")
    claim = FirstNClaim.objects.get(reward=reward)
    assert (claim.booking, claim.rank, claim.state) == (booking, 1, ClaimState.WON)
    assert booking.completed_by == net.a_consultant.staff  # the dealer confirmed the drive before it counted

    [won] = messages_of(Event.FIRST_N_WON)
    assert won.recipient_phone.endswith("13655550001")
    assert "限量 T 恤" in won.body and "第1名" in won.body and f"/store/gift/{claim.token}/" in won.body
    assert claim.token not in won.display_body  # staff reading the outbox cannot act as the winner

    given = first_n.address_give(token=claim.token, address="  上海市浦东新区\n世纪大道 100 号  ")
    assert (given.address, given.state) == ("上海市浦东新区 世纪大道 100 号", ClaimState.ADDRESS_GIVEN)
    first_n.address_give(token=claim.token, address="上海市浦东新区 世纪大道 100 号")  # a double tap: no change
    changed = first_n.address_give(token=claim.token, address="上海市浦东新区世纪大道 200 号 3 楼")
    assert changed.address.endswith("200 号 3 楼")
    assert AuditLog.objects.filter(action="first_n.address").count() == 2

    shipped = first_n.ship(actor=net.hq_marketer.actor, claim_=claim, carrier="顺丰速运", tracking_no="SF1234567890")
    assert shipped.state == ClaimState.SHIPPED and shipped.address.endswith("200 号 3 楼")
    [told] = messages_of(Event.FIRST_N_SHIPPED)
    assert "顺丰速运" in told.body and "SF1234567890" in told.body
    audit = AuditLog.objects.get(action="first_n.ship")
    assert audit.changes["tracking_no"] == [None, "SF1234567890"] or audit.after["tracking_no"] == "SF1234567890"

    codes, _fields = refusal(lambda: first_n.ship(actor=net.hq_marketer.actor, claim_=claim, carrier="京东物流",
                                                  tracking_no="JD0000000001"))
    assert codes == {"first_n.already_shipped"}
    codes, _fields = refusal(lambda: first_n.address_give(token=claim.token, address="北京市朝阳区建国路 1 号"))
    assert codes == {"first_n.already_shipped"}
    claim.refresh_from_db()
    assert (claim.carrier, claim.tracking_no) == ("顺丰速运", "SF1234567890")
    assert len(messages_of(Event.FIRST_N_SHIPPED)) == 1 and AuditLog.objects.filter(action="first_n.ship").count() == 1

    reported("13655550002")
    reported("13655550003")  # the third: two were given
    assert [c.rank for c in FirstNClaim.objects.filter(reward=reward)] == [1, 2]
    assert len(messages_of(Event.FIRST_N_WON)) == 2


@pytest.mark.parametrize(("address", "code"), [
    ("", "first_n.address_missing"),
    ("   \n ", "first_n.address_missing"),
    ("上海" * 5120, "first_n.address_too_long"),  # 10 kB
    ("上海市浦东新区\x00世纪大道", "first_n.address_unprintable"),
    ("上海市浦东新区\x07世纪大道", "first_n.address_unprintable"),
    ("上海", "first_n.address_short"),
])
def test_a_bad_address_is_refused_clearly(net, reported, address, code):
    first_n.reward_save(actor=net.hq_marketer.actor, campaign=brand_campaign(), name="车模", n=5,
                        unit_cost=Decimal("0.00"))
    reported()
    claim = FirstNClaim.objects.get()
    codes, fields = refusal(lambda: first_n.address_give(token=claim.token, address=address))
    assert codes == {code} and fields == {"address"}
    claim.refresh_from_db()
    assert (claim.address, claim.address_at) == ("", None)


def test_any_carrier_but_a_tracking_number_is_required(net, reported):
    first_n.reward_save(actor=net.hq_marketer.actor, campaign=brand_campaign(), name="车模", n=5,
                        unit_cost=Decimal("0.00"))
    reported()
    claim = FirstNClaim.objects.get()
    hq = net.hq_service.actor  # customer service supplies gifts too
    codes, fields = refusal(lambda: first_n.ship(actor=hq, claim_=claim, carrier="小镇快运", tracking_no=""))
    assert codes == {"first_n.shipping_incomplete"} and fields == {"address", "tracking_no"}  # nor an address yet
    first_n.address_give(token=claim.token, address="杭州市西湖区文三路 8 号")
    codes, fields = refusal(lambda: first_n.ship(actor=hq, claim_=claim, carrier="", tracking_no="XZ1"))
    assert fields == {"carrier", "tracking_no"}
    codes, fields = refusal(lambda: first_n.ship(actor=hq, claim_=claim, carrier="小镇快运", tracking_no="XZ\x00123"))
    assert codes == {"first_n.tracking_invalid"}
    codes, _f = refusal(lambda: first_n.ship(actor=hq, claim_=claim, carrier="快" * 5000, tracking_no="XZ-2026-0001"))
    assert codes == {"first_n.carrier_invalid"}
    assert FirstNClaim.objects.get().shipped_at is None and not messages_of(Event.FIRST_N_SHIPPED)
    with pytest.raises(Forbidden):
        first_n.ship(actor=net.a_manager.actor, claim_=claim, carrier="顺丰速运", tracking_no="SF1")
    shipped = first_n.ship(actor=hq, claim_=claim, carrier="小镇快运", tracking_no="XZ-2026-0001")
    assert (shipped.carrier, shipped.tracking_no) == ("小镇快运", "XZ-2026-0001")  # a carrier not in the list


def test_whoever_may_change_the_campaign_sets_up_its_gift(net, reported):
    brand = brand_campaign()
    today = timezone.localdate()
    own = Campaign.objects.create(code="SH-GIFT", name="徐汇店试驾周", dealer=net.dealer_a, starts_on=today,
                                  ends_on=today + dt.timedelta(days=7))
    with pytest.raises(Forbidden):
        first_n.reward_save(actor=net.a_manager.actor, campaign=brand, name="T 恤", n=10, unit_cost=Decimal("1"))
    with pytest.raises(Forbidden):
        first_n.reward_save(actor=net.a_agent.actor, campaign=own, name="T 恤", n=10, unit_cost=Decimal("1"))
    with pytest.raises(Forbidden):
        first_n.reward_save(actor=net.b_manager.actor, campaign=own, name="T 恤", n=10, unit_cost=Decimal("1"))
    mine = first_n.reward_save(actor=net.a_manager.actor, campaign=own, name="保温杯", n=1, unit_cost=Decimal("35"))
    created = AuditLog.objects.get(action="first_n.reward_create")
    assert created.dealer_id == net.dealer_a.pk and created.after["name"] == "保温杯"

    codes, fields = refusal(lambda: first_n.reward_save(
        actor=net.a_manager.actor, campaign=own, reward=mine, name="", n=0, unit_cost=Decimal("-1"),
        starts_on=today - dt.timedelta(days=3)))
    assert fields == {"name", "n", "unit_cost", "starts_on"}
    reported()
    assert FirstNClaim.objects.filter(reward=mine).count() == 1
    codes, _f = refusal(lambda: first_n.reward_save(actor=net.hq_marketer.actor, campaign=own, reward=mine,
                                                    name="保温杯", n=0, unit_cost=Decimal("35")))
    assert codes == {"first_n.n_invalid"}
    first_n.reward_save(actor=net.hq_marketer.actor, campaign=own, reward=mine, name="保温杯", n=3,
                        unit_cost=Decimal("35"), is_active=False)
    updated = AuditLog.objects.get(action="first_n.reward_update")
    assert updated.before["n"] == 1 and updated.after["n"] == 3 and updated.after["is_active"] is False
    first_n.reward_save(actor=net.hq_marketer.actor, campaign=own, reward=mine, name="保温杯", n=3,
                        unit_cost=Decimal("35"), is_active=False)
    assert AuditLog.objects.filter(action="first_n.reward_update").count() == 1  # nothing changed: no row
    assert FirstNReward.objects.get(pk=mine.pk).n == 3


def test_the_gift_counts_bookings_made_on_its_own_days_only(net, reported):
    today = timezone.localdate()
    later = first_n.reward_save(actor=net.hq_marketer.actor, campaign=brand_campaign(), name="车模", n=5,
                                unit_cost=Decimal("0.00"), starts_on=today + dt.timedelta(days=1))
    assert later.ends_on is None
    reported()  # booked today, before the gift's first day
    assert not FirstNClaim.objects.filter(reward=later).exists()
    codes, _f = refusal(lambda: first_n.reward_save(actor=net.hq_marketer.actor, campaign=later.campaign,
                                                    reward=later, name="车模", n=5, unit_cost=Decimal("0"),
                                                    ends_on=today + dt.timedelta(days=90)))
    assert codes == {"first_n.dates_outside"}
