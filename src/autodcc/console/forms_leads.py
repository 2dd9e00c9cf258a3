"""Forms of the lead and customer pages. Business rules stay in the services: the forms only
parse input; what the services refuse comes back through ``add_to_form``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autodcc.console.forms import YES_NO, FilterForm, ImportForm, tri_state
from autodcc.core import geo
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError
from autodcc.core.roles import Role
from autodcc.customers.models import AgeBand, CustomerKind, Family
from autodcc.leads.models import (
    DEFEAT_REASONS,
    INVALID_REASONS,
    Channel,
    ContactKind,
    ContactResult,
    DefeatKind,
    Grade,
    Stage,
    Status,
)
from autodcc.leads.rules import DEFAULT_GRADE_INTERVALS
from autodcc.network.models import Dealer, Staff, weekdays_display

CONSENT_VERSION = "console-2026-01"

DATE = {"type": "date"}
DATETIME_LOCAL = {"type": "datetime-local"}


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs=DATETIME_LOCAL, format="%Y-%m-%dT%H:%M")


def staff_choices(actor: Actor, role: str) -> Any:
    """People holding ``role`` at the dealers the actor sees."""
    return (Staff.objects.visible_to(actor).filter(grants__role=role, grants__dealer__isnull=False)
            .distinct().order_by("name"))


def reason_choices(kind: str | None) -> list[tuple[str, Any]]:
    reasons = INVALID_REASONS if kind == DefeatKind.INVALID else DEFEAT_REASONS
    return [("", _("Choose a reason")), *((r.value, r.label) for r in reasons)]


# --- lists -----------------------------------------------------------------------------------


class LeadFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, last 4 digits, number or model"),
                                                      "type": "search"}))
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Status.choices], required=False)
    grade = forms.ChoiceField(label=_("Grade"), choices=[("", _("All")), *Grade.choices], required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All channels")), *Channel.choices],
                                required=False)
    stage = forms.ChoiceField(label=_("Held by"), choices=[("", _("All")), *Stage.choices], required=False)
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    empty_label=_("All dealers"))
    agent = forms.ModelChoiceField(label=_("DCC agent"), queryset=Staff.objects.none(), required=False,
                                   empty_label=_("Anyone"))
    consultant = forms.ModelChoiceField(label=_("Sales consultant"), queryset=Staff.objects.none(), required=False,
                                        empty_label=_("Anyone"))
    created_from = forms.DateField(label=_("Created from"), required=False, widget=date_input())
    created_to = forms.DateField(label=_("Created until"), required=False, widget=date_input())
    overdue = forms.BooleanField(label=_("Follow-up overdue"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dealers = Dealer.objects.visible_to(actor).order_by("code")
        if actor.is_hq or actor.region_ids or len(actor.dealer_ids) > 1:
            self.fields["dealer"].queryset = dealers
        else:
            del self.fields["dealer"]
        self.fields["agent"].queryset = staff_choices(actor, Role.DCC_AGENT)
        self.fields["consultant"].queryset = staff_choices(actor, Role.SALES_CONSULTANT)


class ArrivalDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=date_input())


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"type": "search", "autofocus": True,
                                                      "placeholder": _("Name, mobile, last 4 digits, plate or VIN")}))


# --- capture and import ----------------------------------------------------------------------


class LeadCreateForm(forms.Form):
    """A walk-in or a hotline call entered by staff. The names match the capture service's
    fields so its errors land on them."""

    name = forms.CharField(label=_("Customer name"), max_length=60, required=False)
    phone = forms.CharField(label=_("Mobile"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    city = forms.CharField(label=_("City"), max_length=30, required=False,
                           help_text=_("City name or 6-digit administrative code."))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.WALK_IN)
    model_interest = forms.CharField(label=_("Model of interest"), max_length=80, required=False)
    message = forms.CharField(label=_("Message / notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    empty_label=_("Allocate by city"))
    consent_version = forms.BooleanField(label=_("The customer agreed to the privacy notice"), required=False)
    consent_share_with_dealer = forms.BooleanField(
        label=_("The customer separately agreed to share their details with the dealer"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent_version"].label = gettext(
            "The customer agreed to the privacy notice (version %(version)s)") % {"version": CONSENT_VERSION}
        if actor.is_hq:
            self.fields["dealer"].queryset = Dealer.objects.filter(is_active=True).order_by("code")
        else:
            del self.fields["dealer"]


class LeadImportForm(ImportForm):
    skip_bad_rows = forms.BooleanField(label=_("Save the good rows and skip the bad ones"), required=False)


# --- lead actions ----------------------------------------------------------------------------


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Contact"), choices=ContactKind.choices, initial=ContactKind.CALL_OUT)
    result = forms.ChoiceField(label=_("Result"), choices=ContactResult.choices, initial=ContactResult.REACHED)
    grade = forms.ChoiceField(label=_("Intent grade"), required=False,
                              choices=[("", _("Keep the current grade")), *Grade.choices])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    recording_ref = forms.CharField(label=_("Call recording reference"), max_length=200, required=False)
    expected_purchase_on = forms.DateField(label=_("Expected purchase"), required=False, widget=date_input())
    expected_visit_on = forms.DateField(label=_("Expected visit"), required=False, widget=date_input())
    next_follow_up_on = forms.DateField(label=_("Next follow-up"), required=False, widget=date_input(),
                                        help_text=_("Blank: set from the grade."))


class InviteForm(forms.Form):
    scheduled_at = forms.DateTimeField(label=_("Visit time"), widget=datetime_input())
    purpose = forms.CharField(label=_("Purpose"), max_length=80, required=False,
                              widget=forms.TextInput(attrs={"placeholder": _("Test drive, quotation…")}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


CONFIRM_OUTCOMES = [("confirmed", _("Confirmed")), ("reschedule", _("Reschedule")), ("cancelled", _("Cancelled"))]


class ConfirmForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CONFIRM_OUTCOMES, initial="confirmed")
    new_time = forms.DateTimeField(label=_("New visit time"), required=False, widget=datetime_input(),
                                   help_text=_("Only when rescheduling."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CareNoteForm(forms.Form):
    """A care call marked done, with what the customer said; the table shows no label, so the
    input names itself."""

    note = forms.CharField(label=_("Care-call note (optional)"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("Care-call note (optional)"),
                                                         "aria-label": _("Care-call note (optional)")}))


class HandoverForm(forms.Form):
    consultant = forms.ModelChoiceField(label=_("Sales consultant"), queryset=Staff.objects.none(),
                                        empty_label=_("Choose a consultant"))
    note = forms.CharField(label=_("Note for the consultant"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, consultants: list[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = Staff.objects.filter(pk__in=[c.pk for c in consultants]).order_by("name")


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[(s, s) for s in ("presented", "test_driven", "negotiated", "ordered",
                                                       "delivered")])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class DefeatForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DefeatKind.choices, initial=DefeatKind.DEFEAT)
    # any text parses; the service says whether the reason fits the kind
    reason = forms.CharField(label=_("Reason"), max_length=16, required=False, widget=forms.Select)
    competitor_brand = forms.CharField(label=_("Competitor brand"), max_length=40, required=False)
    competitor_model = forms.CharField(label=_("Competitor model"), max_length=60, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.data.get(self.add_prefix("kind")) if self.is_bound else None
        self.fields["reason"].widget.choices = reason_choices(kind or self.initial.get("kind") or DefeatKind.DEFEAT)

    def clean_reason(self) -> str:
        reason = self.cleaned_data.get("reason") or ""
        if not reason:
            raise forms.ValidationError(_("Choose a reason."))
        return reason


class ApproveForm(forms.Form):
    revisit_on = forms.DateField(label=_("Revisit on"), required=False, widget=date_input(),
                                 help_text=_("Optional: a call to try again later."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RejectForm(forms.Form):
    note = forms.CharField(label=_("Why it goes back to follow-up"), max_length=500, required=False)


class ReassignForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("DCC agent"), queryset=Staff.objects.none(),
                                   empty_label=_("Choose an agent"))
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, agents: list[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = Staff.objects.filter(pk__in=[a.pk for a in agents]).order_by("name")


class ReallocateForm(forms.Form):
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(),
                                    empty_label=_("Choose a dealer"))
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, current: Dealer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = Dealer.objects.filter(is_active=True).exclude(pk=current.pk).order_by("code")


# --- dealer lead rules -----------------------------------------------------------------------


class LeadSettingsForm(forms.Form):
    sla_minutes = forms.IntegerField(label=_("First response within (opening minutes)"), min_value=1,
                                     max_value=24 * 60)
    post_delivery_days = forms.CharField(label=_("Post-delivery follow-ups (days after delivery)"), max_length=100,
                                         help_text=_("Comma-separated, e.g. 1, 7, 30."))
    defeat_needs_contact = forms.BooleanField(
        label=_("A defeat needs a recorded contact attempt"), required=False,
        help_text=_("The manager then never approves closing a lead nobody has called."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for grade in DEFAULT_GRADE_INTERVALS:
            self.fields[f"interval_{grade}"] = forms.IntegerField(
                label=gettext("Revisit every (days), grade %(grade)s") % {"grade": grade}, min_value=1, max_value=90)

    def clean_post_delivery_days(self) -> list[int]:
        text = (self.cleaned_data.get("post_delivery_days") or "").replace("，", ",").replace("、", ",")
        days: list[int] = []
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= 365:
                raise forms.ValidationError(_("“%(value)s” is not a number of days between 1 and 365."),
                                            params={"value": part})
            days.append(int(part))
        if not days:
            raise forms.ValidationError(_("Give at least one day."))
        return days

    def grade_intervals(self) -> dict[str, int]:
        return {g: self.cleaned_data[f"interval_{g}"] for g in DEFAULT_GRADE_INTERVALS}


# --- customers -------------------------------------------------------------------------------


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

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("budget_min"), data.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("The upper budget is below the lower one."))
        return data


class VehicleForm(forms.Form):
    vin = forms.CharField(label=_("VIN"), max_length=25)
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    model_name = forms.CharField(label=_("Model"), max_length=60, required=False)
    purchase_date = forms.DateField(label=_("Purchase date"), required=False, widget=date_input())
    mileage_km = forms.IntegerField(label=_("Mileage (km)"), min_value=0, required=False)


class MultiCheck(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class CriteriaForm(forms.Form):
    """One field per criterion of :data:`autodcc.customers.criteria.FILTERS`."""

    name = forms.CharField(label=_("Group name"), max_length=80, required=False)
    # profile
    kind = MultiCheck(label=_("Customer type"), choices=CustomerKind.choices, required=False)
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
    # vehicles
    vehicle_model = forms.CharField(label=_("Vehicle model contains"), max_length=60, required=False)
    purchased_from = forms.DateField(label=_("Vehicle bought from"), required=False, widget=date_input())
    purchased_to = forms.DateField(label=_("Vehicle bought until"), required=False, widget=date_input())
    has_vehicle = forms.TypedChoiceField(label=_("Owns a vehicle"), choices=YES_NO, required=False, coerce=tri_state,
                                         empty_value=None)

    SECTIONS = (
        (_("Profile"), ("kind", "age_band", "family", "occupation", "hobbies", "current_car", "budget_at_least",
                        "budget_at_most", "city")),
        (_("Leads"), ("lead_channel", "lead_grade", "lead_status", "lead_model", "lead_campaign", "lead_dealer",
                      "lead_created_from", "lead_created_to")),
        (_("Vehicles"), ("vehicle_model", "purchased_from", "purchased_to", "has_vehicle")),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_dealer"].queryset = Dealer.objects.visible_to(actor).order_by("code")

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
            if isinstance(value, Dealer):
                value = value.pk
            elif isinstance(value, dt.date):
                value = value.isoformat()
            out[key] = value
        return out


class TestDriveForm(forms.Form):
    """Book a test drive for the lead's customer: a car of the dealer's fleet and one of its free times."""

    trim = forms.TypedChoiceField(label=_("Car"), coerce=int)
    starts_at = forms.ChoiceField(label=_("Time"))

    def __init__(self, *args: Any, trims: list[Any], starts: list[dt.datetime], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trims = {t.pk: t for t in trims}
        self.fields["trim"].choices = [(t.pk, str(t)) for t in trims]
        self.starts = {s.isoformat(): s for s in starts}
        days: dict[str, list[tuple[str, str]]] = {}
        for s in starts:
            local = timezone.localtime(s)
            day = f"{local:%m-%d} {weekdays_display(str(local.isoweekday()))}"
            days.setdefault(day, []).append((s.isoformat(), local.strftime("%m-%d %H:%M")))
        self.fields["starts_at"].choices = list(days.items())

    def clean_starts_at(self) -> dt.datetime:
        return self.starts[self.cleaned_data["starts_at"]]
