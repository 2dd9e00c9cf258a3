"""Forms of the order and finance pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.console.forms.common import FilterForm, ImportForm, date_input, parse_month
from autodcc.core.actors import Actor
from autodcc.network.models import Dealer
from autodcc.orders import providers
from autodcc.orders.models import MONEY, CancelledBy, DeliveryMode, OrderStatus

MONTH_INPUT = {"placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"}


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.Field):
    """A month as ``YYYY-MM`` (the browser's month input sends exactly that); cleans to its first day."""

    widget = MonthInput

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), **MONTH_INPUT, "maxlength": "7"}

    def to_python(self, value: Any) -> dt.date | None:
        text = str(value or "").strip()
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Give the month as YYYY-MM."), code="invalid")
        return month


class OrderFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"placeholder": _("Order number or buyer"), "type": "search"}))
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *OrderStatus.choices], required=False)
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    empty_label=_("All dealers"))
    month = MonthField(label=_("Ordered in"), required=False)
    attention = forms.BooleanField(label=_("Needs attention"), required=False,
                                   help_text=_("Refunds waiting, or delivered more than 7 days ago without the "
                                               "buyer's receipt."))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if actor.is_hq or actor.region_ids or len(actor.dealer_ids) > 1:
            self.fields["dealer"].queryset = Dealer.objects.visible_to(actor).order_by("code")
        else:
            del self.fields["dealer"]


STEP_CHOICES = [("visited", _("Visited the store")), ("contracted", _("Contract signed")),
                ("delivered", _("Car delivered"))]


class OrderStepForm(forms.Form):
    """One milestone: the store visit, the contract (with the dealer's own figures) or the
    delivery (with how the car reaches the buyer). The names match the service's fields."""

    step = forms.ChoiceField(choices=STEP_CHOICES, widget=forms.HiddenInput)
    contract_value = forms.DecimalField(label=_("Contract value (CNY)"), required=False, min_value=0,
                                        max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"],
                                        help_text=_("Deposit plus balance. Only your dealership sees it."))
    balance_paid = forms.DecimalField(label=_("Balance paid to the dealer (CNY)"), required=False, min_value=0,
                                      max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"],
                                      help_text=_("Paid outside the platform. Only your dealership sees it."))
    delivery_mode = forms.ChoiceField(label=_("Delivery"), choices=DeliveryMode.choices, required=False)
    vin = forms.CharField(label=_("VIN"), max_length=20, required=False,
                          help_text=_("17 characters on the windscreen or the certificate: the buyer's car goes on file."))
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False, help_text=_("When already registered."))

    FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "visited": (), "contracted": ("contract_value", "balance_paid"), "delivered": ("delivery_mode", "vin", "plate")}

    def __init__(self, *args: Any, step: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        step = step or (self.data.get("step") if self.is_bound else None) or "visited"
        if step not in self.FIELDS:
            step = "visited"
        self.step_key = step
        if not self.is_bound:
            self.fields["step"].initial = step
        for name in ("contract_value", "balance_paid", "delivery_mode", "vin", "plate"):
            if name not in self.FIELDS[step]:
                del self.fields[name]


class DeliveryUpdateForm(forms.Form):
    text = forms.CharField(label=_("Update for the buyer"), max_length=200,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. The car has arrived at the store")}))


class EmptyForm(forms.Form):
    """An action without input (the receipt reminder, a refund's execution): its errors show here."""


class AccessoryForm(forms.Form):
    promised_on = forms.DateField(label=_("Promised delivery date"), widget=date_input())

    def __init__(self, *args: Any, lead_time_days: int = 10, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["promised_on"].initial = timezone.localdate() + dt.timedelta(days=lead_time_days)
        self.fields["promised_on"].help_text = _("The package needs %(days)s days.") % {"days": lead_time_days}


class RefundDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve the refund")), ("decline", _("Decline"))],
                                 widget=forms.HiddenInput)
    cancelled_by = forms.ChoiceField(label=_("Who cancelled the deal"), choices=CancelledBy.choices,
                                     initial=CancelledBy.CONSUMER, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False,
                           help_text=_("Required when you decline."))


class RefundReviewForm(forms.Form):
    """Customer service's review of a refund the dealer declined."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve the refund after all")),
                                          ("decline", _("Confirm the decline"))], widget=forms.HiddenInput)
    note = forms.CharField(label=_("Reason"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("To approve: why the dealer's decline is overruled (kept in the log). To "
                                       "confirm the decline: the reason in plain words, which the buyer reads by SMS "
                                       "and on the order page."))


PROVIDER_CHOICES = list(providers.LABELS.items())


class StatementImportForm(ImportForm):
    provider = forms.ChoiceField(label=_("Payment provider"), choices=PROVIDER_CHOICES)
    month = MonthField(label=_("Month (YYYY-MM)"))

    field_order: ClassVar[list[str]] = ["provider", "month", "file"]


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
