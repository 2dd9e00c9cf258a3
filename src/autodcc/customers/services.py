"""Customer profiles, vehicles and saved customer groups."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from autodcc.core import audit
from autodcc.core.actors import Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden, NotFound
from autodcc.customers import criteria as criteria_mod
from autodcc.customers.models import Customer, CustomerGroup, CustomerKind, Vehicle

VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
# province abbreviation + letter + 5 (fuel) or 6 (new-energy) characters
PLATE_RE = re.compile(r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][A-HJ-NP-Z0-9]{5,6}$")

PROFILE_FIELDS = ("name", "kind", "gender", "age_band", "occupation", "family", "hobbies", "budget_min", "budget_max",
                  "current_car", "postal_address")


def _visible(actor: Actor, customer: Customer) -> Customer:
    found = Customer.objects.visible_to(actor).select_for_update().filter(pk=customer.pk).first()
    if found is None:
        raise NotFound("not_found")
    return found


@transaction.atomic
def customer_update(*, actor: Actor, customer: Customer, **values: Any) -> Customer:
    """Edit the profile (LEAD-13); every change is audited."""
    if not actor.can("customers.edit"):
        raise Forbidden("forbidden")
    customer = _visible(actor, customer)
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    if "name" in values and not str(values["name"] or "").strip():
        raise DomainError("customer.name_missing", field="name")
    before = audit.snapshot(customer)
    for key, value in values.items():
        setattr(customer, key, value.strip() if isinstance(value, str) else value)
    customer.save()
    after = audit.snapshot(customer)
    if audit.changed(before, after):
        audit.record(actor=actor, action="customer.update", obj=customer, before=before, after=after,
                     dealer_id=min(actor.dealer_ids) if actor.dealer_ids else None)
    return customer


def normalize_vin(raw: str) -> str:
    vin = (raw or "").strip().upper().replace(" ", "")
    if not VIN_RE.match(vin):
        raise DomainError("vehicle.vin_invalid", field="vin", value=raw)
    return vin


def normalize_plate(raw: str) -> str:
    plate = (raw or "").strip().upper().replace(" ", "").replace("·", "").replace("-", "")
    if plate and not PLATE_RE.match(plate):
        raise DomainError("vehicle.plate_invalid", field="plate", value=raw)
    return plate


# a field not given to vehicle_update: left as it is
KEEP: Any = object()
MODEL_NAME_LIMIT = 80  # Vehicle.model_name: a catalogue model's full name fits
_CONTROL = {chr(c) for c in range(32)} | {"\x7f"}


def clean_model_name(raw: Any) -> str:
    """Another brand's model as typed: never cut silently, never with control characters (a NUL)."""
    text = str(raw or "").strip()
    if len(text) > MODEL_NAME_LIMIT:
        raise DomainError("text.too_long", field="model_name", label=str(gettext_lazy("Model")), length=len(text),
                          limit=MODEL_NAME_LIMIT)
    if any(ch in _CONTROL for ch in text):
        raise DomainError("text.control_characters", field="model_name", label=str(gettext_lazy("Model")))
    return text


def chosen_trim(raw: Any, *, keep_id: int | None = None) -> Any:
    """The catalogue trim staff chose for a car (an id or a Trim; empty: none): it must exist and
    be on sale, unless it is the one the car already has (``keep_id``: a model since withdrawn)."""
    from autodcc.catalog.models import Trim

    if raw is None or raw == "":
        return None
    pk = getattr(raw, "pk", raw)
    try:
        pk = int(str(pk).strip())
    except (TypeError, ValueError):
        raise DomainError("vehicle.trim_invalid", field="trim") from None
    found = Trim.objects.select_related("model__series").filter(pk=pk).first() if 0 < pk < 2**31 else None
    if found is None or not (found.is_active or found.pk == keep_id):
        raise DomainError("vehicle.trim_invalid", field="trim")
    return found


def _model_fields(trim: Any, model_name: str) -> tuple[Any, str]:
    """The trim and the model name a car is saved with: a catalogue trim names its model; without
    one, the model is the free text (another brand's car), or unknown when empty. Not both."""
    if trim is not None and model_name:
        raise DomainError("vehicle.model_twice", field="model_name")
    return trim, (trim.model.name if trim is not None else model_name)


@transaction.atomic
def vehicle_add(*, actor: Actor, customer: Customer, vin: str, plate: str = "", model_name: str = "",
                trim: Any = None, purchase_date: Any = None, dealer: Any = None,
                mileage_km: int | None = None) -> Vehicle:
    """Staff put a customer's car on file: one of the brand's, by its catalogue trim (on sale), or
    another brand's, by its model typed in; or neither (the model unknown: no maintenance schedule
    until it is chosen)."""
    if not actor.can("customers.edit"):
        raise Forbidden("forbidden")
    customer = _visible(actor, customer)
    trim, model_name = _model_fields(chosen_trim(trim), clean_model_name(model_name))
    if dealer is None and actor.dealer_ids and not actor.is_hq:
        from autodcc.network.models import Dealer

        dealer = Dealer.objects.get(pk=min(actor.dealer_ids))
    vehicle = vehicle_register(actor=actor, customer=customer, vin=vin, plate=plate, model_name=model_name, trim=trim,
                               purchase_date=purchase_date, dealer=dealer, mileage_km=mileage_km)
    if customer.kind == CustomerKind.PROSPECT:  # a car on file not bought here: serviced here (LEAD-13)
        before = audit.snapshot(customer, ["kind"])
        customer.kind = CustomerKind.NON_MEMBER
        customer.save(update_fields=["kind", "updated_at"])
        audit.record(actor=actor, action="customer.update", obj=customer, before=before,
                     after=audit.snapshot(customer, ["kind"]))
    return vehicle


VEHICLE_AUDITED = ["plate", "mileage_km", "trim", "model_name", "purchase_date"]


@transaction.atomic
def vehicle_update(*, actor: Actor, vehicle: Vehicle, plate: str = "", mileage_km: int | None = None,
                   trim: Any = KEEP, model_name: Any = KEEP, purchase_date: Any = KEEP) -> Vehicle:
    """The plate once the car is registered, the mileage the owner reports, the model (a catalogue
    trim, or another brand's model typed in) (CARE-1), the purchase date when it was not known;
    audited. A new model or purchase date puts the car on its maintenance schedule (CARE-2).
    ``trim``, ``model_name`` and ``purchase_date`` left out stay as they are. A vehicle of another
    dealer's customer is not found."""
    if not actor.can("customers.edit"):
        raise Forbidden("forbidden")
    found = Vehicle.objects.visible_to(actor).select_for_update().filter(pk=vehicle.pk).first()
    if found is None:
        raise NotFound("not_found")
    if mileage_km is not None and not 0 <= mileage_km <= 2_000_000:
        raise DomainError("vehicle.mileage_invalid", field="mileage_km", value=mileage_km)
    if purchase_date is not KEEP and purchase_date is not None and not (
            dt.date(1990, 1, 1) <= purchase_date <= timezone.localdate()):
        raise DomainError("vehicle.purchase_date_invalid", field="purchase_date", value=purchase_date)
    before = audit.snapshot(found, VEHICLE_AUDITED)
    found.plate = normalize_plate(plate)
    remodel = trim is not KEEP or model_name is not KEEP
    redate = purchase_date is not KEEP and purchase_date != found.purchase_date
    if redate:
        found.purchase_date = purchase_date
    if remodel:
        from autodcc.aftercare.models import VehicleCare

        care = VehicleCare.objects.select_related("car_model").filter(vehicle_id=found.pk).first()
        care_before = {"care_model": str(care.car_model or "") if care else "",
                       "next_due_on": care.next_due_on if care else None}
        new_trim = found.trim if trim is KEEP else chosen_trim(trim, keep_id=found.trim_id)
        typed = clean_model_name(model_name) if model_name is not KEEP else ("" if new_trim else found.model_name)
        found.trim, found.model_name = _model_fields(new_trim, typed)
    if mileage_km is not None and mileage_km != found.mileage_km:
        from autodcc.aftercare.services import mileage_record

        # an odometer never goes back; the dated reading moves the next service (CARE-2)
        mileage_record(actor=actor, vehicle=found, km=mileage_km)
    found.save(update_fields=["plate", "mileage_km", "trim", "model_name", "purchase_date"])
    after = audit.snapshot(found, VEHICLE_AUDITED)
    rematch = remodel and (before["trim_id"], before["model_name"]) != (after["trim_id"], after["model_name"])
    if rematch or redate:
        from autodcc.aftercare.models import VehicleCare
        from autodcc.aftercare.services import care_refresh

        if not remodel:
            care = VehicleCare.objects.select_related("car_model").filter(vehicle_id=found.pk).first()
            care_before = {"care_model": str(care.car_model or "") if care else "",
                           "next_due_on": care.next_due_on if care else None}
        # the car follows its (new) model's maintenance schedule, from its purchase date
        care = care_refresh(vehicle=found, rematch=rematch)
        before |= care_before
        after |= {"care_model": str(care.car_model or ""), "next_due_on": care.next_due_on}
    if audit.changed(before, after):
        audit.record(actor=actor, action="vehicle.update", obj=found, before=before, after=after,
                     dealer_id=found.dealer_id)
    return found


def vehicle_register(*, actor: Actor, customer: Customer, vin: str, plate: str = "", model_name: str = "",
                     trim: Any = None, purchase_date: Any = None, dealer: Any = None,
                     mileage_km: int | None = None) -> Vehicle:
    """The car on file, owned by ``customer`` (CARE-1): VIN checked and unique, plate checked when
    known; with its catalogue trim when known (a delivered order's), whose model names it; audited.
    The caller has checked who may (staff editing a customer, a dealer delivering)."""
    clean_vin, clean_plate = normalize_vin(vin), normalize_plate(plate)
    name = trim.model.name if trim is not None else clean_model_name(model_name)
    try:
        with transaction.atomic():
            vehicle = Vehicle.objects.create(customer=customer, vin=clean_vin, plate=clean_plate, trim=trim,
                                             model_name=name, purchase_date=purchase_date, dealer=dealer,
                                             mileage_km=mileage_km)
    except IntegrityError:
        raise Conflict("vehicle.vin_taken", field="vin", value=clean_vin) from None
    audit.record(actor=actor, action="vehicle.add", obj=vehicle, after=audit.snapshot(vehicle),
                 dealer_id=getattr(dealer, "pk", None))
    from autodcc.aftercare.services import care_track

    care_track(vehicle=vehicle)  # maintenance is followed from the purchase date on (CARE-2)
    return vehicle


@transaction.atomic
def group_save(*, actor: Actor, name: str, criteria: dict[str, Any]) -> CustomerGroup:
    """Save a criteria extraction as a customer group with the members it finds now."""
    if not actor.can("customers.groups"):
        raise Forbidden("forbidden")
    if not name.strip():
        raise DomainError("group.name_missing", field="name")
    clean = criteria_mod.clean(criteria)
    if not clean:
        raise DomainError("group.empty_criteria")
    members = list(criteria_mod.extract(actor=actor, criteria=clean).values_list("pk", flat=True))
    dealer_id = min(actor.dealer_ids) if actor.dealer_ids and not actor.is_hq else None
    group = CustomerGroup.objects.create(name=name.strip()[:80], dealer_id=dealer_id, criteria=clean,
                                         member_count=len(members), created_by_label=actor.label)
    group.members.set(members)
    audit.record(actor=actor, action="customer_group.create", obj=group,
                 after={"name": group.name, "criteria": clean, "members": len(members)}, dealer_id=dealer_id)
    return group
