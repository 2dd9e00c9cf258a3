"""First-N gifts in the console and the store (CMP-6, CMP-9): HQ sets a gift up and changes it, sees
its winners in order with the dealer's confirmation of each drive (phones masked, filters, Excel),
ships with carrier and tracking; a dealer's staff see their own dealer's winners only and another
dealer's are not found; the winner gives the address on their link's page and sees the parcel."""

import datetime as dt
import io
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from autodcc.campaigns import first_n
from autodcc.campaigns.models import Campaign, FirstNClaim, FirstNReward
from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.leads import services as leads
from autodcc.messaging.models import Event, Message
from autodcc.testdrives.models import Booking, BookingStatus, Vehicle


def brand_campaign():
    today = timezone.localdate()
    return Campaign.objects.create(code="GIFTS", name="全国试驾礼", starts_on=today - dt.timedelta(days=1),
                                   ends_on=today + dt.timedelta(days=30))


@pytest.fixture
def win(net, catalogue):
    """``win(reward, dealer, phone, by)``: a done online booking at ``dealer`` (confirmed by ``by``) that wins."""
    made = iter(range(100))

    def make(reward, dealer, phone, by):
        i = next(made)
        car = Vehicle.objects.create(dealer=dealer, trim=catalogue["s7"])
        start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2, hours=i)
        lead = leads.lead_capture(actor=SYSTEM, data=leads.LeadInput(
            name=f"获奖客户{i}", phone=phone, channel="storefront", dealer=dealer.code, consent_version="2026-01",
            consent_share_with_dealer=True)).lead
        booking = Booking.objects.create(number=f"TDG{i:05d}", dealer=dealer, vehicle=car, lead=lead, starts_at=start,
                                         ends_at=start + dt.timedelta(minutes=30), status=BookingStatus.COMPLETED,
                                         online=True, completed_at=timezone.now(), completed_by=by.staff)
        return first_n.claim(reward, booking)

    return make


def test_hq_sets_up_lists_exports_and_ships(net, login, win):
    campaign = brand_campaign()
    hq = login(net.hq_marketer)
    page = hq.get(reverse("console:campaign_detail", args=[campaign.pk])).content.decode()
    assert reverse("console:campaign_gift_new", args=[campaign.pk]) in page
    bad = hq.post(reverse("console:campaign_gift_new", args=[campaign.pk]),
                  {"name": "限量 T 恤", "n": "2", "unit_cost": "89", "ends_on": "2099-01-01", "is_active": "on"})
    assert bad.status_code == 200 and "礼品的有效日期须在活动日期之内" in bad.content.decode()
    made = hq.post(reverse("console:campaign_gift_new", args=[campaign.pk]),
                   {"name": "限量 T 恤", "n": "2", "unit_cost": "89", "is_active": "on"})
    reward = FirstNReward.objects.get(campaign=campaign)
    assert made.status_code == 302 and made.url == reverse("console:campaign_gift", args=[reward.pk])
    assert (reward.name, reward.n, str(reward.unit_cost)) == ("限量 T 恤", 2, "89.00")
    edited = hq.post(reverse("console:campaign_gift_edit", args=[reward.pk]),
                     {"name": "限量 T 恤", "n": "3", "unit_cost": "89", "is_active": "on"})
    assert edited.status_code == 302 and FirstNReward.objects.get(pk=reward.pk).n == 3
    assert [a.action for a in AuditLog.objects.filter(action__startswith="first_n.reward").order_by("pk")] == [
        "first_n.reward_create", "first_n.reward_update"]

    a = win(reward, net.dealer_a, "13700001111", net.a_consultant)
    b = win(reward, net.dealer_b, "13700002222", net.b_consultant)
    first_n.address_give(token=a.token, address="上海市浦东新区世纪大道 100 号")
    html = hq.get(reverse("console:campaign_gift", args=[reward.pk])).content.decode()
    assert html.index('data-rank="1"') < html.index('data-rank="2"')
    assert "13700001111" not in html and "137****1111" in html  # masked as in every staff list
    assert 'data-verified="yes"' in html and net.a_consultant.staff.name in html and "已确认" in html
    assert 'data-state="address"' in html and 'data-state="won"' in html
    only = hq.get(reverse("console:campaign_gift", args=[reward.pk]), {"state": "won"}).content.decode()
    assert b.booking.number in only and a.booking.number not in only

    xlsx = hq.get(reverse("console:campaign_gift", args=[reward.pk]), {"format": "xlsx", "dealer": net.dealer_a.pk})
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows()]
    assert rows[0][:4] == ["名次", "礼品", "客户", "手机号"] and len(rows) == 2
    assert rows[1][3] == "137****1111" and rows[1][4] == a.booking.number and "世纪大道" in rows[1][10]
    assert AuditLog.objects.get(action="file.download").object_type == "list.first_n_claims"

    ship = reverse("console:campaign_gift_ship", args=[a.pk])
    refused = hq.post(ship, {"carrier": "小镇快运", "tracking_no": ""}, follow=True).content.decode()
    assert "请填写地址、快递公司和运单号" in refused or "运单号" in refused
    assert FirstNClaim.objects.get(pk=a.pk).shipped_at is None
    assert hq.post(ship, {"carrier": "小镇快运", "tracking_no": "XZ-0001"}).status_code == 302
    again = hq.post(ship, {"carrier": "顺丰速运", "tracking_no": "SF0002"}, follow=True).content.decode()
    assert "每份礼品只寄一次" in again
    shipped = FirstNClaim.objects.get(pk=a.pk)
    assert (shipped.carrier, shipped.tracking_no) == ("小镇快运", "XZ-0001")
    assert AuditLog.objects.filter(action="first_n.ship").count() == 1
    assert Message.objects.filter(event=Event.FIRST_N_SHIPPED).count() == 1


def test_dealer_staff_see_their_own_winners_and_never_another_dealers(net, login, win):
    reward = FirstNReward.objects.create(campaign=brand_campaign(), name="车模", n=10)
    a = win(reward, net.dealer_a, "13700003333", net.a_consultant)
    b = win(reward, net.dealer_b, "13700004444", net.b_consultant)
    manager_a = login(net.a_manager)
    page = manager_a.get(reverse("console:campaign_gift", args=[reward.pk])).content.decode()
    assert a.booking.number in page and b.booking.number not in page
    assert 'class="ship-form' not in page and "gift-settings" not in page  # HQ ships; HQ set the brand's gift up
    assert manager_a.post(reverse("console:campaign_gift_ship", args=[b.pk]),
                          {"carrier": "顺丰速运", "tracking_no": "SF1111"}).status_code == 404
    assert manager_a.post(reverse("console:campaign_gift_ship", args=[a.pk]),
                          {"carrier": "顺丰速运", "tracking_no": "SF1111"}).status_code == 403
    assert manager_a.get(reverse("console:campaign_gift_new", args=[reward.campaign_id])).status_code == 403
    assert manager_a.post(reverse("console:campaign_gift_edit", args=[reward.pk]), {"name": "x", "n": "1"}).status_code == 403
    assert not FirstNClaim.objects.filter(shipped_at__isnull=False).exists()

    today = timezone.localdate()
    own = Campaign.objects.create(code="SH-WEEK", name="浦东店试驾周", dealer=net.dealer_a, starts_on=today,
                                  ends_on=today + dt.timedelta(days=7))
    assert manager_a.post(reverse("console:campaign_gift_new", args=[own.pk]),
                          {"name": "保温杯", "n": "50", "unit_cost": "35", "is_active": "on"}).status_code == 302
    gift = FirstNReward.objects.get(campaign=own)
    assert AuditLog.objects.get(action="first_n.reward_create").dealer_id == net.dealer_a.pk
    assert login(net.a_agent).post(reverse("console:campaign_gift_edit", args=[gift.pk]),
                                   {"name": "保温杯", "n": "60", "unit_cost": "35"}).status_code == 403
    manager_b = login(net.b_manager)
    for name in ("campaign_gift", "campaign_gift_edit"):
        assert manager_b.get(reverse(f"console:{name}", args=[gift.pk])).status_code in (404, 405)
        assert manager_b.post(reverse(f"console:{name}", args=[gift.pk]), {"name": "x", "n": "1"}).status_code == 404
    assert manager_b.get(reverse("console:campaign_gift_new", args=[own.pk])).status_code == 404
    assert FirstNReward.objects.get(pk=gift.pk).n == 50


def test_the_winner_gives_the_address_and_follows_the_parcel(net, client, login, win):
    reward = FirstNReward.objects.create(campaign=brand_campaign(), name="限量 T 恤", n=10)
    claim = win(reward, net.dealer_a, "13700005555", net.a_consultant)
    told = Message.objects.get(event=Event.FIRST_N_WON)
    url = reverse("store:gift", args=[claim.token])
    assert told.data["link"].endswith(url)
    page = client.get(url).content.decode()
    assert "限量 T 恤" in page and "137****5555" in page and 'id="address-form"' in page
    assert client.get(reverse("store:gift", args=["x" * 24])).status_code == 404
    assert client.get(reverse("store:gift", args=["x" * 200])).status_code == 404

    long = client.post(url, {"address": "上海" * 5120})
    assert long.status_code == 400 and "收货地址最多 200 个字" in long.content.decode()
    nul = client.post(url, {"address": "上海市浦东新区\x00世纪大道"})
    assert nul.status_code == 400 and FirstNClaim.objects.get(pk=claim.pk).address == ""
    empty = client.post(url, {"address": ""})
    assert empty.status_code == 400 and "请填写收货地址" in empty.content.decode()
    done = client.post(url, {"address": "上海市浦东新区世纪大道 100 号"})
    assert done.status_code == 302 and FirstNClaim.objects.get(pk=claim.pk).address == "上海市浦东新区世纪大道 100 号"

    first_n.ship(actor=net.hq_marketer.actor, claim_=claim, carrier="顺丰速运", tracking_no="SF7777")
    page = client.get(url).content.decode()
    assert 'id="gift-tracking">SF7777<' in page and "顺丰速运" in page and 'id="address-form"' not in page
    late = client.post(url, {"address": "北京市朝阳区建国路 1 号"})
    assert late.status_code == 400 and "每份礼品只寄一次" in late.content.decode()

    session = client.session  # the same number proven by SMS code in "My orders and test drives"
    session["store_mine"] = {"phone": claim.booking.lead.customer.phone, "until": time.time() + 600}
    session.save()
    mine = client.get(reverse("store:mine")).content.decode()
    assert url in mine and "SF7777" in mine
