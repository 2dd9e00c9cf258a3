"""A consumer's own say over marketing messages (SPEC MSG-1; PIPL art. 15: consent can be withdrawn
as easily as it was given). Three doors, one rule:

- a reply to a marketing SMS ("回TD退订": TD, T, R, N, 退订 …) arriving from the SMS gateway,
- the store's "My orders and test drives" page, once the mobile is proven by an SMS code,
- staff recording a request in the console (``messaging.services.optout_add``).

Stopping records a marketing opt-out (a broader one already recorded stays) and withdraws every
consent to marketing given with that mobile, at every dealer; service messages (orders, test drives,
codes) still go out. Resuming takes a new consent, given on the store page, and lifts a marketing
opt-out; an opt-out from all messages is lifted by customer service only.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.db import transaction

from autodcc.core import audit, phone
from autodcc.core.actors import consumer
from autodcc.messaging.models import OptOut, OptOutScope

# what Chinese carriers and SMS platforms accept as "stop" (回T/TD退订, 拒收请回复R), compared
# after NFKC (full-width letters), upper-casing and trimming punctuation
STOP_WORDS = frozenset({"T", "TD", "R", "N", "0000", "STOP", "退订", "退", "拒收", "取消订阅", "退订短信"})


def is_stop_reply(content: str) -> bool:
    text = unicodedata.normalize("NFKC", content or "").strip().strip("。.!！ ").upper()
    return text in STOP_WORDS


@dataclass(frozen=True)
class Preference:
    marketing: bool  # marketing messages may be sent (a consent given, no opt-out)
    opted_out: str  # "", "marketing" or "all"


def marketing_status(raw_phone: str) -> Preference:
    from autodcc.customers.models import Consent

    number = phone.normalize_mobile(raw_phone)
    opt_out = OptOut.objects.filter(phone=number).values_list("scope", flat=True).first() or ""
    consented = Consent.objects.filter(customer__phone=number, marketing=True, withdrawn_at__isnull=True).exists()
    return Preference(marketing=consented and not opt_out, opted_out=opt_out)


def marketing_stop(*, raw_phone: str, source: str, said_at: dt.datetime | None = None) -> OptOut | None:
    """No more marketing messages to this mobile, its consents to marketing withdrawn (what every
    opt-out does); a broader opt-out already recorded stays as it is. Asking twice changes nothing.
    ``said_at``: when the consumer said it (an SMS reply delivered late, or again): a consent to
    marketing given after that moment is the consumer's later word and stands (None returned)."""
    from autodcc.customers.models import Consent
    from autodcc.messaging.services import optout_add

    number = phone.normalize_mobile(raw_phone, field="phone")
    # (a reply's time is in whole seconds: a consent given within the same second does not count as later)
    if said_at is not None and Consent.objects.filter(customer__phone=number, marketing=True, withdrawn_at__isnull=True,
                                                      given_at__gt=said_at + dt.timedelta(seconds=1)).exists():
        return None
    existing = OptOut.objects.filter(phone=number).first()
    if existing is not None and not Consent.objects.filter(customer__phone=number, marketing=True,
                                                           withdrawn_at__isnull=True).exists():
        return existing  # said before, nothing given since
    return optout_add(actor=consumer(f"{source} {phone.mask(number)}"), raw_phone=number,
                      scope=existing.scope if existing else OptOutScope.MARKETING, source=source,
                      note=existing.note if existing else "")


@transaction.atomic
def marketing_resume(*, raw_phone: str, version: str, source: str = "store") -> None:
    """The consumer asks for marketing messages again: a new consent to marketing (the text
    ``version`` they agreed to) and a marketing opt-out lifted. An opt-out from all messages,
    recorded by customer service, stays until customer service lifts it."""
    from autodcc.customers.models import Consent, Customer
    from autodcc.messaging.services import optout_remove

    number = phone.normalize_mobile(raw_phone, field="phone")
    actor = consumer(f"{source} {phone.mask(number)}")
    customer = Customer.objects.filter(phone=number).first()
    if customer is None:
        return  # nothing of this mobile is kept: there is nothing to send to either
    opt_out = OptOut.objects.select_for_update().filter(phone=number).first()
    if opt_out is not None and opt_out.scope == OptOutScope.MARKETING:
        optout_remove(actor=actor, opt_out=opt_out)
    consent = Consent.objects.create(customer=customer, dealer=None, version=version, purposes=["marketing"],
                                     marketing=True, channel=source)
    audit.record(actor=actor, action="consent.give_marketing", obj=customer,
                 after={"consent": consent.pk, "version": version, "source": source})
