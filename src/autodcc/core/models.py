from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core.audit import changed


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit rows are append-only")


class AuditLog(models.Model):
    """One change made by someone. Append-only: the model refuses updates and deletes, and on
    PostgreSQL a trigger refuses them too (migration 0002)."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=16)
    actor_label = models.CharField(_("actor"), max_length=150)
    actor_user_id = models.BigIntegerField(_("actor user id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    dealer_id = models.BigIntegerField(_("dealer id"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("audit rows are append-only")

    @property
    def changes(self) -> dict[str, tuple[Any, Any]]:
        return changed(self.before, self.after)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class OutboxEvent(models.Model):
    """A side effect written in the same transaction as the change that causes it, carried out
    after commit by the dispatcher (:mod:`autodcc.core.outbox`) with retries and back-off."""

    topic = models.CharField(_("topic"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("max attempts"))
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="outbox_due_idx", condition=models.Q(status="pending")
            )
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(attempts__lte=models.F("max_attempts")), name="outbox_attempts_bounded")
        ]

    def __str__(self) -> str:
        return f"{self.topic}#{self.pk} {self.status}"


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    REJECTED = "rejected", _("Rejected (nothing saved)")
    DONE = "done", _("Done")
    DONE_WITH_ERRORS = "partial", _("Done, bad rows skipped")


class ImportJob(models.Model):
    """One uploaded spreadsheet: its progress, totals and the row-by-row error report."""

    kind = models.CharField(_("kind"), max_length=32)
    filename = models.CharField(_("file"), max_length=200)
    dealer_id = models.BigIntegerField(_("dealer id"), null=True, blank=True)
    created_by_label = models.CharField(_("uploaded by"), max_length=150)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)  # [{"row", "column", "message"}]
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class FairShare(models.Model):
    """The counters behind every even split: how many leads each dealer of a city received
    (``kind="city"``: owner = city, member = dealer) and each DCC agent of a dealer
    (``kind="agent"``: owner = dealer, member = staff member). A capture batch locks the rows it
    needs in one statement, ordered by (kind, owner, member), so concurrent batches always lock in
    the same order and never deadlock (:mod:`autodcc.core.fairshare`)."""

    kind = models.CharField(max_length=8)
    owner_id = models.BigIntegerField()
    member_id = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "owner_id", "member_id"], name="one_fair_share_row")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.owner_id}:{self.member_id}={self.count}"
