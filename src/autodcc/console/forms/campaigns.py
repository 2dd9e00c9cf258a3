"""Forms of the campaign pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autodcc.campaigns.models import BudgetLine, CallScript, Campaign, ClaimState, Situation, Task
from autodcc.console.forms.common import FilterForm, date_input, datetime_input
from autodcc.core.actors import Actor
from autodcc.core.roles import DCC_ROLES, SHOWROOM_ROLES
from autodcc.customers.models import CustomerGroup
from autodcc.leads.models import Channel
from autodcc.network.models import Dealer, Region, Staff

CALLER_ROLES = DCC_ROLES | SHOWROOM_ROLES
REASON_HELP = _("Needed once the plan is fixed (a month before it starts): why it changes.")


class CampaignForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False, help_text=REASON_HELP)

    class Meta:
        model = Campaign
        fields = ["code", "name", "theme", "dealer", "region", "starts_on", "ends_on", "target_leads",
                  "target_arrivals", "target_test_drives", "target_deals", "environment", "customers"]
        widgets = {"starts_on": date_input(), "ends_on": date_input(),
                   "environment": forms.Textarea(attrs={"rows": 3}), "customers": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        dealers = Dealer.objects.visible_to(actor).order_by("code")
        self.fields["dealer"].queryset = dealers
        self.fields["region"].queryset = Region.objects.filter(pk__in=sorted(actor.region_ids)) if not actor.is_hq \
            else Region.objects.all()
        if not actor.is_hq and not actor.region_ids:  # a dealer's managers plan their own dealer's campaigns
            self.fields["dealer"].required = True
            self.fields["dealer"].empty_label = None
            del self.fields["region"]
        if editing:  # a campaign stays where it was planned
            self.fields.pop("dealer", None)
            self.fields.pop("region", None)
        else:
            del self.fields["reason"]


class BudgetLineForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False, help_text=REASON_HELP)

    class Meta:
        model = BudgetLine
        fields = ["category", "item", "planned", "spent", "support"]


class SpentForm(forms.Form):
    spent = forms.DecimalField(label=_("Spent"), min_value=0, max_digits=13, decimal_places=2)


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "owner", "due_on", "checklist"]
        widgets = {"due_on": date_input()}

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = Staff.objects.filter(user__is_active=True).order_by("name")
        self.fields["owner"].queryset = (staff.filter(grants__dealer_id=campaign.dealer_id) if campaign.dealer_id
                                         else staff.filter(grants__dealer__isnull=True)).distinct()


class DayNoteForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=date_input())
    note = forms.CharField(label=_("Note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ChannelCostForm(forms.Form):
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    help_text=_("Empty: the brand's own spend."))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    month = forms.CharField(label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}))
    amount = forms.DecimalField(label=_("Amount (CNY)"), min_value=0, max_digits=13, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=120, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = Dealer.objects.visible_to(actor).order_by("code")
        if not actor.is_hq:
            self.fields["dealer"].required = True
            self.fields["dealer"].empty_label = None
            self.fields["dealer"].help_text = ""

    def clean_month(self) -> Any:
        from autodcc.console.forms.common import parse_month

        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return month


class OutreachForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Audience (saved customer group)"), queryset=CustomerGroup.objects.none())
    channel = forms.ChoiceField(label=_("Channel"), choices=[("sms", _("SMS")), ("wechat", _("WeChat"))])
    content = forms.CharField(label=_("Text"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Sent inside the campaign template with the customer's name and the "
                                          "opt-out note; customers without consent to marketing, opted out or "
                                          "messaged too often this week are skipped."))
    per_minute = forms.IntegerField(label=_("Messages per minute"), min_value=1, max_value=6000, initial=600)
    starts_at = forms.DateTimeField(label=_("Start at"), required=False, widget=datetime_input(),
                                    help_text=_("Empty: now. A time later on: the wave goes out by itself then "
                                                "(never between 21:00 and 08:00); it can be cancelled until sent."))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = CustomerGroup.objects.visible_to(actor).order_by("-created_at")


class CallTasksForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Audience (saved customer group)"), queryset=CustomerGroup.objects.none())
    agents = forms.ModelMultipleChoiceField(label=_("Agents who call"), queryset=Staff.objects.none(),
                                            widget=forms.CheckboxSelectMultiple)
    due_on = forms.DateField(label=_("Call by"), widget=date_input())
    script = forms.ModelChoiceField(label=_("Call script"), queryset=CallScript.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Actor, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = CustomerGroup.objects.visible_to(actor).order_by("-created_at")
        staff = Staff.objects.filter(user__is_active=True, grants__role__in=list(CALLER_ROLES))
        staff = staff.filter(grants__dealer_id=campaign.dealer_id) if campaign.dealer_id else staff.filter(
            grants__dealer_id__in=sorted(actor.dealer_ids)) if actor.dealer_ids else staff
        self.fields["agents"].queryset = staff.distinct().order_by("name")
        self.fields["script"].queryset = CallScript.objects.visible_to(actor).current().order_by("situation", "title")


class ScriptForm(forms.Form):
    situation = forms.ChoiceField(label=_("Situation"), choices=Situation.choices)
    title = forms.CharField(label=_("Title"), max_length=80)
    body = forms.CharField(label=_("Script"), max_length=4000, widget=forms.Textarea(attrs={"rows": 8}))
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    empty_label=_("The brand (every dealer)"))

    def __init__(self, *args: Any, actor: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["dealer"]
            return
        self.fields["dealer"].queryset = Dealer.objects.visible_to(actor).order_by("code")
        if not actor.is_hq:
            self.fields["dealer"].required = True
            self.fields["dealer"].empty_label = None


class ChannelCostImportForm(forms.Form):
    file = forms.FileField(label=_("Costs (.xlsx or .csv)"),
                           help_text=_("Columns: 月份 (YYYY-MM), 渠道, 金额, 经销商代码 (empty: the brand's), 备注."))


class DrawRoundForm(forms.Form):
    number = forms.IntegerField(label=_("Round"), min_value=1, max_value=99)
    prize = forms.CharField(label=_("Prize"), max_length=120)
    opens_at = forms.DateTimeField(label=_("Opens"), widget=datetime_input())
    closes_at = forms.DateTimeField(label=_("Closes"), widget=datetime_input())
    awaits_public_value = forms.BooleanField(
        label=_("Mix in a public random value"), required=False,
        help_text=_("The round is drawn when you enter a value announced after the close (e.g. a lottery "
                    "number); otherwise it is drawn automatically as soon as it closes."))


class PrizeStepForm(forms.Form):
    step = forms.ChoiceField(choices=[("contacted", "contacted"), ("pickup", "pickup"), ("returned", "returned")],
                             widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    partner = forms.CharField(label=_("Rental partner"), max_length=80, required=False)
    agreement_no = forms.CharField(label=_("Agreement number"), max_length=40, required=False)
    pickup_on = forms.DateField(label=_("Pickup"), required=False, widget=date_input())
    return_on = forms.DateField(label=_("Return"), required=False, widget=date_input())
    cost = forms.DecimalField(label=_("Rental cost (CNY, borne by HQ)"), required=False, max_digits=12,
                              decimal_places=2)
    usage_report = forms.CharField(label=_("Usage report"), max_length=4000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))


class FirstNRewardForm(forms.Form):
    """A first-N gift: its name, how many, HQ's cost each and the days a booking counts on."""

    name = forms.CharField(label=_("Gift"), max_length=200)
    n = forms.IntegerField(label=_("For the first"), min_value=1, max_value=100_000,
                           help_text=_("How many people get the gift: the first who book a test drive online, "
                                       "have it confirmed by the dealer and submit their report."))
    unit_cost = forms.DecimalField(label=_("HQ's cost each (CNY)"), min_value=0, max_digits=12, decimal_places=2,
                                   initial=0)
    starts_on = forms.DateField(label=_("Bookings from"), required=False, widget=date_input(),
                                help_text=_("Empty: the campaign's first day."))
    ends_on = forms.DateField(label=_("Bookings until"), required=False, widget=date_input(),
                              help_text=_("Empty: the campaign's last day."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class GiftFilterForm(FilterForm):
    state = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *ClaimState.choices])
    dealer = forms.ModelChoiceField(label=_("Dealer"), required=False, queryset=Dealer.objects.none())
    q = forms.CharField(label=_("Name, booking or tracking number"), required=False, max_length=40)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = Dealer.objects.visible_to(actor).order_by("code")


class ShipForm(forms.Form):
    """HQ ships a gift: the carrier (one of the usual ones or any other), the tracking number, and
    the address only when the winner gave it another way (by phone)."""

    carrier = forms.CharField(label=_("Carrier"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"list": "carriers"}))
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=200, required=False)
    address = forms.CharField(label=_("Delivery address (if not given by the winner)"), max_length=20_000,
                              required=False)
