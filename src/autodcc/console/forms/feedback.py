"""Forms of the complaint pages: the list's filters, staff entry of a call or a walk-in, the
handler's actions, HQ's routing, the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.console.forms.common import DATE, FilterForm
from autodcc.core.actors import Actor
from autodcc.feedback.models import Category, CategoryRule, Kind, Queue, Source, Status
from autodcc.feedback.rules import MAX_MINUTES
from autodcc.network.models import Dealer, Staff

STAFF_CONSENT_VERSION = "staff-verbal-2026-01"  # the consumer agreed on the phone or at the desk
TEXT_LIMIT = 2000


def _sees_many(actor: Actor) -> bool:
    return actor.is_hq or bool(actor.region_ids) or len(actor.dealer_ids) > 1


class ComplaintFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"placeholder": _("Number or name"), "type": "search"}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), ("open", _("Open (not yet resolved)")), *Status.choices])
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("All")), *Category.choices])
    queue = forms.ChoiceField(label=_("Handled by"), required=False, choices=[("", _("All")), *Queue.choices])
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    empty_label=_("All dealers"))
    overdue = forms.BooleanField(label=_("Overdue"), required=False,
                                 help_text=_("Past the first-response or the resolution deadline."))
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _sees_many(actor):
            self.fields["dealer"].queryset = Dealer.objects.visible_to(actor).order_by("code")
        else:
            del self.fields["dealer"]


class ComplaintEntryForm(forms.Form):
    """A complaint taken by phone or at the desk; field names are the service's."""

    source = forms.ChoiceField(label=_("Taken"), choices=[(Source.PHONE, Source.PHONE.label),
                                                          (Source.WALK_IN, Source.WALK_IN.label)])
    kind = forms.ChoiceField(label=_("Type"), choices=Kind.choices, initial=Kind.COMPLAINT)
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("Choose a category")), *Category.choices])
    name = forms.CharField(label=_("Consumer's name"), max_length=60)
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "138 0000 0000"}))
    order = forms.CharField(label=_("Order number (optional)"), required=False, max_length=40)
    dealer = forms.ModelChoiceField(label=_("Dealer concerned (optional)"), queryset=Dealer.objects.none(),
                                    required=False, empty_label=_("None or not known"))
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(label=_("Picture or document (optional)"), required=False)
    consent = forms.BooleanField(label=_("The consumer agreed that their details are used to handle this and "
                                         "shared with the dealer or department handling it"), required=False)
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _sees_many(actor):
            self.fields["dealer"].queryset = Dealer.objects.visible_to(actor).filter(is_active=True).order_by("code")
        else:
            del self.fields["dealer"]
        for field in self.fields.values():  # a NUL byte is the service's to refuse, naming the field
            field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=Staff.objects.none(),
                                      empty_label=_("Choose a person"))
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.TextInput)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class StartForm(forms.Form):
    note = forms.CharField(label=_("What you told the consumer"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("How it was resolved (the consumer reads this)"),
                                 widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.TextInput)


class ReassignForm(forms.Form):
    queue = forms.ChoiceField(label=_("Pass to"), choices=Queue.choices)
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.filter(is_active=True).order_by("code"),
                                    required=False, empty_label=_("Choose a dealer"))
    note = forms.CharField(label=_("Reason"), required=False, widget=forms.TextInput)


class RuleForm(forms.ModelForm):
    class Meta:
        model = CategoryRule
        fields = ["target", "first_response_minutes", "resolution_minutes", "escalate_again_minutes"]
        widgets = {name: forms.NumberInput(attrs={"min": 1, "max": MAX_MINUTES})
                   for name in ("first_response_minutes", "resolution_minutes", "escalate_again_minutes")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the inputs sit in a table row; the row's form owns them
            field.widget.attrs["form"] = f"rule-{self.prefix}"
            field.widget.attrs["aria-label"] = str(field.label)


class ReportForm(forms.Form):
    start = forms.DateField(label=_("Filed from"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    end = forms.DateField(label=_("Filed up to"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        end = data.get("end") or today
        start = data.get("start") or (end - dt.timedelta(days=89))
        if start > end:
            start, end = end, start
        return start, min(end, start + dt.timedelta(days=3 * 366))
