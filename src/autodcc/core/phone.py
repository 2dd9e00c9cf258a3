"""Mainland China phone numbers: parse, validate, store as E.164, mask for staff lists."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberType

from autodcc.core.errors import DomainError

_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# phonenumbers' own pattern for mainland mobiles: a plain 11-digit number is checked against it
# directly (the same rule, without parsing: imports check every row)
_CN_MOBILE = re.compile(PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern)


def _parse(raw: str, field: str) -> phonenumbers.PhoneNumber:
    text = (raw or "").strip()
    if not text:
        raise DomainError("phone.invalid", field=field, value=raw or "")
    try:
        number = phonenumbers.parse(text, "CN")
    except NumberParseException:
        raise DomainError("phone.invalid", field=field, value=text) from None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        raise DomainError("phone.invalid", field=field, value=text)
    return number


def normalize_mobile(raw: str, *, field: str = "phone") -> str:
    """A consumer's mobile number as E.164 (``+8613812341234``); anything else is refused, with a
    message that asks for a mobile number."""
    if raw and len(raw) == 11 and raw.isascii() and raw.isdigit() and _CN_MOBILE.fullmatch(raw):
        return "+86" + raw
    try:
        number = _parse(raw, field)
    except DomainError:
        raise DomainError("phone.not_mobile", field=field, value=(raw or "").strip()) from None
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise DomainError("phone.not_mobile", field=field, value=raw.strip())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """Any valid mainland number (a dealer's landline or 400 hotline too) as E.164."""
    return phonenumbers.format_number(_parse(raw, field), phonenumbers.PhoneNumberFormat.E164)


def national(e164: str) -> str:
    """``+8613812341234`` → ``13812341234``; landlines keep their area code (``02168889999``)."""
    if not e164:
        return ""
    if len(e164) == 14 and e164.startswith("+861") and e164[1:].isdigit():
        return e164[3:]  # a mainland mobile: its 11 digits (the common case, without parsing)
    number = phonenumbers.parse(e164, "CN")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")


def mask(e164: str) -> str:
    """``+8613812341234`` → ``138****1234``: the form staff lists show (PIPL art. 51)."""
    digits = national(e164)
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
