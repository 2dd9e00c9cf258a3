"""Maintenance (CARE-2), one audited function per operation: each owner's car is tracked from
its delivery, its next service computed from the model's schedule, the purchase date, the last
service and the mileages recorded; a reminder goes out a week before, once per service; the
service advisor books the service and records the visit, which moves the next due date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from autodcc.aftercare import rules
from autodcc.aftercare.models import (
    AppointmentStatus,
    MaintenanceReminder,
    MaintenanceSchedule,
    MileageReading,
    ReadingSource,
    ReminderOutcome,
    ServiceAppointment,
    ServiceVisit,
    VehicleCare,
)
from autodcc.core import audit
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError, Forbidden, NotFound

REMIND_DAYS_BEFORE = 7
MAX_KM = 2_000_000
NOTES_LIMIT = 2000
_CONTROL = {chr(c) for c in range(32)} - {"\n", "\r", "\t"} | {"\x7f"}
# the reminder's offer when there is none, or the owner did not agree to marketing messages
NO_OFFER = gettext_lazy("a service appointment at a time that suits you")


def clean_text(value: str, *, label: Any, limit: int, field: str) -> str:
    """Free text as typed, checked: never cut silently, never with control characters (a NUL)."""
    text = (value or "").strip()
    if len(text) > limit:
        raise DomainError("text.too_long", field=field, label=str(label), length=len(text), limit=limit)
    if any(ch in _CONTROL for ch in text):
        raise DomainError("text.control_characters", field=field, label=str(label))
    return text


# --- tracking a car -------------------------------------------------------------------------------


def car_model_for(vehicle: Any) -> Any:
    """The catalogue model of an owner's car, whose schedule it follows: its trim's model (set at
    delivery or chosen by staff), else the model of the order it was delivered for, else the model
    its free-text name means (forgiving of width, spaces and case; None when unknown or ambiguous)."""
    from autodcc.catalog.selectors import model_named
    from autodcc.orders.models import Order

    if vehicle.trim_id is not None:
        return vehicle.trim.model
    order = Order.objects.filter(vehicle_id=vehicle.pk).select_related("trim__model").first()
    if order is not None:
        return order.trim.model
    return model_named(vehicle.model_name) if vehicle.model_name else None


@transaction.atomic
def care_track(*, vehicle: Any) -> VehicleCare:
    """A car goes on file (delivered, or added by staff): its care is tracked from now on, its
    mileage at delivery recorded (0 km for a new car unless one was given)."""
    care = VehicleCare.objects.filter(vehicle_id=vehicle.pk).first()
    if care is None:
        care = VehicleCare.objects.create(vehicle=vehicle, car_model=car_model_for(vehicle))
        if vehicle.purchase_date is not None:
            MileageReading.objects.create(vehicle=vehicle, read_on=vehicle.purchase_date, km=vehicle.mileage_km or 0,
                                          source=ReadingSource.PURCHASE, by_label=SYSTEM.label)
    return care_refresh(vehicle=vehicle)


def _interval(schedule: MaintenanceSchedule) -> rules.Interval:
    return rules.Interval(schedule.first_months, schedule.first_km, schedule.every_months, schedule.every_km)


@transaction.atomic
def care_refresh(*, vehicle: Any, rematch: bool = False) -> VehicleCare:
    """Recompute where the car stands (derived values only: no audit row of its own). The car's
    model is looked up while unknown, and again with ``rematch`` (its trim or model name changed)."""
    care = VehicleCare.objects.select_for_update().filter(vehicle_id=vehicle.pk).first()
    if care is None:
        care = VehicleCare.objects.create(vehicle=vehicle, car_model=car_model_for(vehicle))
    elif care.car_model_id is None or rematch:
        care.car_model = car_model_for(vehicle)
    visits = list(ServiceVisit.objects.filter(vehicle_id=vehicle.pk).order_by("-visited_on", "-pk"))
    last = visits[0] if visits else None
    care.service_no = len(visits) + 1
    care.last_service_on = last.visited_on if last else None
    care.last_service_km = last.mileage_km if last else None
    schedule = MaintenanceSchedule.objects.filter(car_model_id=care.car_model_id).first() if care.car_model_id else None
    readings = [rules.Reading(r.read_on, r.km) for r in MileageReading.objects.filter(vehicle_id=vehicle.pk)]
    due = rules.next_due(_interval(schedule), purchase_date=vehicle.purchase_date,
                         last_service=rules.Reading(last.visited_on, last.mileage_km) if last else None,
                         readings=readings) if schedule else None
    care.next_due_on = due.on if due else None
    care.due_km = due.km if due else None
    care.due_reason = due.reason if due else ""
    care.km_per_day = round(due.km_per_day, 1) if due and due.km_per_day else None
    reminder = MaintenanceReminder.objects.filter(vehicle_id=vehicle.pk, service_no=care.service_no).first()
    care.reminded_at = reminder.sent_at if reminder else None
    booked = ServiceAppointment.objects.filter(vehicle_id=vehicle.pk, status=AppointmentStatus.BOOKED).first()
    care.booked_for = booked.scheduled_at if booked else None
    care.save()
    return care


def _vehicle_for(actor: Actor, vehicle: Any, capability: str = "care.maintenance") -> Any:
    from autodcc.customers.models import Vehicle

    found = (Vehicle.objects.visible_to(actor).select_for_update(of=("self",)).select_related("dealer", "customer")
             .filter(pk=getattr(vehicle, "pk", vehicle)).first())
    if found is None:
        raise NotFound("not_found")
    if found.dealer_id is None or not actor.can(capability, dealer=found.dealer):
        raise Forbidden("forbidden")
    return found


def _last_recorded(vehicle: Any) -> rules.Reading | None:
    readings = [rules.Reading(r.read_on, r.km) for r in MileageReading.objects.filter(vehicle_id=vehicle.pk)]
    readings += [rules.Reading(v.visited_on, v.mileage_km) for v in ServiceVisit.objects.filter(vehicle_id=vehicle.pk)]
    return max(readings, key=lambda r: (r.km, r.on)) if readings else None


def _check_mileage(vehicle: Any, km: Any, on: dt.date) -> int:
    if not isinstance(km, int) or isinstance(km, bool) or not 0 <= km <= MAX_KM:
        raise DomainError("care.mileage_invalid", field="mileage_km")
    if on > timezone.localdate():
        raise DomainError("care.date_future", field="visited_on")
    if vehicle.purchase_date is not None and on < vehicle.purchase_date:
        raise DomainError("care.date_before_purchase", field="visited_on", day=vehicle.purchase_date.isoformat())
    last = _last_recorded(vehicle)
    if last is not None and km < last.km:
        raise DomainError("care.mileage_backwards", field="mileage_km", km=km, last=last.km, day=last.on.isoformat())
    return km


# --- the owner's mileage, appointments and visits ------------------------------------------------------


@transaction.atomic
def mileage_record(*, actor: Actor, vehicle: Any, km: int, on: dt.date | None = None) -> MileageReading:
    """A mileage the owner reported (on the phone, in the store): checked against what is on file
    (an odometer does not go back), kept with its date, and the next due date re-extrapolated.
    The caller holds the vehicle's row lock and has checked who may."""
    on = on or timezone.localdate()
    _check_mileage(vehicle, km, on)
    reading = MileageReading.objects.create(vehicle=vehicle, read_on=on, km=km, source=ReadingSource.REPORTED,
                                            by_label=actor.label)
    if vehicle.mileage_km != km:
        type(vehicle).objects.filter(pk=vehicle.pk).update(mileage_km=km)
        vehicle.mileage_km = km
    care = care_refresh(vehicle=vehicle)
    audit.record(actor=actor, action="care.mileage", obj=vehicle, after={"km": km, "on": on.isoformat(),
                 "next_due_on": care.next_due_on}, dealer_id=vehicle.dealer_id)
    return reading


@transaction.atomic
def mileage_report(*, actor: Actor, vehicle: Any, km: int, on: dt.date | None = None) -> VehicleCare:
    """The service advisor records the mileage the owner reported."""
    vehicle = _vehicle_for(actor, vehicle)
    mileage_record(actor=actor, vehicle=vehicle, km=km, on=on)
    return VehicleCare.objects.get(vehicle=vehicle)


@transaction.atomic
def appointment_book(*, actor: Actor, vehicle: Any, scheduled_at: dt.datetime, note: str = "") -> ServiceAppointment:
    """Book the car's next service at its dealer. Booking twice (a double click) keeps the first."""
    vehicle = _vehicle_for(actor, vehicle)
    note = clean_text(note, label=gettext_lazy("Note"), limit=200, field="note")
    open_one = ServiceAppointment.objects.filter(vehicle=vehicle, status=AppointmentStatus.BOOKED).first()
    if open_one is not None:
        if open_one.scheduled_at == scheduled_at:
            return open_one
        raise DomainError("care.already_booked", field="scheduled_at",
                          when=timezone.localtime(open_one.scheduled_at).strftime("%Y-%m-%d %H:%M"))
    if scheduled_at <= timezone.now():
        raise DomainError("care.appointment_past", field="scheduled_at")
    care = care_refresh(vehicle=vehicle)
    appointment = ServiceAppointment.objects.create(vehicle=vehicle, dealer=vehicle.dealer, service_no=care.service_no,
                                                    scheduled_at=scheduled_at, note=note, booked_by_label=actor.label)
    care_refresh(vehicle=vehicle)
    audit.record(actor=actor, action="care.appointment_book", obj=vehicle, dealer_id=vehicle.dealer_id,
                 after={"scheduled_at": scheduled_at, "service_no": care.service_no, "note": note})
    return appointment


@transaction.atomic
def appointment_cancel(*, actor: Actor, vehicle: Any) -> None:
    vehicle = _vehicle_for(actor, vehicle)
    appointment = (ServiceAppointment.objects.select_for_update()
                   .filter(vehicle=vehicle, status=AppointmentStatus.BOOKED).first())
    if appointment is None:
        return
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status"])
    care_refresh(vehicle=vehicle)
    audit.record(actor=actor, action="care.appointment_cancel", obj=vehicle, dealer_id=vehicle.dealer_id,
                 before={"scheduled_at": appointment.scheduled_at}, after={"status": appointment.status})


@transaction.atomic
def visit_record(*, actor: Actor, vehicle: Any, visited_on: dt.date, mileage_km: int, notes: str = "") -> ServiceVisit:
    """A service done at the car's dealer: the date, the mileage (never below what is on file),
    the work done. The open appointment is fulfilled; the next service is counted from this one."""
    vehicle = _vehicle_for(actor, vehicle)
    notes = clean_text(notes, label=gettext_lazy("Work done"), limit=NOTES_LIMIT, field="notes")
    _check_mileage(vehicle, mileage_km, visited_on)
    care = care_refresh(vehicle=vehicle)
    appointment = (ServiceAppointment.objects.select_for_update()
                   .filter(vehicle=vehicle, status=AppointmentStatus.BOOKED).first())
    try:
        with transaction.atomic():
            visit = ServiceVisit.objects.create(vehicle=vehicle, dealer=vehicle.dealer, service_no=care.service_no,
                                                visited_on=visited_on, mileage_km=mileage_km, notes=notes,
                                                appointment=appointment, by_label=actor.label)
    except IntegrityError:
        raise DomainError("care.visit_twice", field="visited_on", day=visited_on.isoformat()) from None
    if appointment is not None:
        appointment.status = AppointmentStatus.DONE
        appointment.save(update_fields=["status"])
    MileageReading.objects.create(vehicle=vehicle, read_on=visited_on, km=mileage_km, source=ReadingSource.VISIT,
                                  by_label=actor.label)
    if (vehicle.mileage_km or 0) < mileage_km:
        type(vehicle).objects.filter(pk=vehicle.pk).update(mileage_km=mileage_km)
    before = {"next_due_on": care.next_due_on, "service_no": care.service_no}
    care = care_refresh(vehicle=vehicle)
    audit.record(actor=actor, action="care.visit", obj=vehicle, dealer_id=vehicle.dealer_id, before=before,
                 after={"visited_on": visited_on, "mileage_km": mileage_km, "notes": notes,
                        "next_due_on": care.next_due_on, "service_no": care.service_no})
    return visit


# --- HQ: schedules ---------------------------------------------------------------------------------


@transaction.atomic
def schedule_save(*, actor: Actor, car_model: Any, first_months: int, first_km: int, every_months: int,
                  every_km: int, offer: str = "") -> MaintenanceSchedule:
    """HQ sets a model's service intervals and offer; every tracked car of the model is recomputed."""
    if not actor.can("care.configure"):
        raise Forbidden("forbidden")
    for months in (first_months, every_months):
        if not isinstance(months, int) or not 1 <= months <= 60:
            raise DomainError("care.interval_invalid", field="first_months" if months is first_months else "every_months")
    for km in (first_km, every_km):
        if not isinstance(km, int) or not 1 <= km <= 100_000:
            raise DomainError("care.interval_invalid", field="first_km" if km is first_km else "every_km")
    offer = clean_text(offer, label=gettext_lazy("Service offer"), limit=60, field="offer")
    schedule = MaintenanceSchedule.objects.select_for_update().filter(car_model=car_model).first()
    before = audit.snapshot(schedule) if schedule else None
    schedule = schedule or MaintenanceSchedule(car_model=car_model)
    schedule.first_months, schedule.first_km = first_months, first_km
    schedule.every_months, schedule.every_km, schedule.offer = every_months, every_km, offer
    schedule.save()
    after = audit.snapshot(schedule)
    if before is None or audit.changed(before, after):
        audit.record(actor=actor, action="care.schedule", obj=schedule, before=before, after=after)
        from autodcc.customers.models import Vehicle

        for vehicle in Vehicle.objects.filter(care__car_model=car_model):
            care_refresh(vehicle=vehicle)
    return schedule


# --- the daily reminders ------------------------------------------------------------------------------


def reminders_send(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Remind each owner whose car's service falls due within a week (and is not booked yet):
    once per service, whatever how often this runs. WeChat when the owner follows the brand's
    account, else SMS; opt-outs are honoured by the outbox; the service offer goes only to
    owners who agreed to marketing messages; a run in the quiet hours (21:00–08:00) has its
    messages go out the next morning, as campaign messages do."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    due = VehicleCare.objects.filter(next_due_on__gte=today, next_due_on__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
                                     reminded_at__isnull=True, booked_for__isnull=True)
    sent = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            care = (VehicleCare.objects.select_for_update(of=("self",))
                    .select_related("vehicle__customer", "vehicle__dealer", "car_model")
                    .filter(pk=pk, reminded_at__isnull=True).first())
            if care is None or care.vehicle.dealer_id is None:
                continue
            if _remind(care, today, now):
                sent += 1
    return sent


def _remind(care: VehicleCare, today: dt.date, now: dt.datetime) -> bool:
    from autodcc.campaigns.outreach import marketing_consents
    from autodcc.campaigns.outreach import schedule as outside_quiet_hours
    from autodcc.messaging.models import Channel, Event, MessageStatus
    from autodcc.messaging.services import Recipient, messages_queue

    vehicle, customer, dealer = care.vehicle, care.vehicle.customer, care.vehicle.dealer
    if MaintenanceReminder.objects.filter(vehicle=vehicle, service_no=care.service_no).exists():
        care_refresh(vehicle=vehicle)
        return False
    schedule = MaintenanceSchedule.objects.filter(car_model_id=care.car_model_id).first()
    with_offer = bool(schedule and schedule.offer and customer.pk in marketing_consents([customer.pk]))
    channel = Channel.WECHAT if customer.wechat_openid else Channel.SMS
    context = {"name": customer.name, "plate": vehicle.plate or f"{vehicle.model_name}（{vehicle.vin[-6:]}）",
               "due_date": f"{care.next_due_on.month}月{care.next_due_on.day}日",
               "dealer": dealer.short_name or dealer.name, "offer": schedule.offer if with_offer else NO_OFFER}
    outcome, message = ReminderOutcome.NO_ADDRESS, None
    if customer.phone or customer.wechat_openid:
        message = messages_queue(
            event=Event.MAINTENANCE_REMINDER, channel=channel, dealer=dealer, related_type=vehicle._meta.label_lower,
            related_id=str(vehicle.pk), at=lambda n: outside_quiet_hours(n, now, per_minute=600)[0],
            recipients=[Recipient(context, phone=customer.phone, openid=customer.wechat_openid, stored=True)])[0]
        outcome = ReminderOutcome.SUPPRESSED if message.status == MessageStatus.SUPPRESSED else ReminderOutcome.QUEUED
    reminder = MaintenanceReminder.objects.create(vehicle=vehicle, service_no=care.service_no, due_on=care.next_due_on,
                                                  channel=channel, with_offer=with_offer, outcome=outcome,
                                                  message=message, sent_at=timezone.now())
    care.reminded_at = reminder.sent_at
    care.save(update_fields=["reminded_at", "updated_at"])
    audit.record(actor=SYSTEM, action="care.reminder", obj=vehicle, dealer_id=dealer.pk,
                 after={"service_no": care.service_no, "due_on": care.next_due_on, "channel": channel,
                        "outcome": outcome, "with_offer": with_offer, "on": today})
    return outcome == ReminderOutcome.QUEUED
