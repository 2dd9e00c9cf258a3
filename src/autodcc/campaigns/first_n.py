"""First-N rewards (CMP-6): the first N people whose online test-drive booking was confirmed by the
dealer and who submitted their report get the gift, ranked by the time that happened. Exactly N,
whatever the concurrency: the reward's row is locked while a claim counts and takes its rank."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from autodcc.campaigns.models import FirstNClaim, FirstNReward
from autodcc.core import audit
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError, Forbidden


def condition_met(booking: Any) -> list[FirstNClaim]:
    """Called when a report is submitted: claims for every active reward the booking qualifies for."""
    from autodcc.testdrives.models import BookingStatus

    if not booking.online or booking.status != BookingStatus.COMPLETED:
        return []
    day = timezone.localtime(booking.created_at).date()
    rewards = FirstNReward.objects.filter(is_active=True, campaign__starts_on__lte=day, campaign__ends_on__gte=day).filter(
        Q(campaign__dealer__isnull=True, campaign__region__isnull=True) | Q(campaign__dealer_id=booking.dealer_id)
        | Q(campaign__dealer__isnull=True, campaign__region_id=booking.dealer.region_id))
    return [c for c in (claim(r, booking) for r in rewards) if c is not None]


@transaction.atomic
def claim(reward: FirstNReward, booking: Any) -> FirstNClaim | None:
    """The booking's place among the first N, or None once N are taken (idempotent per booking)."""
    reward = FirstNReward.objects.select_for_update().get(pk=reward.pk)
    existing = FirstNClaim.objects.filter(reward=reward, booking=booking).first()
    if existing is not None:
        return existing
    taken = FirstNClaim.objects.filter(reward=reward).count()
    if taken >= reward.n:
        return None
    made = FirstNClaim.objects.create(reward=reward, booking=booking, rank=taken + 1, met_at=timezone.now())
    audit.record(actor=SYSTEM, action="first_n.claim", obj=reward.campaign, dealer_id=booking.dealer_id,
                 after={"reward": reward.name, "rank": made.rank, "booking": booking.number})
    return made


@transaction.atomic
def ship(*, actor: Actor, claim_: FirstNClaim, address: str, carrier: str, tracking_no: str) -> FirstNClaim:
    """HQ ships a gift: address, carrier and tracking number."""
    if not (actor.is_hq and actor.can("campaigns.manage")) and not actor.can("orders.accessories_supply"):
        raise Forbidden("forbidden")
    if not address.strip() or not carrier.strip() or not tracking_no.strip():
        raise DomainError("first_n.shipping_incomplete", field="tracking_no")
    claim_ = FirstNClaim.objects.select_for_update().get(pk=claim_.pk)
    claim_.address, claim_.carrier, claim_.tracking_no = address.strip(), carrier.strip(), tracking_no.strip()
    claim_.shipped_at = timezone.now()
    claim_.save()
    audit.record(actor=actor, action="first_n.ship", obj=claim_.reward.campaign,
                 after={"rank": claim_.rank, "carrier": claim_.carrier, "tracking_no": claim_.tracking_no})
    return claim_
