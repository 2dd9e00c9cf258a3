"""The connector pages: HQ sees receipts, refusals and failed deliveries and replays them
(audited); everyone else gets a 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from autodcc.channels.models import Delivery, Outcome
from autodcc.core.models import AuditLog
from autodcc.leads.models import Lead
from tests.channels import fakes

NOT_HQ = ["regional_manager", "a_gm", "a_manager", "a_supervisor", "a_agent", "a_consultant"]


def test_hq_sees_each_connector_with_its_counts_and_failures(net, client, login):
    fakes.qimen_push(client, fakes.tmall_lead())
    fakes.qimen_push(client, fakes.tmall_lead(mobile="12345", attr="{lead_no:'TM-BAD'}"))  # refused by our rules
    fakes.qimen_push(client, fakes.tmall_lead(), secret="wrong")  # refused push
    page = login(net.hq_service).get(reverse("console:channels")).content.decode()
    assert "天猫" in page and "汽车之家" in page and "易车" in page and "懂车帝" in page
    detail = client.get(reverse("console:channel_detail", args=["tmall"])).content.decode()
    assert "TM-BAD" in detail and "签名错误" in detail and "重放" in detail
    assert "13911112222" not in detail and "139****2222" in detail  # mobiles masked
    bad = Delivery.objects.get(platform_id="TM-BAD")
    shown = client.get(reverse("console:channel_delivery", args=[bad.pk])).content.decode()
    assert "123**" not in shown or "12345" not in shown
    assert client.get(reverse("console:channel_detail", args=["weibo"])).status_code == 404


def test_a_failed_delivery_is_replayed_from_the_console_once_fixed(net, client, login, settings):
    from autodcc.network.models import Dealer

    Dealer.objects.update(is_active=False)  # no dealer takes leads: the capture is refused
    fakes.signed_push(client, "autohome", fakes.PLATFORM_LEADS["autohome"](1))
    delivery = Delivery.objects.get()
    assert delivery.outcome == Outcome.REJECTED and not Lead.objects.exists()
    Dealer.objects.update(is_active=True)
    from autodcc.network import directory

    directory.forget()
    hq = login(net.hq_marketer)
    response = hq.post(reverse("console:channel_replay", args=[delivery.pk]), follow=True)
    assert response.status_code == 200 and "已重放" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.outcome == Outcome.CAPTURED and delivery.replays == 1 and delivery.lead is not None
    assert delivery.times_received == 1  # a replay is not another receipt
    entry = AuditLog.objects.get(action="channel.delivery_replay")
    assert entry.actor_user_id == net.hq_marketer.user.pk and entry.after["outcome"] == "captured"
    again = hq.post(reverse("console:channel_replay", args=[delivery.pk]), follow=True)  # done: not replayable
    assert "只能重放" in again.content.decode() and Lead.objects.count() == 1
    assert AuditLog.objects.filter(action="channel.delivery_replay").count() == 1
    assert hq.post(reverse("console:channel_replay", args=[999999])).status_code == 404


def test_hq_finance_sees_but_may_not_replay(net, client, login):
    fakes.signed_push(client, "yiche", fakes.PLATFORM_LEADS["yiche"](1, userPhone="1"))
    delivery = Delivery.objects.get()
    finance = login(net.hq_finance)
    assert finance.get(reverse("console:channel_detail", args=["yiche"])).status_code == 200
    assert finance.post(reverse("console:channel_replay", args=[delivery.pk])).status_code == 403


@pytest.mark.parametrize("who", NOT_HQ)
def test_dealer_and_regional_staff_get_a_403_on_every_connector_page(net, client, login, who):
    fakes.signed_push(client, "yiche", fakes.PLATFORM_LEADS["yiche"](1, userPhone="1"))
    delivery = Delivery.objects.get()
    person = login(getattr(net, who))
    for url in (reverse("console:channels"), reverse("console:channel_detail", args=["yiche"]),
                reverse("console:channel_delivery", args=[delivery.pk])):
        assert person.get(url).status_code == 403, url
    assert person.post(reverse("console:channel_replay", args=[delivery.pk])).status_code == 403
    assert Delivery.objects.get().replays == 0
