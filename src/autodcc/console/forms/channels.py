"""The platform-score import form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from autodcc.channels.scores import LAYOUTS


class ScoreImportForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform export"), choices=[])
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["platform"].choices = [(p, layout.label) for p, layout in LAYOUTS.items()]
