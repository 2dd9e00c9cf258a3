"""One pass of the capture pipeline over requests with distinct phones and keys.

Statements per pass, whatever its size (each only when there is something to do):
one lookup (replayed keys, known customers with their open leads, the chosen dealers' active
flags), one lock of every even-split row the pass needs (city and agent rows, one global order),
then one write per table: customers, leads, repeats, consents, captures, handovers or pool
assignments, audit rows, the even-split counts, and one outbox event telling the agents. Rows
are plain tuples (:func:`autodcc.core.rows.insert`), never a model instance per lead.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, Value
from django.utils import timezone

from autodcc.campaigns import codes
from autodcc.core import fairshare, phone, rows, workhours
from autodcc.core.errors import DomainError
from autodcc.core.models import AuditLog, FairShare
from autodcc.customers.models import Consent, Customer, CustomerKind
from autodcc.leads import rules
from autodcc.leads.models import (
    OPEN_STATUSES,
    AllocationReason,
    Assignment,
    AssignmentKind,
    Capture,
    CaptureStatus,
    Grade,
    Handover,
    Lead,
    Stage,
    Status,
)
from autodcc.leads.services import common, notices
from autodcc.leads.services.assignment import available_sql, heal_agents
from autodcc.leads.services.capture import Checked, Outcome
from autodcc.network import directory
from autodcc.network.models import Dealer


class Retry(Exception):
    """A lead this pass joins was closed by another transaction meanwhile: start again."""


@dataclass
class _Known:
    id: int
    name: str
    city_id: int | None
    open: list[tuple[int, int, int]] = field(default_factory=list)  # (lead id, dealer id, repeats so far)


@dataclass
class _Found:
    replays: dict[str, int] = field(default_factory=dict)  # key → capture id
    customers: dict[str, _Known] = field(default_factory=dict)
    active: dict[int, bool] = field(default_factory=dict)


@dataclass
class _New:
    c: Checked
    city: directory.CityRef | None
    dealer: directory.DealerInfo | None = None
    reason: str = ""
    km: Decimal | None = None
    place: directory.CityRef | None = None  # where the even split looks: the consumer's city or the closed dealer's
    closed: bool = False  # the chosen dealer is closed: fall back
    agent_id: int | None = None
    lead_id: int | None = None
    customer_id: int | None = None


def run(batch: list[Checked], outcomes: list[Outcome], *, notify: bool) -> None:
    now = timezone.now()
    found = _lookup(batch)
    news: list[_New] = []
    joins: list[tuple[Checked, tuple[int, int, int], _Known]] = []
    replays = _replays([c for c in batch if c.request.key and not c.request.capture_id
                        and c.request.key in found.replays], found)
    for c in batch:
        if c.index in replays:
            outcomes[c.index] = replays[c.index]
            continue
        chosen = c.chosen
        closed = chosen is not None and not found.active.get(chosen.id, False)
        known = found.customers.get(c.phone)
        match = None
        if known and known.open:
            if chosen is not None and not closed:
                match = next((o for o in known.open if o[1] == chosen.id), None)
            else:
                match = max(known.open)  # the newest open lead
        if match is not None:
            joins.append((c, match, known))  # type: ignore[arg-type]
            continue
        city = directory.city(c.city) if c.city else None
        item = _New(c, city, closed=closed)
        if chosen is not None and not closed:
            item.dealer = chosen
            staff_entry = c.request.caller.staff_entry and not c.named
            item.reason = AllocationReason.STAFF if staff_entry else AllocationReason.CHOSEN
        else:
            item.place = city or _city_of(chosen)
        news.append(item)
    locked = _allocate(news, now)
    _customers(news, found, now)
    _write_leads(news, now)
    _write_joins(joins, now)
    # nothing below is read back but the capture ids: one round trip (many rows are copied instead)
    with rows.pipelined(enabled=len(batch) < rows.COPY_FROM_ROWS):
        fairshare.save(locked)
        _write_rest(news, joins, outcomes, now, notify)


def reject_pending(rejected: Sequence[tuple[int, int]], outcomes: list[Outcome]) -> None:
    """Accepted captures whose input no longer passes: recorded as rejected with the reasons."""
    if not rejected:
        return
    now = timezone.now()
    Capture.objects.bulk_update([
        Capture(pk=capture_id, status=CaptureStatus.REJECTED, processed_at=now,
                error=[e.as_dict() for e in outcomes[i].errors or []]) for i, capture_id in rejected],
        ["status", "processed_at", "error"])
    for i, capture_id in rejected:
        outcomes[i].capture_id = capture_id


# --- reading ---------------------------------------------------------------------------------------


def _lookup(batch: list[Checked]) -> _Found:
    """Replayed keys, known phones with their open leads and the chosen dealers' active flags, in
    one statement."""
    q = connection.ops.quote_name
    cap, cust, lead, dealer = (q(m._meta.db_table) for m in (Capture, Customer, Lead, Dealer))
    keys = [c.request.key for c in batch if c.request.key and not c.request.capture_id]  # an accepted one holds its own
    phones = [c.phone for c in batch]
    dealers = sorted({c.chosen.id for c in batch if c.chosen is not None})
    parts, params = [], []
    if keys:
        source, values = rows.values_table("wk", keys)
        parts.append(f"SELECT 'k', c.key, NULL, c.id, NULL, NULL, NULL FROM {source} JOIN {cap} c ON c.key = wk.v")
        params += values
    source, values = rows.values_table("wp", phones)
    parts.append(
        f"SELECT 'c', cu.phone, cu.name, cu.id, cu.city_id, l.id, l.dealer_id"
        f" FROM {source} JOIN {cust} cu ON cu.phone = wp.v"
        f" LEFT JOIN {lead} l ON l.customer_id = cu.id AND l.status IN ({_marks(OPEN_STATUSES)})")
    params += values + [str(s) for s in OPEN_STATUSES]
    if dealers:
        parts.append(f"SELECT 'd', NULL, NULL, id, CASE WHEN is_active THEN 1 ELSE 0 END, NULL, NULL FROM {dealer}"
                     f" WHERE id IN ({_marks(dealers)})")
        params += dealers
    found = _Found()
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for tag, text, name, pk, n2, lead_id, lead_dealer in cursor.fetchall():
            if tag == "k":
                found.replays[text] = pk
            elif tag == "d":
                found.active[pk] = bool(n2)
            else:
                known = found.customers.setdefault(text, _Known(pk, name, n2))
                if lead_id is not None:
                    known.open.append((lead_id, lead_dealer, 0))
    return found


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _replays(replayed: list[Checked], found: _Found) -> dict[int, Outcome]:
    """The first outcome of each replayed key (one statement for all)."""
    if not replayed:
        return {}
    firsts = {c.pk: c for c in Capture.objects.filter(pk__in=[found.replays[r.request.key] for r in replayed])
              .select_related("lead").only("status", "lead_id", "duplicate", "error", "lead__dealer_id")}
    out = {}
    for c in replayed:
        first = firsts[found.replays[c.request.key]]
        outcome = Outcome(c.index, status=first.status, lead_id=first.lead_id, capture_id=first.pk,
                          dealer_id=first.lead.dealer_id if first.lead else None, created=first.created, replay=True)
        if first.status == CaptureStatus.REJECTED:
            outcome.errors = [DomainError("lead.capture_rejected", field=e.get("field"), reason=e.get("message", ""))
                              for e in first.error or []]
        out[c.index] = outcome
    return out


def _city_of(dealer: directory.DealerInfo | None) -> directory.CityRef | None:
    if dealer is None:
        return None
    return directory.CityRef(dealer.city_id, "", "", dealer.lat, dealer.lng)


# --- allocation and assignment -----------------------------------------------------------------------


def _candidates(place: directory.CityRef, exclude: set[int]) -> tuple[list[directory.DealerInfo], str, Decimal | None]:
    local = [d for d in directory.dealers().active_in(place.id) if d.id not in exclude]
    if local:
        return local, AllocationReason.CITY, None
    active = [d for d in directory.dealers().active() if d.id not in exclude]
    if not active:
        raise DomainError("lead.no_dealer")
    ids, km = rules.nearest_ids(place.lat, place.lng, [(d.id, d.lat, d.lng) for d in active])
    return [d for d in active if d.id in ids], AllocationReason.NEAREST, Decimal(f"{km:.1f}")


@dataclass
class _Group:
    place: directory.CityRef
    items: list[_New]
    candidates: list[directory.DealerInfo]
    reason: str
    km: Decimal | None


def _allocate(news: list[_New], now: dt.datetime) -> list[FairShare]:
    """Dealers for the leads without one (each city's even split), then agents for every new
    lead; the rows of both splits are locked in one statement. The rows that gave turns come back
    (``fairshare.save`` writes them)."""
    if not news:
        return []
    closed: set[int] = set()
    for _attempt in range(4):
        groups: dict[int, _Group] = {}
        receivers: set[int] = set()
        for item in news:
            if item.place is None:  # the chosen dealer
                receivers.add(item.dealer.id)  # type: ignore[union-attr]
                continue
            group = groups.get(item.place.id)
            if group is None:
                group = groups[item.place.id] = _Group(item.place, [], *_candidates(item.place, closed))
                receivers.update(d.id for d in group.candidates)
            group.items.append(item)
        locked = _lock(groups, receivers, now)
        if locked is None:  # rows were missing and have been created: lock again
            continue
        owners = fairshare.by_owner(locked)
        splits: dict[int, list[FairShare]] = {}
        for place_id, group in groups.items():
            ids = {d.id for d in group.candidates}
            rows_ = [r for r in owners.get((fairshare.CITY, place_id), []) if r.member_id in ids]
            open_ = [r for r in rows_ if r.extra]  # type: ignore[attr-defined]
            closed.update(r.member_id for r in rows_ if not r.extra)  # type: ignore[attr-defined]
            splits[place_id] = open_
        if not all(splits.values()):  # a city's dealers closed since the directory was read
            directory.forget()
            continue
        for place_id, group in groups.items():
            by_id = {d.id: d for d in group.candidates}
            for item, dealer_id in zip(group.items, fairshare.take(splits[place_id], len(group.items), now), strict=True):
                item.dealer, item.km = by_id[dealer_id], group.km
                item.reason = _fallback(group.reason) if item.closed else group.reason
        _assign_agents(news, owners, now)
        return locked
    raise DomainError("lead.no_dealer")


def _fallback(reason: str) -> str:
    return AllocationReason.INACTIVE_NEAREST if reason == AllocationReason.NEAREST else AllocationReason.INACTIVE_CITY


def _lock(groups: dict[int, _Group], receivers: set[int], now: dt.datetime) -> list[FairShare] | None:
    """Every row the pass needs, locked: the available agents of every dealer that may receive a
    lead, and each city's split among its candidate dealers. Rows missing from a split are created
    (level with the least served) and ``None`` says: lock again."""
    owners = sorted(receivers)
    available, params = available_sql(now, owners)
    where = f"(f.kind = %s AND f.owner_id IN ({fairshare.marks(owners)}) AND {available})"
    params = [fairshare.AGENT, *owners, *params]
    if groups:
        members = sorted({d.id for g in groups.values() for d in g.candidates})
        where += (f" OR (f.kind = %s AND f.owner_id IN ({fairshare.marks(groups)})"
                  f" AND f.member_id IN ({fairshare.marks(members)}))")
        params += [fairshare.CITY, *sorted(groups), *members]
    dealer = connection.ops.quote_name(Dealer._meta.db_table)
    active = f"(SELECT d.is_active FROM {dealer} d WHERE d.id = f.member_id)"  # read for city rows
    locked = fairshare.lock(where, params, extra=active)
    have = {(r.kind, r.owner_id, r.member_id) for r in locked}
    created = False
    for place_id, group in groups.items():
        absent = [d.id for d in group.candidates if (fairshare.CITY, place_id, d.id) not in have]
        if absent:
            fairshare.join(fairshare.CITY, place_id, absent)
            created = True
    staffed = {r.owner_id for r in locked if r.kind == fairshare.AGENT}
    if heal_agents(sorted(receivers - staffed)):
        created = True
    return None if created else locked


def _assign_agents(news: list[_New], owners: dict[tuple[str, int], list[FairShare]], now: dt.datetime) -> None:
    per_dealer: dict[int, list[_New]] = defaultdict(list)
    for item in news:
        per_dealer[item.dealer.id].append(item)  # type: ignore[union-attr]
    for dealer_id, items in per_dealer.items():
        agents = owners.get((fairshare.AGENT, dealer_id), [])
        if agents:
            for item, agent in zip(items, fairshare.take(agents, len(items), now), strict=True):
                item.agent_id = agent


# --- writing ---------------------------------------------------------------------------------------


def _customers(news: list[_New], found: _Found, now: dt.datetime) -> None:
    """The customer of every new lead; phones not known yet are inserted at once."""
    fresh = []
    for item in news:
        known = found.customers.get(item.c.phone)
        if known is None:
            fresh.append(item)
        else:
            item.customer_id = known.id
    ids = rows.insert(Customer, CUSTOMER_COLUMNS, [
        (item.c.name, item.c.phone, CustomerKind.PROSPECT, "", item.city.id if item.city else None, "", "", "", "",
         "", "", now, now) for item in fresh], returning=True)
    for item, pk in zip(fresh, ids, strict=True):
        item.customer_id = pk


CUSTOMER_COLUMNS = ("name", "phone", "kind", "gender", "city_id", "age_band", "occupation", "family", "hobbies",
                    "current_car", "wechat_openid", "created_at", "updated_at")
LEAD_COLUMNS = ("dealer_id", "customer_id", "channel", "campaign_id", "source_ref", "model_interest", "city_id", "message",
                "status", "status_before_defeat", "stage", "grade", "expected_purchase_on", "next_follow_up_on",
                "allocation_reason", "agent_id", "assigned_at", "first_response_due_at", "duplicate_count",
                "api_token_id", "created_at", "updated_at")


def _write_leads(news: list[_New], now: dt.datetime) -> None:
    if not news:
        return
    today = timezone.localdate()
    due: dict[int, dt.datetime] = {}
    values = []
    for item in news:
        d = item.dealer
        assert d is not None
        if d.id not in due:
            due[d.id] = workhours.add_open_minutes(now, common.settings_for(d.id).sla_minutes, d.hours)
        data = item.c.request.data
        values.append((
            d.id, item.customer_id, data.channel, codes.resolve(data.campaign, dealer_id=d.id, region_id=d.region_id),
            data.source_ref, data.model_interest,
            item.city.id if item.city else None, data.message, Status.NEW, "",
            Stage.DCC if item.agent_id else Stage.MARKETING, Grade.N, data.expected_purchase_on, today, item.reason,
            item.agent_id, now if item.agent_id else None, due[d.id], 0, item.c.request.caller.token_id, now, now))
    for item, pk in zip(news, rows.insert(Lead, LEAD_COLUMNS, values, returning=True), strict=True):
        item.lead_id = pk


def _write_joins(joins: list[tuple[Checked, tuple[int, int, int], _Known]], now: dt.datetime) -> None:
    """One more repeat on each joined lead, in one statement; a lead closed meanwhile: ``Retry``."""
    if not joins:
        return
    ids = [lead_id for _c, (lead_id, _d, _n), _k in joins]
    updated = Lead.objects.filter(pk__in=ids, status__in=OPEN_STATUSES).update(
        duplicate_count=F("duplicate_count") + Value(1), updated_at=now)
    if updated != len(ids):
        raise Retry


def _write_rest(news: list[_New], joins: list[tuple[Checked, tuple[int, int, int], _Known]],
                outcomes: list[Outcome], now: dt.datetime, notify: bool) -> None:
    done: list[tuple[Checked, int, int, bool, str, Decimal | None]] = []  # check, lead, dealer, new, reason, km
    done += [(item.c, item.lead_id, item.dealer.id, True, item.reason, item.km) for item in news]  # type: ignore
    done += [(c, lead_id, dealer_id, False, "", None) for c, (lead_id, dealer_id, _n), _k in joins]
    if not done:
        return
    customer_of = {item.c.index: item.customer_id for item in news}
    customer_of.update({c.index: known.id for c, _match, known in joins})
    rows.insert(Consent, ("customer_id", "dealer_id", "version", "purposes", "share_with_dealer", "marketing",
                          "channel", "given_at"), [
        (customer_of[c.index], dealer_id, c.request.data.consent_version.strip(),
         list(c.request.data.consent_purposes), True, bool(c.request.data.consent_marketing),
         c.request.data.channel, now) for c, _l, dealer_id, _n, _r, _k in done])
    rows.insert(Handover, ("lead_id", "from_stage", "to_stage", "to_staff_id", "note", "by_label", "at"), [
        (item.lead_id, Stage.MARKETING, Stage.DCC, item.agent_id, "", item.c.request.caller.label, now)
        for item in news if item.agent_id])
    rows.insert(Assignment, ("lead_id", "kind", "note", "by_label", "at"), [
        (item.lead_id, AssignmentKind.POOL, "", item.c.request.caller.label, now) for item in news if not item.agent_id])
    _write_audit(news, joins, now)
    if notify:
        tell_agents([(item.agent_id, item.lead_id) for item in news if item.agent_id])
    capture_ids = _write_captures(done, now)  # read back last: the one wait of this block
    for (c, lead_id, dealer_id, new, _reason, _km), capture_id in zip(done, capture_ids, strict=True):
        outcomes[c.index] = Outcome(c.index, status=CaptureStatus.PROCESSED, lead_id=lead_id, capture_id=capture_id,
                                    dealer_id=dealer_id, created=new)
    for item in news:
        outcome = outcomes[item.c.index]
        outcome.agent_id = item.agent_id
        outcome.describe = lambda item=item: _summary(item, now)


CAPTURE_COLUMNS = ("lead_id", "key", "status", "channel", "campaign", "source_ref", "name", "duplicate", "allocation",
                   "distance_km", "api_token_id", "user_id", "by_label", "at", "processed_at")


def _write_captures(done: list[tuple[Checked, int, int, bool, str, Decimal | None]], now: dt.datetime) -> list[int]:
    """New capture rows, and the accepted ones (waiting for a worker) completed in one update."""
    inserts, updates = [], []
    for c, lead_id, _dealer, new, reason, km in done:
        r, data = c.request, c.request.data
        if r.capture_id:
            updates.append(Capture(pk=r.capture_id, lead_id=lead_id, status=CaptureStatus.PROCESSED, name=c.name,
                                   duplicate=not new, allocation=reason, distance_km=km, processed_at=now))
        else:
            inserts.append((lead_id, r.key or None, CaptureStatus.PROCESSED, data.channel, data.campaign, data.source_ref,
                            c.name, not new, reason, km, r.caller.token_id, r.caller.user_id, r.caller.label, now, now))
    if updates:
        Capture.objects.bulk_update(updates, ["lead_id", "status", "name", "duplicate", "allocation", "distance_km",
                                              "processed_at"])
    new_ids = iter(rows.insert(Capture, CAPTURE_COLUMNS, inserts, returning=True))
    return [c.request.capture_id or next(new_ids) for c, *_rest in done]


def _write_audit(news: list[_New], joins: list[Any], now: dt.datetime) -> None:
    values = []
    for item in news:
        caller, data = item.c.request.caller, item.c.request.data
        after = {"dealer_id": item.dealer.id, "status": Status.NEW.value,  # type: ignore[union-attr]
                 "stage": (Stage.DCC if item.agent_id else Stage.MARKETING).value, "grade": Grade.N.value,
                 "agent_id": item.agent_id, "next_follow_up_on": timezone.localdate().isoformat(),
                 "expected_purchase_on": data.expected_purchase_on.isoformat() if data.expected_purchase_on else None,
                 "channel": data.channel, "allocation": item.reason, "customer_id": item.customer_id}  # type: ignore
        values.append((now, caller.kind, caller.label, caller.user_id, "lead.capture", "leads.lead", str(item.lead_id),
                       f"L{item.lead_id:06d} {item.c.name}", item.dealer.id, None, after, ""))  # type: ignore
    for c, (lead_id, dealer_id, _n), known in joins:
        caller = c.request.caller
        values.append((now, caller.kind, caller.label, caller.user_id, "lead.capture_repeat", "leads.lead", str(lead_id),
                       f"L{lead_id:06d} {known.name}", dealer_id, None, {"channel": c.request.data.channel}, ""))
    rows.insert(AuditLog, ("created_at", "actor_kind", "actor_label", "actor_user_id", "action", "object_type",
                           "object_id", "object_repr", "dealer_id", "before", "after", "note"), values)


def _summary(item: _New, now: dt.datetime) -> dict[str, Any]:
    d = item.dealer
    assert d is not None
    return {"id": item.lead_id, "number": f"L{item.lead_id:06d}", "status": Status.NEW.value,
            "status_label": str(Status.NEW.label), "grade": Grade.N.value, "dealer_code": d.code, "dealer_name": d.label,
            "allocation": item.reason, "created_at": now, "customer_name": item.c.name,
            "customer_phone": phone.mask(item.c.phone)}


def tell_agents(assigned: list[tuple[int, int]]) -> None:
    """The agents of these new leads ((agent, lead) pairs) are told after commit (``notices``)."""
    notices.ask(assigned)
