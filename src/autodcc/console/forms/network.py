"""Forms of the network pages: dealers, staff, leave, the audit trail's filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autodcc.console.forms.common import YES_NO, FilterForm, tri_state
from autodcc.core.actors import Actor
from autodcc.core.roles import ROLE_SCOPE, Role, Scope
from autodcc.network.models import WEEKDAYS, Dealer, Province, Region


class DealerFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Code, name or address"), "type": "search"}))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False,
                                    empty_label=_("All regions"))
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.filter(cities__dealers__isnull=False).distinct(),
                                      required=False, empty_label=_("All provinces"))
    is_key = forms.TypedChoiceField(label=_("Key dealer"), choices=YES_NO, required=False, coerce=tri_state,
                                    empty_value=None)
    is_active = forms.TypedChoiceField(label=_("Active"), choices=YES_NO, required=False, coerce=tri_state,
                                       empty_value=None)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not actor.is_hq:
            self.fields["region"].queryset = Region.objects.filter(dealers__in=Dealer.objects.visible_to(actor)).distinct()


class RegionForm(forms.Form):
    code = forms.CharField(label=_("Region code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=60)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class DealerForm(forms.Form):
    code = forms.CharField(label=_("Dealer code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.filter(is_active=True))
    city = forms.CharField(label=_("City"), max_length=30, help_text=_("City name or 6-digit administrative code."))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lng = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False,
                             help_text=_("GCJ-02; blank: the city centre."))
    lat = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    opens_at = forms.TimeField(label=_("Opens at"), initial=dt.time(8, 30), widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label=_("Closes at"), initial=dt.time(18, 0), widget=forms.TimeInput(attrs={"type": "time"}))
    open_weekdays = forms.MultipleChoiceField(label=_("Opening days"), choices=WEEKDAYS, initial=list("1234567"),
                                              widget=forms.CheckboxSelectMultiple)
    is_key = forms.BooleanField(label=_("Key dealer"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    account_name = forms.CharField(label=_("Account holder"), max_length=120, required=False,
                                   help_text=_("Where the brand credits the dealer's settled deposits."))
    account_bank = forms.CharField(label=_("Bank and branch"), max_length=120, required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=40, required=False)

    GM_FIELDS = ("phone", "address", "opens_at", "closes_at", "open_weekdays")

    def __init__(self, *args: Any, actor: Actor, dealer: Dealer | None = None, **kwargs: Any) -> None:
        if dealer is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": dealer.code, "name": dealer.name, "short_name": dealer.short_name, "region": dealer.region_id,
                "city": dealer.city.name, "address": dealer.address, "lng": dealer.lng, "lat": dealer.lat,
                "phone": dealer.phone_display, "opens_at": dealer.opens_at, "closes_at": dealer.closes_at,
                "open_weekdays": list(dealer.open_weekdays), "is_key": dealer.is_key, "is_active": dealer.is_active,
                "account_name": dealer.account_name, "account_bank": dealer.account_bank,
                "account_number": dealer.account_number,
            }
        super().__init__(*args, **kwargs)
        if dealer is not None and not actor.can("network.create_dealer"):
            for name in list(self.fields):
                if name not in self.GM_FIELDS:
                    del self.fields[name]
        if "is_key" in self.fields and not actor.can("network.flag_key_dealer", dealer=dealer):
            del self.fields["is_key"]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if "open_weekdays" in data:
            data["open_weekdays"] = "".join(data["open_weekdays"])
        return data


class StaffFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, login or employee number"), "type": "search"}))
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False)
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    empty_label=_("All dealers"))
    on_duty = forms.TypedChoiceField(label=_("On duty"), choices=YES_NO, required=False, coerce=tri_state,
                                     empty_value=None)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = Dealer.objects.visible_to(actor).order_by("code")


class StaffForm(forms.Form):
    username = forms.CharField(label=_("Login name"), max_length=150)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, required=False,
                               help_text=_("At least 8 characters; blank: the person cannot log in yet."))
    name = forms.CharField(label=_("Full name"), max_length=60)
    mobile = forms.CharField(label=_("Mobile"), max_length=30, required=False)
    employee_no = forms.CharField(label=_("Employee number"), max_length=30, required=False)
    capacity = forms.IntegerField(label=_("Open-lead capacity"), min_value=1, required=False)
    is_active = forms.BooleanField(label=_("Account active"), required=False, initial=True)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    help_text=_("For dealer roles."))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False,
                                    help_text=_("For the regional manager role."))

    def __init__(self, *args: Any, actor: Actor, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = Dealer.objects.visible_to(actor).filter(is_active=True).order_by("code")
        if not actor.is_hq:
            allowed = [(r, label) for r, label in Role.choices if ROLE_SCOPE[r] == Scope.DEALER]
            self.fields["roles"].choices = allowed
            del self.fields["region"]
        if staff is not None:
            del self.fields["username"]
            del self.fields["password"]
        else:
            del self.fields["is_active"]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password and len(password) < 8:
            raise forms.ValidationError(_("The password needs at least 8 characters."))
        return password

    def grants(self) -> list[tuple[str, Dealer | None, Region | None]]:
        data = self.cleaned_data
        out: list[tuple[str, Dealer | None, Region | None]] = []
        for role in data.get("roles", []):
            scope = ROLE_SCOPE[role]
            out.append((role, data.get("dealer") if scope == Scope.DEALER else None,
                        data.get("region") if scope == Scope.REGION else None))
        return out


class LeaveForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class AuditFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Person or object"), "type": "search"}))
    action = forms.CharField(label=_("Action"), required=False)
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    empty_label=_("All dealers"))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = Dealer.objects.visible_to(actor).order_by("code")
