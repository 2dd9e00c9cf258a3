"""Feedback and complaints (CARE-3): what the consumer said, where it was routed, the clock it
runs against (first response and resolution, in opening hours), every step it took, and the
consumer's own word on the resolution (through a single-use link sent by SMS)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from autodcc.core import phone
from autodcc.core.tenancy import TenantQuerySet


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Category(models.TextChoices):
    PRODUCT = "product", _("Product")
    SALES = "sales_service", _("Sales service")
    AFTER_SALES = "after_sales", _("After-sales service")
    DELIVERY = "delivery", pgettext_lazy("complaint category", "Delivery")
    ONLINE_STORE = "online_store", _("Online store")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    STORE_ORDER = "store_order", _("Store: order page")
    STORE = "store", _("Store: feedback page")
    PHONE = "phone", _("Phone call")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("API")


class Queue(models.TextChoices):
    """Who handles a complaint: the dealer concerned, or an HQ department."""

    DEALER = "dealer", _("The dealer")
    HQ_SERVICE = "hq_service", _("HQ customer service")
    HQ_MARKETING = "hq_marketing", _("HQ marketing")


HQ_QUEUES = frozenset({Queue.HQ_SERVICE, Queue.HQ_MARKETING})


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved, awaiting the consumer")
    CONFIRMED = "confirmed", _("Confirmed by the consumer")
    REOPENED = "reopened", _("Reopened by the consumer")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED})
DONE_STATUSES = frozenset({Status.RESOLVED, Status.CONFIRMED, Status.CLOSED})

# the one transition table: from → the states it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED}),
    Status.ASSIGNED: frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED}),
    Status.IN_PROGRESS: frozenset({Status.ASSIGNED, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CONFIRMED, Status.REOPENED, Status.CLOSED}),
    Status.CONFIRMED: frozenset({Status.CLOSED}),
    Status.REOPENED: frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED}),
    Status.CLOSED: frozenset(),
}


class CategoryRule(models.Model):
    """Per category: where a complaint goes and its clock (opening minutes). HQ edits them."""

    category = models.CharField(_("category"), max_length=16, choices=Category.choices, unique=True)
    target = models.CharField(_("routed to"), max_length=16, choices=Queue.choices, default=Queue.DEALER,
                              help_text=_("The dealer concerned (its order's or lead's), or an HQ department. "
                                          "Without a dealer a complaint goes to HQ customer service."))
    first_response_minutes = models.PositiveIntegerField(_("first response within (opening minutes)"), default=120)
    resolution_minutes = models.PositiveIntegerField(_("resolution within (opening minutes)"), default=1440)
    escalate_again_minutes = models.PositiveIntegerField(
        _("escalate again after (opening minutes)"), default=480,
        help_text=_("After the first escalation (to the dealer's general manager), still unresolved after this "
                    "long: to the regional manager or HQ."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("complaint rule")
        verbose_name_plural = _("complaint rules")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(first_response_minutes__gt=0) & Q(resolution_minutes__gt=0)
                                   & Q(escalate_again_minutes__gt=0), name="complaint_rule_minutes_positive"),
        ]

    def __str__(self) -> str:
        return str(self.get_category_display())


class Complaint(models.Model):
    TENANT_DEALER_FIELD = "dealer"

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.COMPLAINT)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="complaints",
                                 verbose_name=_("customer"))
    contact_name = models.CharField(_("name given"), max_length=60)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="complaints", verbose_name=_("order"))
    lead = models.ForeignKey("leads.Lead", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="complaints", verbose_name=_("lead"))
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="complaints", verbose_name=_("dealer"))
    queue = models.CharField(_("handled by"), max_length=16, choices=Queue.choices)
    assignee = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="complaints", verbose_name=_("assignee"))
    description = models.TextField(_("description"))
    resolution = models.TextField(_("resolution"), blank=True)
    respond_by = models.DateTimeField(_("first response due"))
    resolve_by = models.DateTimeField(_("resolution due"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # when the sweep next looks at it: the first deadline still running, then the second
    # escalation's; empty when nothing more can escalate
    escalate_at = models.DateTimeField(_("escalates at"), null=True, blank=True)
    minutes_to_resolve = models.PositiveIntegerField(_("opening minutes to resolve"), null=True, blank=True)
    resolved_in_time = models.BooleanField(_("resolved within the SLA"), null=True, blank=True)
    api_token_id = models.BigIntegerField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    token_hash = models.CharField(max_length=64, blank=True, default="")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_used_at = models.DateTimeField(null=True, blank=True)
    submission_key = models.CharField(max_length=220, blank=True, default="")
    created_by = models.CharField(_("filed by"), max_length=150)
    created_at = models.DateTimeField(_("filed"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["escalate_at"], name="complaint_escalate_idx", condition=Q(escalate_at__isnull=False)),
            models.Index(fields=["dealer", "created_at"], name="complaint_dealer_idx"),
            models.Index(fields=["token_hash"], name="complaint_token_idx", condition=~Q(token_hash="")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["submission_key"], condition=~Q(submission_key=""),
                                    name="one_complaint_per_submission"),
            models.CheckConstraint(condition=~Q(queue="dealer") | Q(dealer__isnull=False),
                                   name="complaint_dealer_queue_has_dealer"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def phone_masked(self) -> str:
        return phone.mask(self.customer.phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue_at(self, now: object) -> bool:
        """Past a deadline that still runs: the first response, or the resolution."""
        if self.status not in OPEN_STATUSES:
            return False
        return (self.first_response_at is None and self.respond_by <= now) or self.resolve_by <= now  # type: ignore

    @property
    def overdue(self) -> bool:
        return self.overdue_at(timezone.now())

    @property
    def handler_label(self) -> str:
        if self.queue == Queue.DEALER and self.dealer_id:
            return str(self.dealer)
        return str(self.get_queue_display())


class EntryKind(models.TextChoices):
    FILED = "filed", _("Filed")
    ROUTED = "routed", _("Routed")
    ASSIGNED = "assigned", _("Assigned")
    NOTE = "note", _("Note")
    STARTED = "started", _("Work started")
    REASSIGNED = "reassigned", _("Passed to another handler")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed by the consumer")
    REOPENED = "reopened", _("Reopened by the consumer")
    CLOSED = "closed", _("Closed")


class ComplaintEntry(models.Model):
    """One step in a complaint's history; never changed or removed."""

    TENANT_DEALER_FIELD = "complaint__dealer"

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("step"), max_length=16, choices=EntryKind.choices)
    note = models.TextField(_("note"), blank=True)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    by_label = models.CharField(_("by"), max_length=150)
    by_staff = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint history entry")
        verbose_name_plural = _("complaint history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint} {self.kind}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"complaints/{timezone.now():%Y/%m}/{instance.complaint_id}-{filename[-60:]}"


class Attachment(models.Model):
    """A picture or document the consumer or staff added (optional)."""

    TENANT_DEALER_FIELD = "complaint__dealer"

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path)
    name = models.CharField(_("name"), max_length=120)
    size = models.PositiveIntegerField(_("size (bytes)"))
    at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.name
