"""What the console's forms share: filters, yes/no choices, file uploads, date inputs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

YES_NO = [("", _("All")), ("1", _("Yes")), ("0", _("No"))]


def tri_state(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


class FilterForm(forms.Form):
    """GET filters; bad values are simply ignored (a list never fails to show)."""

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) or CSV file."))
        if f.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return f


DATE = {"type": "date"}


DATETIME_LOCAL = {"type": "datetime-local"}


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs=DATETIME_LOCAL, format="%Y-%m-%dT%H:%M")


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None) -> dt.date | None:
    """``YYYY-MM`` → the first day of that month; anything else (or a year outside 2000–2100) → None."""
    match = MONTH.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)
