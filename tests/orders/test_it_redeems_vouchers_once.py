"""Vouchers and gifts (CMP-7): issued with an expiry when an edition's buyer confirms receipt,
redeemed once at the order's dealer (audited), unknown at another dealer, refused when expired,
and listed for finance in Excel."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from autodcc.core.errors import Conflict, DomainError
from autodcc.core.models import AuditLog
from autodcc.orders.models import Reward
from autodcc.orders.services import order_confirm_receipt, order_record_step
from autodcc.orders.services.rewards import reward_redeem


@pytest.fixture
def rewarded(net, paid_order, install_parts):
    order = paid_order(edition=True)
    order.edition.rewards_when = "receipt"
    order.edition.save()
    actor = net.a_manager.actor
    order_record_step(actor=actor, order=order, step="visited")
    order_record_step(actor=actor, order=order, step="contracted")
    install_parts(order, actor)
    order_record_step(actor=actor, order=order, step="delivered", vin=f"LVGTEST{order.pk:010d}")
    order_confirm_receipt(token=order.token)
    return order


def test_a_voucher_is_redeemed_once_at_its_dealer(net, rewarded, login):
    voucher = Reward.objects.get(order=rewarded, kind="voucher")
    assert voucher.expires_on == timezone.localdate() + dt.timedelta(days=365)
    with pytest.raises(DomainError) as elsewhere:  # another dealer's code is unknown there
        reward_redeem(actor=net.b_manager.actor, code=voucher.code)
    assert elsewhere.value.code == "reward.unknown"
    client = login(net.a_consultant)
    done = client.post(reverse("console:reward_list"), {"code": voucher.code.lower()})
    assert done.status_code == 302
    voucher.refresh_from_db()
    assert voucher.redeemed_at is not None and voucher.redeemed_by
    again = client.post(reverse("console:reward_list"), {"code": voucher.code})
    assert again.status_code == 200 and "已于" in again.content.decode()
    with pytest.raises(Conflict):
        reward_redeem(actor=net.a_manager.actor, code=voucher.code)
    assert AuditLog.objects.filter(action="reward.redeem").count() == 1


def test_an_expired_card_is_refused_and_finance_exports_them_all(net, rewarded, login):
    card = Reward.objects.get(order=rewarded, kind="fuel_card")
    Reward.objects.filter(pk=card.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(DomainError) as expired:
        reward_redeem(actor=net.a_manager.actor, code=card.code)
    assert expired.value.code == "reward.expired"
    book = login(net.hq_finance).get(reverse("console:reward_list") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(book.content)).worksheets[0]
    codes = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert codes == set(Reward.objects.values_list("code", flat=True))
    assert login(net.hq_finance).post(reverse("console:reward_list"), {"code": card.code}).status_code == 403


@pytest.mark.parametrize("when", ["balance", "delivery"])
def test_an_edition_issues_its_rewards_on_its_own_condition(net, paid_order, install_parts, when):
    order = paid_order(edition=True)
    edition = order.edition
    edition.rewards_when, edition.reward_valid_days = when, 90
    edition.save()
    actor = net.a_manager.actor
    order_record_step(actor=actor, order=order, step="visited")
    order_record_step(actor=actor, order=order, step="contracted", contract_value=D("214900"),
                      balance_paid=D("100000"))
    assert not Reward.objects.filter(order=order).exists()  # part of the balance: not yet
    if when == "balance":
        order_record_step(actor=actor, order=order, step="contracted", balance_paid=D("214900") - order.deposit)
        assert Reward.objects.filter(order=order).count() == 2  # paid in full, before the delivery
    install_parts(order, actor)
    order_record_step(actor=actor, order=order, step="delivered", vin=f"LVGTEST{order.pk:010d}")
    order_record_step(actor=actor, order=order, step="delivered")  # a repeat issues nothing more
    order_confirm_receipt(token=order.token)
    rewards = Reward.objects.filter(order=order)
    assert rewards.count() == 2 and len({r.code for r in rewards}) == 2
    assert {r.expires_on for r in rewards} == {timezone.localdate() + dt.timedelta(days=90)}
    issued = AuditLog.objects.filter(action="reward.issue", object_id=str(order.pk))
    assert issued.count() == 1 and issued.get().after["condition"] == when


def test_the_receipt_condition_waits_for_the_buyer(net, paid_order, install_parts):
    order = paid_order(edition=True)
    order.edition.rewards_when = "receipt"
    order.edition.save()
    actor = net.a_manager.actor
    for step in ("visited", "contracted"):
        order_record_step(actor=actor, order=order, step=step)
    install_parts(order, actor)
    order_record_step(actor=actor, order=order, step="delivered", vin=f"LVGTEST{order.pk:010d}")
    assert not Reward.objects.filter(order=order).exists()
    order_confirm_receipt(token=order.token)
    assert Reward.objects.filter(order=order).count() == 2
