from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core import phone
from autodcc.core.tenancy import TenantQuerySet


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat template message")
    PUSH = "push", _("App push")


class Event(models.TextChoices):
    BOOKING_CONFIRMATION = "booking_confirmation", _("Test-drive booking confirmation")
    TESTDRIVE_REMINDER = "testdrive_reminder", _("Test-drive reminder")
    ORDER_CONFIRMATION = "order_confirmation", _("Order confirmation")
    PAYMENT_REMINDER = "payment_reminder", _("Payment reminder")
    VISIT_CONFIRMATION = "visit_confirmation", _("Store visit confirmation")
    RECEIPT_REMINDER = "receipt_reminder", _("Receipt confirmation reminder")
    MAINTENANCE_REMINDER = "maintenance_reminder", _("Maintenance reminder")
    CAMPAIGN = "campaign", _("Campaign")
    LEAD_ASSIGNED = "lead_assigned", _("New lead for staff")
    SLA_ESCALATION = "sla_escalation", _("Overdue lead escalation")
    DAILY_REPORT = "daily_report", _("Daily report")
    LEAD_HANDOVER = "lead_handover", _("Lead handed over to a consultant")
    DEFEAT_REJECTED = "defeat_rejected", _("Defeat request rejected")
    REFUND_APPROVED = "refund_approved", _("Refund approved")
    REFUND_PAID = "refund_paid", _("Refund paid")
    VERIFICATION_CODE = "verification_code", _("Verification code")
    COMPLAINT_NEW = "complaint_new", _("New complaint for staff")
    COMPLAINT_ESCALATION = "complaint_escalation", _("Overdue complaint escalation")
    COMPLAINT_RESOLVED = "complaint_resolved", _("Complaint resolved: confirm or reopen")
    SURVEY_INVITATION = "survey_invitation", _("Satisfaction survey invitation")
    TESTDRIVE_BOOKED = "testdrive_booked", _("Test drive booked on a lead you hold")
    FIRST_N_WON = "first_n_won", _("First-N gift won: give the address")
    FIRST_N_SHIPPED = "first_n_shipped", _("First-N gift shipped")
    TESTDRIVE_REPORT = "testdrive_report", _("Test-drive report invitation")
    REFUND_REQUESTED = "refund_requested", _("Refund requested: confirm or decline")
    REFUND_DECLINED = "refund_declined", _("Refund declined")


# The variables each event provides to its templates. A template may use only these.
EVENT_VARIABLES: dict[str, tuple[str, ...]] = {
    Event.BOOKING_CONFIRMATION: ("name", "model", "dealer", "address", "time", "booking_no", "link"),
    Event.TESTDRIVE_REMINDER: ("name", "model", "dealer", "address", "time"),
    Event.ORDER_CONFIRMATION: ("name", "order_no", "model", "amount", "dealer", "link"),
    Event.PAYMENT_REMINDER: ("name", "order_no", "amount", "deadline", "link"),
    Event.VISIT_CONFIRMATION: ("name", "dealer", "address", "time", "consultant"),
    Event.RECEIPT_REMINDER: ("name", "order_no", "dealer", "link"),
    Event.MAINTENANCE_REMINDER: ("name", "plate", "due_date", "dealer", "offer"),
    Event.CAMPAIGN: ("name", "campaign", "content", "dealer"),
    Event.LEAD_ASSIGNED: ("staff", "customer", "channel", "due"),
    Event.SLA_ESCALATION: ("staff", "agent", "customer", "minutes"),
    Event.DAILY_REPORT: ("staff", "dealer", "date", "summary"),
    Event.LEAD_HANDOVER: ("staff", "customer", "by", "time", "note", "link"),
    Event.DEFEAT_REJECTED: ("staff", "customer", "manager", "note", "link"),
    Event.REFUND_APPROVED: ("name", "order_no", "amount", "link"),
    Event.REFUND_PAID: ("name", "order_no", "amount", "link"),
    Event.VERIFICATION_CODE: ("code", "minutes"),
    Event.COMPLAINT_NEW: ("staff", "number", "category", "customer", "due", "link"),
    Event.COMPLAINT_ESCALATION: ("staff", "number", "category", "handler", "level", "link"),
    Event.COMPLAINT_RESOLVED: ("name", "number", "days", "link"),
    Event.SURVEY_INVITATION: ("name", "dealer", "link"),
    Event.TESTDRIVE_BOOKED: ("staff", "customer", "model", "time", "booking_no", "by", "link"),
    Event.FIRST_N_WON: ("name", "campaign", "gift", "rank", "link"),
    Event.FIRST_N_SHIPPED: ("name", "gift", "carrier", "tracking_no", "link"),
    Event.TESTDRIVE_REPORT: ("name", "model", "dealer", "booking_no", "link"),
    Event.REFUND_REQUESTED: ("staff", "order_no", "amount", "reason", "link"),
    Event.REFUND_DECLINED: ("name", "order_no", "amount", "reason", "link"),
}
# what each variable holds, for the people who write the templates
VARIABLE_LABELS: dict[str, Any] = {
    "name": _("the customer's name"), "model": _("the car"), "dealer": _("the dealer"), "address": _("its address"),
    "time": _("date and time"), "booking_no": _("booking number"), "link": _("the link to the page"),
    "order_no": _("order number"), "amount": _("amount (CNY)"), "deadline": _("pay by"),
    "consultant": _("the customer's contact at the dealer"), "plate": _("number plate"), "due_date": _("due date"), "offer": _("the offer"),
    "campaign": _("the campaign"), "content": _("the text"), "staff": _("the staff member"),
    "customer": _("customer and lead number"), "channel": _("channel"), "due": _("call by"), "agent": _("the agent"),
    "minutes": _("minutes"), "date": _("date"), "summary": _("the day's figures"), "by": _("handed over by"),
    "note": _("note"), "manager": _("the manager"), "code": _("the code"),
    "number": _("complaint number"), "category": _("category"), "handler": _("who handles it"),
    "level": _("escalated to"), "days": _("days the link stays valid"), "reason": _("the reason"),
    "gift": _("the gift"), "rank": _("the winner's place"), "carrier": _("carrier"),
    "tracking_no": _("tracking number"),
}
# values that let the reader act as the recipient (a code, a link carrying a token): never shown to staff
SECRET_VARIABLES = ("code", "link")
PROVIDER_LABELS: dict[str, Any] = {
    "console": _("Console (development: nothing is sent)"), "gateway": _("SMS gateway"),
    "wechat": _("WeChat template messages"),
}

# Marketing messages need marketing consent and stop for a "marketing" opt-out (PIPL art. 24).
MARKETING_EVENTS = frozenset({Event.CAMPAIGN, Event.MAINTENANCE_REMINDER})


class MessageTemplate(models.Model):
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    body = models.TextField(_("text"), help_text=_("Variables in braces, e.g. {name}."))
    wechat_template_id = models.CharField(_("WeChat template id"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["event", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], condition=Q(is_active=True), name="one_active_template")
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} / {self.get_channel_display()}"

    @property
    def variables(self) -> tuple[str, ...]:
        return EVENT_VARIABLES.get(self.event, ())


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent (opted out)")


class Message(models.Model):
    """Every message the platform sends or decides not to send, with its delivery state."""

    TENANT_DEALER_FIELD = "dealer"

    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient_phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    recipient_openid = models.CharField(_("WeChat openid"), max_length=64, blank=True)
    recipient_staff_id = models.BigIntegerField(_("staff recipient"), null=True, blank=True)
    dealer = models.ForeignKey(
        "network.Dealer", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("dealer")
    )
    body = models.TextField(_("text"))
    data = models.JSONField(_("values"), default=dict)
    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    provider = models.CharField(_("provider"), max_length=32, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    related_type = models.CharField(max_length=64, blank=True)
    related_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["related_type", "related_id"]),
            # what a staff member was last told (new-lead messages are at most one a minute per agent)
            models.Index(fields=["recipient_staff_id", "event", "created_at"], name="message_staff_event_idx",
                         condition=Q(recipient_staff_id__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.recipient_display}"

    @property
    def display_body(self) -> str:
        """The text as staff may read it: a one-time code and the buyer's private links masked
        (whoever reads the outbox must not be able to act as the customer)."""
        body = self.body
        for name in SECRET_VARIABLES:
            value = str((self.data or {}).get(name) or "")
            if value:
                body = body.replace(value, "••••••")
        return body

    @property
    def provider_label(self) -> str:
        return str(PROVIDER_LABELS.get(self.provider, self.provider))

    @property
    def recipient_display(self) -> str:
        if self.recipient_phone:
            return phone.mask(self.recipient_phone)
        return self.recipient_openid[:6] + "…" if self.recipient_openid else "—"


class OptOutScope(models.TextChoices):
    ALL = "all", _("All messages")
    MARKETING = "marketing", _("Marketing only")


class OptOut(models.Model):
    """A consumer's 'no more messages' (退订): honoured when a message is queued and again when sent."""

    phone = models.CharField(_("phone"), max_length=20, unique=True)
    scope = models.CharField(_("scope"), max_length=16, choices=OptOutScope.choices, default=OptOutScope.ALL)
    source = models.CharField(_("source"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return phone.mask(self.phone)

    def blocks(self, event: str) -> bool:
        return self.scope == OptOutScope.ALL or event in MARKETING_EVENTS
