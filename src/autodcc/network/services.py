"""Operations on the dealer network: one audited function per business operation."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from autodcc.core import audit, fairshare, geo, phone
from autodcc.core.actors import Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden, Invalid
from autodcc.core.roles import ROLE_SCOPE, Role, Scope
from autodcc.core.tenancy import one
from autodcc.network import directory
from autodcc.network.models import City, Dealer, LeavePeriod, Province, Region, RoleGrant, Staff

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{2,20}$")
CHINA_LNG = (Decimal("73"), Decimal("136"))
CHINA_LAT = (Decimal("3"), Decimal("54"))

DEALER_FIELDS = (
    "code", "name", "short_name", "region", "city", "address", "lng", "lat", "phone",
    "opens_at", "closes_at", "open_weekdays", "is_key", "is_active", "account_name", "account_bank", "account_number",
)
REQUIRED_LABELS = {"code": _("Dealer code"), "name": _("Name"), "region": _("Region"), "city": _("City")}


def _require(actor: Actor, capability: str, dealer: Dealer | None = None) -> None:
    if not actor.can(capability, dealer=dealer):
        raise Forbidden("forbidden")


# --- cities --------------------------------------------------------------------------------------


def city_for(value: City | str, *, field: str = "city") -> City:
    """A City row from a row, a 6-digit code or a name; created from the shipped data on first use."""
    if isinstance(value, City):
        return value
    info = geo.lookup_city(str(value), field=field)
    city = one(City.objects.filter(adcode=info.adcode))
    if city is None:
        province, _created = Province.objects.get_or_create(code=info.province_code, defaults={"name": info.province})
        city, _created = City.objects.get_or_create(
            adcode=info.adcode,
            defaults={"name": info.name, "province": province, "level": info.level, "lng": info.lng, "lat": info.lat},
        )
    return city


def region_for(value: Region | str, *, field: str = "region") -> Region:
    if isinstance(value, Region):
        return value
    text = str(value or "").strip()
    region = Region.objects.filter(code=text).first() or Region.objects.filter(name=text).first()
    if region is None:
        raise DomainError("region.unknown", field=field, value=text)
    return region


# --- dealers -------------------------------------------------------------------------------------


def dealer_validate(values: dict[str, Any], *, instance: Dealer | None = None) -> dict[str, Any]:
    """Check and normalise dealer fields; every problem is reported at once (:class:`Invalid`)."""
    errors: list[DomainError] = []
    clean: dict[str, Any] = {}
    for key, label in REQUIRED_LABELS.items():
        if key in values and (values[key] is None or str(values[key]).strip() == ""):
            errors.append(DomainError("required", field=key, label=label))
    if instance is None:
        for key, label in REQUIRED_LABELS.items():
            if key not in values:
                errors.append(DomainError("required", field=key, label=label))
    present = {k for k in DEALER_FIELDS if k in values and not any(e.field == k for e in errors)}

    if "code" in present:
        code = str(values["code"]).strip()
        if not CODE_RE.match(code):
            errors.append(DomainError("dealer.code_invalid", field="code", value=code))
        elif Dealer.objects.filter(code__iexact=code).exclude(pk=getattr(instance, "pk", None)).exists():
            errors.append(Conflict("dealer.code_taken", field="code", value=code))
        clean["code"] = code.upper()
    for key in ("name", "short_name", "address", "account_name", "account_bank"):
        if key in present:
            clean[key] = str(values[key] or "").strip()
    if "account_number" in present:
        number = re.sub(r"[\s-]", "", str(values["account_number"] or ""))
        if number and not (number.isdigit() and 8 <= len(number) <= 34):
            errors.append(DomainError("dealer.account_invalid", field="account_number", value=values["account_number"]))
        clean["account_number"] = number
    for key, lookup in (("region", region_for), ("city", city_for)):
        if key in present:
            try:
                clean[key] = lookup(values[key], field=key)
            except DomainError as exc:
                errors.append(exc)
    if "phone" in present:
        raw = str(values["phone"] or "").strip()
        try:
            clean["phone"] = phone.normalize_phone(raw, field="phone") if raw else ""
        except DomainError as exc:
            errors.append(exc)
    for key in ("opens_at", "closes_at"):
        if key in present:
            clean[key] = values[key]
    opens = clean.get("opens_at", getattr(instance, "opens_at", dt.time(8, 30)))
    closes = clean.get("closes_at", getattr(instance, "closes_at", dt.time(18, 0)))
    if opens and closes and opens >= closes:
        errors.append(DomainError("dealer.hours_invalid", field="closes_at"))
    if "open_weekdays" in present:
        days = "".join(sorted(set(str(values["open_weekdays"] or "")) & set("1234567")))
        if not days:
            errors.append(DomainError("dealer.weekdays_invalid", field="open_weekdays"))
        clean["open_weekdays"] = days
    for key in ("is_key", "is_active"):
        if key in present:
            clean[key] = bool(values[key])

    lng, lat = values.get("lng"), values.get("lat")
    if (lng is None) != (lat is None):
        errors.append(DomainError("dealer.coordinates_half", field="lng"))
    elif lng is not None and lat is not None:
        lng, lat = Decimal(str(lng)), Decimal(str(lat))
        if not (CHINA_LNG[0] <= lng <= CHINA_LNG[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]):
            errors.append(DomainError("dealer.coordinates_invalid", field="lng", lng=lng, lat=lat))
        clean["lng"], clean["lat"] = lng.quantize(Decimal("0.000001")), lat.quantize(Decimal("0.000001"))
    elif "city" in clean and (instance is None or instance.city_id != clean["city"].pk):
        # no coordinates given: the dealer sits at its city's centre until someone places it
        clean["lng"], clean["lat"] = clean["city"].lng, clean["city"].lat

    if errors:
        raise Invalid(errors)
    return clean


# --- regions -------------------------------------------------------------------------------------


@transaction.atomic
def region_save(*, actor: Actor, region: Region | None = None, code: str, name: str, is_active: bool = True) -> Region:
    """A region created, or renamed, recoded or closed (NET-2); audited. A region is closed only
    once no active dealer belongs to it (their regional managers would lose them)."""
    _require(actor, "network.create_dealer")
    code, name = str(code or "").strip().upper(), str(name or "").strip()
    errors = []
    if not CODE_RE.match(code):
        errors.append(DomainError("region.code_invalid", field="code", value=code[:40]))
    if not name or len(name) > 60 or any(ord(ch) < 32 for ch in name):
        errors.append(DomainError("region.name_required", field="name"))
    if errors:
        raise Invalid(errors)
    found = Region.objects.select_for_update().get(pk=region.pk) if region is not None else Region()
    if not is_active and found.pk:
        active = found.dealers.filter(is_active=True).count()
        if active:
            raise DomainError("region.has_active_dealers", field="is_active", n=active)
    before = audit.snapshot(found, ["code", "name", "is_active"]) if found.pk else None
    found.code, found.name, found.is_active = code, name, is_active
    try:
        with transaction.atomic():
            found.save()
    except IntegrityError:
        raise Conflict("region.code_taken", field="code", value=code) from None
    after = audit.snapshot(found, ["code", "name", "is_active"])
    if before is None or audit.changed(before, after):
        audit.record(actor=actor, action="region.update" if before else "region.create", obj=found,
                     before=before, after=after)
        transaction.on_commit(directory.forget)
    return found


@transaction.atomic
def dealer_create(*, actor: Actor, **values: Any) -> Dealer:
    _require(actor, "network.create_dealer")
    clean = dealer_validate(values)
    dealer = Dealer(brand=settings.AUTODCC_BRAND, **clean)
    try:
        with transaction.atomic():
            dealer.save()
    except IntegrityError:
        raise Conflict("dealer.code_taken", field="code", value=clean["code"]) from None
    audit.record(actor=actor, action="dealer.create", obj=dealer, after=audit.snapshot(dealer))
    transaction.on_commit(directory.forget)
    return dealer


@transaction.atomic
def dealer_update(*, actor: Actor, dealer: Dealer, **values: Any) -> Dealer:
    dealer = Dealer.objects.select_for_update().get(pk=dealer.pk)
    _require(actor, "network.edit_dealer", dealer)
    if not actor.can("network.create_dealer"):
        # dealer GMs maintain their contact details and hours; identity and network place stay with HQ
        values = {k: v for k, v in values.items() if k in {"phone", "address", "opens_at", "closes_at", "open_weekdays"}}
    if "is_key" in values and not actor.can("network.flag_key_dealer", dealer=dealer):
        values.pop("is_key")
    clean = dealer_validate(values, instance=dealer)
    before = audit.snapshot(dealer)
    for key, value in clean.items():
        setattr(dealer, key, value)
    try:
        with transaction.atomic():
            dealer.save()
    except IntegrityError:
        raise Conflict("dealer.code_taken", field="code", value=clean.get("code", dealer.code)) from None
    after = audit.snapshot(dealer)
    if audit.changed(before, after):
        audit.record(actor=actor, action="dealer.update", obj=dealer, before=before, after=after)
        transaction.on_commit(directory.forget)
    return dealer


@transaction.atomic
def dealer_set_key(*, actor: Actor, dealer: Dealer, is_key: bool, note: str = "") -> Dealer:
    dealer = Dealer.objects.select_for_update().get(pk=dealer.pk)
    _require(actor, "network.flag_key_dealer", dealer)
    if dealer.is_key == is_key:
        return dealer
    before = audit.snapshot(dealer, ["is_key"])
    dealer.is_key = is_key
    dealer.save(update_fields=["is_key", "updated_at"])
    audit.record(actor=actor, action="dealer.key_flag", obj=dealer, before=before,
                 after=audit.snapshot(dealer, ["is_key"]), note=note)
    return dealer


# --- staff ---------------------------------------------------------------------------------------


def _check_grants(actor: Actor, grants: list[tuple[str, Dealer | None, Region | None]]) -> None:
    if not grants:
        raise DomainError("staff.no_roles", field="roles")
    for role, dealer, region in grants:
        scope = ROLE_SCOPE[role]
        ok = (
            (scope == Scope.HQ and dealer is None and region is None)
            or (scope == Scope.REGION and region is not None and dealer is None)
            or (scope == Scope.DEALER and dealer is not None and region is None)
        )
        if not ok:
            raise DomainError("staff.grant_scope", field="roles", role=Role(role).label, scope=Scope(scope).label)
        if actor.is_hq:
            continue
        # dealer managers hand out roles at their own dealer only
        if dealer is None or not actor.can("network.manage_staff", dealer=dealer):
            raise Forbidden("staff.grant_outside_scope", field="roles")


def _grant(staff: Staff, grants: list[tuple[str, Dealer | None, Region | None]]) -> None:
    """Write the grants; a DCC agent joins the dealer's lead rotation level with its least-served agent."""
    RoleGrant.objects.bulk_create([RoleGrant(staff=staff, role=r, dealer=d, region=g) for r, d, g in grants])
    for role, dealer, _region in grants:
        if role == Role.DCC_AGENT and dealer is not None:
            fairshare.join(fairshare.AGENT, dealer.pk, [staff.pk])


def _grant_rows(staff: Staff) -> list[dict[str, Any]]:
    return [
        {"role": g.role, "dealer_id": g.dealer_id, "region_id": g.region_id}
        for g in staff.grants.order_by("role", "dealer_id", "region_id")
    ]


def _staff_snapshot(staff: Staff) -> dict[str, Any]:
    data = audit.snapshot(staff, ["name", "phone", "employee_no", "on_duty", "capacity"])
    data["is_active"] = staff.user.is_active
    data["grants"] = _grant_rows(staff)
    return data


@transaction.atomic
def staff_create(
    *,
    actor: Actor,
    username: str,
    name: str,
    grants: list[tuple[str, Dealer | None, Region | None]],
    password: str | None = None,
    mobile: str = "",
    employee_no: str = "",
    capacity: int | None = None,
) -> Staff:
    if not actor.can("network.manage_staff"):
        raise Forbidden("forbidden")
    _check_grants(actor, grants)
    User = get_user_model()
    username = username.strip()
    if not username:
        raise DomainError("required", field="username", label=_("Login name"))
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("staff.username_taken", field="username", value=username)
    clean_phone = phone.normalize_mobile(mobile, field="mobile") if mobile.strip() else ""
    user = User(username=username)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    staff = Staff.objects.create(user=user, name=name.strip(), phone=clean_phone, employee_no=employee_no,
                                 capacity=capacity)
    _grant(staff, grants)
    audit.record(actor=actor, action="staff.create", obj=staff, after=_staff_snapshot(staff),
                 dealer_id=next((d.pk for _, d, _ in grants if d), None))
    return staff


def _require_staff_scope(actor: Actor, staff: Staff, capability: str) -> None:
    if actor.is_hq and actor.can(capability):
        return
    dealers = [g.dealer for g in staff.grants.select_related("dealer") if g.dealer_id]
    if not dealers or not any(actor.can(capability, dealer=d) for d in dealers):
        raise Forbidden("forbidden")


@transaction.atomic
def staff_update(*, actor: Actor, staff: Staff, **values: Any) -> Staff:
    """Change a person's details, roles or account state. When the account is deactivated or loses
    the role that held some of their open leads, those leads move to colleagues in the same
    transaction (:func:`autodcc.leads.services.moves.leads_release`); how many is on the returned
    row as ``leads_moved``."""
    staff = Staff.objects.select_for_update().select_related("user").get(pk=staff.pk)
    _require_staff_scope(actor, staff, "network.manage_staff")
    before = _staff_snapshot(staff)
    if "mobile" in values:
        raw = (values.pop("mobile") or "").strip()
        staff.phone = phone.normalize_mobile(raw, field="mobile") if raw else ""
    for key in ("name", "employee_no", "capacity"):
        if key in values:
            setattr(staff, key, values.pop(key))
    if "is_active" in values:
        staff.user.is_active = bool(values.pop("is_active"))
        staff.user.save(update_fields=["is_active"])
    if "grants" in values:
        grants = values.pop("grants")
        _check_grants(actor, grants)
        staff.grants.all().delete()
        _grant(staff, grants)
    if values:
        raise TypeError(f"unknown staff fields: {sorted(values)}")
    staff.save()
    after = _staff_snapshot(staff)
    staff.leads_moved = 0  # type: ignore[attr-defined]
    if (before["is_active"], before["grants"]) != (after["is_active"], after["grants"]):
        # deactivated, or a role changed: the open leads they may no longer hold go to colleagues
        from autodcc.leads.services.moves import leads_release

        staff.leads_moved = leads_release(actor=actor, staff=staff)  # type: ignore[attr-defined]
        if staff.leads_moved:  # type: ignore[attr-defined]
            after["leads_moved"] = staff.leads_moved  # type: ignore[attr-defined]
    if audit.changed(before, after):
        audit.record(actor=actor, action="staff.update", obj=staff, before=before, after=after,
                     dealer_id=staff.primary_dealer.pk if staff.primary_dealer else None)
    return staff


@transaction.atomic
def staff_set_duty(*, actor: Actor, staff: Staff, on_duty: bool) -> Staff:
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    _require_staff_scope(actor, staff, "network.manage_duty")
    if staff.on_duty == on_duty:
        return staff
    before = audit.snapshot(staff, ["on_duty"])
    staff.on_duty = on_duty
    staff.save(update_fields=["on_duty"])
    audit.record(actor=actor, action="staff.duty", obj=staff, before=before, after=audit.snapshot(staff, ["on_duty"]),
                 dealer_id=staff.primary_dealer.pk if staff.primary_dealer else None)
    return staff


@transaction.atomic
def leave_add(*, actor: Actor, staff: Staff, starts_at: dt.datetime, ends_at: dt.datetime, reason: str = "") -> LeavePeriod:
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    _require_staff_scope(actor, staff, "network.manage_duty")
    if ends_at <= starts_at:
        raise DomainError("leave.range_invalid", field="ends_at")
    if staff.leaves.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise Conflict("leave.overlaps", field="starts_at")
    leave = LeavePeriod.objects.create(staff=staff, starts_at=starts_at, ends_at=ends_at, reason=reason.strip())
    audit.record(actor=actor, action="staff.leave_add", obj=leave, after=audit.snapshot(leave),
                 dealer_id=staff.primary_dealer.pk if staff.primary_dealer else None)
    return leave


@transaction.atomic
def leave_cancel(*, actor: Actor, leave: LeavePeriod) -> None:
    leave = LeavePeriod.objects.select_for_update().select_related("staff").get(pk=leave.pk)
    _require_staff_scope(actor, leave.staff, "network.manage_duty")
    before = audit.snapshot(leave)
    dealer = leave.staff.primary_dealer
    audit.record(actor=actor, action="staff.leave_cancel", obj=leave, before=before,
                 dealer_id=dealer.pk if dealer else None)
    leave.delete()


# --- API tokens ----------------------------------------------------------------------------------


def _hash_key(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Actor, name: str, dealer: Dealer | None = None, channel: str = "") -> tuple[Any, str]:
    """A new API key; the raw key is returned once and only its hash is stored."""
    import secrets

    from autodcc.network.models import ApiToken

    if not (actor.kind == "system" or actor.is_superuser or actor.can("network.create_dealer")):
        raise Forbidden("forbidden")
    prefix = secrets.token_hex(4)
    raw = f"adcc_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(name=name.strip()[:80], dealer=dealer, channel=channel, prefix=prefix,
                                    key_hash=_hash_key(raw))
    audit.record(actor=actor, action="api_token.create", obj=token,
                 after={"name": token.name, "dealer_id": getattr(dealer, "pk", None), "channel": channel},
                 dealer_id=getattr(dealer, "pk", None))
    return token, raw


def api_token_authenticate(raw: str) -> Any:
    """The active token for a raw key, or None (constant-time comparison of the hash). Every API
    request reads it: one plain statement, no ORM compilation."""
    import hmac

    from django.db import connection
    from django.utils import timezone

    from autodcc.network.models import ApiToken

    parts = (raw or "").strip().split("_")
    if len(parts) < 3 or parts[0] != "adcc" or len(parts[1]) > 12:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name, dealer_id, channel, key_hash, last_used_at FROM "
                       f"{connection.ops.quote_name(ApiToken._meta.db_table)} WHERE prefix = %s AND revoked_at IS NULL",
                       [parts[1]])
        row = cursor.fetchone()
    if row is None or not hmac.compare_digest(row[4], _hash_key(raw.strip())):
        return None
    token = ApiToken(id=row[0], name=row[1], dealer_id=row[2], channel=row[3], prefix=parts[1], key_hash=row[4],
                     last_used_at=row[5])
    token._state.adding, token._state.db = False, connection.alias
    now = timezone.now()
    last = token.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)  # SQLite hands back naive UTC
    if last is None or (now - last).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most once a minute: no write per call
    return token
