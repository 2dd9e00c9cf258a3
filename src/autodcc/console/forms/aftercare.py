"""Forms of the after-sales pages: the service advisor's booking, visit and mileage, the revisit
call's outcome, HQ's schedules, revisit plans and survey templates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from autodcc.aftercare.models import OffsetUnit, QuestionKind, SurveyTemplate, TaskStatus
from autodcc.console.forms.common import date_input, datetime_input


class TextField(forms.CharField):
    """Free text the service checks: a NUL or another control character is named plainly there
    (Django's own message for a NUL reads as "empty string" in Chinese)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class BookForm(forms.Form):
    scheduled_at = forms.DateTimeField(label=_("Appointment"), widget=datetime_input())
    note = TextField(label=_("Note"), required=False, max_length=10_000)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Date"), widget=date_input())
    mileage_km = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=2_000_000)
    notes = TextField(label=_("Work done"), required=False, max_length=100_000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"visited_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class MileageForm(forms.Form):
    km = forms.IntegerField(label=_("Mileage the owner reported (km)"), min_value=0, max_value=2_000_000)


class CloseForm(forms.Form):
    status = forms.ChoiceField(label=pgettext_lazy("call", "Outcome"), choices=[(TaskStatus.DONE, TaskStatus.DONE.label),
                                                            (TaskStatus.UNREACHABLE, TaskStatus.UNREACHABLE.label)])
    note = TextField(label=_("What was said"), required=False, max_length=100_000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ScheduleForm(forms.Form):
    first_months = forms.IntegerField(label=_("First service after (months)"), min_value=1, max_value=60)
    first_km = forms.IntegerField(label=_("or (km)"), min_value=1, max_value=100_000)
    every_months = forms.IntegerField(label=_("Then every (months)"), min_value=1, max_value=60)
    every_km = forms.IntegerField(label=_("or every (km)"), min_value=1, max_value=100_000)
    offer = TextField(label=_("Service offer"), required=False, max_length=1000)


class StepForm(forms.Form):
    brand = forms.CharField(widget=forms.HiddenInput)
    offset = forms.IntegerField(label=_("After"), min_value=1, max_value=365)
    unit = forms.ChoiceField(label=_("Unit"), choices=OffsetUnit.choices)
    label = TextField(label=_("Name"), max_length=1000)
    survey = forms.ModelChoiceField(label=_("Survey"), required=False, queryset=SurveyTemplate.objects.none())
    script = TextField(label=_("Call script"), required=False, max_length=100_000,
                       widget=forms.Textarea(attrs={"rows": 2}),
                       help_text=_("“【门店】” in the script reads as the dealer's name."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = SurveyTemplate.objects.filter(is_active=True)


class TemplateForm(forms.Form):
    name = TextField(label=_("Name"), max_length=1000)
    intro = TextField(label=_("Introduction"), required=False, max_length=10_000)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = TextField(label=_("Question"), max_length=10_000)
