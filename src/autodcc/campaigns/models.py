"""Campaigns (CMP-1, CMP-2, CMP-8): the activity calendar, each campaign's plan with its budget
lines, targets, tasks and daily notes, and what each channel costs a month."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core.actors import Actor

MONEY = {"max_digits": 13, "decimal_places": 2}
FIXED_DAYS_AHEAD = 30  # a plan is fixed a month before it starts (CMP-1)


class Theme(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    LAUNCH = "launch", _("Launch")
    ANNIVERSARY = "anniversary", _("Store anniversary")
    SERVICE = "service", _("Service campaign")
    ONLINE = "online", _("Online promotion")
    OTHER = "other", _("Other")


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor) -> CampaignQuerySet:
        """The brand's campaigns, the region's and the dealer's own; HQ sees all."""
        if actor.is_hq:
            return self
        from autodcc.network.models import Dealer

        q = Q(dealer__isnull=True, region__isnull=True)
        if actor.dealer_ids:
            q |= Q(dealer_id__in=sorted(actor.dealer_ids))
            q |= Q(dealer__isnull=True, region_id__in=Dealer.objects.filter(pk__in=sorted(actor.dealer_ids))
                   .exclude(region_id=None).values("region_id"))
        if actor.region_ids:
            q |= Q(region_id__in=sorted(actor.region_ids)) | Q(dealer__region_id__in=sorted(actor.region_ids))
        if not actor.is_staff:
            return self.none()
        return self.filter(q)


class Campaign(models.Model):
    """One activity: the brand's (no dealer, no region), a region's or a dealer's."""

    code = models.CharField(_("campaign code"), max_length=24, unique=True,
                            help_text=_("Letters, digits and hyphens; links, the API and imports carry it."))
    name = models.CharField(_("name"), max_length=80)
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices, default=Theme.OTHER)
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="campaigns", verbose_name=_("dealer"))
    region = models.ForeignKey("network.Region", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="campaigns", verbose_name=_("region"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    environment = models.TextField(_("market environment"), blank=True)
    customers = models.TextField(_("customer analysis"), blank=True)
    target_leads = models.PositiveIntegerField(_("target: leads"), default=0)
    target_arrivals = models.PositiveIntegerField(_("target: arrivals"), default=0)
    target_test_drives = models.PositiveIntegerField(_("target: test drives"), default=0)
    target_deals = models.PositiveIntegerField(_("target: deals"), default=0)
    created_by = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start"),
            models.CheckConstraint(condition=Q(dealer__isnull=True) | Q(region__isnull=True),
                                   name="campaign_dealer_or_region"),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="campaign_dates")]

    def __str__(self) -> str:
        return self.name

    @property
    def fixed_on(self) -> dt.date:
        return self.starts_on - dt.timedelta(days=FIXED_DAYS_AHEAD)

    def is_fixed(self, day: dt.date | None = None) -> bool:
        """Fixed a month ahead: later changes need a manager's approval."""
        return (day or timezone.localdate()) >= self.fixed_on

    @property
    def level(self) -> str:
        return "dealer" if self.dealer_id else "region" if self.region_id else "brand"


class BudgetCategory(models.TextChoices):
    MEDIA = "media", _("Media and advertising")
    VENUE = "venue", _("Venue and decoration")
    GIFTS = "gifts", _("Gifts and prizes")
    STAFF = "staff", _("Staff and hosts")
    CATERING = "catering", _("Catering")
    MATERIALS = "materials", _("Printed materials")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=16, choices=BudgetCategory.choices)
    item = models.CharField(_("item"), max_length=80)
    planned = models.DecimalField(_("budget"), **MONEY)
    spent = models.DecimalField(_("spent"), default=Decimal("0.00"), **MONEY)
    support = models.DecimalField(_("manufacturer support"), default=Decimal("0.00"), **MONEY)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["campaign", "category", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(planned__gte=0) & Q(spent__gte=0) & Q(support__gte=0),
                                   name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return self.item


class Task(models.Model):
    """Who does what by when, the preparation checklist included."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=120)
    owner = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="campaign_tasks", verbose_name=_("owner"))
    due_on = models.DateField(_("deadline"))
    checklist = models.BooleanField(_("preparation checklist"), default=False)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")
        ordering = ["campaign", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class DayNote(models.Model):
    """The day's remark beside the actuals the leads give (daily progress)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="day_notes")
    day = models.DateField(_("day"))
    note = models.TextField(_("note"))
    by_label = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "day"], name="one_note_per_campaign_day")]
        ordering = ["campaign", "day"]


class ChannelCost(models.Model):
    """Platform fees and ad spend of a channel in a month (a dealer's, or the brand's)."""

    TENANT_DEALER_FIELD = "dealer"

    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="channel_costs", verbose_name=_("dealer"))
    channel = models.CharField(_("channel"), max_length=20)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("amount"), **MONEY)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("channel cost")
        verbose_name_plural = _("channel costs")
        ordering = ["-month", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "channel", "month"], name="one_cost_per_dealer_channel_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="channel_cost_not_negative"),
        ]


class Situation(models.TextChoices):
    FIRST_CALL = "first_call", _("First call")
    INVITATION = "invitation", _("Invitation")
    CONFIRMATION = "confirmation", _("Visit confirmation")
    DEFEAT_REVISIT = "defeat_revisit", _("Revisit after defeat")
    CAMPAIGN = "campaign", _("Campaign call")


class ScriptQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor) -> ScriptQuerySet:
        """The brand's scripts and the dealer's own."""
        if actor.is_hq:
            return self
        if not actor.is_staff:
            return self.none()
        q = Q(dealer__isnull=True)
        if actor.dealer_ids:
            q |= Q(dealer_id__in=sorted(actor.dealer_ids))
        if actor.region_ids:
            q |= Q(dealer__region_id__in=sorted(actor.region_ids))
        return self.filter(q)

    def current(self) -> ScriptQuerySet:
        return self.filter(replaced_at__isnull=True, deleted_at__isnull=True)


class CallScript(models.Model):
    """话务范本 (CMP-4): what to say in a situation. Each edit is a new version of the same script
    (``family``); the old versions stay readable, and a deleted script keeps its history."""

    family = models.PositiveIntegerField(_("script number"), db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    situation = models.CharField(_("situation"), max_length=16, choices=Situation.choices)
    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("script"))
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="call_scripts", verbose_name=_("dealer"))
    by_label = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ScriptQuerySet.as_manager()

    class Meta:
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")
        ordering = ["situation", "title", "-version"]
        constraints = [models.UniqueConstraint(fields=["family", "version"], name="one_script_version")]

    def __str__(self) -> str:
        return self.title


class Outreach(models.Model):
    """One wave of a campaign's messages to an audience (CMP-3), with what became of each person:
    queued, held to the morning, or skipped and why."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="outreaches")
    group = models.ForeignKey("customers.CustomerGroup", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("audience"))
    channel = models.CharField(_("channel"), max_length=16)
    content = models.CharField(_("text"), max_length=300)
    per_minute = models.PositiveIntegerField(_("messages per minute"))
    audience = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)  # due after the quiet hours
    skipped_optout = models.PositiveIntegerField(default=0)
    skipped_consent = models.PositiveIntegerField(default=0)
    skipped_cap = models.PositiveIntegerField(default=0)
    skipped_address = models.PositiveIntegerField(default=0)
    by_label = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)  # set for later: goes out by itself
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled = models.PositiveIntegerField(default=0)  # messages not sent because of the cancel

    class Meta:
        ordering = ["-created_at"]


class DrawRound(models.Model):
    """One round of a launch day's flash draw (CMP-5): its commitment before it opens, the frozen
    entry list's digest at the close, then the seed and the winners (``drawrule``)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="draw_rounds")
    number = models.PositiveIntegerField(_("round"))
    prize = models.CharField(_("prize"), max_length=120)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    seed = models.CharField(max_length=64)  # secret until the draw
    commitment = models.CharField(_("commitment"), max_length=64)
    digest = models.CharField(_("entry list digest"), max_length=64, blank=True)
    entry_count = models.PositiveIntegerField(default=0)
    duplicates_refused = models.PositiveIntegerField(default=0)  # second entries by one mobile, refused
    closed_at = models.DateTimeField(null=True, blank=True)
    public_value = models.CharField(_("public random value"), max_length=100, blank=True)
    # drawn by hand once HQ enters a public value announced after the close; otherwise by the
    # scheduled task as soon as the list is frozen
    awaits_public_value = models.BooleanField(_("mix in a public random value"), default=False)
    winners = models.JSONField(default=list)  # entry numbers, the winner first, then replacements
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="one_draw_round_number"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="draw_round_closes_after"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} #{self.number}"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class DrawEntry(models.Model):
    """A valid entry: one per mobile number per round. Its number is its place in the frozen list."""

    # An entry is written at the top of the hour with thousands of others: it touches three indexes
    # only (the key, one mobile per round, the entries still to follow up). The round's entries are
    # found through the (round, mobile) constraint, an entry's lead through a partial index that
    # only the follow-up, a batch, writes to.
    round = models.ForeignKey(DrawRound, on_delete=models.PROTECT, related_name="entries", db_index=False)
    receipt = models.CharField(_("receipt"), max_length=8)
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("mobile"), max_length=20)
    city = models.CharField(_("city"), max_length=30)
    lead = models.ForeignKey("leads.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             db_index=False)
    created_at = models.DateTimeField(default=timezone.now)
    followed_at = models.DateTimeField(null=True, blank=True)  # when it went through the capture pipeline

    class Meta:
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "phone"], name="one_entry_per_phone_and_round")]
        indexes = [models.Index(fields=["id"], condition=Q(followed_at__isnull=True), name="draw_entry_to_follow"),
                   models.Index(fields=["lead"], condition=Q(lead__isnull=False), name="draw_entry_lead")]


class FirstNReward(models.Model):
    """A gift for the first N who book a test drive online, have it confirmed by the dealer and
    submit their report (CMP-6), during the campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="first_n_rewards")
    name = models.CharField(_("gift"), max_length=80)
    n = models.PositiveIntegerField(_("for the first"))
    unit_cost = models.DecimalField(_("HQ's cost each"), default=Decimal("0.00"), **MONEY)
    is_active = models.BooleanField(_("active"), default=True)
    # the days a booking must be made on to count (within the campaign's; empty: the campaign's own)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("first-N reward")
        verbose_name_plural = _("first-N rewards")

    def __str__(self) -> str:
        return self.name


def new_claim_token() -> str:
    return secrets.token_urlsafe(18)


class ClaimState(models.TextChoices):
    WON = "won", _("Won")
    ADDRESS_GIVEN = "address", _("Address given")
    SHIPPED = "shipped", _("Shipped")


class FirstNClaim(models.Model):
    """One of the first N, ranked by the time the condition was met (the dealer confirmed the test
    drive, then the report came); the winner gives the address on the page their SMS links to
    (``token``), HQ ships with carrier and tracking number."""

    reward = models.ForeignKey(FirstNReward, on_delete=models.PROTECT, related_name="claims")
    booking = models.ForeignKey("testdrives.Booking", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    met_at = models.DateTimeField(_("condition met"))
    token = models.CharField(max_length=32, unique=True, default=new_claim_token)
    address = models.CharField(_("shipping address"), max_length=200, blank=True)
    address_at = models.DateTimeField(_("address given"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)

    class Meta:
        ordering = ["reward", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["reward", "booking"], name="one_claim_per_booking"),
            models.UniqueConstraint(fields=["reward", "rank"], name="one_claim_per_rank"),
        ]

    @property
    def state(self) -> str:
        if self.shipped_at:
            return ClaimState.SHIPPED
        return ClaimState.ADDRESS_GIVEN if self.address_at else ClaimState.WON

    def get_state_display(self) -> str:
        return str(ClaimState(self.state).label)


class DrawPrize(models.Model):
    """A round's winner and the prize's way to them (CMP-9): contacted by customer service, the
    rental partner's agreement at pickup, pickup and return at the same place, the usage report."""

    round = models.ForeignKey(DrawRound, on_delete=models.PROTECT, related_name="prizes")
    entry = models.ForeignKey(DrawEntry, on_delete=models.PROTECT, related_name="+")
    unreachable = models.BooleanField(_("could not be reached"), default=False)
    contacted_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    contact_note = models.CharField(_("contact note"), max_length=200, blank=True)
    partner = models.CharField(_("rental partner"), max_length=80, blank=True)
    agreement_no = models.CharField(_("agreement number"), max_length=40, blank=True)
    pickup_on = models.DateField(_("pickup"), null=True, blank=True)
    return_on = models.DateField(_("return"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    usage_report = models.TextField(_("usage report"), blank=True)
    cost = models.DecimalField(_("rental cost borne by HQ"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "entry"], name="one_prize_per_winner")]
