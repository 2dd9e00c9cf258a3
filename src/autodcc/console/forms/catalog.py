"""Forms of the catalogue and test-drive pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autodcc.catalog.finance import TERMS
from autodcc.catalog.models import AccessoryPackage, CarModel, Colour, Edition, FinanceOffer, PriceChange, Series, Trim
from autodcc.console.forms.common import YES_NO, FilterForm, date_input, tri_state
from autodcc.testdrives.models import BookingStatus

MONEY_INPUT = {"step": "0.01", "min": "0"}


class SeriesForm(forms.ModelForm):
    class Meta:
        model = Series
        fields = ["code", "slug", "name", "tagline", "body_type", "description", "image", "sort"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "image": forms.FileInput}
        help_texts = {"slug": _("Letters, digits and hyphens: the last part of the store's web address.")}

    def clean_image(self) -> Any:
        return _picture(self.cleaned_data.get("image"))


class CarModelForm(forms.ModelForm):
    class Meta:
        model = CarModel
        fields = ["code", "name", "year", "energy", "sort"]


class TrimForm(forms.ModelForm):
    """The trim's facts; the service checks the business rules (offer ≤ guide, deposit cap). Prices
    for a later date go through a price change."""

    class Meta:
        model = Trim
        fields = ["code", "slug", "name", "guide_price", "offer_price", "deposit", "seats", "displacement_l",
                  "range_km", "power_kw", "relief_eligible", "vessel_tax_exempt", "uses", "highlights", "features",
                  "sort"]
        widgets = {"highlights": forms.Textarea(attrs={"rows": 3}), "features": forms.CheckboxSelectMultiple}


class ColourForm(forms.ModelForm):
    class Meta:
        model = Colour
        fields = ["name", "hex", "extra_price"]
        widgets = {"hex": forms.TextInput(attrs={"type": "color"})}

    def clean_hex(self) -> str:
        value = self.cleaned_data["hex"]
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value or ""):
            raise forms.ValidationError(_("Write the colour as # and six hexadecimal digits, e.g. #2a6f97."))
        return value.lower()


class PriceChangeForm(forms.ModelForm):
    class Meta:
        model = PriceChange
        fields = ["effective_on", "guide_price", "offer_price", "note"]
        widgets = {"effective_on": date_input()}


class EditionForm(forms.ModelForm):
    class Meta:
        model = Edition
        fields = ["code", "slug", "name", "trim", "guide_price", "offer_price", "deposit", "package", "quantity",
                  "starts_on", "ends_on", "rewards", "voucher_value", "fuel_card_value", "rewards_when",
                  "reward_valid_days", "is_active"]
        widgets = {"starts_on": date_input(), "ends_on": date_input()}
        help_texts = {"voucher_value": _("Issued to the buyer once the condition below holds; 0: none."),
                      "fuel_card_value": _("A charging card for a battery-electric car; 0: none.")}


class PackageForm(forms.ModelForm):
    parts = forms.CharField(
        label=_("Parts"), widget=forms.Textarea(attrs={"rows": 6, "placeholder": "ACC-7701, 星空顶氛围灯, 1"}),
        help_text=_("One part a line: part number, name and, if more than one, the quantity."))

    class Meta:
        model = AccessoryPackage
        fields = ["code", "name", "internal_price", "lead_time_days"]
        help_texts = {"internal_price": _("Between HQ and the dealer; never shown to consumers.")}


class FinanceOfferForm(forms.ModelForm):
    """A lender's offer; the service checks the rules (terms from the menu, rate 0–36 %, fee,
    minimum down payment, dates) and works out the disclosed APR."""

    term_choices = forms.TypedMultipleChoiceField(
        label=_("Terms offered"), coerce=int, widget=forms.CheckboxSelectMultiple,
        choices=[(m, _("%(n)s months") % {"n": m}) for m in TERMS])
    field_order = ["lender", "title", "term_choices"]

    class Meta:
        model = FinanceOffer
        fields = ["lender", "title", "annual_rate", "fee_kind", "fee_value", "min_down_pct", "valid_from",
                  "valid_until", "car_models", "trims", "is_active"]
        widgets = {"valid_from": date_input(), "valid_until": date_input(),
                   "car_models": forms.CheckboxSelectMultiple, "trims": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["term_choices"].initial = self.instance.term_list
        self.fields["trims"].queryset = Trim.objects.select_related("model").order_by(
            "model__series__sort", "model__sort", "sort", "code")

    def validate_constraints(self) -> None:
        """The service checks the same rules as the database constraints, each with its message
        on its field; the constraints' generic messages would only repeat them."""

    def save(self, commit: bool = True) -> FinanceOffer:
        offer = super().save(commit=False)
        offer.terms = ",".join(str(m) for m in sorted(self.cleaned_data.get("term_choices") or []))
        if commit:
            offer.save()
            self.save_m2m()
        return offer


def _picture(image: Any) -> Any:
    if image and getattr(image, "size", 0) > 5 * 1024 * 1024:
        raise forms.ValidationError(_("The picture is larger than 5 MB."))
    if image and getattr(image, "image", None) is not None and image.image.format not in ("PNG", "JPEG", "WEBP"):
        raise forms.ValidationError(_("Upload a PNG, JPEG or WebP picture."))
    return image


class SpecImportForm(forms.Form):
    file = forms.FileField(label=_("Specification table (.xlsx or .csv)"))



class PhotoForm(forms.Form):
    image = forms.ImageField(label=_("Picture (PNG, JPEG or WebP)"))
    caption = forms.CharField(label=_("Caption"), max_length=80, required=False)

    def clean_image(self) -> Any:
        return _picture(self.cleaned_data["image"])


class BookingFilterForm(FilterForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *BookingStatus.choices], required=False)
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reported = forms.TypedChoiceField(label=_("Report received"), choices=YES_NO, required=False, coerce=tri_state,
                                      empty_value=None)


class FleetCarForm(forms.Form):
    trim = forms.ModelChoiceField(label=_("Trim"), queryset=Trim.objects.filter(is_active=True))
    colour = forms.CharField(label=_("Colour"), max_length=30, required=False)
    plate = forms.CharField(label=_("Plate"), max_length=10, required=False)


class RateForm(forms.Form):
    """A rate from a date on, in the shape of the entry in force today (one field per value;
    lists such as the vessel-tax bands as JSON)."""

    effective_on = forms.DateField(label=_("Valid from"), widget=date_input())
    note = forms.CharField(label=_("Source or note"), max_length=200, required=False,
                           help_text=_("The document that sets the rate, e.g. MOF/STA 2025 No. 3."))

    def __init__(self, *args: Any, table: str, **kwargs: Any) -> None:
        import json

        from autodcc.catalog import rates

        super().__init__(*args, **kwargs)
        self.table = table
        for key, value in rates.template(table).items():
            label = rates.KEY_LABELS.get(key, key)
            if key == "mode":
                self.fields[key] = forms.ChoiceField(label=label, choices=list(rates.MODE_LABELS.items()), initial=value)
            elif isinstance(value, list | dict):
                self.fields[key] = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 6}),
                                                   initial=json.dumps(value, ensure_ascii=False, indent=1))
            else:
                self.fields[key] = forms.CharField(label=label, initial=str(value), max_length=200)
        self.value_keys = list(rates.template(table))

    def values(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in self.value_keys}
