"""Test-drive booking (TD-1..3): slots in opening hours, one booking per car and slot, the lead
through ``lead_capture``, confirmation and reminder through the outbox, completion and report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext

from autodcc.catalog.models import Trim
from autodcc.core import audit, fairshare, workhours
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden, NotFound
from autodcc.core.models import FairShare
from autodcc.core.roles import Role
from autodcc.leads import rules as lead_rules
from autodcc.leads.models import Lead, Status
from autodcc.leads.services import LeadInput, lead_capture, visit_booked, visit_cancelled
from autodcc.leads.services.capture import Caller, check
from autodcc.messaging.models import Event
from autodcc.network.models import City, Dealer
from autodcc.testdrives.models import HOLDS_SLOT, SLOT_MINUTES, Booking, BookingStatus, Report, Vehicle

BOOKING_DAYS_AHEAD = 30
NOTICE_MINUTES = 60  # the dealer needs an hour to get the car ready
REMIND_HOURS_BEFORE = 3


def suggest_dealers(*, city: City, trim: Trim | None = None, limit: int = 5) -> list[Dealer]:
    """The allocation rules as a suggestion: the city's dealers (the one due next first), else the
    nearest; with a trim, dealers that have that car to drive come first."""
    active = Dealer.objects.filter(is_active=True).select_related("city")
    local = list(active.filter(city=city))
    if local:
        counts = dict(FairShare.objects.filter(kind=fairshare.CITY, owner_id=city.pk).values_list("member_id", "count"))
        dealers = sorted(local, key=lambda d: (counts.get(d.pk, 0), d.pk))
    else:
        ranked = sorted(active, key=lambda d: (
            lead_rules.nearest_ids(float(city.lat), float(city.lng), [(d.pk, float(d.city.lat), float(d.city.lng))])[1],
            d.pk))
        dealers = ranked
    if trim is not None:
        with_car = set(Vehicle.objects.filter(is_active=True, trim__model=trim.model).values_list("dealer_id", flat=True))
        dealers = sorted(dealers, key=lambda d: d.pk not in with_car)
    return dealers[:limit]


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    free: bool


def _vehicles(dealer: Dealer, trim: Trim) -> list[Vehicle]:
    exact = list(Vehicle.objects.filter(dealer=dealer, trim=trim, is_active=True).order_by("pk"))
    return exact or list(Vehicle.objects.filter(dealer=dealer, trim__model=trim.model, is_active=True).order_by("pk"))


def slot_starts(dealer: Dealer, day: dt.date) -> list[dt.datetime]:
    if not workhours.is_open_day(day, dealer.open_weekdays):
        return []
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dealer.opens_at, tz)
    end = dt.datetime.combine(day, dealer.closes_at, tz)
    out = []
    while start + dt.timedelta(minutes=SLOT_MINUTES) <= end:
        out.append(start)
        start += dt.timedelta(minutes=SLOT_MINUTES)
    return out


def slots(*, dealer: Dealer, trim: Trim, day: dt.date, now: dt.datetime | None = None) -> list[Slot]:
    """The day's start times; a time is free while one of the dealer's cars of that model is."""
    now = now or timezone.now()
    cars = _vehicles(dealer, trim)
    if not cars:
        return []
    starts = slot_starts(dealer, day)
    taken = dict(Booking.objects.filter(vehicle__in=cars, status__in=HOLDS_SLOT, starts_at__in=starts)
                 .values_list("starts_at").annotate(n=Count("pk")))
    earliest = now + dt.timedelta(minutes=NOTICE_MINUTES)
    return [Slot(s, s >= earliest and taken.get(s, 0) < len(cars)) for s in starts]


def free_slots(*, dealer: Dealer, trim: Trim, days: int = 7, now: dt.datetime | None = None) -> list[dt.datetime]:
    """The free start times of the next ``days`` days (what staff offer on the phone)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return [slot.starts_at for offset in range(days + 1)
            for slot in slots(dealer=dealer, trim=trim, day=today + dt.timedelta(days=offset), now=now) if slot.free]


def has_fleet(dealer: Dealer) -> bool:
    return Vehicle.objects.filter(dealer=dealer, is_active=True).exists()


def fleet_trims(dealer: Dealer) -> list[Trim]:
    """The trims a dealer has an available test-drive car of."""
    ids = Vehicle.objects.filter(dealer=dealer, is_active=True).values_list("trim_id", flat=True)
    return list(Trim.objects.filter(pk__in=ids).select_related("model").order_by("model__name", "name"))


def _check_time(dealer: Dealer, starts_at: dt.datetime) -> None:
    local = timezone.localtime(starts_at)
    if starts_at <= timezone.now():
        raise DomainError("slot.past", field="starts_at")
    if starts_at < timezone.now() + dt.timedelta(minutes=NOTICE_MINUTES):
        raise DomainError("slot.too_soon", field="starts_at", minutes=NOTICE_MINUTES)
    if (local.date() - timezone.localdate()).days > BOOKING_DAYS_AHEAD:
        raise DomainError("slot.too_far", field="starts_at", days=BOOKING_DAYS_AHEAD)
    if not workhours.is_open_day(local.date(), dealer.open_weekdays):
        raise DomainError("slot.closed_day", field="starts_at", value=local.strftime("%Y-%m-%d"))
    if not (dealer.opens_at <= local.time() and (local + dt.timedelta(minutes=SLOT_MINUTES)).time() <= dealer.closes_at
            and local.date() == (local + dt.timedelta(minutes=SLOT_MINUTES)).date()):
        raise DomainError("slot.outside_hours", field="starts_at", opens=dealer.opens_at.strftime("%H:%M"),
                          closes=dealer.closes_at.strftime("%H:%M"))
    if starts_at not in slot_starts(dealer, local.date()):
        raise DomainError("slot.misaligned", field="starts_at")


def _number() -> str:
    """TD + date + 6 random digits: no counter to race on; a clash is simply drawn again."""
    return f"TD{timezone.localdate():%y%m%d}{secrets.randbelow(10**6):06d}"


def booking_create(*, actor: Actor, trim: Trim, dealer: Dealer, starts_at: dt.datetime, lead: LeadInput) -> Booking:
    """Book a car for the consumer. Everything is checked before anything is saved; if the slot
    was taken meanwhile the whole booking (lead included) is rolled back with a clear message."""
    if not dealer.is_active:
        raise DomainError("lead.dealer_inactive", field="dealer", value=dealer.code)
    lead = dataclasses.replace(lead, dealer=dealer.code, channel=lead.channel or "storefront",
                               model_interest=str(trim))  # the car they booked is the interest
    _name, mobile, *_rest = check(lead, Caller.of(actor))
    same = Booking.objects.filter(dealer=dealer, starts_at=starts_at, status=BookingStatus.BOOKED,
                                  lead__customer__phone=mobile).first()
    if same is not None:
        return same  # the same person booking the same time again (a double submit) gets their booking
    _check_time(dealer, starts_at)

    def captured() -> tuple[Lead, bool]:
        result = lead_capture(actor=actor, data=lead)
        return result.lead, result.created

    return _reserve(actor=actor, dealer=dealer, trim=trim, starts_at=starts_at, lead_for=captured)


def booking_for_lead(*, actor: Actor, lead: Lead, trim: Trim, starts_at: dt.datetime) -> Booking:
    """Staff book a test drive for a customer they are already talking to (phone, showroom): the
    same slots and rules as the store, the lead as it is (nothing captured twice), the customer's
    confirmation SMS with the booking's link."""
    from autodcc.leads.services import common as lead_common

    found = Lead.objects.visible_to(actor).select_related("dealer", "customer").filter(pk=lead.pk).first()
    if found is None:
        raise NotFound("not_found")
    if not may_book(actor, found):
        raise Forbidden("forbidden")
    same = Booking.objects.filter(lead=found, starts_at=starts_at, status=BookingStatus.BOOKED).first()
    if same is not None:
        return same  # a double click books once
    _check_time(found.dealer, starts_at)

    def locked() -> tuple[Lead, bool]:  # inside the booking's transaction: the lead as it is now, open and workable
        current = lead_common.lock(found, actor)
        lead_common.require_workable(current)
        return current, False

    return _reserve(actor=actor, dealer=found.dealer, trim=trim, starts_at=starts_at, lead_for=locked)


def may_book(actor: Actor, lead: Lead) -> bool:
    """Staff who work the lead's dealer (or run its test drives) book for an open lead."""
    dealer = lead.dealer
    return (lead.is_open and lead.status != Status.DEFEAT_PENDING
            and (actor.can("testdrives.manage", dealer=dealer) or actor.can("leads.work", dealer=dealer)))


def _reserve(*, actor: Actor, dealer: Dealer, trim: Trim, starts_at: dt.datetime,
             lead_for: Callable[[], tuple[Lead, bool]]) -> Booking:
    """Take a free car of the model for the slot (the database refuses a second booking of a car's
    slot), make the visit the lead's appointment, confirm by SMS; all or nothing. ``lead_for``
    gives the lead and whether it is new (its holder then hears of it as a new lead)."""
    cars = _vehicles(dealer, trim)
    if not cars:
        raise DomainError("booking.no_vehicle", field="dealer")
    for attempt in range(3):
        with transaction.atomic():
            busy = set(Booking.objects.filter(vehicle__in=cars, starts_at=starts_at, status__in=HOLDS_SLOT)
                       .values_list("vehicle_id", flat=True))
            free = [c for c in cars if c.pk not in busy]
            if not free:
                raise Conflict("slot.taken", field="starts_at")
            captured, new_lead = lead_for()
            try:
                with transaction.atomic():
                    booking = Booking.objects.create(
                        number=_number(), dealer=dealer, vehicle=free[0], lead=captured, starts_at=starts_at,
                        ends_at=starts_at + dt.timedelta(minutes=SLOT_MINUTES), online=not actor.is_staff)
            except IntegrityError:
                slot_gone = Booking.objects.filter(vehicle=free[0], starts_at=starts_at,
                                                   status__in=HOLDS_SLOT).exists()
                if slot_gone or attempt == 2:
                    raise Conflict("slot.taken", field="starts_at") from None
                transaction.set_rollback(True)  # a booking number drawn twice: draw again
                continue
            booking.appointment = visit_booked(actor=actor, lead=captured, scheduled_at=starts_at,
                                               purpose=gettext("Test drive: %(car)s") % {"car": trim},
                                               reference=booking.number)
            booking.save(update_fields=["appointment"])
            audit.record(actor=actor, action="testdrive.book", obj=booking, dealer_id=dealer.pk,
                         after={"number": booking.number, "starts_at": starts_at.isoformat(), "lead": captured.pk,
                                "vehicle": free[0].pk})
            _notify(booking, Event.BOOKING_CONFIRMATION)
            if not new_lead:
                _tell_holder(actor, booking)
            return booking
    raise Conflict("slot.taken", field="starts_at")


def _notify(booking: Booking, event: str) -> None:
    from autodcc.messaging.services import message_send

    customer = booking.lead.customer
    context = {"name": customer.name, "model": str(booking.vehicle.trim), "dealer": str(booking.dealer),
               "address": booking.dealer.address or "—",
               "time": booking.starts_at}
    if event in (Event.BOOKING_CONFIRMATION, Event.TESTDRIVE_REPORT):
        from autodcc.core import links

        context["booking_no"] = booking.number
        # the booking's own page: its status, and once the drive is done the report form
        context["link"] = links.absolute("store:booking_status", booking.token)
    message_send(event=event, to_phone=customer.phone, dealer=booking.dealer, related=booking, context=context)


def _tell_holder(actor: Actor, booking: Booking) -> None:
    """The lead's holder (its agent, or the consultant once handed over) hears of a test drive
    booked on it by someone else: the customer in the store, a colleague in the console."""
    from autodcc.leads.services.common import tell_staff

    lead = booking.lead
    holder = lead.holder
    if holder is None or holder.pk == actor.staff_id:
        return
    with translation.override(settings.LANGUAGE_CODE):  # staff read their messages in the house language
        by = gettext("booked online") if not actor.is_staff else gettext("booked by %(name)s") % {"name": actor.label}
    tell_staff(holder, Event.TESTDRIVE_BOOKED, lead, model=str(booking.vehicle.trim), time=booking.starts_at,
               booking_no=booking.number, by=by)


def _locked(actor: Actor, booking: Booking) -> Booking:
    found = (Booking.objects.visible_to(actor).select_for_update(of=("self",)).select_related("dealer", "lead")
             .filter(pk=booking.pk).first())
    if found is None:
        raise NotFound("not_found")
    return found


@transaction.atomic
def booking_complete(*, actor: Actor, booking: Booking) -> Booking:
    """The dealer records the test drive as done; the lead gets its arrival and test-drive stamps,
    and the consumer one SMS with the link to the test-drive report (TD-3). Recording it again
    changes nothing and sends nothing."""
    booking = _locked(actor, booking)
    if not actor.can("testdrives.manage", dealer=booking.dealer):
        raise Forbidden("forbidden")
    if booking.status == BookingStatus.COMPLETED:
        return booking
    if booking.status != BookingStatus.BOOKED:
        raise DomainError("booking.not_open", status=booking.get_status_display())
    from autodcc.leads.services import lead_record_step, lead_register_arrival
    from autodcc.network.models import Staff

    staff = Staff.objects.filter(pk=actor.staff_id).first()
    booking.status, booking.completed_at, booking.completed_by = BookingStatus.COMPLETED, timezone.now(), staff
    booking.save()
    lead = booking.lead
    if lead.is_open and lead.consultant_id is None and staff is not None and actor.has_role(Role.SALES_CONSULTANT):
        # the consultant who received the customer for the drive takes the lead over: a recorded handover
        from autodcc.leads.services import lead_handover

        note = gettext("Received for test drive %(number)s") % {"number": booking.number}
        lead_handover(actor=SYSTEM, lead=lead, to_staff=staff, note=note)
        lead.refresh_from_db()
    if lead.is_open:
        lead_register_arrival(actor=actor, lead=lead, note=f"试驾 {booking.number}")
        if actor.can("leads.showroom", dealer=booking.dealer):
            lead_record_step(actor=actor, lead=lead, step="test_driven", note=f"试驾 {booking.number}")
        else:
            lead.refresh_from_db()
            if lead.test_driven_at is None:
                from autodcc.leads.models import Lead

                Lead.objects.filter(pk=lead.pk).update(test_driven_at=booking.completed_at, test_driven_by=staff)
    audit.record(actor=actor, action="testdrive.complete", obj=booking, dealer_id=booking.dealer_id,
                 after={"status": booking.status})
    if not Report.objects.filter(booking=booking).exists():
        _notify(booking, Event.TESTDRIVE_REPORT)  # a service message: an "all messages" opt-out stops it
    return booking


@transaction.atomic
def booking_cancel(*, actor: Actor, booking: Booking, by_token: str = "") -> Booking:
    """The consumer (with the booking's token) or the dealer cancels; the slot becomes free."""
    if by_token:
        booking = Booking.objects.select_for_update().filter(pk=booking.pk, token=by_token).first()
        if booking is None:
            raise NotFound("not_found")
    else:
        booking = _locked(actor, booking)
        if not actor.can("testdrives.manage", dealer=booking.dealer):
            raise Forbidden("forbidden")
    if booking.status == BookingStatus.CANCELLED:
        return booking
    if booking.status != BookingStatus.BOOKED:
        raise DomainError("booking.not_open", status=booking.get_status_display())
    if by_token and booking.starts_at <= timezone.now():
        raise DomainError("booking.started")
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    if booking.appointment_id:  # the visit is off: the agent does not confirm it, reception does not expect it
        visit_cancelled(actor=actor, appointment_id=booking.appointment_id, reference=booking.number)
    audit.record(actor=actor, action="testdrive.cancel", obj=booking, dealer_id=booking.dealer_id,
                 after={"status": booking.status})
    return booking


@transaction.atomic
def report_submit(*, token: str, overall: int, driving: int, comfort: int, service: int, likely_to_buy: bool,
                  comments: str = "") -> Report:
    booking = Booking.objects.select_for_update().filter(token=token).first()
    if booking is None:
        raise NotFound("not_found")
    if Report.objects.filter(booking=booking).exists():
        raise DomainError("booking.report_done")
    if booking.status != BookingStatus.COMPLETED:
        raise DomainError("booking.not_completed")
    ratings = (overall, driving, comfort, service)
    if not all(isinstance(r, int) and 1 <= r <= 5 for r in ratings):
        raise DomainError("booking.rating_invalid", field="overall")
    report = Report.objects.create(booking=booking, overall=overall, driving=driving, comfort=comfort, service=service,
                                   likely_to_buy=likely_to_buy, comments=comments.strip()[:2000])
    audit.record(actor=SYSTEM, action="testdrive.report", obj=booking, dealer_id=booking.dealer_id,
                 after={"overall": overall, "likely_to_buy": likely_to_buy})
    from autodcc.campaigns import first_n

    first_n.condition_met(booking)  # booked online, confirmed by the dealer, reported: a first-N reward?
    return report


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """A reminder a few hours before each booked slot, once."""
    now = now or timezone.now()
    due = Booking.objects.filter(status=BookingStatus.BOOKED, reminded_at__isnull=True, starts_at__gt=now,
                                 starts_at__lte=now + dt.timedelta(hours=REMIND_HOURS_BEFORE))
    count = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            booking = (Booking.objects.select_for_update(of=("self",)).select_related("lead__customer", "dealer",
                                                                                      "vehicle__trim")
                       .filter(pk=pk, reminded_at__isnull=True).first())
            if booking is None:
                continue
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at"])
            _notify(booking, Event.TESTDRIVE_REMINDER)
            count += 1
    return count


@transaction.atomic
def vehicle_add(*, actor: Actor, dealer: Dealer, trim: Trim, colour: str = "", plate: str = "") -> Vehicle:
    """A dealer puts a car into its test-drive fleet."""
    if not actor.can("testdrives.manage", dealer=dealer) or not actor.sees_dealer(dealer):
        raise Forbidden("forbidden")
    vehicle = Vehicle.objects.create(dealer=dealer, trim=trim, colour=colour.strip()[:30], plate=plate.strip()[:10])
    audit.record(actor=actor, action="testdrive.vehicle_add", obj=vehicle, after=audit.snapshot(vehicle))
    return vehicle


@transaction.atomic
def vehicle_set_active(*, actor: Actor, vehicle: Vehicle, active: bool) -> Vehicle:
    vehicle = Vehicle.objects.visible_to(actor).select_for_update().filter(pk=vehicle.pk).first()
    if vehicle is None:
        raise NotFound("not_found")
    if not actor.can("testdrives.manage", dealer=vehicle.dealer):
        raise Forbidden("forbidden")
    if vehicle.is_active != active:
        before = audit.snapshot(vehicle, ["is_active"])
        vehicle.is_active = active
        vehicle.save(update_fields=["is_active"])
        audit.record(actor=actor, action="testdrive.vehicle_active", obj=vehicle, before=before,
                     after=audit.snapshot(vehicle, ["is_active"]))
    return vehicle
