from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core.tenancy import TenantQuerySet


class Platform(models.TextChoices):
    CHESHANGHUI = "cheshanghui", _("车商汇 (Autohome)")
    CHEYITONG = "cheyitong", _("车易通 (Yiche)")
    DONGCHEDI = "dongchedi", _("懂车帝 dealer centre")


DEFAULT_THRESHOLDS = {Platform.CHESHANGHUI: Decimal("85"), Platform.CHEYITONG: Decimal("90"),
                      Platform.DONGCHEDI: Decimal("85")}


class PlatformScore(models.Model):
    """A channel platform's monthly operation score for a dealer, checked against its threshold."""

    TENANT_DEALER_FIELD = "dealer"

    dealer = models.ForeignKey("network.Dealer", on_delete=models.CASCADE, related_name="platform_scores",
                               verbose_name=_("dealer"))
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    month = models.DateField(_("month"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    threshold = models.DecimalField(_("threshold"), max_digits=5, decimal_places=1)
    entered_by_label = models.CharField(max_length=150)
    entered_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform score")
        verbose_name_plural = _("platform scores")
        ordering = ["-month", "dealer", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "platform", "month"], name="one_score_per_platform_month"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100), name="score_0_to_100"),
        ]

    @property
    def passes(self) -> bool:
        return self.score >= self.threshold


class MonthlyTarget(models.Model):
    """A month's targets for a dealer (staff empty) or one person: leads, arrivals, orders."""

    TENANT_DEALER_FIELD = "dealer"

    dealer = models.ForeignKey("network.Dealer", on_delete=models.CASCADE, related_name="targets")
    staff = models.ForeignKey("network.Staff", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    month = models.DateField()
    leads = models.PositiveIntegerField(default=0)
    arrivals = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dealer", "month"], condition=models.Q(staff__isnull=True),
                                    name="one_dealer_target_per_month"),
            models.UniqueConstraint(fields=["dealer", "staff", "month"], condition=models.Q(staff__isnull=False),
                                    name="one_person_target_per_month"),
        ]


class RateDefinition(models.Model):
    """Overrides a default rate's numerator or denominator (OEMs define KPIs differently)."""

    code = models.CharField(max_length=30, unique=True)
    numerator = models.CharField(max_length=30)
    denominator = models.CharField(max_length=30)
    updated_at = models.DateTimeField(auto_now=True)
