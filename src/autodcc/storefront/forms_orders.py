"""The store's deposit-order forms (ORD-1, ORD-5, ORD-7). Field names follow the services'
field names, so that a refused input's message lands on the right field."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from autodcc.storefront.forms import ContactForm


class OrderForm(ContactForm):
    """The deposit order: colour, dealer (one of the suggestions, or none: the allocation rules
    choose), buyer, loan interest, the deposit terms and the two PIPL consents. The city and the
    edition travel as hidden fields (the city was given in the step before)."""

    colour = forms.ChoiceField(label=_("Colour"), widget=forms.RadioSelect, required=False)
    dealer = forms.ChoiceField(label=_("Dealer"), widget=forms.RadioSelect, required=False)
    wants_loan = forms.BooleanField(label=_("I am interested in a car loan"), required=False)
    accept_terms = forms.BooleanField(required=False)
    city = forms.CharField(widget=forms.HiddenInput, required=False, max_length=30)
    edition = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    field_order: ClassVar[list[str]] = ["dealer", "colour", "name", "phone", "wants_loan", "accept_terms",
                                        "consent_privacy", "consent_share_with_dealer", "consent_marketing"]

    def __init__(self, *args: Any, colours: list[Any], dealers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.colours = {c.name: c for c in colours}
        self.dealers = {d.code: d for d in dealers}
        self.fields["colour"].choices = [(c.name, c.name) for c in colours]
        self.fields["colour"].required = bool(colours)
        self.fields["dealer"].choices = [("", _("Let the brand choose a dealer for me"))] + [
            (d.code, str(d)) for d in dealers]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("accept_terms"):
            self.add_error("accept_terms", _("Please read and accept the deposit terms to continue."))
        if not (data.get("city") or "").strip() and not data.get("dealer"):
            self.add_error("dealer", _("Tell us your city or choose a dealer."))
        return data

    def clean_colour(self) -> str:
        value = self.cleaned_data.get("colour") or ""
        if self.colours and value not in self.colours:
            raise forms.ValidationError(_("Choose a colour."))
        return value


class PayForm(forms.Form):
    provider = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, providers: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = providers
        if len(providers) == 1:
            self.fields["provider"].initial = providers[0][0]


class RefundForm(forms.Form):
    reason = forms.CharField(
        label=_("Why would you like your deposit back?"), max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. my plans have changed")}),
        error_messages={"required": _("Please tell us briefly why, so that the dealer can confirm quickly.")})

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Please tell us briefly why, so that the dealer can confirm quickly."))
        return reason
