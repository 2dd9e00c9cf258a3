"""Forms of the lead pages: the list filter, staff entry, import, and each action on a lead."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autodcc.campaigns.models import Campaign
from autodcc.console.forms.common import FilterForm, ImportForm, date_input, datetime_input
from autodcc.core.actors import Actor
from autodcc.core.roles import Role
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


def staff_choices(actor: Actor, role: str) -> Any:
    """People holding ``role`` at the dealers the actor sees."""
    return (Staff.objects.visible_to(actor).filter(grants__role=role, grants__dealer__isnull=False)
            .distinct().order_by("name"))


def reason_choices(kind: str | None) -> list[tuple[str, Any]]:
    reasons = INVALID_REASONS if kind == DefeatKind.INVALID else DEFEAT_REASONS
    return [("", _("Choose a reason")), *((r.value, r.label) for r in reasons)]


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


CAMPAIGN_AFTER_DAYS = 30  # staff entry offers the campaigns running now or ended this month


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
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
                                      empty_label=_("None"), help_text=_("The campaign the customer came for."))
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
        recent = timezone.localdate() - dt.timedelta(days=CAMPAIGN_AFTER_DAYS)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(actor).filter(ends_on__gte=recent).order_by(
            "-starts_on")


class LeadImportForm(ImportForm):
    skip_bad_rows = forms.BooleanField(label=_("Save the good rows and skip the bad ones"), required=False)


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


def reassign_people(actor: Actor) -> list[tuple[Any, list[tuple[int, str]]]]:
    """Who the actor may give leads to, grouped: the DCC agents and the sales consultants of the
    dealers where the actor may reassign (the dealer named when there are several)."""
    from autodcc.leads.services.assignment import agents_of
    from autodcc.leads.services.showroom import consultants_of

    dealers = [d for d in Dealer.objects.filter(pk__in=sorted(actor.dealer_ids)).order_by("code")
               if actor.can("leads.reassign", dealer=d)]
    several = len(dealers) > 1
    groups: list[tuple[Any, list[tuple[int, str]]]] = []
    for dealer in dealers:
        for label, people in ((_("DCC agents"), agents_of(dealer)), (_("Sales consultants"), consultants_of(dealer))):
            if people:
                title = f"{dealer} · {label}" if several else label
                groups.append((title, [(p.pk, p.name) for p in sorted(people, key=lambda p: (p.name, p.pk))]))
    return groups


class _AnyPerson(forms.TypedChoiceField):
    """A person from the list — or any other id, which the service answers with a clear refusal
    (an inactive colleague, someone of another dealer) rather than a generic "invalid choice"."""

    def valid_value(self, value: Any) -> bool:
        return True


class BulkReassignForm(forms.Form):
    """The lead list's "reassign the chosen leads to one person, with a reason" (LEAD-4)."""

    staff = _AnyPerson(label=_("Reassign to"), coerce=int, empty_value=None,
                       error_messages={"required": _("Choose the person who takes the leads.")})
    note = forms.CharField(label=_("Reason"), required=False, strip=False,
                           widget=forms.TextInput(attrs={"maxlength": 200, "placeholder": _("Why they move")}))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["staff"].choices = [("", _("Choose a person")), *reassign_people(actor)]
        self.fields["note"].validators = []  # the service checks the reason (NUL and length included)

    def clean_staff(self) -> Staff:
        pk = self.cleaned_data["staff"]
        person = Staff.objects.visible_to(self.actor).select_related("user").filter(pk=pk).first()
        if person is None:
            raise forms.ValidationError(_("Choose the person who takes the leads."))
        return person

    def lead_ids(self) -> list[int]:
        """The ticked leads' ids; anything that is not an id is refused."""
        try:
            return [int(v) for v in self.data.getlist("lead")]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose the leads from the list.")) from None


class ReallocateForm(forms.Form):
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(),
                                    empty_label=_("Choose a dealer"))
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, current: Dealer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = Dealer.objects.filter(is_active=True).exclude(pk=current.pk).order_by("code")


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
