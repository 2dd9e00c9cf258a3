"""Forms of the catalogue and test-drive pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autodcc.catalog.models import Trim
from autodcc.console.forms.common import YES_NO, FilterForm, tri_state
from autodcc.testdrives.models import BookingStatus

TRIM_FIELDS = ["name", "guide_price", "offer_price", "deposit", "seats", "displacement_l", "range_km", "power_kw",
               "relief_eligible", "uses", "highlights", "is_active"]


class TrimForm(forms.Form):
    """The trim's editable facts; the service checks the business rules (offer ≤ guide, deposit cap)."""

    def __init__(self, *args: Any, trim: Trim, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(trim, name) for name in TRIM_FIELDS})
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Trim, fields=TRIM_FIELDS,
                                                  widgets={"highlights": forms.Textarea(attrs={"rows": 3})}))

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in TRIM_FIELDS}


class SpecImportForm(forms.Form):
    file = forms.FileField(label=_("Specification table (.xlsx or .csv)"))


class PhotoForm(forms.Form):
    image = forms.ImageField(label=_("Picture (PNG, JPEG or WebP)"))
    caption = forms.CharField(label=_("Caption"), max_length=80, required=False)

    def clean_image(self) -> Any:
        image = self.cleaned_data["image"]
        if image.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The picture is larger than 5 MB."))
        if getattr(image, "image", None) is not None and image.image.format not in ("PNG", "JPEG", "WEBP"):
            raise forms.ValidationError(_("Upload a PNG, JPEG or WebP picture."))
        return image


class BookingFilterForm(FilterForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *BookingStatus.choices], required=False)
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reported = forms.TypedChoiceField(label=_("Report received"), choices=YES_NO, required=False, coerce=tri_state,
                                      empty_value=None)


class FleetCarForm(forms.Form):
    trim = forms.ModelChoiceField(label=_("Trim"), queryset=Trim.objects.filter(is_active=True))
    colour = forms.CharField(label=_("Colour"), max_length=30, required=False)
    plate = forms.CharField(label=_("Plate"), max_length=10, required=False)
