"""What every store view shares: rendering with the brand, rate limits, public catalogue reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.catalog.models import Edition, Trim
from autodcc.core import phone as phones
from autodcc.core.actors import Actor, consumer
from autodcc.core.errors import DomainError

# Public POST forms: per client address, counted on POST only; over the limit the form is not
# processed and the person gets a friendly message (block=False).
POST_RATE = "20/m"
RATE_LIMITED = _("Too many attempts from your network in a short time. Please wait a minute and try again.")


def post_rate(group: str, request: HttpRequest) -> str:
    return getattr(settings, "STORE_POST_RATE", POST_RATE)


RATE = "autodcc.storefront.views.common.post_rate"


def store_consumer(raw_phone: str) -> Actor:
    """The consumer acting, labelled with the masked mobile (what audit trails and captures keep)."""
    try:
        return consumer(f"storefront {phones.mask(phones.normalize_mobile(raw_phone))}")
    except DomainError:
        return consumer("storefront")


def limited(request: HttpRequest) -> bool:
    return bool(getattr(request, "limited", False))


CAMPAIGN_KEY = "store_campaign"


def remember_campaign(request: HttpRequest) -> None:
    """A link's campaign code (``?c=`` or ``utm_campaign``) is kept for the visit: the enquiry,
    booking or order made later in it counts toward that campaign (the latest link wins)."""
    from autodcc.campaigns import codes

    value = codes.from_link(request.GET)
    if value:
        request.session[CAMPAIGN_KEY] = value


def campaign_of(request: HttpRequest) -> str:
    """The campaign code this visit came with ('' when none)."""
    remember_campaign(request)
    return str(request.session.get(CAMPAIGN_KEY, ""))


def track(request: HttpRequest, kind: str, subject: str = "") -> None:
    """A conversion (enquiry, booking, order) for the store's analytics, when the visitor agreed:
    buffered, no database statement, and never a reason for the conversion itself to fail."""
    from autodcc.analytics import consent, recording

    try:
        recording.conversion(consent.read(request.COOKIES), kind, subject=subject,
                             campaign=str(request.session.get(CAMPAIGN_KEY, "")))
    except Exception:  # analytics must never cost a lead
        import logging

        logging.getLogger(__name__).warning("store analytics: %s not recorded", kind, exc_info=True)


def page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    remember_campaign(request)
    context.setdefault("brand", settings.AUTODCC_BRAND)
    return render(request, f"storefront/{template}", context, status=status)


def editions_on_sale(day: dt.date | None = None) -> Q:
    day = day or timezone.localdate()
    return Q(is_active=True, starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def on_sale_editions(trim: Trim) -> list[Edition]:
    """The trim's prefetched editions that are on sale today (the selector checks the flag only)."""
    today = timezone.localdate()
    return [e for e in trim.editions.all()
            if e.is_active and e.starts_on <= today and (e.ends_on is None or e.ends_on >= today)]


def trim_choices() -> QuerySet[Trim]:
    """Trims on sale for a select or a checkbox list: names only, one query."""
    return (Trim.objects.filter(is_active=True, model__series__is_active=True)
            .select_related("model__series").order_by("model__series__sort", "model__sort", "sort", "code"))


# --- one submission, one result ---------------------------------------------------------------
SUBMISSION_PENDING = "pending"
TWIN_WAIT_SECONDS = 5.0


def claim_submission(key: str) -> tuple[bool, str | None]:
    """A form's one-time key: ``(True, None)`` when this request does the work; otherwise the
    twin request's result (its token) once it finishes, or ``(False, None)`` if it is still busy."""
    import time

    from django.core.cache import cache

    if not key or cache.add(key, SUBMISSION_PENDING, 300):
        return True, None
    deadline = time.monotonic() + TWIN_WAIT_SECONDS
    while time.monotonic() < deadline:
        value = cache.get(key)
        if value is None:  # the twin failed and let go: this request tries
            return (True, None) if cache.add(key, SUBMISSION_PENDING, 300) else (False, None)
        if value != SUBMISSION_PENDING:
            return False, value
        time.sleep(0.1)
    return False, None


def finish_submission(key: str, token: str | None) -> None:
    """Remember the result for a repeated submit (``None``: failed, let the next one try)."""
    from django.core.cache import cache

    if not key:
        return
    if token is None:
        cache.delete(key)
    else:
        cache.set(key, token, 3600)
