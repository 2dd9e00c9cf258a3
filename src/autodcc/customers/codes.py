"""One-time SMS codes that prove a mobile number (the store's "my orders and test drives").

A code is six random digits, valid for ten minutes and five tries; a number gets one code a
minute and five an hour; only a keyed hash is stored. Sending goes through the outbox."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from autodcc.core import phone as phones
from autodcc.core.errors import DomainError
from autodcc.customers.models import PhoneCode

VALID_MINUTES = 10
MAX_ATTEMPTS = 5
PER_MINUTE, PER_HOUR = 1, 5


def _hash(phone: str, code: str) -> str:
    return salted_hmac("autodcc.customers.codes", f"{phone}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def code_send(raw_phone: str) -> str:
    """Send a code to the number; returns the normalised number."""
    phone = phones.normalize_mobile(raw_phone, field="phone")
    now = timezone.now()
    recent = PhoneCode.objects.select_for_update().filter(phone=phone, created_at__gte=now - dt.timedelta(hours=1))
    sent = list(recent.values_list("created_at", flat=True))
    if sum(1 for at in sent if at >= now - dt.timedelta(minutes=1)) >= PER_MINUTE:
        raise DomainError("code.too_soon", field="phone")
    if len(sent) >= PER_HOUR:
        raise DomainError("code.too_many", field="phone")
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.create(phone=phone, code_hash=_hash(phone, code), created_at=now,
                             expires_at=now + dt.timedelta(minutes=VALID_MINUTES))
    from autodcc.messaging.models import Event
    from autodcc.messaging.services import message_send

    message_send(event=Event.VERIFICATION_CODE, to_phone=phone, context={"code": code, "minutes": VALID_MINUTES})
    return phone


def code_check(raw_phone: str, code: str) -> str:
    """The number, if ``code`` is its latest unused, unexpired code. A wrong try is counted (and
    the count kept) before the refusal."""
    phone = phones.normalize_mobile(raw_phone, field="phone")
    now = timezone.now()
    with transaction.atomic():
        latest = (PhoneCode.objects.select_for_update().filter(phone=phone, used_at__isnull=True)
                  .order_by("-created_at").first())
        if latest is None or latest.expires_at <= now or latest.attempts >= MAX_ATTEMPTS:
            outcome = "expired"
        elif not constant_time_compare(latest.code_hash, _hash(phone, code.strip())):
            PhoneCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
            outcome = "wrong"
        else:
            latest.used_at = now
            latest.save(update_fields=["used_at"])
            return phone
    if outcome == "wrong":
        raise DomainError("code.wrong", field="code", left=max(0, MAX_ATTEMPTS - latest.attempts - 1))
    raise DomainError("code.expired", field="code")
