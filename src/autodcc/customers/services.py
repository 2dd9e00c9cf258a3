"""Customer profiles, vehicles and saved customer groups."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction

from autodcc.core import audit
from autodcc.core.actors import Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden, NotFound
from autodcc.customers import criteria as criteria_mod
from autodcc.customers.models import Customer, CustomerGroup, Vehicle

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


@transaction.atomic
def vehicle_add(*, actor: Actor, customer: Customer, vin: str, plate: str = "", model_name: str = "",
                purchase_date: Any = None, dealer: Any = None, mileage_km: int | None = None) -> Vehicle:
    if not actor.can("customers.edit"):
        raise Forbidden("forbidden")
    customer = _visible(actor, customer)
    if dealer is None and actor.dealer_ids and not actor.is_hq:
        from autodcc.network.models import Dealer

        dealer = Dealer.objects.get(pk=min(actor.dealer_ids))
    return vehicle_register(actor=actor, customer=customer, vin=vin, plate=plate, model_name=model_name,
                            purchase_date=purchase_date, dealer=dealer, mileage_km=mileage_km)


@transaction.atomic
def vehicle_update(*, actor: Actor, vehicle: Vehicle, plate: str = "", mileage_km: int | None = None) -> Vehicle:
    """The plate once the car is registered, the mileage the owner reports (CARE-1); audited. A
    vehicle of another dealer's customer is not found."""
    if not actor.can("customers.edit"):
        raise Forbidden("forbidden")
    found = Vehicle.objects.visible_to(actor).select_for_update().filter(pk=vehicle.pk).first()
    if found is None:
        raise NotFound("not_found")
    if mileage_km is not None and not 0 <= mileage_km <= 2_000_000:
        raise DomainError("vehicle.mileage_invalid", field="mileage_km", value=mileage_km)
    before = audit.snapshot(found, ["plate", "mileage_km"])
    found.plate = normalize_plate(plate)
    if mileage_km is not None and mileage_km != found.mileage_km:
        from autodcc.aftercare.services import mileage_record

        # an odometer never goes back; the dated reading moves the next service (CARE-2)
        mileage_record(actor=actor, vehicle=found, km=mileage_km)
    found.save(update_fields=["plate", "mileage_km"])
    after = audit.snapshot(found, ["plate", "mileage_km"])
    if audit.changed(before, after):
        audit.record(actor=actor, action="vehicle.update", obj=found, before=before, after=after,
                     dealer_id=found.dealer_id)
    return found


def vehicle_register(*, actor: Actor, customer: Customer, vin: str, plate: str = "", model_name: str = "",
                     purchase_date: Any = None, dealer: Any = None, mileage_km: int | None = None) -> Vehicle:
    """The car on file, owned by ``customer`` (CARE-1): VIN checked and unique, plate checked when
    known; audited. The caller has checked who may (staff editing a customer, a dealer delivering)."""
    clean_vin, clean_plate = normalize_vin(vin), normalize_plate(plate)
    try:
        with transaction.atomic():
            vehicle = Vehicle.objects.create(customer=customer, vin=clean_vin, plate=clean_plate,
                                             model_name=model_name.strip(), purchase_date=purchase_date, dealer=dealer,
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
