"""The store's forms. Field names follow the services' field names, so that
:func:`autodcc.core.errors.add_to_form` puts a refused input's message on the right field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from autodcc.catalog.finance import TERMS
from autodcc.core import phone as phones
from autodcc.core.errors import DomainError, Invalid

CONSENT_VERSION = "store-2026-01"  # stored with every consent; an internal code, never shown
PRIVACY_NOTICE_UPDATED = dt.date(2026, 1, 1)  # the notice that CONSENT_VERSION names (its month is shown)
PRICE_DAYS_AHEAD = 730  # the calculator prices invoices up to two years ahead

USES = [
    ("", _("Any use")),
    ("commute", _("Daily commute")),
    ("family", pgettext_lazy("use of the car", "Family")),
    ("long_trip", _("Long trips")),
    ("business", _("Business")),
]
ENERGIES = [
    ("any", _("Any energy type")),
    ("nev", _("New energy")),
    ("bev", _("Battery electric (BEV)")),
    ("phev", _("Plug-in hybrid (PHEV)")),
    ("erev", _("Range extender (EREV)")),
    ("ice", _("Petrol")),
]
SEATS = [("", _("Any")), ("5", _("5 or more")), ("6", _("6 or more")), ("7", _("7"))]
RATINGS = [(n, str(n)) for n in range(1, 6)]


def add_errors(form: forms.Form, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Like ``add_to_form``, after renaming the services' field names to this form's."""
    from autodcc.core.errors import add_to_form

    errors = exc.errors if isinstance(exc, Invalid) else [exc]
    for error in errors:
        if aliases and error.field in aliases:
            error.field = aliases[error.field]
    add_to_form(form, exc)


class ContactForm(forms.Form):
    """Name, mobile and the PIPL consents: processing (with the notice's version) and, separately,
    sharing with the dealer (art. 23); marketing is optional."""

    name = forms.CharField(label=_("Your name"), max_length=60,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel",
                                                          "placeholder": "138 0000 0000"}))
    consent_privacy = forms.BooleanField(required=False)
    consent_share_with_dealer = forms.BooleanField(required=False)
    consent_marketing = forms.BooleanField(required=False)

    ALIASES: ClassVar[dict[str, str]] = {"consent_version": "consent_privacy"}

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        try:
            phones.normalize_mobile(raw, field="phone")
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("consent_privacy"):
            self.add_error("consent_privacy", _("Please agree to the privacy notice to continue."))
        if not data.get("consent_share_with_dealer"):
            self.add_error("consent_share_with_dealer",
                           _("Please agree that your details are shared with the dealer, so that it can "
                             "contact you."))
        return data

    def lead_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"], "phone": data["phone"], "channel": "storefront",
            "consent_version": CONSENT_VERSION if data.get("consent_privacy") else "",
            "consent_share_with_dealer": bool(data.get("consent_share_with_dealer")),
            "consent_marketing": bool(data.get("consent_marketing")),
        }


class BookingForm(ContactForm):
    """Step 4 of the booking: the chosen car, dealer and time travel as hidden fields."""

    trim = forms.CharField(widget=forms.HiddenInput, max_length=60)
    dealer = forms.CharField(widget=forms.HiddenInput, max_length=20)
    starts_at = forms.CharField(widget=forms.HiddenInput, max_length=20)
    city = forms.CharField(widget=forms.HiddenInput, required=False, max_length=30)
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    field_order: ClassVar[list[str]] = ["name", "phone", "consent_privacy", "consent_share_with_dealer",
                                        "consent_marketing"]

    def clean_starts_at(self) -> dt.datetime:
        raw = self.cleaned_data["starts_at"].strip()
        try:
            naive = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise forms.ValidationError(_("Choose a time for the test drive.")) from None
        if naive.tzinfo is not None:
            return naive
        return timezone.make_aware(naive, timezone.get_current_timezone())


class EnquiryForm(ContactForm):
    trim = forms.ChoiceField(label=_("Car"))
    city = forms.CharField(label=_("Your city"), max_length=30, widget=forms.TextInput(
        attrs={"placeholder": _("e.g. 上海"), "list": "store-cities"}))
    message = forms.CharField(label=_("Anything we should know? (optional)"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}))

    field_order: ClassVar[list[str]] = ["trim", "city", "name", "phone", "message", "consent_privacy",
                                        "consent_share_with_dealer", "consent_marketing"]

    def __init__(self, *args: Any, trims: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trims = {t.slug: t for t in trims}
        self.fields["trim"].choices = [("", _("Choose a car"))] + [(t.slug, str(t)) for t in trims]

    def clean_city(self) -> str:
        return self.cleaned_data["city"].strip()


MAX_EXTRA = Decimal("1000000")
AMOUNT_ATTRS = {"step": "100", "inputmode": "decimal"}


class PriceForm(forms.Form):
    trim = forms.ChoiceField(label=_("Car"))
    colour = forms.ChoiceField(label=_("Colour"), required=False)
    edition = forms.ChoiceField(label=_("Special edition"), required=False)
    day = forms.DateField(label=_("Invoice date"), widget=forms.DateInput(attrs={"type": "date"}))
    commercial_insurance = forms.DecimalField(
        label=_("Commercial insurance (optional)"), required=False, min_value=0, max_value=MAX_EXTRA,
        max_digits=11, decimal_places=2, widget=forms.NumberInput(attrs=AMOUNT_ATTRS))
    accessories = forms.DecimalField(
        label=_("Accessories (optional)"), required=False, min_value=0, max_value=MAX_EXTRA,
        max_digits=11, decimal_places=2, widget=forms.NumberInput(attrs=AMOUNT_ATTRS))

    def __init__(self, *args: Any, trims: list[Any], trim: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trim"].choices = [(t.slug, str(t)) for t in trims]
        if trim is not None:
            self.fields["colour"].choices = [("", _("Standard colour"))] + [
                (str(c.pk), c.name if not c.extra_price else _("%(name)s (+¥%(price)s)") % {
                    "name": c.name, "price": f"{c.extra_price:,.0f}"})
                for c in trim.colours.all()]
            self.fields["edition"].choices = [("", _("No special edition"))] + [
                (e.slug, e.name) for e in trim.on_sale_editions]

    def clean_day(self) -> dt.date:
        day = self.cleaned_data["day"]
        today = timezone.localdate()
        last = today + dt.timedelta(days=PRICE_DAYS_AHEAD)
        if not today <= day <= last:
            message = _("Choose an invoice date from %(first)s to %(last)s.")
            raise forms.ValidationError(message % {"first": today, "last": last})
        return day


class LoanForm(forms.Form):
    """The loan: the down payment as a share of the price (the common steps) or as an amount, the
    term, and one of the finance offers valid today for the car or the consumer's own rate and fee.
    ``offers`` are the offers the car has today; ``price`` the car's price (for the amounts)."""

    OWN = "own"
    BY_SHARE, BY_AMOUNT = "pct", "amount"

    down_by = forms.ChoiceField(label=_("Down payment as"), widget=forms.RadioSelect, choices=[
        (BY_SHARE, _("A share of the price")), (BY_AMOUNT, _("An amount"))])
    down_pct = forms.TypedChoiceField(label=_("Down payment (share of the price)"), coerce=Decimal,
                                      required=False, empty_value=None)
    down_payment = forms.DecimalField(
        label=_("Down payment (amount)"), required=False, max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "1000", "inputmode": "decimal"}))
    months = forms.TypedChoiceField(label=_("Term"), coerce=int,
                                    choices=[(m, _("%(n)s months") % {"n": m}) for m in TERMS])
    offer = forms.ChoiceField(label=_("Finance offer"), widget=forms.RadioSelect, error_messages={
        "invalid_choice": _("This finance offer is not available for this car today; choose another one.")})
    annual_rate = forms.DecimalField(
        label=_("Your annual interest rate (%)"), required=False, max_digits=5, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    fee = forms.DecimalField(
        label=_("Your fee (optional)"), required=False, max_digits=11, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "100", "inputmode": "decimal"}))

    def __init__(self, *args: Any, offers: list[Any], price: Decimal | None, **kwargs: Any) -> None:
        from autodcc.catalog.finance import DOWN_STEPS, down_payment_for

        super().__init__(*args, **kwargs)
        self.offers = {str(o.pk): o for o in offers}
        self.price = price
        self.fields["offer"].choices = [(key, f"{o.lender} · {o.title}") for key, o in self.offers.items()] + [
            (self.OWN, _("My own rate"))]

        def step_label(pct: int) -> str:
            if not price:
                return f"{pct}%"
            return _("%(pct)s%% (¥%(amount)s)") % {"pct": pct, "amount": f"{down_payment_for(price, Decimal(pct)):,.0f}"}

        self.fields["down_pct"].choices = [(str(p), step_label(p)) for p in DOWN_STEPS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("offer") == self.OWN and data.get("annual_rate") is None and "annual_rate" not in self.errors:
            self.add_error("annual_rate", _("Give the annual interest rate."))
        if data.get("down_by") == self.BY_SHARE and data.get("down_pct") is None and "down_pct" not in self.errors:
            self.add_error("down_pct", _("Choose the share of the price you pay down."))
        if data.get("down_by") == self.BY_AMOUNT and data.get("down_payment") is None and "down_payment" not in self.errors:
            self.add_error("down_payment", _("Give the down payment."))
        return data

    @property
    def chosen_offer(self) -> Any:
        """The finance offer chosen, or None for the consumer's own rate."""
        return self.offers.get(self.cleaned_data["offer"])

    @property
    def down_field(self) -> str:
        return "down_pct" if self.cleaned_data["down_by"] == self.BY_SHARE else "down_payment"

    def down_amount(self, price: Decimal) -> Decimal:
        from autodcc.catalog.finance import down_payment_for

        data = self.cleaned_data
        return down_payment_for(price, data["down_pct"]) if data["down_by"] == self.BY_SHARE else data["down_payment"]

    @property
    def rate(self) -> Decimal:
        return self.cleaned_data["annual_rate"] / 100

    @property
    def fee_amount(self) -> Decimal:
        return self.cleaned_data.get("fee") or Decimal(0)


class RecommendForm(forms.Form):
    budget = forms.DecimalField(
        label=_("Budget (CNY, up to)"), required=False, min_value=0, max_digits=11, decimal_places=0,
        widget=forms.NumberInput(attrs={"step": "10000", "inputmode": "numeric", "placeholder": "250000"}),
    )
    use = forms.ChoiceField(label=_("Mainly for"), required=False, choices=USES)
    seats = forms.TypedChoiceField(label=_("Seats"), required=False, coerce=int, empty_value=None,
                                   choices=SEATS)
    energy = forms.ChoiceField(label=_("Energy type"), required=False, choices=ENERGIES)
    must_have = forms.MultipleChoiceField(label=_("Must have"), required=False,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, features: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["must_have"].choices = [(f.code, f.name) for f in features]


def rating(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, choices=RATINGS, widget=forms.RadioSelect)


class ReportForm(forms.Form):
    overall = rating(_("Overall"))
    driving = rating(_("Driving feel"))
    comfort = rating(_("Comfort"))
    service = rating(_("Dealer service"))
    likely_to_buy = forms.BooleanField(label=_("I am likely to buy this car"), required=False)
    comments = forms.CharField(label=_("Comments (optional)"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))


class PhoneLookupForm(forms.Form):
    """“My orders and test drives”: the mobile number, then the code sent to it."""

    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel",
                                                          "placeholder": "138 0000 0000"}))
    code = forms.CharField(label=_("Code from the SMS"), max_length=6, min_length=6, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "pattern": "[0-9]{6}"}))

    def clean_code(self) -> str:
        code = self.cleaned_data.get("code", "").strip()
        if code and not code.isdigit():
            raise forms.ValidationError(_("The code is six digits."))
        return code


class GiftAddressForm(forms.Form):
    """Where the winner's first-N gift goes (the service says what is wrong with an address)."""

    address = forms.CharField(
        label=_("Delivery address"), max_length=20_000, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address", "maxlength": 200}),
        help_text=_("Province, city, district, street and number; the courier calls the mobile number you booked with."))
