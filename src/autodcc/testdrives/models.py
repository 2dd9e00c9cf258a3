"""Test drives (TD-1..3): dealers' test-drive cars, bookings that cannot overlap, reports."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core.tenancy import TenantQuerySet

SLOT_MINUTES = 60


class Vehicle(models.Model):
    """A dealer's test-drive car."""

    TENANT_DEALER_FIELD = "dealer"

    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, related_name="testdrive_vehicles",
                               verbose_name=_("dealer"))
    trim = models.ForeignKey("catalog.Trim", on_delete=models.PROTECT, related_name="testdrive_vehicles",
                             verbose_name=_("trim"))
    colour = models.CharField(_("colour"), max_length=30, blank=True)
    plate = models.CharField(_("plate"), max_length=10, blank=True)
    is_active = models.BooleanField(_("available"), default=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("test-drive car")
        verbose_name_plural = _("test-drive cars")
        ordering = ["dealer", "trim"]

    def __str__(self) -> str:
        return f"{self.trim} {self.colour}".strip()


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    COMPLETED = "completed", _("Test drive done")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not come")


HOLDS_SLOT = (BookingStatus.BOOKED, BookingStatus.COMPLETED)


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Booking(models.Model):
    TENANT_DEALER_FIELD = "dealer"

    number = models.CharField(_("booking number"), max_length=16, unique=True)
    token = models.CharField(max_length=32, unique=True, default=new_token)
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, related_name="testdrive_bookings",
                               verbose_name=_("dealer"))
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("car"))
    lead = models.ForeignKey("leads.Lead", on_delete=models.PROTECT, related_name="testdrive_bookings",
                             verbose_name=_("lead"))
    # the lead's appointment for this visit: the agent confirms it, reception finds it in the day's arrivals
    appointment = models.OneToOneField("leads.Appointment", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="booking")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    online = models.BooleanField(_("booked online"), default=False)  # by the consumer, not by staff

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("test-drive booking")
        verbose_name_plural = _("test-drive bookings")
        ordering = ["-starts_at"]
        constraints = [
            # TD-1: a car's slot is held by one booking at most; a race loses at the database
            models.UniqueConstraint(fields=["vehicle", "starts_at"], condition=Q(status__in=HOLDS_SLOT),
                                    name="one_booking_per_car_slot"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.number


class Report(models.Model):
    """The consumer's test-drive report (试驾报告)."""

    TENANT_DEALER_FIELD = "booking__dealer"

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="report")
    overall = models.PositiveSmallIntegerField(_("overall"))
    driving = models.PositiveSmallIntegerField(_("driving feel"))
    comfort = models.PositiveSmallIntegerField(_("comfort"))
    service = models.PositiveSmallIntegerField(_("service"))
    likely_to_buy = models.BooleanField(_("likely to buy"), default=False)
    comments = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("test-drive report")
        verbose_name_plural = _("test-drive reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__gte=1, overall__lte=5, driving__gte=1, driving__lte=5, comfort__gte=1,
                            comfort__lte=5, service__gte=1, service__lte=5),
                name="report_ratings_1_to_5"),
        ]
