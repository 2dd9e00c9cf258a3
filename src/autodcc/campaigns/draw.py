"""Launch-day flash draws (CMP-5): rounds with a commitment published before they open, valid
entries only (complete details, one per mobile per round), the entry list frozen and its digest
published at the close, then the seed revealed and the winner derived by the published rule
(``drawrule``). A round is drawn once; a winner who cannot be reached is replaced by the rule's
next draw, audited."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from autodcc.campaigns import drawrule
from autodcc.campaigns.models import Campaign, DrawEntry, DrawPrize, DrawRound
from autodcc.campaigns.services import may_manage
from autodcc.core import audit, geo, memo, phone, rows
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden, Invalid

log = logging.getLogger(__name__)
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@transaction.atomic
def round_prepare(*, actor: Actor, campaign: Campaign, number: int, opens_at: dt.datetime, closes_at: dt.datetime,
                  prize: str, awaits_public_value: bool = False) -> DrawRound:
    """A round and its commitment (SHA-256 of a new secret seed), published before it opens."""
    if not may_manage(actor, campaign):
        raise Forbidden("forbidden")
    if closes_at <= opens_at:
        raise DomainError("draw.window_reversed", field="closes_at")
    if DrawRound.objects.filter(campaign=campaign, number=number).exists():
        raise DomainError("draw.round_taken", field="number", value=number)
    seed = secrets.token_hex(32)
    made = DrawRound.objects.create(campaign=campaign, number=number, prize=prize.strip(), opens_at=opens_at,
                                    closes_at=closes_at, seed=seed, commitment=drawrule.commitment(seed),
                                    awaits_public_value=awaits_public_value)
    transaction.on_commit(lambda: memo.forget(("draw-schedule", campaign.code)))
    audit.record(actor=actor, action="draw.prepare", obj=campaign, dealer_id=campaign.dealer_id,
                 after={"round": number, "commitment": made.commitment, "opens_at": opens_at.isoformat(),
                        "closes_at": closes_at.isoformat(), "awaits_public_value": awaits_public_value})
    return made


NAME_MAX = 60


def entry_submit(*, draw_round: DrawRound, name: str, raw_phone: str, city: str, consent: bool,
                 now: dt.datetime | None = None) -> Entered:
    """A valid entry, or a clear refusal: the round must be open, the details complete, and the
    mobile may enter the round once. One row written: the entrant becomes (or joins) a lead tagged
    with the campaign moments later, in a batch with the other entries (``entries_follow_up``)."""
    now = now or timezone.now()
    if not draw_round.is_open(now):
        raise DomainError("draw.round_closed", number=draw_round.number)
    errors: list[DomainError] = []
    name = (name or "").strip()
    if not name:
        errors.append(DomainError("draw.name_missing", field="name"))
    elif len(name) > NAME_MAX:
        errors.append(DomainError("draw.name_too_long", field="name", max=NAME_MAX))
    elif not name.isprintable():
        errors.append(DomainError("draw.name_unprintable", field="name"))
    mobile = ""
    try:
        mobile = phone.normalize_mobile(raw_phone, field="phone")
    except DomainError as exc:
        errors.append(exc)
    place = None
    try:
        place = geo.lookup_city(city, field="city") if (city or "").strip() else None
        if place is None:
            errors.append(DomainError("draw.city_missing", field="city"))
    except DomainError as exc:
        errors.append(exc)
    if not consent:
        errors.append(DomainError("consent.missing", field="consent"))
    if errors or place is None:
        raise Invalid(errors)
    receipt = _receipt()
    # one statement, no transaction of its own: a second entry of the mobile is left out by the
    # round's unique constraint (and counted), never raised mid-transaction
    ids = rows.insert(DrawEntry, ENTRY_COLUMNS, [(draw_round.pk, receipt, name, mobile, place.name, now)],
                      returning=True, skip_conflicts_on=("round_id", "phone"))
    if not ids:
        DrawRound.objects.filter(pk=draw_round.pk).update(duplicates_refused=F("duplicates_refused") + 1)
        raise Conflict("draw.duplicate", field="phone", number=draw_round.number)
    return Entered(ids[0], receipt)


ENTRY_COLUMNS = ("round_id", "receipt", "name", "phone", "city", "created_at")


@dataclass(frozen=True, slots=True)
class Entered:
    """What the entrant is told: the entry's number (its id, its place in the list) and receipt."""

    pk: int
    receipt: str


def _receipt() -> str:
    """Six characters of the 32-letter alphabet, each from five random bits (no bias)."""
    return "".join(RECEIPT_ALPHABET[b & 31] for b in secrets.token_bytes(6))


def _entries(draw_round: DrawRound) -> list[tuple[int, str, str]]:
    return [(pk, receipt, phone.mask(mobile)) for pk, receipt, mobile in
            draw_round.entries.order_by("pk").values_list("pk", "receipt", "phone")]


# An entry accepted just before the close is written a moment later (its request still running):
# the list is frozen only once no request that began before the close can still be writing
# (gunicorn's timeout is 30 s), so a receipt handed out is always in the published list.
CLOSE_GRACE = dt.timedelta(seconds=60)


@transaction.atomic
def round_close(draw_round: DrawRound, *, now: dt.datetime | None = None) -> DrawRound:
    """Freeze the entry list once the round has closed and publish its digest (the scheduled task,
    or HQ from the console). Closing twice changes nothing."""
    draw_round = DrawRound.objects.select_for_update().get(pk=draw_round.pk)
    now = now or timezone.now()
    if draw_round.closed_at is not None:
        return draw_round
    if now < draw_round.closes_at + CLOSE_GRACE:
        raise DomainError("draw.not_closed_yet", number=draw_round.number)
    entries = _entries(draw_round)
    draw_round.digest, draw_round.entry_count, draw_round.closed_at = drawrule.digest(entries), len(entries), now
    draw_round.save(update_fields=["digest", "entry_count", "closed_at"])
    return draw_round


def close_due(now: dt.datetime | None = None) -> int:
    """The scheduled task: rounds whose time is up are frozen, and drawn at once unless they wait
    for a public value (published within a minute of the close, well inside the half hour)."""
    now = now or timezone.now()
    due = DrawRound.objects.filter(closed_at__isnull=True, closes_at__lte=now - CLOSE_GRACE)
    for r in due:
        round_close(r, now=now)
    for r in DrawRound.objects.filter(closed_at__isnull=False, drawn_at__isnull=True, awaits_public_value=False,
                                      entry_count__gt=0):
        try:
            round_draw(actor=SYSTEM, draw_round=r)
        except DomainError:  # drawn meanwhile by hand, or its list changed: left for HQ, logged
            log.warning("round %s not drawn automatically", r.pk, exc_info=True)
    return len(due)


FOLLOW_BATCH = 500


def entries_follow_up(*, limit: int = 20_000) -> int:
    """Entries not yet followed up become (or join) leads tagged with their campaign: in batches
    through the capture pipeline, each with its own idempotency key (a batch retried after a crash
    finds the leads it made). Another worker's batch is skipped, never waited for."""
    from autodcc.leads.services import LeadInput
    from autodcc.leads.services.capture import Caller, Request, capture
    from autodcc.storefront.views.common import store_consumer

    done = 0
    while done < limit:
        with transaction.atomic():
            batch = list(DrawEntry.objects.select_for_update(skip_locked=True, of=("self",))
                         .filter(followed_at__isnull=True).select_related("round__campaign__dealer")
                         .order_by("pk")[:FOLLOW_BATCH])
            if not batch:
                break
            requests = []
            for e in batch:
                campaign = e.round.campaign
                data = LeadInput(name=e.name, phone=e.phone, channel="storefront", city=e.city,
                                 campaign=campaign.code, consent_version="store-2026-01",
                                 consent_share_with_dealer=True,
                                 message=f"{campaign.name}（第 {e.round.number} 场）",
                                 dealer=campaign.dealer.code if campaign.dealer_id else "")
                requests.append(Request(data, Caller.of(store_consumer(e.phone)), key=f"draw-entry:{e.pk}"))
            outcomes = capture(requests)
            now = timezone.now()
            for e, outcome in zip(batch, outcomes, strict=True):
                e.lead_id, e.followed_at = outcome.lead_id, now
                if outcome.errors:  # the entry stands; its lead is the campaign's to add by hand
                    log.warning("draw entry %s: no lead captured: %s", e.pk, outcome.errors)
            DrawEntry.objects.bulk_update(batch, ["lead", "followed_at"])
        done += len(batch)
    return done


@transaction.atomic
def round_draw(*, actor: Actor, draw_round: DrawRound, public_value: str = "") -> DrawRound:
    """Reveal the seed and derive the winner; a round is drawn once, never again."""
    draw_round = DrawRound.objects.select_for_update().select_related("campaign").get(pk=draw_round.pk)
    if actor is not SYSTEM and not may_manage(actor, draw_round.campaign):
        raise Forbidden("forbidden")
    if draw_round.drawn_at is not None:
        raise Conflict("draw.already_drawn", number=draw_round.number)
    if draw_round.closed_at is None:
        raise DomainError("draw.not_closed_yet", number=draw_round.number)
    entries = _entries(draw_round)
    if not entries:
        raise DomainError("draw.no_entries", number=draw_round.number)
    if drawrule.digest(entries) != draw_round.digest:  # the frozen list changed: never draw on it
        raise Conflict("draw.list_changed", number=draw_round.number)
    draw_round.public_value = public_value.strip()[:100]
    index = drawrule.winners(draw_round.seed, draw_round.digest, draw_round.public_value, len(entries), 1)[0]
    draw_round.winners = [entries[index][0]]
    draw_round.drawn_at = timezone.now()
    draw_round.save(update_fields=["public_value", "winners", "drawn_at"])
    DrawPrize.objects.create(round=draw_round, entry_id=draw_round.winners[0])  # customer service calls them
    audit.record(actor=actor, action="draw.draw", obj=draw_round.campaign, dealer_id=draw_round.campaign.dealer_id,
                 after={"round": draw_round.number, "winner": draw_round.winners[0], "seed": draw_round.seed,
                        "public": draw_round.public_value})
    return draw_round


@transaction.atomic
def winner_replace(*, actor: Actor, draw_round: DrawRound, reason: str) -> DrawRound:
    """The winner could not be reached: the rule's next draw wins (published, audited)."""
    draw_round = DrawRound.objects.select_for_update().select_related("campaign").get(pk=draw_round.pk)
    if not may_manage(actor, draw_round.campaign):
        raise Forbidden("forbidden")
    if draw_round.drawn_at is None:
        raise DomainError("draw.not_drawn", number=draw_round.number)
    if not reason.strip():
        raise DomainError("campaign.reason_required", field="reason")
    entries = _entries(draw_round)
    if len(draw_round.winners) >= len(entries):
        raise DomainError("draw.no_one_left", number=draw_round.number)
    positions = drawrule.winners(draw_round.seed, draw_round.digest, draw_round.public_value, len(entries),
                                 len(draw_round.winners) + 1)
    DrawPrize.objects.filter(round=draw_round, entry_id=draw_round.winners[-1]).update(
        unreachable=True, contact_note=reason.strip()[:200])
    draw_round.winners = [entries[i][0] for i in positions]
    draw_round.save(update_fields=["winners"])
    DrawPrize.objects.create(round=draw_round, entry_id=draw_round.winners[-1])
    audit.record(actor=actor, action="draw.replace", obj=draw_round.campaign, dealer_id=draw_round.campaign.dealer_id,
                 note=reason.strip(), after={"round": draw_round.number, "winners": draw_round.winners})
    return draw_round


def public(draw_round: DrawRound) -> dict[str, Any]:
    """What the round's public page shows and offers as JSON for the verifier: the commitment
    always; the masked entry list and its digest once closed; the seed and winners once drawn."""
    data: dict[str, Any] = {"campaign": draw_round.campaign.code, "round": draw_round.number,
                            "prize": draw_round.prize, "commitment": draw_round.commitment,
                            "opens_at": draw_round.opens_at.isoformat(), "closes_at": draw_round.closes_at.isoformat()}
    if draw_round.closed_at is not None:
        data["digest"] = draw_round.digest
        data["entries"] = [{"number": n, "receipt": r, "phone": p} for n, r, p in _entries(draw_round)]
    if draw_round.drawn_at is not None:
        data.update(seed=draw_round.seed, public=draw_round.public_value, winners=list(draw_round.winners))
    return data


PRIZE_STEPS = ("contacted", "pickup", "returned")


PRIZE_COST_MAX = Decimal("1000000")  # a week's rental: far below; a typo of a few digits is caught


@transaction.atomic
def prize_step(*, actor: Actor, prize: DrawPrize, step: str, **values: Any) -> DrawPrize:
    """Customer service follows a prize: the winner contacted (a note), the pickup arranged with
    the rental partner (partner, agreement number, pickup and return dates, return at the same
    place), the car returned with the usage report. Each step audited."""
    if not actor.can("campaigns.fulfil"):
        raise Forbidden("forbidden")
    prize = DrawPrize.objects.select_for_update().select_related("round__campaign").get(pk=prize.pk)
    if prize.unreachable:
        raise DomainError("draw.prize_unreachable")
    now = timezone.now()
    if step == "contacted":
        prize.contacted_at, prize.contact_note = now, str(values.get("note", "")).strip()[:200]
    elif step == "pickup":
        if prize.contacted_at is None:
            raise DomainError("draw.prize_order", field="step")
        pickup, back, cost = values.get("pickup_on"), values.get("return_on"), values.get("cost")
        if not values.get("partner") or not values.get("agreement_no") or not pickup or not back or cost is None:
            raise DomainError("draw.prize_pickup_incomplete", field="agreement_no")
        if back < pickup:
            raise DomainError("draw.prize_dates", field="return_on")
        if not Decimal("0") <= Decimal(cost) <= PRIZE_COST_MAX:
            raise DomainError("draw.prize_cost", field="cost", max=f"{PRIZE_COST_MAX:,.0f}")
        prize.cost = Decimal(cost).quantize(Decimal("0.01"))
        prize.partner, prize.agreement_no = str(values["partner"]).strip()[:80], str(values["agreement_no"]).strip()[:40]
        prize.pickup_on, prize.return_on = pickup, back
    elif step == "returned":
        if not prize.agreement_no:
            raise DomainError("draw.prize_order", field="step")
        if not str(values.get("usage_report", "")).strip():
            raise DomainError("draw.prize_report_missing", field="usage_report")
        prize.returned_at, prize.usage_report = now, str(values["usage_report"]).strip()
    else:
        raise DomainError("draw.prize_order", field="step")
    prize.save()
    audit.record(actor=actor, action=f"prize.{step}", obj=prize.round.campaign, after={
        "round": prize.round.number, "entry": prize.entry_id, "step": step,
        **({"cost": prize.cost} if step == "pickup" else {})})
    return prize


def campaign_with_rounds(code: str) -> Campaign | None:
    """The campaign a store link names, when it has draw rounds (a code no campaign can have —
    control characters, over 40 characters — names none)."""
    code = code.strip().upper()
    if not code or len(code) > 40 or not code.isprintable():
        return None
    return Campaign.objects.filter(code=code, draw_rounds__isnull=False).distinct().first()


SCHEDULE_TTL = 5.0  # seconds: a round is prepared (its commitment published) well before it opens


def schedule(code: str) -> tuple[Campaign | None, list[DrawRound]]:
    """The campaign and its rounds' windows, as the entry form needs them on every POST of a
    burst: remembered per process for a few seconds (windows never change once prepared; what
    changes, the counts and the draw, is read fresh wherever it is shown)."""
    def load() -> tuple[Campaign | None, list[DrawRound]]:
        campaign = campaign_with_rounds(code)
        return campaign, list(campaign.draw_rounds.order_by("number")) if campaign else []

    return memo.remember(("draw-schedule", code.strip().upper()), SCHEDULE_TTL, load)


def round_of(campaign: Campaign, number: int) -> DrawRound | None:
    return DrawRound.objects.select_related("campaign").filter(campaign=campaign, number=number).first()


def masked_name(name: str) -> str:
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else "—"


def winners_shown(draw_round: DrawRound) -> list[dict[str, Any]]:
    """The winners as the public page lists them: masked name and mobile, receipt, and whether the
    rule's next draw replaced them."""
    if draw_round.drawn_at is None:
        return []
    names = {e.pk: e for e in DrawEntry.objects.filter(pk__in=draw_round.winners)}
    last = len(draw_round.winners) - 1
    return [{"number": n, "name": masked_name(names[n].name), "phone": phone.mask(names[n].phone),
             "receipt": names[n].receipt, "replaced": i < last}
            for i, n in enumerate(draw_round.winners) if n in names]
