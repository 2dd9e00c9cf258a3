from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from autodcc.core import phone
from autodcc.core.actors import Actor
from autodcc.core.roles import ROLE_SCOPE, Role, Scope
from autodcc.core.tenancy import TenantQuerySet, dealer_scope_q

WEEKDAYS = [
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("7", _("Sun")),
]


def weekdays_display(days: str) -> str:
    """``"12345"`` → 周一、周二、周三、周四、周五 (opening days as stored on a dealer)."""
    labels = dict(WEEKDAYS)
    return pgettext("list separator", ", ").join(str(labels.get(d, d)) for d in days)


class Region(models.Model):
    """大区: a group of dealers watched by regional managers."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Province(models.Model):
    code = models.CharField(_("administrative code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=30)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class City(models.Model):
    """A prefecture-level city (or municipality) with its centre in GCJ-02, from the shipped data."""

    adcode = models.CharField(_("administrative code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=30)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province"))
    level = models.CharField(_("level"), max_length=32)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    datum = models.CharField(_("datum"), max_length=8, default="GCJ-02")

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["adcode"]

    def __str__(self) -> str:
        return self.name


class Dealer(models.Model):
    """A dealership (4S店 / 网点). Owned rows of every other app point here."""

    TENANT_DEALER_FIELD = ""

    code = models.CharField(_("dealer code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    brand = models.CharField(_("brand"), max_length=40)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="dealers", verbose_name=_("region"))
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="dealers", verbose_name=_("city"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    opens_at = models.TimeField(_("opens at"), default=dt.time(8, 30))
    closes_at = models.TimeField(_("closes at"), default=dt.time(18, 0))
    open_weekdays = models.CharField(_("opening days"), max_length=7, default="1234567")
    is_key = models.BooleanField(_("key dealer"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # where the brand credits the dealer's settled deposits (划款账户)
    account_name = models.CharField(_("account holder"), max_length=120, blank=True)
    account_bank = models.CharField(_("bank and branch"), max_length=120, blank=True)
    account_number = models.CharField(_("account number"), max_length=34, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        ordering = ["code"]
        indexes = [models.Index(fields=["city", "is_active"])]
        constraints = [
            models.CheckConstraint(condition=Q(opens_at__lt=models.F("closes_at")), name="dealer_hours_ordered"),
            models.CheckConstraint(condition=~Q(open_weekdays=""), name="dealer_open_some_day"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def phone_display(self) -> str:
        return phone.national(self.phone)

    @property
    def opening_hours_display(self) -> str:
        return f"{weekdays_display(self.open_weekdays)} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class StaffQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor) -> StaffQuerySet:
        """Staff of the dealers the actor sees, plus the regional staff of the actor's regions."""
        if actor.is_hq:
            return self.all()
        grants = RoleGrant.objects.filter(dealer_scope_q(actor, "dealer"))
        if actor.region_ids:
            grants = grants | RoleGrant.objects.filter(region_id__in=sorted(actor.region_ids))
        return self.filter(pk__in=grants.values("staff_id"))


class Staff(models.Model):
    """A person who works in the console, with one or more role grants."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(_("full name"), max_length=60)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    employee_no = models.CharField(_("employee number"), max_length=30, blank=True)
    on_duty = models.BooleanField(_("on duty"), default=True)
    capacity = models.PositiveIntegerField(_("open-lead capacity"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return phone.mask(self.phone)

    def on_leave_at(self, when: dt.datetime) -> bool:
        return self.leaves.filter(starts_at__lte=when, ends_at__gt=when).exists()

    @property
    def primary_dealer(self) -> Dealer | None:
        grant = next((g for g in self.grants.all() if g.dealer_id), None)
        return grant.dealer if grant else None


class RoleGrant(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="grants", verbose_name=_("staff member"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, null=True, blank=True, related_name="grants", verbose_name=_("dealer")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="grants", verbose_name=_("region")
    )

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.CheckConstraint(
                name="grant_scope_matches_role",
                condition=(
                    Q(role__in=[r for r in Role.values if ROLE_SCOPE[r] == Scope.HQ], dealer__isnull=True, region__isnull=True)
                    | Q(role__in=[r for r in Role.values if ROLE_SCOPE[r] == Scope.REGION], dealer__isnull=True, region__isnull=False)
                    | Q(role__in=[r for r in Role.values if ROLE_SCOPE[r] == Scope.DEALER], dealer__isnull=False, region__isnull=True)
                ),
            ),
            models.UniqueConstraint(fields=["staff", "role", "dealer"], condition=Q(dealer__isnull=False), name="grant_unique_dealer"),
            models.UniqueConstraint(fields=["staff", "role", "region"], condition=Q(region__isnull=False), name="grant_unique_region"),
            models.UniqueConstraint(
                fields=["staff", "role"], condition=Q(dealer__isnull=True, region__isnull=True), name="grant_unique_hq"
            ),
        ]

    def __str__(self) -> str:
        where = self.dealer or self.region or _("HQ")
        return f"{self.get_role_display()} @ {where}"


class LeavePeriod(models.Model):
    """休假: while it lasts the person gets no new leads and their open leads are covered."""

    TENANT_DEALER_FIELD = "staff__grants__dealer"

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="leaves", verbose_name=_("staff member"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["-starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="leave_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.staff} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A key for the JSON API. A channel partner's token (no dealer) captures leads and reads the
    status of the leads it sent; a dealer's token also lists and reads that dealer's leads."""

    name = models.CharField(_("name"), max_length=80)
    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, null=True, blank=True, related_name="api_tokens",
                               verbose_name=_("dealer"))
    channel = models.CharField(_("channel of the leads it sends"), max_length=16, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
