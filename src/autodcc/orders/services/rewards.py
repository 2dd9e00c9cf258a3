"""Vouchers and gifts (CMP-7): what an edition's buyer received, redeemed once at the order's
dealer (audited), and the list finance reconciles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from autodcc.core import audit
from autodcc.core.actors import Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden
from autodcc.orders.models import Reward


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
