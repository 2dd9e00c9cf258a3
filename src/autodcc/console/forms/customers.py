"""Forms of the customer pages: search, profile, vehicles, saved-group criteria."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autodcc.console.forms.common import YES_NO, date_input, tri_state
from autodcc.console.forms.leads import staff_choices
from autodcc.core import geo
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError
from autodcc.core.roles import Role
from autodcc.customers.models import AgeBand, CustomerKind, Family
from autodcc.leads.models import (
    Channel,
    Grade,
    Status,
)
from autodcc.network.models import Dealer, Staff


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"type": "search", "autofocus": True,
                                                      "placeholder": _("Name, mobile, last 4 digits, plate or VIN")}))


class CustomerProfileForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Customer type"), choices=CustomerKind.choices)
    gender = forms.ChoiceField(label=_("Gender"), required=False,
                               choices=[("", "—"), ("m", _("Male")), ("f", _("Female"))])
    age_band = forms.ChoiceField(label=_("Age band"), required=False, choices=[("", "—"), *AgeBand.choices])
    occupation = forms.CharField(label=_("Occupation / industry"), max_length=60, required=False)
    family = forms.ChoiceField(label=_("Family"), required=False, choices=[("", "—"), *Family.choices])
    hobbies = forms.CharField(label=_("Hobbies"), max_length=200, required=False)
    budget_min = forms.IntegerField(label=_("Budget from (CNY)"), min_value=0, required=False)
    budget_max = forms.IntegerField(label=_("Budget up to (CNY)"), min_value=0, required=False)
    current_car = forms.CharField(label=_("Current car"), max_length=60, required=False)
    postal_address = forms.CharField(label=_("Postal address"), max_length=200, required=False,
                                     help_text=_("For direct mail, with the customer's consent to marketing."))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("budget_min"), data.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("The upper budget is below the lower one."))
        return data


def trim_field() -> forms.CharField:
    """The car's model and trim from the catalogue, grouped by model; checked by the service (a
    trim that does not exist or is off sale is refused there, on this field)."""
    return forms.CharField(label=_("Model and trim (our cars)"), required=False, widget=forms.Select(),
                           help_text=_("One of our cars: choose its model and trim; it then follows that model's "
                                       "maintenance schedule."))


def model_name_field() -> forms.CharField:
    # no max_length here: the service refuses a name too long in words people read
    return forms.CharField(label=_("Another brand's model"), required=False,
                           help_text=_("A car of another brand: type its model here instead. With neither, the car "
                                       "has no maintenance schedule until its model is chosen."))


class ModelChoice:
    """Fills the trim select with the catalogue (and the car's own trim, if no longer on sale)."""

    def _fill_trims(self, keep: Any = None) -> None:
        from autodcc.catalog.selectors import trims_to_choose

        field = self.fields["trim"]  # type: ignore[attr-defined]
        field.widget.choices = [("", _("— Not one of our cars, or not known —")), *trims_to_choose(keep=keep)]


class VehicleForm(ModelChoice, forms.Form):
    vin = forms.CharField(label=_("VIN"), max_length=25)
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    trim = trim_field()
    model_name = model_name_field()
    purchase_date = forms.DateField(label=_("Purchase date"), required=False, widget=date_input())
    mileage_km = forms.IntegerField(label=_("Mileage (km)"), min_value=0, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fill_trims()


class MultiCheck(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class CriteriaForm(forms.Form):
    """One field per criterion of :data:`autodcc.customers.criteria.FILTERS`."""

    name = forms.CharField(label=_("Group name"), max_length=80, required=False)
    # profile
    kind = MultiCheck(label=_("Customer type"), choices=CustomerKind.choices, required=False)
    gender = MultiCheck(label=_("Gender"), choices=[("m", _("Male")), ("f", _("Female"))], required=False)
    age_band = MultiCheck(label=_("Age band"), choices=AgeBand.choices, required=False)
    family = MultiCheck(label=_("Family"), choices=Family.choices, required=False)
    occupation = forms.CharField(label=_("Occupation contains"), max_length=60, required=False)
    hobbies = forms.CharField(label=_("Hobbies contain"), max_length=60, required=False)
    current_car = forms.CharField(label=_("Current car contains"), max_length=60, required=False)
    budget_at_least = forms.IntegerField(label=_("Budget reaches at least (CNY)"), min_value=0, required=False)
    budget_at_most = forms.IntegerField(label=_("Budget starts at most at (CNY)"), min_value=0, required=False)
    city = forms.CharField(label=_("City"), max_length=30, required=False,
                           help_text=_("City name or 6-digit administrative code."))
    # leads
    lead_channel = MultiCheck(label=_("Lead channel"), choices=Channel.choices, required=False)
    lead_grade = MultiCheck(label=_("Lead grade"), choices=Grade.choices, required=False)
    lead_status = MultiCheck(label=_("Lead status"), choices=Status.choices, required=False)
    lead_model = forms.CharField(label=_("Model of interest contains"), max_length=60, required=False)
    lead_campaign = forms.CharField(label=_("Campaign contains"), max_length=60, required=False)
    lead_dealer = forms.ModelChoiceField(label=_("Lead at dealer"), queryset=Dealer.objects.none(), required=False,
                                         empty_label=_("Any dealer"))
    lead_created_from = forms.DateField(label=_("Lead created from"), required=False, widget=date_input())
    lead_created_to = forms.DateField(label=_("Lead created until"), required=False, widget=date_input())
    lead_consultant = forms.ModelChoiceField(label=_("Sales consultant"), queryset=Staff.objects.none(),
                                             required=False, empty_label=_("Anyone"))
    lead_test_driven = forms.TypedChoiceField(label=_("Test-driven"), choices=YES_NO, required=False,
                                              coerce=tri_state, empty_value=None)
    lead_purchase_from = forms.DateField(label=_("Expected purchase from"), required=False, widget=date_input())
    lead_purchase_to = forms.DateField(label=_("Expected purchase until"), required=False, widget=date_input())
    lead_visit_from = forms.DateField(label=_("Expected visit from"), required=False, widget=date_input())
    lead_visit_to = forms.DateField(label=_("Expected visit until"), required=False, widget=date_input())
    lead_follow_up_by = forms.DateField(label=_("Next follow-up on or before"), required=False, widget=date_input())
    # vehicles
    vehicle_model = forms.CharField(label=_("Vehicle model contains"), max_length=60, required=False)
    purchased_from = forms.DateField(label=_("Vehicle bought from"), required=False, widget=date_input())
    purchased_to = forms.DateField(label=_("Vehicle bought until"), required=False, widget=date_input())
    vehicle_plate = forms.CharField(label=_("Plate contains"), max_length=12, required=False)
    mileage_at_least = forms.IntegerField(label=_("Mileage at least (km)"), min_value=0, max_value=2_000_000,
                                          required=False)
    service_due_by = forms.DateField(label=_("Next service due on or before"), required=False, widget=date_input())
    has_vehicle = forms.TypedChoiceField(label=_("Owns a vehicle"), choices=YES_NO, required=False, coerce=tri_state,
                                         empty_value=None)

    SECTIONS = (
        (_("Profile"), ("kind", "gender", "age_band", "family", "occupation", "hobbies", "current_car", "budget_at_least",
                        "budget_at_most", "city")),
        (_("Leads"), ("lead_channel", "lead_grade", "lead_status", "lead_model", "lead_campaign", "lead_dealer",
                      "lead_created_from", "lead_created_to", "lead_consultant", "lead_test_driven",
                      "lead_purchase_from", "lead_purchase_to", "lead_visit_from", "lead_visit_to",
                      "lead_follow_up_by")),
        (_("Vehicles"), ("vehicle_model", "vehicle_plate", "purchased_from", "purchased_to", "mileage_at_least",
                         "service_due_by", "has_vehicle")),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_dealer"].queryset = Dealer.objects.visible_to(actor).order_by("code")
        self.fields["lead_consultant"].queryset = staff_choices(actor, Role.SALES_CONSULTANT)

    def sections(self) -> list[tuple[Any, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_city(self) -> str:
        text = (self.cleaned_data.get("city") or "").strip()
        if not text:
            return ""
        try:
            return geo.lookup_city(text).adcode
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def criteria(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.cleaned_data.items():
            if key == "name" or value in (None, "", []):
                continue
            if isinstance(value, (Dealer, Staff)):
                value = value.pk
            elif isinstance(value, dt.date):
                value = value.isoformat()
            out[key] = value
        return out


class VehicleUpdateForm(forms.Form):
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    mileage_km = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=2_000_000, required=False)


class VehicleEditForm(ModelChoice, forms.Form):
    """The car's own page of edits: the plate, the model (catalogue trim or another brand's), the
    mileage the owner reports."""

    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    trim = trim_field()
    model_name = model_name_field()
    purchase_date = forms.DateField(label=_("Purchase date"), required=False, widget=date_input(),
                                    help_text=_("Left empty, a known date stays as it is."))
    mileage_km = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=2_000_000, required=False)

    MODEL_FIELDS = ("trim", "model_name", "purchase_date")

    def __init__(self, *args: Any, vehicle: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"plate": vehicle.plate, "mileage_km": vehicle.mileage_km,
                                      "trim": str(vehicle.trim_id or ""),
                                      "model_name": "" if vehicle.trim_id else vehicle.model_name,
                                      "purchase_date": vehicle.purchase_date})
        super().__init__(*args, **kwargs)
        self._fill_trims(keep=vehicle.trim if vehicle.trim_id else None)
