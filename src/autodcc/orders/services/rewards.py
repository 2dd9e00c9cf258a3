"""Vouchers and gifts (CMP-7): issued to an edition's buyer once the edition's condition holds
(receipt confirmed, balance paid or car delivered), redeemed once at the order's dealer (audited),
and the list finance reconciles."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from autodcc.core import audit
from autodcc.core.actors import Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden
from autodcc.orders.models import DealerDeal, Order, OrderStatus, Reward, RewardKind


def condition_met(order: Order) -> bool:
    """Whether the order's edition's reward condition holds now."""
    from autodcc.catalog.models import RewardsWhen

    when = order.edition.rewards_when
    if when == RewardsWhen.DELIVERY:
        return order.delivered_at is not None
    if when == RewardsWhen.BALANCE:  # the contract's value less the deposit, received by the dealer
        deal = DealerDeal.objects.filter(order=order).first()
        return (deal is not None and deal.contract_value is not None and deal.balance_paid is not None
                and deal.balance_paid + order.deposit >= deal.contract_value)
    return order.status == OrderStatus.RECEIVED


def issue_due(*, actor: Actor, order: Order) -> list[Reward]:
    """The edition's vouchers and cards, once its condition holds: each kind once per order
    (issuing again changes nothing), a unique code, valid for the edition's days."""
    if order.edition_id is None or not condition_met(order):
        return []
    edition = order.edition
    expires_on = timezone.localdate() + dt.timedelta(days=edition.reward_valid_days)
    made = []
    for kind, value in ((RewardKind.VOUCHER, edition.voucher_value), (RewardKind.FUEL_CARD, edition.fuel_card_value)):
        if value <= 0:
            continue
        reward, created = Reward.objects.get_or_create(
            order=order, kind=kind,
            defaults={"code": f"{kind[:2].upper()}{secrets.token_hex(6).upper()}", "value": value,
                      "expires_on": expires_on})
        if created:
            made.append(reward)
    if made:
        audit.record(actor=actor, action="reward.issue", obj=order, dealer_id=order.dealer_id,
                     after={"condition": edition.rewards_when,
                            "rewards": [{"code": r.code, "kind": r.kind, "value": str(r.value)} for r in made]})
    return made


@transaction.atomic
def reward_redeem(*, actor: Actor, code: str) -> Reward:
    """Redeem a voucher or card by its code at the order's dealer: once, before it expires. Another
    dealer's code is unknown here."""
    code = (code or "").strip().upper()
    reward = (Reward.objects.visible_to(actor).select_for_update(of=("self",)).select_related("order__dealer")
              .filter(code=code).first())
    if reward is None:
        raise DomainError("reward.unknown", field="code", value=code[:24])
    if not actor.can("orders.dealer", dealer=reward.order.dealer) or actor.is_hq:
        raise Forbidden("forbidden")
    if reward.redeemed_at is not None:
        raise Conflict("reward.redeemed", field="code", at=timezone.localtime(reward.redeemed_at).strftime("%Y-%m-%d %H:%M"),
                       by=reward.redeemed_by)
    if reward.expires_on and reward.expires_on < timezone.localdate():
        raise DomainError("reward.expired", field="code", day=reward.expires_on.isoformat())
    reward.redeemed_at, reward.redeemed_by = timezone.now(), actor.label
    reward.save(update_fields=["redeemed_at", "redeemed_by"])
    audit.record(actor=actor, action="reward.redeem", obj=reward.order, dealer_id=reward.order.dealer_id,
                 after={"code": reward.code, "kind": reward.kind, "value": str(reward.value)})
    return reward


def rewards_for(actor: Actor, status: str = "") -> QuerySet[Reward]:
    qs = Reward.objects.visible_to(actor).select_related("order__dealer", "order__customer").order_by("-issued_at")
    today = timezone.localdate()
    if status == "redeemed":
        qs = qs.filter(redeemed_at__isnull=False)
    elif status == "open":
        qs = qs.filter(redeemed_at__isnull=True).exclude(expires_on__lt=today)
    elif status == "expired":
        qs = qs.filter(redeemed_at__isnull=True, expires_on__lt=today)
    return qs


def rows(rewards: QuerySet[Reward]) -> list[list[Any]]:
    """For finance: one line per voucher or card, issued and redeemed."""
    return [[r.code, r.label, r.value, r.order.number, r.order.dealer.code, timezone.localtime(r.issued_at).date(),
             r.expires_on or "", timezone.localtime(r.redeemed_at).strftime("%Y-%m-%d %H:%M") if r.redeemed_at else "",
             r.redeemed_by] for r in rewards]
