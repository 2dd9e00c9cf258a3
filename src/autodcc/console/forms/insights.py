"""Forms of the managers' insight pages: the funnel filters, a month or a day picker, platform scores, targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.console.forms.common import date_input, parse_month
from autodcc.core.actors import Actor
from autodcc.insights.models import DEFAULT_THRESHOLDS, Platform
from autodcc.insights.queries import Filters
from autodcc.insights.reports import month_range
from autodcc.leads.models import Channel
from autodcc.network.models import Dealer, Region

GROUPS: list[tuple[str, Any]] = [
    ("channel", _("Channel")), ("campaign", _("Campaign")), ("dealer", _("Dealer")), ("agent", _("DCC agent")),
    ("consultant", _("Sales consultant")), ("city", _("City")), ("region", _("Region")), ("day", _("Day")),
    ("week", _("Week")), ("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year")),
]


GROUP_LABELS = dict(GROUPS)


BASES = [("cohort", _("Leads created in the period (cohort)")), ("activity", _("Events in the period (activity)"))]


# the longest period a query may span, and the longest for a per-day table
MAX_DAYS, MAX_DAYS_BY_DAY = 3 * 366, 93


def month_input() -> forms.TextInput:
    return forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}", "placeholder": "YYYY-MM"})


class MonthField(forms.CharField):
    """``YYYY-MM`` (what ``<input type=month>`` sends) → the first day of that month."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", month_input())
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        if isinstance(value, dt.date):
            return value.replace(day=1)
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."), code="invalid")
        return month

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, dt.date) else value


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def dealers_for(actor: Actor) -> Any:
    return Dealer.objects.visible_to(actor).filter(is_active=True).order_by("code")


def sees_many_dealers(actor: Actor) -> bool:
    return actor.is_hq or bool(actor.region_ids) or len(actor.dealer_ids) > 1


class InsightFilterForm(forms.Form):
    """The funnel's filters. Bad values are reported and replaced by the defaults: the page always
    shows figures (this month, by cohort, grouped by channel)."""

    month = MonthField(label=_("Month"), required=False)
    date_from = forms.DateField(label=_("Start date"), required=False, widget=date_input())
    date_to = forms.DateField(label=_("End date"), required=False, widget=date_input())
    basis = forms.ChoiceField(label=_("Count"), choices=BASES, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All channels")), *Channel.choices],
                                required=False)
    campaign = forms.CharField(label=_("Campaign"), max_length=80, required=False,
                               widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Campaign code")}))
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    empty_label=_("All dealers"))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False,
                                    empty_label=_("All regions"))
    group = forms.ChoiceField(label=_("Group by"), choices=GROUPS, required=False)

    def __init__(self, data: Any = None, *, actor: Actor, with_group: bool = True, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        if not data.get("month") and not (data.get("date_from") and data.get("date_to")):
            data["month"] = this_month().strftime("%Y-%m")
        data.setdefault("basis", "cohort")
        if with_group:
            data.setdefault("group", "channel")
        super().__init__(data, **kwargs)
        self.actor = actor
        if sees_many_dealers(actor):
            self.fields["dealer"].queryset = dealers_for(actor)
        else:
            del self.fields["dealer"]
        if actor.is_hq:
            self.fields["region"].queryset = Region.objects.filter(is_active=True).order_by("code")
        else:
            del self.fields["region"]
        if not with_group:  # the defeat analysis: counted by the decision's date, neither grouped nor by cohort
            del self.fields["group"]
            del self.fields["basis"]
        self.is_valid()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("The end comes before the start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("date_to", _("Choose a period of three years at most."))
            elif data.get("group") == "day" and (end - start).days > MAX_DAYS_BY_DAY:
                self.add_error("group", _("A table by day covers three months at most."))
        return data

    def _value(self, name: str) -> Any:
        """The cleaned value, or None where the field is absent or its input was refused."""
        if name not in self.fields or name in self.errors:
            return None
        return self.cleaned_data.get(name)

    # --- what the pages use --------------------------------------------------------------------
    def period(self) -> tuple[dt.date, dt.date]:
        start, end = self._value("date_from"), self._value("date_to")
        if start and end and "date_to" not in self.errors:
            return start, end
        return month_range(self._value("month") or this_month())

    @property
    def group_by(self) -> str:
        return self._value("group") or ("channel" if "group" in self.fields else "")

    @property
    def group_label(self) -> str:
        return str(GROUP_LABELS.get(self.group_by, _("Total")))

    def to_filters(self) -> Filters:
        start, end = self.period()
        dealer, region = self._value("dealer"), self._value("region")
        return Filters(start, end, basis=self._value("basis") or "cohort", channel=self._value("channel") or "",
                       campaign=(self._value("campaign") or "").strip(),
                       dealer_ids=[dealer.pk] if dealer else [], region_id=region.pk if region else None)

    def params(self) -> dict[str, Any]:
        """The filters in force, as plain values (for the audit row of an export)."""
        f = self.to_filters()
        out: dict[str, Any] = {"date_from": f.date_from.isoformat(), "date_to": f.date_to.isoformat(),
                               "basis": f.basis}
        for name, value in (("channel", f.channel), ("campaign", f.campaign), ("dealer_ids", f.dealer_ids),
                            ("region_id", f.region_id), ("group", self.group_by)):
            if value:
                out[name] = value
        return out


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data if data is not None and data.get("month") else {"month": this_month().strftime("%Y-%m")},
                         **kwargs)
        self.is_valid()

    @property
    def value(self) -> dt.date:
        return (self.cleaned_data.get("month") if "month" not in self.errors else None) or this_month()


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=date_input())

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        default = timezone.localdate() - dt.timedelta(days=1)
        given = data.get("day") if data is not None else None
        super().__init__({"day": given or default.isoformat()}, **kwargs)
        self.is_valid()
        self.default = default

    @property
    def value(self) -> dt.date:
        return (self.cleaned_data.get("day") if "day" not in self.errors else None) or self.default


class PlatformScoreForm(forms.Form):
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none())
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    month = MonthField(label=_("Month"))
    score = forms.DecimalField(label=_("Score"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=1,
                               max_digits=4)
    threshold = forms.DecimalField(label=_("Threshold"), required=False, min_value=Decimal(0),
                                   max_value=Decimal(100), decimal_places=1, max_digits=4)

    def __init__(self, *args: Any, actor: Actor, month: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [d.pk for d in dealers_for(actor) if actor.can("insights.scores", dealer=d)]
        self.fields["dealer"].queryset = Dealer.objects.filter(pk__in=allowed).order_by("code")
        self.fields["month"].initial = month or this_month()
        defaults = ", ".join(f"{Platform(p).label} {t}" for p, t in DEFAULT_THRESHOLDS.items())
        self.fields["threshold"].help_text = _("Empty: the platform's default (%(defaults)s).") % {"defaults": defaults}


class TargetForm(forms.Form):
    leads = forms.IntegerField(label=_("Leads"), min_value=0, max_value=1_000_000)
    arrivals = forms.IntegerField(label=_("Arrivals"), min_value=0, max_value=1_000_000)
    orders = forms.IntegerField(label=_("Orders"), min_value=0, max_value=1_000_000)
