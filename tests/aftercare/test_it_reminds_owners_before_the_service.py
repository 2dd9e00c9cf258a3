"""From delivery to the next service (CARE-2): the delivered car is on file with its purchase
date and tracked; the reminder goes out a week before, once, honouring opt-outs and consent; a
visit recorded moves the next due date; bad input is refused plainly and changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from autodcc.aftercare import services
from autodcc.aftercare.models import MaintenanceReminder, ReminderOutcome, VehicleCare
from autodcc.aftercare.tasks import run_daily
from autodcc.core.actors import SYSTEM
from autodcc.core.errors import DomainError, Forbidden, NotFound
from autodcc.core.models import AuditLog
from autodcc.customers.models import Consent, Vehicle
from autodcc.messaging.models import Event, Message, MessageStatus
from autodcc.messaging.services import optout_add

TODAY = timezone.localdate()


def test_a_delivery_puts_the_owners_car_on_file_and_tracks_its_first_service(net, delivered):
    vehicle = delivered()
    assert vehicle.purchase_date == TODAY and vehicle.dealer == net.dealer_a and vehicle.order.status == "delivered"
    care = VehicleCare.objects.get(vehicle=vehicle)
    assert care.car_model.code == vehicle.order.trim.model.code
    assert care.service_no == 1 and care.due_km == 5000 and care.due_reason == "time"
    assert care.next_due_on == services.rules.add_months(TODAY, 6)
    assert vehicle.mileage_readings.get().km == 0  # a new car leaves with 0 km on file


def test_the_reminder_goes_a_week_before_and_only_once(net, delivered):
    vehicle = delivered(on=services.rules.add_months(TODAY, -6) + dt.timedelta(days=5))  # due in 5 days
    care = VehicleCare.objects.get(vehicle=vehicle)
    assert care.next_due_on == TODAY + dt.timedelta(days=5)
    assert run_daily(today=(TODAY - dt.timedelta(days=3)).isoformat())["reminders"] == 0  # 8 days before: not yet
    assert run_daily(today=TODAY.isoformat())["reminders"] == 1
    for _ in range(3):  # the hourly run again, and the next days
        assert run_daily(today=TODAY.isoformat())["reminders"] == 0
        assert run_daily(today=(TODAY + dt.timedelta(days=1)).isoformat())["reminders"] == 0
    message = Message.objects.get(event=Event.MAINTENANCE_REMINDER)
    assert message.recipient_phone == vehicle.customer.phone and message.dealer_id == net.dealer_a.pk
    assert "保养" in message.body and f"{care.next_due_on.month}月{care.next_due_on.day}日" in message.body
    assert "8折" not in message.body  # no marketing consent: no offer
    reminder = MaintenanceReminder.objects.get(vehicle=vehicle)
    assert reminder.outcome == ReminderOutcome.QUEUED and reminder.service_no == 1
    assert AuditLog.objects.filter(action="care.reminder", object_id=str(vehicle.pk)).count() == 1
    assert VehicleCare.objects.get(vehicle=vehicle).reminded_at is not None


def test_the_offer_goes_only_to_owners_who_agreed_to_marketing(net, delivered):
    vehicle = delivered(on=services.rules.add_months(TODAY, -6) + dt.timedelta(days=2))
    Consent.objects.create(customer=vehicle.customer, version="2026-01", marketing=True, channel="storefront")
    services.reminders_send(today=TODAY)
    assert "保养工时费8折" in Message.objects.get(event=Event.MAINTENANCE_REMINDER).body
    assert MaintenanceReminder.objects.get(vehicle=vehicle).with_offer


@pytest.mark.parametrize("scope", ["all", "marketing"])
def test_an_opted_out_owner_gets_no_reminder_and_is_not_asked_again(net, delivered, scope):
    vehicle = delivered(on=services.rules.add_months(TODAY, -6) + dt.timedelta(days=1))
    optout_add(actor=SYSTEM, raw_phone=vehicle.customer.phone, scope=scope, source="sms")
    assert services.reminders_send(today=TODAY) == 0
    message = Message.objects.get(event=Event.MAINTENANCE_REMINDER)
    assert message.status == MessageStatus.SUPPRESSED
    assert MaintenanceReminder.objects.get(vehicle=vehicle).outcome == ReminderOutcome.SUPPRESSED
    assert services.reminders_send(today=TODAY) == 0
    assert Message.objects.filter(event=Event.MAINTENANCE_REMINDER).count() == 1


def test_a_booked_car_is_not_reminded(net, delivered, advisors):
    vehicle = delivered(on=services.rules.add_months(TODAY, -6) + dt.timedelta(days=3))
    services.appointment_book(actor=advisors["a_advisor"].actor, vehicle=vehicle,
                              scheduled_at=timezone.now() + dt.timedelta(days=2))
    assert services.reminders_send(today=TODAY) == 0


def test_a_reported_mileage_brings_the_service_forward(net, delivered, advisors):
    vehicle = delivered(on=TODAY - dt.timedelta(days=30))
    before = VehicleCare.objects.get(vehicle=vehicle).next_due_on
    care = services.mileage_report(actor=advisors["a_advisor"].actor, vehicle=vehicle, km=3000)  # 100 km a day
    assert care.due_reason == "km" and care.km_per_day == 100
    assert care.next_due_on == TODAY + dt.timedelta(days=20) < before
    assert Vehicle.objects.get(pk=vehicle.pk).mileage_km == 3000
    assert AuditLog.objects.filter(action="care.mileage").exists()


def test_a_visit_moves_the_next_due_date(net, delivered, advisors):
    advisor = advisors["a_advisor"].actor
    vehicle = delivered(on=services.rules.add_months(TODAY, -6) + dt.timedelta(days=4))
    services.reminders_send(today=TODAY)
    appointment = services.appointment_book(actor=advisor, vehicle=vehicle,
                                            scheduled_at=timezone.now() + dt.timedelta(hours=2), note="首保")
    assert services.appointment_book(actor=advisor, vehicle=vehicle, scheduled_at=appointment.scheduled_at) == appointment
    visit = services.visit_record(actor=advisor, vehicle=vehicle, visited_on=TODAY, mileage_km=4100, notes="更换机油机滤")
    care = VehicleCare.objects.get(vehicle=vehicle)
    assert visit.service_no == 1 and care.service_no == 2 and care.last_service_on == TODAY
    assert care.next_due_on == services.rules.add_months(TODAY, 12) or care.due_reason == "km"
    assert care.due_km == 14100 and care.reminded_at is None and care.booked_for is None
    assert appointment.__class__.objects.get(pk=appointment.pk).status == "done"
    entry = AuditLog.objects.get(action="care.visit")
    assert entry.after["next_due_on"] == care.next_due_on.isoformat() and entry.actor_label == advisor.label
    assert services.reminders_send(today=TODAY) == 0  # the second service is a year away


def test_bad_input_is_refused_plainly_and_changes_nothing(net, delivered, advisors):
    advisor = advisors["a_advisor"].actor
    vehicle = delivered(on=TODAY - dt.timedelta(days=60))
    services.visit_record(actor=advisor, vehicle=vehicle, visited_on=TODAY - dt.timedelta(days=1), mileage_km=5200)
    with pytest.raises(DomainError) as lower:
        services.visit_record(actor=advisor, vehicle=vehicle, visited_on=TODAY, mileage_km=5100)
    assert lower.value.code == "care.mileage_backwards"
    assert "5100" in lower.value.message and "5200" in lower.value.message
    with pytest.raises(DomainError, match="5200"):
        services.mileage_report(actor=advisor, vehicle=vehicle, km=100)
    for notes, code in (("长" * 10_240, "text.too_long"), ("机油\x00滤芯", "text.control_characters")):
        with pytest.raises(DomainError) as refused:
            services.visit_record(actor=advisor, vehicle=vehicle, visited_on=TODAY, mileage_km=5300, notes=notes)
        assert refused.value.code == code
    with pytest.raises(DomainError) as twice:
        services.visit_record(actor=advisor, vehicle=vehicle, visited_on=TODAY - dt.timedelta(days=1), mileage_km=5300)
    assert twice.value.code == "care.visit_twice"
    with pytest.raises(DomainError):
        services.visit_record(actor=advisor, vehicle=vehicle, visited_on=TODAY + dt.timedelta(days=1), mileage_km=5300)
    assert vehicle.service_visits.count() == 1 and Vehicle.objects.get(pk=vehicle.pk).mileage_km == 5200
    with pytest.raises(DomainError):
        services.appointment_book(actor=advisor, vehicle=vehicle, scheduled_at=timezone.now() - dt.timedelta(hours=1))


def test_another_dealers_car_is_not_found_and_other_roles_may_not(net, delivered, advisors):
    vehicle = delivered(dealer="HZ-001")
    with pytest.raises(NotFound):
        services.visit_record(actor=advisors["a_advisor"].actor, vehicle=vehicle, visited_on=TODAY, mileage_km=10)
    with pytest.raises(NotFound):
        services.mileage_report(actor=net.a_manager.actor, vehicle=vehicle, km=10)
    with pytest.raises(Forbidden):
        services.mileage_report(actor=net.b_consultant.actor, vehicle=vehicle, km=10)
    services.mileage_report(actor=advisors["b_advisor"].actor, vehicle=vehicle, km=10)


def test_hq_sets_a_schedule_and_the_cars_of_the_model_follow(net, delivered, schedules):
    vehicle = delivered()
    model = VehicleCare.objects.get(vehicle=vehicle).car_model
    with pytest.raises(Forbidden):
        services.schedule_save(actor=net.a_manager.actor, car_model=model, first_months=3, first_km=3000,
                               every_months=6, every_km=5000)
    with pytest.raises(DomainError):
        services.schedule_save(actor=net.hq_service.actor, car_model=model, first_months=0, first_km=3000,
                               every_months=6, every_km=5000)
    services.schedule_save(actor=net.hq_service.actor, car_model=model, first_months=3, first_km=3000,
                           every_months=6, every_km=5000, offer="首保免工时费")
    care = VehicleCare.objects.get(vehicle=vehicle)
    assert care.next_due_on == services.rules.add_months(TODAY, 3) and care.due_km == 3000
    assert AuditLog.objects.filter(action="care.schedule").count() == 1


def test_the_customer_page_mileage_goes_through_the_same_rule(net, delivered):
    from autodcc.customers.services import vehicle_update

    vehicle = delivered(on=TODAY - dt.timedelta(days=30))
    vehicle_update(actor=net.a_manager.actor, vehicle=vehicle, plate="沪A12345", mileage_km=3000)
    assert VehicleCare.objects.get(vehicle=vehicle).due_reason == "km"
    with pytest.raises(DomainError) as lower:
        vehicle_update(actor=net.a_manager.actor, vehicle=vehicle, plate="沪A12345", mileage_km=20)
    assert lower.value.code == "care.mileage_backwards"


def test_a_run_in_the_quiet_hours_sends_the_reminder_next_morning(net, delivered):
    from autodcc.core.models import OutboxEvent

    vehicle = delivered(on=services.rules.add_months(TODAY, -6) + dt.timedelta(days=3))
    late = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(23, 10)))
    assert services.reminders_send(now=late) == 1
    message = Message.objects.get(event=Event.MAINTENANCE_REMINDER, related_id=str(vehicle.pk))
    event = OutboxEvent.objects.get(topic="messaging.deliver", payload__message_id=message.pk)
    assert timezone.localtime(event.next_attempt_at) == timezone.make_aware(
        dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(8, 0)))
