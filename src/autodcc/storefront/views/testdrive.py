"""Test-drive booking (TD-1..3) in four steps that work without JavaScript: car → city and
dealer → day and free time → contact and consents. The first three steps are plain links and GET
forms (the querystring carries the choices, so the back button and shared links work); only the
last step posts, to ``booking_create``. Then the booking's own page: status, cancel, report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from autodcc.catalog.models import Photo, Trim
from autodcc.core import geo, workhours
from autodcc.core import phone as phones
from autodcc.core.actors import consumer
from autodcc.core.errors import DomainError
from autodcc.leads.services import LeadInput
from autodcc.network.models import City, Dealer
from autodcc.network.services import city_for
from autodcc.storefront.forms import BookingForm, ReportForm, add_errors
from autodcc.storefront.views.common import (
    RATE_LIMITED,
    campaign_of,
    claim_submission,
    finish_submission,
    limited,
    page,
    post_rate,
    store_consumer,
    track,
    trim_choices,
)
from autodcc.testdrives import services as td
from autodcc.testdrives.models import Booking, BookingStatus, Report, Vehicle

DAYS_SHOWN = 14


def booking_trims() -> QuerySet[Trim]:
    """Trims on sale that some active dealer has a test-drive car for (of that model)."""
    models = Vehicle.objects.filter(is_active=True, dealer__is_active=True).values("trim__model_id")
    return trim_choices().filter(model_id__in=models)


def _dealers_with_car(trim: Trim) -> set[int]:
    return set(Vehicle.objects.filter(is_active=True, dealer__is_active=True, trim__model_id=trim.model_id)
               .values_list("dealer_id", flat=True))


@dataclass
class Day:
    date: dt.date
    open: bool
    selected: bool


@dataclass
class Suggestion:
    dealer: Dealer
    distance_km: int | None


@dataclass
class Wizard:
    """Where the person is in the booking and what they have chosen so far."""

    params: dict[str, str]
    step: int = 1
    trims: list[Trim] = field(default_factory=list)
    trim: Trim | None = None
    city_text: str = ""
    city: City | None = None
    city_error: str = ""
    suggestions: list[Suggestion] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    dealer: Dealer | None = None
    days: list[Day] = field(default_factory=list)
    day: dt.date | None = None
    slots: list[td.Slot] = field(default_factory=list)
    starts_at: dt.datetime | None = None
    problems: list[str] = field(default_factory=list)

    def link(self, **changes: str | None) -> dict[str, str]:
        """The querystring of this step with ``changes`` (None drops a key)."""
        out = dict(self.params)
        for key, value in changes.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
        return out


def _parse_day(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def wizard(params: dict[str, str], *, check_time: bool = True) -> Wizard:
    """Work out the step from the choices in ``params`` (trim, city, dealer, day, time)."""
    keep = {k: params[k].strip() for k in ("trim", "city", "dealer", "day", "time")
            if params.get(k, "").strip()}
    w = Wizard(params=keep)
    slug = keep.get("trim", "")
    if slug:
        w.trim = (booking_trims().filter(slug=slug)
                  .prefetch_related("photos").first())
        if w.trim is None:
            w.problems.append(_("This car cannot be booked for a test drive online; please choose another."))
            w.params.pop("trim")
    if w.trim is None:
        w.trims = list(booking_trims().prefetch_related(_first_photos()))
        return w
    w.step = 2
    with_car = _dealers_with_car(w.trim)
    code = keep.get("dealer", "")
    if code:
        w.dealer = Dealer.objects.select_related("city").filter(code=code, is_active=True).first()
        if w.dealer is None or w.dealer.pk not in with_car:
            w.problems.append(_("This dealer has no test-drive car of this model; please choose another."))
            w.dealer = None
            w.params.pop("dealer")
    w.city_text = keep.get("city", "")
    if w.city_text and w.dealer is None:
        try:
            w.city = city_for(w.city_text)
        except DomainError as exc:
            w.city_error = exc.message
        else:
            for dealer in td.suggest_dealers(city=w.city, trim=w.trim):
                if dealer.pk in with_car:
                    km = None  # a dealer in another city: say how far it is
                    if dealer.city_id != w.city.pk:
                        km = round(geo.haversine_km(float(w.city.lat), float(w.city.lng), float(dealer.lat),
                                                    float(dealer.lng)))
                    w.suggestions.append(Suggestion(dealer, km))
    if w.dealer is None:
        w.cities = list(Dealer.objects.filter(is_active=True, pk__in=with_car).order_by("city__name")
                        .values_list("city__name", flat=True).distinct())
        return w
    w.step = 3
    today = timezone.localdate()
    window = [today + dt.timedelta(days=n) for n in range(DAYS_SHOWN)]
    w.day = _parse_day(keep.get("day", ""))
    if w.day is not None and w.day not in window:
        w.problems.append(_("Please choose a day within the next %(n)s days.") % {"n": DAYS_SHOWN})
        w.day = None
        w.params.pop("day")
    w.days = [Day(d, workhours.is_open_day(d, w.dealer.open_weekdays), d == w.day) for d in window]
    if w.day is None:
        return w
    raw_time = keep.get("time", "")
    if check_time:
        w.slots = td.slots(dealer=w.dealer, trim=w.trim, day=w.day)
    if raw_time:
        try:
            clock = dt.time.fromisoformat(raw_time)
        except ValueError:
            clock = None
        starts_at = timezone.make_aware(dt.datetime.combine(w.day, clock)) if clock else None
        if check_time and not any(s.free and s.starts_at == starts_at for s in w.slots):
            w.problems.append(_("That time is no longer free; please choose another time."))
            w.params.pop("time")
            starts_at = None
        w.starts_at = starts_at
    if w.starts_at is None:
        return w
    w.step = 4
    return w


def _first_photos() -> Prefetch:
    return Prefetch("photos", queryset=Photo.objects.order_by("sort", "id"))


def _context(w: Wizard, form: BookingForm | None) -> dict[str, Any]:
    steps = [(1, _("Car")), (2, _("Dealer")), (3, _("Time")), (4, _("Contact"))]
    return {"nav": "booking", "w": w, "form": form, "steps": steps,
            "free_slots": [s for s in w.slots if s.free]}


def _existing(dealer: Dealer, starts_at: dt.datetime, raw_phone: str) -> Booking | None:
    """The same person's booking of the same dealer and time: a second submit returns it."""
    try:
        e164 = phones.normalize_mobile(raw_phone)
    except DomainError:
        return None
    return (Booking.objects.filter(dealer=dealer, starts_at=starts_at, status=BookingStatus.BOOKED,
                                   lead__customer__phone=e164).order_by("pk").first())


def _submit(request: HttpRequest, form: BookingForm) -> HttpResponse | None:
    """Book; a redirect to the booking's page, or None with the problems on the form."""
    data = form.cleaned_data
    trim = booking_trims().filter(slug=data["trim"]).first()
    dealer = Dealer.objects.filter(code=data["dealer"], is_active=True).first()
    if trim is None or dealer is None:
        form.add_error(None, _("Please choose the car and the dealer again."))
        return None
    key = f"storefront:booking:{data['submission']}" if data.get("submission") else ""
    mine, token = claim_submission(key)  # the same form submitted twice at once: the second waits
    if not mine:
        if token:
            return redirect("store:booking_status", token=token)
        form.add_error(None, _("We are still saving your booking. Please wait a moment and reload."))
        return None
    existing = _existing(dealer, data["starts_at"], data["phone"])
    if existing is not None:
        finish_submission(key, existing.token)
        return redirect("store:booking_status", token=existing.token)
    lead = LeadInput(**form.lead_values(), city=data["city"].strip(), campaign=campaign_of(request))
    try:
        booking = td.booking_create(actor=store_consumer(data["phone"]), trim=trim, dealer=dealer,
                                    starts_at=data["starts_at"], lead=lead)
    except DomainError as exc:
        finish_submission(key, None)
        add_errors(form, exc, form.ALIASES)
        return None
    finish_submission(key, booking.token)
    track(request, "booking", trim.slug)
    messages.success(request, _("Your test drive is booked. We have sent you a confirmation message."))
    return redirect("store:booking_status", token=booking.token)


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def booking(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = BookingForm(request.POST)
        status = 200
        if limited(request):
            form.is_valid()
            form.add_error(None, RATE_LIMITED)
            status = 429
        elif form.is_valid():
            response = _submit(request, form)
            if response is not None:
                return response
        # show the form again on the step it belongs to, with what was chosen
        starts = form.cleaned_data.get("starts_at")
        params = {"trim": request.POST.get("trim", ""), "dealer": request.POST.get("dealer", ""),
                  "city": request.POST.get("city", "")}
        if isinstance(starts, dt.datetime):
            local = timezone.localtime(starts)
            params |= {"day": local.date().isoformat(), "time": local.strftime("%H:%M")}
        w = wizard(params, check_time=False)
        if "starts_at" in form.errors:
            w.problems = []  # the form says what is wrong with the time
        return page(request, "booking.html", _context(w, form), status=status)
    w = wizard(request.GET.dict())
    form = None
    if w.step == 4:
        form = BookingForm(initial={
            "trim": w.trim.slug, "dealer": w.dealer.code, "city": w.city_text,
            "starts_at": timezone.localtime(w.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "submission": get_random_string(32)})
    return page(request, "booking.html", _context(w, form))


def _booking_or_404(token: str) -> Booking:
    found = (Booking.objects.select_related("dealer__city", "vehicle__trim__model__series", "lead__customer")
             .filter(token=token).first())
    if found is None:
        raise Http404
    return found


def _status_page(request: HttpRequest, booking: Booking, report_form: ReportForm | None = None,
                 *, status: int = 200) -> HttpResponse:
    report = Report.objects.filter(booking=booking).first()
    if report_form is None and booking.status == BookingStatus.COMPLETED and report is None:
        report_form = ReportForm()
    return page(request, "booking_status.html", {
        "booking": booking, "dealer": booking.dealer, "trim": booking.vehicle.trim, "report": report,
        "report_form": report_form if report is None else None,
        "can_cancel": booking.status == BookingStatus.BOOKED and booking.starts_at > timezone.now(),
        "phone_masked": phones.mask(booking.lead.customer.phone),
    }, status=status)


@require_GET
def status(request: HttpRequest, token: str) -> HttpResponse:
    return _status_page(request, _booking_or_404(token))


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    found = _booking_or_404(token)
    if limited(request):
        messages.error(request, RATE_LIMITED)
    else:
        try:
            td.booking_cancel(actor=consumer(f"storefront {found.number}"), booking=found, by_token=token)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your test drive is cancelled. The time is free for others again."))
    return redirect("store:booking_status", token=token)


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_POST
def report(request: HttpRequest, token: str) -> HttpResponse:
    found = _booking_or_404(token)
    form = ReportForm(request.POST)
    if limited(request):
        form.is_valid()
        form.add_error(None, RATE_LIMITED)
        return _status_page(request, found, form, status=429)
    if form.is_valid():
        try:
            td.report_submit(token=token, **form.cleaned_data)
        except DomainError as exc:
            if Report.objects.filter(booking=found).exists():  # sent twice: the first one counts
                messages.info(request, exc.message)
                return redirect("store:booking_status", token=token)
            add_errors(form, exc)
        else:
            messages.success(request, _("Thank you for your test-drive report!"))
            return redirect("store:booking_status", token=token)
    return _status_page(request, found, form)
