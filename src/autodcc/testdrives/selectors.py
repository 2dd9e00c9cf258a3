"""Reads of test-drive bookings for the faces: a lead's bookings, which leads have one coming, a
buyer's own bookings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from autodcc.testdrives.models import Booking, BookingStatus


def lead_bookings(lead: Any) -> list[Booking]:
    """The lead's bookings at its own dealer (a lead re-allocated by HQ leaves them behind)."""
    return list(Booking.objects.filter(lead_id=lead.pk, dealer_id=lead.dealer_id).select_related("vehicle__trim")
                .order_by("-starts_at"))


def leads_with_a_booking_ahead(leads: Iterable[Any]) -> set[int]:
    """The leads (of the list) with a test drive still to come at their own dealer. One query."""
    dealer_of = {lead.pk: lead.dealer_id for lead in leads}
    return {lead_id for lead_id, dealer_id in Booking.objects.filter(
        lead_id__in=dealer_of, status=BookingStatus.BOOKED, starts_at__gte=timezone.now()).values_list("lead_id", "dealer_id")
        if dealer_id == dealer_of[lead_id]}


def buyer_bookings(phone: str) -> QuerySet[Booking]:
    """Every booking made with this (proven) mobile number, newest first."""
    return (Booking.objects.filter(lead__customer__phone=phone).select_related("vehicle__trim", "dealer")
            .order_by("-starts_at"))
