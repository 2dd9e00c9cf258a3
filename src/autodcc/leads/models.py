"""Leads from capture to deal: the DCC spine (SPEC LEAD-1..12)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core.actors import Actor
from autodcc.core.roles import HANDED_ONLY_ROLES
from autodcc.core.tenancy import TenantQuerySet, dealer_scope_q


class Channel(models.TextChoices):
    AUTOHOME = "autohome", _("Autohome (汽车之家)")
    YICHE = "yiche", _("Yiche (易车)")
    DONGCHEDI = "dongchedi", _("Dongchedi (懂车帝)")
    TMALL = "tmall", _("Tmall store")
    OWN_SITE = "own_site", _("Brand website")
    STOREFRONT = "storefront", _("Online store")
    HOTLINE = "hotline", _("400 hotline")
    WALK_IN = "walk_in", _("Walk-in")
    REFERRAL = "referral", _("Referral")
    SOCIAL = "social", _("Social media")
    FORUM = "forum", _("Forum")
    GROUP_BUY = "group_buy", _("Group buy")
    IMPORT = "import", _("File import")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    NEW = "new", _("Not yet contacted")
    FOLLOWING = "following", _("Following up")
    INVITED = "invited", _("Invited")
    ARRIVED = "arrived", _("In the showroom")
    NEGOTIATING = "negotiating", _("Negotiating")
    ORDERED = "ordered", _("Ordered")
    DELIVERED = "delivered", _("Delivered")
    DEFEAT_PENDING = "defeat_pending", _("Defeat awaiting approval")
    DEFEATED = "defeated", _("Defeated")
    INVALID = "invalid", _("Invalid")


OPEN_STATUSES = (Status.NEW, Status.FOLLOWING, Status.INVITED, Status.ARRIVED, Status.NEGOTIATING, Status.ORDERED,
                 Status.DEFEAT_PENDING)
CLOSED_STATUSES = (Status.DELIVERED, Status.DEFEATED, Status.INVALID)

# status → the statuses it may move to (the services consult this table)
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.FOLLOWING, Status.INVITED, Status.ARRIVED, Status.DEFEAT_PENDING}),
    Status.FOLLOWING: frozenset({Status.INVITED, Status.ARRIVED, Status.DEFEAT_PENDING}),
    Status.INVITED: frozenset({Status.FOLLOWING, Status.ARRIVED, Status.DEFEAT_PENDING}),
    Status.ARRIVED: frozenset({Status.FOLLOWING, Status.INVITED, Status.NEGOTIATING, Status.ORDERED,
                               Status.DEFEAT_PENDING}),
    Status.NEGOTIATING: frozenset({Status.ORDERED, Status.FOLLOWING, Status.DEFEAT_PENDING}),
    Status.ORDERED: frozenset({Status.DELIVERED, Status.DEFEAT_PENDING}),
    Status.DEFEAT_PENDING: frozenset({Status.DEFEATED, Status.INVALID, Status.NEW, Status.FOLLOWING, Status.INVITED,
                                      Status.ARRIVED, Status.NEGOTIATING, Status.ORDERED}),
    Status.DELIVERED: frozenset(),
    Status.DEFEATED: frozenset(),
    Status.INVALID: frozenset(),
}


class Grade(models.TextChoices):
    N = "N", _("N – new, not graded")
    H = "H", _("H – buys within 7 days")
    A = "A", _("A – within 15 days")
    B = "B", _("B – within 30 days")
    C = "C", _("C – within 2–3 months")


class Stage(models.TextChoices):
    """Who holds the lead: marketing (HQ, platforms) → DCC → showroom consultant."""

    MARKETING = "marketing", _("Marketing")
    DCC = "dcc", _("DCC")
    SHOWROOM = "showroom", _("Showroom")


class AllocationReason(models.TextChoices):
    CHOSEN = "chosen", _("Dealer chosen by the consumer")
    CITY = "city", _("Shared evenly among the dealers of the consumer's city")
    NEAREST = "nearest", _("Nearest dealer (no dealer in the consumer's city)")
    REALLOCATED = "reallocated", _("Re-allocated by HQ")
    STAFF = "staff", _("Entered by the dealer's staff")
    INACTIVE_CITY = "inactive_city", _("Chosen dealer closed: shared among the dealers of the city")
    INACTIVE_NEAREST = "inactive_nearest", _("Chosen dealer closed: nearest dealer")


# Showroom milestones stamped on the lead (time and person), in funnel order.
MILESTONES = ("contacted", "invited", "arrived", "presented", "test_driven", "negotiated", "ordered", "delivered",
              "defeated")


def _stamp_fields() -> dict[str, models.Field]:
    fields: dict[str, models.Field] = {}
    for name in MILESTONES:
        fields[f"{name}_at"] = models.DateTimeField(null=True, blank=True)
        # who did it is shown, never searched: no index to keep up on every new lead
        fields[f"{name}_by"] = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True,
                                                 related_name="+", db_index=False)
    return fields


class LeadQuerySet(TenantQuerySet):
    def visible_to(self, actor: Actor) -> LeadQuerySet:
        """A dealer's leads to its staff, a region's to the region, all to HQ — except that a
        consultant (or service advisor) sees only the leads handed to them."""
        q = dealer_scope_q(actor, "dealer")
        if not actor.is_hq:
            handed_only = sorted(d for d in actor.dealer_ids if actor.roles_at(d) and actor.roles_at(d) <= HANDED_ONLY_ROLES)
            if handed_only:
                q = (q & ~Q(dealer_id__in=handed_only)) | Q(dealer_id__in=handed_only, consultant_id=actor.staff_id)
        return self.filter(q)

    def open(self) -> LeadQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class LeadChildQuerySet(TenantQuerySet):
    """Rows that belong to a lead are visible exactly when their lead is."""

    def visible_to(self, actor: Actor) -> LeadChildQuerySet:
        return self.filter(lead__in=Lead.objects.visible_to(actor).values("pk"))


class Lead(models.Model):
    TENANT_DEALER_FIELD = "dealer"

    # dealer, agent and consultant lead composite indexes (Meta), which serve their lookups too
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, related_name="leads",
                               verbose_name=_("dealer"), db_index=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="leads",
                                 verbose_name=_("customer"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # the campaign whose code the capture carried, when that campaign is the brand's, the dealer's
    # region's or the dealer's own (the code as sent stays on the capture)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="leads", verbose_name=_("campaign"))
    source_ref = models.CharField(_("platform reference"), max_length=80, blank=True)
    model_interest = models.CharField(_("model of interest"), max_length=80, blank=True)
    city = models.ForeignKey("network.City", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("consumer's city"), db_index=False)
    message = models.TextField(_("consumer's message"), blank=True)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    status_before_defeat = models.CharField(max_length=16, blank=True)
    stage = models.CharField(_("held by"), max_length=16, choices=Stage.choices, default=Stage.MARKETING)
    grade = models.CharField(_("intent grade"), max_length=1, choices=Grade.choices, default=Grade.N)
    expected_purchase_on = models.DateField(_("expected purchase"), null=True, blank=True)
    expected_visit_on = models.DateField(_("expected visit"), null=True, blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)

    allocation_reason = models.CharField(_("allocation"), max_length=16, choices=AllocationReason.choices)
    agent = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="agent_leads", verbose_name=_("DCC agent"), db_index=False)
    consultant = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="consultant_leads", verbose_name=_("sales consultant"), db_index=False)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (opening minutes)"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    duplicate_count = models.PositiveIntegerField(_("repeat enquiries"), default=0)
    api_token = models.ForeignKey("network.ApiToken", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    locals().update(_stamp_fields())

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "dealer"], condition=Q(status__in=OPEN_STATUSES),
                                    name="one_open_lead_per_customer_and_dealer"),
            models.CheckConstraint(condition=Q(status__in=CLOSED_STATUSES) | Q(next_follow_up_on__isnull=False),
                                   name="open_lead_has_next_follow_up"),
        ]
        indexes = [
            models.Index(fields=["dealer", "status", "next_follow_up_on"]),
            models.Index(fields=["dealer", "created_at"]),
            models.Index(fields=["agent", "status"]),
            models.Index(fields=["consultant", "status"]),
            # a dealer's leads by id: the repeat-enquiry count joins captures to them
            models.Index(fields=["dealer", "id"], name="lead_dealer_id_idx"),

            # the funnel's activity counts read each stage by its own date, per dealer
            *[models.Index(fields=[f"{m}_at", "dealer"], name=f"lead_{m}_at_idx",
                           condition=Q(**{f"{m}_at__isnull": False}))
              for m in MILESTONES if m != "presented"],
        ]

    def __str__(self) -> str:
        return f"L{self.pk:06d} {self.customer}" if self.pk else "lead"

    @property
    def number(self) -> str:
        return f"L{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def consent(self):  # type: ignore[no-untyped-def]
        """The latest consent the customer gave to this lead's dealer (one is appended per capture)."""
        return self.customer.consents.filter(dealer_id=self.dealer_id).order_by("-given_at", "-id").first()

    @property
    def holder(self):  # type: ignore[no-untyped-def]
        return self.consultant if self.stage == Stage.SHOWROOM and self.consultant_id else self.agent


class CaptureStatus(models.TextChoices):
    PENDING = "pending", _("Accepted, being processed")
    PROCESSED = "processed", _("Processed")
    REJECTED = "rejected", _("Rejected")


class Capture(models.Model):
    """One capture of a lead, from any path: what was sent, by whom, with which idempotency key,
    and what became of it — a new lead (with its allocation) or a repeat that joined an open lead.
    The per-channel repeat count (valid-lead rate) comes from here. A capture accepted over the
    API for a worker waits here as ``pending`` with its payload until it is processed."""

    TENANT_DEALER_FIELD = "lead__dealer"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, null=True, blank=True, related_name="captures",
                             verbose_name=_("lead"))
    key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CaptureStatus.choices,
                              default=CaptureStatus.PROCESSED)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    campaign = models.CharField(_("campaign"), max_length=80, blank=True)
    source_ref = models.CharField(_("platform reference"), max_length=80, blank=True)
    name = models.CharField(_("name given"), max_length=60, blank=True)
    duplicate = models.BooleanField(_("repeat"), default=False)
    allocation = models.CharField(_("allocation"), max_length=16, choices=AllocationReason.choices, blank=True)
    distance_km = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    api_token = models.ForeignKey("network.ApiToken", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", db_index=False)  # read with the capture's id
    user_id = models.BigIntegerField(null=True, blank=True)
    by_label = models.CharField(max_length=150)
    payload = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = LeadChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["channel", "at"]),
            # repeat enquiries of a period (the funnel's "repeats"), read without the table
            models.Index(fields=["at"], include=["lead"], condition=Q(duplicate=True), name="capture_repeat_at_idx"),
            models.Index(fields=["at"], name="capture_pending_idx", condition=Q(status="pending")),
        ]

    @property
    def created(self) -> bool:
        """A new lead (not a repeat that joined an open one)."""
        return self.status == CaptureStatus.PROCESSED and not self.duplicate


class Allocation(models.Model):
    """A re-allocation of a lead by HQ (its first allocation is recorded on its first capture)."""

    TENANT_DEALER_FIELD = "lead__dealer"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="allocations",
                             verbose_name=_("lead"))
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=16, choices=AllocationReason.choices)
    distance_km = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    by_label = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    objects = LeadChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]


class AssignmentKind(models.TextChoices):
    AUTO = "auto", _("Assigned automatically")
    MANUAL = "manual", _("Reassigned by a supervisor")
    LEAVE = "leave", _("Moved: the agent is on leave")
    POOL = "pool", _("Waiting: no agent on duty")


class Assignment(models.Model):
    TENANT_DEALER_FIELD = "lead__dealer"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments",
                             verbose_name=_("lead"))
    staff = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    previous = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=8, choices=AssignmentKind.choices)
    note = models.CharField(max_length=200, blank=True)
    by_label = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    objects = LeadChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]


class Handover(models.Model):
    """A transfer between marketing, DCC and the showroom: who to whom, when, with a note."""

    TENANT_DEALER_FIELD = "lead__dealer"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="handovers",
                             verbose_name=_("lead"))
    from_stage = models.CharField(max_length=16, choices=Stage.choices)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    from_staff = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   db_index=False)
    to_staff = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    by_label = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    objects = LeadChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]


class ContactKind(models.TextChoices):
    CALL_OUT = "call_out", _("Outgoing call")
    CALL_IN = "call_in", _("Incoming call")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("Store visit")


class ContactResult(models.TextChoices):
    REACHED = "reached", _("Reached, talked")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy / call back later")
    WRONG_NUMBER = "wrong_number", _("Wrong or empty number")
    REFUSED = "refused", _("Not interested")
    MESSAGE_LEFT = "message_left", _("Message sent")


class Contact(models.Model):
    TENANT_DEALER_FIELD = "lead__dealer"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="contacts",
                             verbose_name=_("lead"))
    kind = models.CharField(_("contact"), max_length=16, choices=ContactKind.choices)
    result = models.CharField(_("result"), max_length=16, choices=ContactResult.choices)
    note = models.TextField(_("note"), blank=True)
    recording_ref = models.CharField(_("recording reference"), max_length=200, blank=True)
    by = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = LeadChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CONFIRMED = "confirmed", _("Confirmed the day before")
    ARRIVED = "arrived", _("Arrived")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(models.Model):
    """An invitation to the store (邀约), confirmed the day before, closed by the arrival."""

    TENANT_DEALER_FIELD = "lead__dealer"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="appointments",
                             verbose_name=_("lead"))
    scheduled_at = models.DateTimeField(_("visit time"))
    purpose = models.CharField(_("purpose"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.SCHEDULED)
    confirm_on = models.DateField(_("confirm on"))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    arrived_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = LeadChildQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [models.Index(fields=["status", "scheduled_at"]), models.Index(fields=["status", "confirm_on"])]


class DefeatKind(models.TextChoices):
    DEFEAT = "defeat", _("Defeat")
    INVALID = "invalid", _("Invalid lead")


class DefeatReason(models.TextChoices):
    """战败原因 (a real dealer CRM's list, DOMAIN.md §5) and 无效线索 reasons."""

    BUDGET = "budget", _("Budget too low")
    COMPETITOR = "competitor", _("Bought a competitor")
    SAME_BRAND_ELSEWHERE = "same_brand", _("Bought our brand at another dealer")
    PRICE = "price", _("Price / discount")
    EQUIPMENT = "equipment", _("Equipment and configuration")
    DESIGN = "design", _("Design")
    SERVICE = "service", _("Service experience")
    FINANCE = "finance", _("Finance offer")
    PLAN_CHANGED = "plan_changed", _("No longer buying")
    DELIVERY_TIME = "delivery_time", _("Delivery time")
    TRADE_IN = "trade_in", _("Trade-in valuation")
    PLATE = "plate", _("Plate quota / purchase restrictions")
    INVALID_NUMBER = "invalid_number", _("Empty or wrong number")
    UNREACHABLE = "unreachable", _("Repeatedly unreachable")
    NO_INTENT = "no_intent", _("No intention to buy")
    ALREADY_OURS = "already_ours", _("Already bought our brand")
    ALREADY_OTHER = "already_other", _("Already bought another brand")
    OUT_OF_AREA = "out_of_area", _("Outside our area")
    OTHER = "other", _("Other")


DEFEAT_REASONS = (
    DefeatReason.BUDGET, DefeatReason.COMPETITOR, DefeatReason.SAME_BRAND_ELSEWHERE, DefeatReason.PRICE,
    DefeatReason.EQUIPMENT, DefeatReason.DESIGN, DefeatReason.SERVICE, DefeatReason.FINANCE,
    DefeatReason.PLAN_CHANGED, DefeatReason.DELIVERY_TIME, DefeatReason.TRADE_IN, DefeatReason.PLATE,
)
INVALID_REASONS = (
    DefeatReason.INVALID_NUMBER, DefeatReason.UNREACHABLE, DefeatReason.NO_INTENT, DefeatReason.ALREADY_OURS,
    DefeatReason.ALREADY_OTHER, DefeatReason.OUT_OF_AREA, DefeatReason.OTHER,
)


class DefeatStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DefeatRequest(models.Model):
    TENANT_DEALER_FIELD = "lead__dealer"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="defeats",
                             verbose_name=_("lead"))
    kind = models.CharField(_("kind"), max_length=8, choices=DefeatKind.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=DefeatReason.choices)
    competitor_brand = models.CharField(_("competitor brand"), max_length=40, blank=True)
    competitor_model = models.CharField(_("competitor model"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("status"), max_length=8, choices=DefeatStatus.choices, default=DefeatStatus.PENDING)
    decided_by = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    revisit_on = models.DateField(_("revisit on"), null=True, blank=True)

    objects = LeadChildQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lead"], condition=Q(status="pending"), name="one_pending_defeat_per_lead")
        ]


class CareKind(models.TextChoices):
    POST_DELIVERY = "post_delivery", _("Post-delivery follow-up")
    REVISIT = "revisit", _("Revisit after defeat")
    CAMPAIGN = "campaign", _("Campaign call")


class CareTask(models.Model):
    """A dated follow-up outside the open-lead cycle: day 1/7/30 after delivery, a defeat's revisit."""

    TENANT_DEALER_FIELD = "lead__dealer"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="care_tasks",
                             verbose_name=_("lead"))
    kind = models.CharField(max_length=16, choices=CareKind.choices)
    label = models.CharField(max_length=40)
    due_on = models.DateField(db_index=True)
    assignee = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    # a campaign's call task (CMP-3): the campaign and the script the agent reads from
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="call_tasks")
    script = models.ForeignKey("campaigns.CallScript", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")

    objects = LeadChildQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["lead", "campaign"], condition=models.Q(campaign__isnull=False),
                                               name="one_call_task_per_lead_and_campaign")]


class DealerLeadSettings(models.Model):
    """Per-dealer rules: the first-response SLA, grade windows and revisit intervals, post-delivery days."""

    TENANT_DEALER_FIELD = "dealer"

    dealer = models.OneToOneField("network.Dealer", on_delete=models.CASCADE, related_name="lead_settings")
    sla_minutes = models.PositiveIntegerField(_("first response within (opening minutes)"), default=30)
    grade_intervals = models.JSONField(_("revisit interval per grade (days)"), default=dict)
    grade_windows = models.JSONField(_("purchase window per grade (days)"), default=dict)
    post_delivery_days = models.JSONField(_("post-delivery follow-ups (days after delivery)"), default=list)
    defeat_needs_contact = models.BooleanField(_("a defeat needs a recorded contact attempt"), default=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead rules")
        verbose_name_plural = _("lead rules")


class RevisitTarget(models.Model):
    """每日回访目标: the number of follow-up contacts a person should make each day."""

    TENANT_DEALER_FIELD = "dealer"

    dealer = models.ForeignKey("network.Dealer", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey("network.Staff", on_delete=models.CASCADE, related_name="+")
    per_day = models.PositiveIntegerField(_("contacts per day"))
    set_by_label = models.CharField(max_length=150)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dealer", "staff"], name="one_target_per_person")]


class LeaveCoverage(models.Model):
    """Marks a leave whose agent's open leads have been moved to colleagues."""

    leave = models.OneToOneField("network.LeavePeriod", on_delete=models.CASCADE, related_name="+")
    moved = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)
