"""First-N rewards (CMP-6, CMP-9): the first N people whose online test-drive booking was confirmed
by the dealer (the dealer's staff recorded the drive as done) and who submitted their report get the
gift, ranked by the time that happened. Exactly N, whatever the concurrency: the reward's row is
locked while a claim counts and takes its rank.

A winner is told by SMS with the link to their gift's page in the store (the claim's secret token,
as an order's page is reached); there they give or confirm the delivery address. HQ ships the gift
with the carrier and the tracking number, once; the winner is told by SMS and the page shows it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from autodcc.campaigns.models import Campaign, ClaimState, FirstNClaim, FirstNReward
from autodcc.core import audit
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid, NotFound

ADDRESS_MAX = 200
NAME_MAX = 80
N_MAX = 100_000
TRACKING = re.compile(r"[A-Za-z0-9-]{4,40}")
CARRIER_MAX = 40
# carriers offered in the console (any other name may be typed)
CARRIERS = ("顺丰速运", "京东物流", "中国邮政 EMS", "中通快递", "圆通速递", "韵达快递", "申通快递", "极兔速递")


# --- counting ------------------------------------------------------------------------------------


def condition_met(booking: Any) -> list[FirstNClaim]:
    """Called when a report is submitted: claims for every active reward the booking qualifies for."""
    from autodcc.testdrives.models import BookingStatus

    if not booking.online or booking.status != BookingStatus.COMPLETED:
        return []
    day = timezone.localtime(booking.created_at).date()
    rewards = (FirstNReward.objects.filter(is_active=True, campaign__starts_on__lte=day, campaign__ends_on__gte=day)
               .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day))
               .filter(Q(campaign__dealer__isnull=True, campaign__region__isnull=True)
                       | Q(campaign__dealer_id=booking.dealer_id)
                       | Q(campaign__dealer__isnull=True, campaign__region_id=booking.dealer.region_id)))
    return [c for c in (claim(r, booking) for r in rewards) if c is not None]


@transaction.atomic
def claim(reward: FirstNReward, booking: Any) -> FirstNClaim | None:
    """The booking's place among the first N, or None once N are taken (idempotent per booking).
    A new winner is told by SMS, with the link to give the delivery address."""
    reward = FirstNReward.objects.select_related("campaign").select_for_update(of=("self",)).get(pk=reward.pk)
    existing = FirstNClaim.objects.filter(reward=reward, booking=booking).first()
    if existing is not None:
        return existing
    taken = FirstNClaim.objects.filter(reward=reward).count()
    if taken >= reward.n:
        return None
    made = FirstNClaim.objects.create(reward=reward, booking=booking, rank=taken + 1, met_at=timezone.now())
    audit.record(actor=SYSTEM, action="first_n.claim", obj=reward.campaign, dealer_id=booking.dealer_id,
                 after={"reward": reward.name, "rank": made.rank, "booking": booking.number})
    _tell_winner(made, "first_n_won", campaign=reward.campaign.name, rank=made.rank)
    return made


def _tell_winner(claim_: FirstNClaim, event: str, **context: Any) -> None:
    from autodcc.core import links
    from autodcc.messaging.services import message_send

    booking = claim_.booking
    customer = booking.lead.customer
    message_send(event=event, to_phone=customer.phone, dealer=booking.dealer, related=claim_,
                 context={"name": customer.name, "gift": claim_.reward.name,
                          "link": links.absolute("store:gift", claim_.token), **context})


# --- the reward, in the console ------------------------------------------------------------------


def may_edit(actor: Actor, campaign: Campaign) -> bool:
    """Whoever may change the campaign's plan sets up its first-N gifts."""
    from autodcc.campaigns.services import may_manage

    return may_manage(actor, campaign)


def may_ship(actor: Actor) -> bool:
    """HQ ships the gifts: marketing, or whoever supplies accessories (customer service)."""
    return (actor.is_hq and actor.can("campaigns.manage")) or actor.can("orders.accessories_supply")


@transaction.atomic
def reward_save(*, actor: Actor, campaign: Campaign, name: str, n: int, unit_cost: Decimal, is_active: bool = True,
                starts_on: dt.date | None = None, ends_on: dt.date | None = None,
                reward: FirstNReward | None = None) -> FirstNReward:
    """Create a first-N gift on ``campaign`` or change ``reward``: never fewer than already won,
    its days within the campaign's."""
    campaign = Campaign.objects.select_related("dealer").get(pk=campaign.pk)
    if not may_edit(actor, campaign):
        raise Forbidden("forbidden")
    if reward is not None:
        reward = FirstNReward.objects.select_for_update().get(pk=reward.pk)
        if reward.campaign_id != campaign.pk:
            raise NotFound("not_found")
    name = (name or "").strip()
    errors: list[DomainError] = []
    if not name:
        errors.append(DomainError("first_n.name_missing", field="name"))
    elif len(name) > NAME_MAX or not name.isprintable():
        errors.append(DomainError("first_n.name_invalid", field="name", max=NAME_MAX))
    if not isinstance(n, int) or not 1 <= n <= N_MAX:
        errors.append(DomainError("first_n.n_invalid", field="n", max=N_MAX))
    elif reward is not None and n < (won := reward.claims.count()):
        errors.append(DomainError("first_n.n_below_won", field="n", won=won))
    if unit_cost is None or unit_cost < 0 or unit_cost >= Decimal("100000"):
        errors.append(DomainError("first_n.cost_invalid", field="unit_cost"))
    first, last = starts_on or campaign.starts_on, ends_on or campaign.ends_on
    if first > last:
        errors.append(DomainError("campaign.dates_reversed", field="ends_on"))
    elif first < campaign.starts_on or last > campaign.ends_on:
        errors.append(DomainError("first_n.dates_outside", field="starts_on" if first < campaign.starts_on else "ends_on",
                                  first=campaign.starts_on.isoformat(), last=campaign.ends_on.isoformat()))
    if errors:
        raise Invalid(errors)
    before = audit.snapshot(reward) if reward is not None else None
    target = reward or FirstNReward(campaign=campaign)
    target.name, target.n, target.is_active = name, n, is_active
    target.unit_cost = unit_cost.quantize(Decimal("0.01"))
    target.starts_on, target.ends_on = starts_on, ends_on
    after = audit.snapshot(target)
    if before is not None and not audit.changed(before, after):
        return target
    target.save()
    audit.record(actor=actor, action="first_n.reward_update" if before else "first_n.reward_create", obj=target,
                 before=before, after=audit.snapshot(target), dealer_id=campaign.dealer_id)
    return target


def rewards_for(actor: Actor) -> QuerySet[FirstNReward]:
    """The gifts of the campaigns the actor sees."""
    return FirstNReward.objects.filter(campaign__in=Campaign.objects.visible_to(actor)).select_related(
        "campaign__dealer", "campaign__region")


def reward_for(actor: Actor, pk: int) -> FirstNReward:
    found = rewards_for(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("not_found")
    return found


def claims_for(actor: Actor, reward: FirstNReward, *, state: str = "", dealer_id: int | None = None,
               q: str = "") -> QuerySet[FirstNClaim]:
    """The reward's winners in order, those at the dealers the actor sees (a brand-wide gift shows
    a dealer's staff their own dealer's winners only), with the dealer's confirmation of the drive."""
    from autodcc.network.models import Dealer

    qs = (FirstNClaim.objects.filter(reward=reward)
          .select_related("booking__dealer", "booking__completed_by", "booking__lead__customer",
                          "booking__vehicle__trim", "reward__campaign")
          .order_by("rank"))
    if not actor.is_hq:
        qs = qs.filter(booking__dealer__in=Dealer.objects.visible_to(actor))
    if state == ClaimState.SHIPPED:
        qs = qs.filter(shipped_at__isnull=False)
    elif state == ClaimState.ADDRESS_GIVEN:
        qs = qs.filter(shipped_at__isnull=True, address_at__isnull=False)
    elif state == ClaimState.WON:
        qs = qs.filter(shipped_at__isnull=True, address_at__isnull=True)
    if dealer_id:
        qs = qs.filter(booking__dealer_id=dealer_id)
    q = q.strip()[:40]
    if q:
        qs = qs.filter(Q(booking__number__iexact=q) | Q(booking__lead__customer__name__icontains=q)
                       | Q(tracking_no__iexact=q))
    return qs



def claim_counts(actor: Actor, reward: FirstNReward) -> dict[str, int]:
    """How many of the reward's winners the actor sees, and how many of them were shipped (one query)."""
    return claims_for(actor, reward).aggregate(won=Count("pk"), shipped=Count("pk", filter=Q(shipped_at__isnull=False)))

def claim_for(actor: Actor, pk: int) -> FirstNClaim:
    """A winner the actor may see (another dealer's, or a campaign they cannot see: not found)."""
    found = FirstNClaim.objects.filter(pk=pk).select_related("reward__campaign", "booking__dealer").first()
    if found is None or not Campaign.objects.visible_to(actor).filter(pk=found.reward.campaign_id).exists():
        raise NotFound("not_found")
    if not actor.sees_dealer(found.booking.dealer):
        raise NotFound("not_found")
    return found


# --- the winner's address and the shipping -------------------------------------------------------


def _clean_address(address: str) -> str:
    address = " ".join((address or "").split()) if isinstance(address, str) else ""
    if "\x00" in (address or ""):
        raise DomainError("first_n.address_unprintable", field="address")
    if not address:
        raise DomainError("first_n.address_missing", field="address")
    if len(address) > ADDRESS_MAX:
        raise DomainError("first_n.address_too_long", field="address", max=ADDRESS_MAX)
    if not address.isprintable():
        raise DomainError("first_n.address_unprintable", field="address")
    if len(address) < 5:
        raise DomainError("first_n.address_short", field="address")
    return address


def claim_by_token(token: str) -> FirstNClaim:
    if not token or len(token) > 32:
        raise NotFound("not_found")
    found = (FirstNClaim.objects.filter(token=token)
             .select_related("reward__campaign", "booking__dealer", "booking__lead__customer").first())
    if found is None:
        raise NotFound("not_found")
    return found


@transaction.atomic
def address_give(*, token: str, address: str) -> FirstNClaim:
    """The winner gives (or corrects) the delivery address on their gift's page, until it ships."""
    from autodcc.core.actors import consumer

    clean = _clean_address(address)
    claim_ = claim_by_token(token)
    claim_ = FirstNClaim.objects.select_for_update().select_related("reward__campaign", "booking").get(pk=claim_.pk)
    if claim_.shipped_at is not None:
        raise DomainError("first_n.already_shipped", carrier=claim_.carrier, tracking_no=claim_.tracking_no)
    if claim_.address == clean and claim_.address_at is not None:
        return claim_  # the same address again (a double tap): nothing changes
    first = claim_.address_at is None
    claim_.address, claim_.address_at = clean, timezone.now()
    claim_.save(update_fields=["address", "address_at"])
    audit.record(actor=consumer(f"storefront {claim_.booking.number}"), action="first_n.address",
                 obj=claim_.reward.campaign, dealer_id=claim_.booking.dealer_id,
                 after={"reward": claim_.reward.name, "rank": claim_.rank, "address_changed": not first})
    return claim_


@transaction.atomic
def ship(*, actor: Actor, claim_: FirstNClaim, carrier: str, tracking_no: str, address: str | None = None) -> FirstNClaim:
    """HQ ships a gift, once: to the address the winner gave (or ``address``, taken by phone), with
    the carrier (any name) and the tracking number; the winner is told by SMS."""
    if not may_ship(actor):
        raise Forbidden("forbidden")
    claim_ = (FirstNClaim.objects.select_for_update(of=("self",))
              .select_related("reward__campaign", "booking__dealer", "booking__lead__customer").get(pk=claim_.pk))
    if claim_.shipped_at is not None:
        raise DomainError("first_n.already_shipped", carrier=claim_.carrier, tracking_no=claim_.tracking_no)
    carrier = " ".join((carrier or "").split())
    tracking = (tracking_no or "").strip().replace(" ", "")
    errors: list[DomainError] = []
    to = claim_.address
    if address is not None and address.strip():
        try:
            to = _clean_address(address)
        except DomainError as exc:
            errors.append(exc)
    elif not to:
        errors.append(DomainError("first_n.shipping_incomplete", field="address"))
    if not carrier:
        errors.append(DomainError("first_n.shipping_incomplete", field="carrier"))
    elif len(carrier) > CARRIER_MAX or not carrier.isprintable():
        errors.append(DomainError("first_n.carrier_invalid", field="carrier", max=CARRIER_MAX))
    if not tracking:
        errors.append(DomainError("first_n.shipping_incomplete", field="tracking_no"))
    elif not TRACKING.fullmatch(tracking):
        errors.append(DomainError("first_n.tracking_invalid", field="tracking_no"))
    if errors:
        raise Invalid(errors)
    claim_.address, claim_.carrier, claim_.tracking_no = to, carrier, tracking
    claim_.address_at = claim_.address_at or timezone.now()
    claim_.shipped_at = timezone.now()
    claim_.save()
    audit.record(actor=actor, action="first_n.ship", obj=claim_.reward.campaign, dealer_id=claim_.booking.dealer_id,
                 after={"reward": claim_.reward.name, "rank": claim_.rank, "carrier": claim_.carrier,
                        "tracking_no": claim_.tracking_no})
    _tell_winner(claim_, "first_n_shipped", carrier=claim_.carrier, tracking_no=claim_.tracking_no)
    return claim_


def buyer_gifts(phone_e164: str) -> list[FirstNClaim]:
    """The gifts won with a proven mobile number (“My orders and test drives”)."""
    return list(FirstNClaim.objects.filter(booking__lead__customer__phone=phone_e164)
                .select_related("reward__campaign").order_by("-met_at"))
