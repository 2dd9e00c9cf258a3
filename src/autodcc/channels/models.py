"""What the channel connectors received and sent: one row per platform lead or order (its raw
body, what became of it), the pull cursors, the refusals counted per day, the status feedback
sent back to the platforms, and the platform-score imports."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Connector(models.TextChoices):
    TMALL = "tmall", _("Tmall (天猫)")
    AUTOHOME = "autohome", _("Autohome (汽车之家)")
    YICHE = "yiche", _("Yiche (易车)")
    DONGCHEDI = "dongchedi", _("Dongchedi (懂车帝)")


class DeliveryKind(models.TextChoices):
    LEAD = "lead", _("Lead")
    ORDER = "order", _("Deposit order")
    REFUND = "refund", _("Refund")


class Via(models.TextChoices):
    PUSH = "push", _("Pushed by the platform")
    PULL = "pull", _("Pulled from the platform")


class Outcome(models.TextChoices):
    CAPTURED = "captured", _("Captured as a new lead")
    JOINED = "joined", _("Joined an open lead")
    ORDERED = "ordered", _("Deposit order created")
    REFUNDED = "refunded", _("Refund recorded on the order")
    REJECTED = "rejected", _("Refused by our rules")
    FAILED = "failed", _("Failed")


DONE_OUTCOMES = (Outcome.CAPTURED, Outcome.JOINED, Outcome.ORDERED, Outcome.REFUNDED)
REPLAYABLE_OUTCOMES = (Outcome.REJECTED, Outcome.FAILED)


class Delivery(models.Model):
    """One lead (or Tmall order) a platform sent, however often it was sent: idempotent on the
    platform's own id per connector and kind. The raw body is kept for a replay."""

    connector = models.CharField(_("connector"), max_length=16, choices=Connector.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=DeliveryKind.choices, default=DeliveryKind.LEAD)
    platform_id = models.CharField(_("platform's id"), max_length=80)
    via = models.CharField(_("received"), max_length=8, choices=Via.choices)
    body = models.TextField(_("raw body"))
    params = models.JSONField(default=dict, blank=True)  # the signed request's system parameters
    item = models.JSONField(default=dict, blank=True)  # the platform's fields as parsed (a replay maps them again)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    error = models.JSONField(null=True, blank=True)  # [{code, field, message}]
    notes = models.JSONField(default=list, blank=True)  # fallbacks taken: [{code, value}]
    lead = models.ForeignKey("leads.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("lead"))
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("deposit order"))
    received_at = models.DateTimeField(_("first received"), default=timezone.now)
    last_received_at = models.DateTimeField(_("last received"), default=timezone.now)
    times_received = models.PositiveIntegerField(_("times received"), default=1)
    processed_at = models.DateTimeField(null=True, blank=True)
    replays = models.PositiveIntegerField(_("replays"), default=0)

    class Meta:
        verbose_name = _("platform delivery")
        verbose_name_plural = _("platform deliveries")
        ordering = ["-last_received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connector", "kind", "platform_id"], name="one_delivery_per_platform_id"),
        ]
        indexes = [
            models.Index(fields=["connector", "last_received_at"]),
            models.Index(fields=["connector", "outcome"], name="delivery_failed_idx",
                         condition=Q(outcome__in=["rejected", "failed"])),
        ]

    def __str__(self) -> str:
        return f"{self.get_connector_display()} {self.platform_id}"

    @property
    def replayable(self) -> bool:
        return self.outcome in REPLAYABLE_OUTCOMES


class Refusal(models.Model):
    """Pushes refused before anything was kept (bad signature, old timestamp, malformed body),
    counted per connector, day and reason; the last one's detail (never its body)."""

    connector = models.CharField(max_length=16, choices=Connector.choices)
    day = models.DateField()
    reason = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(default=timezone.now)
    last_detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-day", "connector", "reason"]
        constraints = [models.UniqueConstraint(fields=["connector", "day", "reason"], name="one_refusal_count_per_day")]


class PullCursor(models.Model):
    """Where the scheduled pull of a connector's stream (leads, orders) goes on from."""

    connector = models.CharField(max_length=16, choices=Connector.choices)
    stream = models.CharField(max_length=8, choices=DeliveryKind.choices)
    cursor = models.CharField(max_length=200, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connector", "stream"], name="one_cursor_per_stream")]


class FeedbackStatus(models.TextChoices):
    CONTACTED = "contacted", _("Contacted")
    INVALID = "invalid", _("Invalid lead")
    ARRIVED = "arrived", _("Arrived in the showroom")


class FeedbackState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Feedback(models.Model):
    """A lead's status told back to the platform it came from, once per status (sent through the
    outbox, retried there)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="feedback")
    status = models.CharField(_("status"), max_length=10, choices=FeedbackStatus.choices)
    state = models.CharField(_("state"), max_length=8, choices=FeedbackState.choices, default=FeedbackState.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["delivery", "status"], name="one_feedback_per_status")]


class ScoreImport(models.Model):
    """A platform's Excel export of its dealer scores, imported: row-level errors kept."""

    platform = models.CharField(_("platform"), max_length=16)
    month = models.DateField(_("month"))
    filename = models.CharField(_("file"), max_length=200)
    file_hash = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    saved = models.PositiveIntegerField(_("saved"), default=0)
    errors = models.JSONField(default=list)  # [{row, column, message}]
    by_label = models.CharField(max_length=150)
    by_user_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
