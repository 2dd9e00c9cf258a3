"""The catalogue (CAT-1, CAT-5): series → model → trim, specifications, colours, photos,
special editions with their accessory packages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 13, "decimal_places": 2}


class Energy(models.TextChoices):
    ICE = "ice", _("Petrol")
    HEV = "hev", _("Hybrid (HEV)")
    PHEV = "phev", _("Plug-in hybrid (PHEV)")
    EREV = "erev", _("Range extender (EREV)")
    BEV = "bev", _("Battery electric (BEV)")
    FCEV = "fcev", _("Fuel cell (FCEV)")


NEV = (Energy.PHEV, Energy.EREV, Energy.BEV, Energy.FCEV)


class Series(models.Model):
    """车系, e.g. 澜川 S7."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    slug = models.SlugField(_("address name"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    tagline = models.CharField(_("tagline"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    body_type = models.CharField(_("body type"), max_length=20, blank=True)
    image = models.ImageField(_("picture"), upload_to="catalog/series/", blank=True)
    sort = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class CarModel(models.Model):
    """车型: a model year / powertrain family within a series."""

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="models", verbose_name=_("series"))
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    year = models.PositiveIntegerField(_("model year"))
    energy = models.CharField(_("energy"), max_length=8, choices=Energy.choices)
    sort = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("model")
        verbose_name_plural = _("models")
        ordering = ["series__sort", "sort", "code"]

    def __str__(self) -> str:
        return self.name


class Feature(models.Model):
    """A must-have option consumers filter by (全景天窗, 座椅通风, L2 辅助驾驶 …)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        verbose_name = _("feature")
        verbose_name_plural = _("features")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Trim(models.Model):
    """配置: what is priced, specified, test-driven and ordered."""

    model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="trims", verbose_name=_("model"))
    code = models.CharField(_("code"), max_length=30, unique=True)
    slug = models.SlugField(_("address name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)
    guide_price = models.DecimalField(_("guide price"), **MONEY)
    offer_price = models.DecimalField(_("offer price"), **MONEY)
    seats = models.PositiveSmallIntegerField(_("seats"))
    displacement_l = models.DecimalField(_("displacement (L)"), max_digits=3, decimal_places=1, null=True, blank=True)
    range_km = models.PositiveIntegerField(_("electric range (km)"), null=True, blank=True)
    power_kw = models.PositiveIntegerField(_("power (kW)"), null=True, blank=True)
    relief_eligible = models.BooleanField(
        _("on the MIIT purchase-tax relief list"), default=False,
        help_text=_("Set per trim from the MIIT catalogue; never inferred from the powertrain."))
    vessel_tax_exempt = models.BooleanField(
        _("on the published list for vehicle and vessel tax exemption"), default=False,
        help_text=_("Plug-in and range-extended hybrids are exempt only when listed; battery-electric cars always are."))
    uses = models.CharField(_("suits"), max_length=60, blank=True, help_text=_("commute, family, long trips, …"))
    highlights = models.TextField(_("highlights"), blank=True)
    features = models.ManyToManyField(Feature, blank=True, related_name="trims", verbose_name=_("features"))
    deposit = models.DecimalField(_("online deposit"), default=Decimal("500.00"), **MONEY)
    sort = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    published_at = models.DateTimeField(
        _("first published"), null=True, blank=True,
        help_text=_("Set when the trim first goes on sale; a published trim is withdrawn, never deleted."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("trim")
        verbose_name_plural = _("trims")
        ordering = ["model__series__sort", "model__sort", "sort", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(offer_price__gt=0) & Q(offer_price__lte=models.F("guide_price")),
                                   name="trim_offer_within_guide"),
            models.CheckConstraint(condition=Q(seats__gte=2, seats__lte=9), name="trim_seats_range"),
            models.CheckConstraint(condition=Q(deposit__gt=0), name="trim_deposit_positive"),
        ]

    def __str__(self) -> str:
        """The model's name, then the trim's without the leading words the model's name already has:
        澜川 S7 增程 2026款 + 增程 Max → 澜川 S7 增程 2026款 Max."""
        model = str(self.model)
        said = set(model.split())
        words = self.name.split()
        while len(words) > 1 and words[0] in said:
            words.pop(0)
        return f"{model} {' '.join(words)}"

    @property
    def energy(self) -> str:
        return self.model.energy

    @property
    def saving(self) -> Decimal:
        return self.guide_price - self.offer_price


class Colour(models.Model):
    trim = models.ForeignKey(Trim, on_delete=models.CASCADE, related_name="colours", verbose_name=_("trim"))
    name = models.CharField(_("name"), max_length=30)
    hex = models.CharField(_("colour code"), max_length=7, default="#888888")
    extra_price = models.DecimalField(_("extra price"), default=Decimal("0.00"), **MONEY)

    class Meta:
        verbose_name = _("colour")
        verbose_name_plural = _("colours")
        ordering = ["trim", "extra_price", "name"]

    def __str__(self) -> str:
        return self.name


class Photo(models.Model):
    trim = models.ForeignKey(Trim, on_delete=models.CASCADE, related_name="photos", verbose_name=_("trim"))
    image = models.ImageField(_("picture"), upload_to="catalog/trims/")
    thumb = models.ImageField(_("small picture"), upload_to="catalog/trims/small/", blank=True)
    caption = models.CharField(_("caption"), max_length=80, blank=True)
    sort = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["trim", "sort", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class SpecValue(models.Model):
    """One cell of a trim's specification table: group, item, value."""

    trim = models.ForeignKey(Trim, on_delete=models.CASCADE, related_name="specs", verbose_name=_("trim"))
    group = models.CharField(_("group"), max_length=30)
    label = models.CharField(_("item"), max_length=60)
    value = models.CharField(_("value"), max_length=120)
    sort = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("specification")
        verbose_name_plural = _("specifications")
        ordering = ["trim", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["trim", "group", "label"], name="one_spec_value_per_item")]

    def __str__(self) -> str:
        return f"{self.group} / {self.label}: {self.value}"


class AccessoryPackage(models.Model):
    """An edition's exclusive accessory package; its price is internal (never shown to consumers)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    internal_price = models.DecimalField(_("internal price"), **MONEY)
    lead_time_days = models.PositiveIntegerField(_("delivery lead time (days)"), default=10)

    class Meta:
        verbose_name = _("accessory package")
        verbose_name_plural = _("accessory packages")

    def __str__(self) -> str:
        return self.name


class AccessoryPart(models.Model):
    package = models.ForeignKey(AccessoryPackage, on_delete=models.CASCADE, related_name="parts")
    part_no = models.CharField(_("part number"), max_length=30)
    name = models.CharField(_("name"), max_length=80)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["package", "part_no"]
        constraints = [models.UniqueConstraint(fields=["package", "part_no"], name="one_part_number_per_package")]

    def __str__(self) -> str:
        return f"{self.part_no} {self.name}"


class RewardsWhen(models.TextChoices):
    """CMP-7: the condition on which an edition's buyer receives its vouchers and cards."""

    RECEIPT = "receipt", _("Receipt of the car confirmed by the buyer")
    BALANCE = "balance", _("Balance paid (recorded by the dealer)")
    DELIVERY = "delivery", _("Car delivered (condition)")


class Edition(models.Model):
    """A special edition (e.g. 天猫特别版): a trim with its own public prices and an exclusive package."""

    trim = models.ForeignKey(Trim, on_delete=models.PROTECT, related_name="editions", verbose_name=_("trim"))
    code = models.CharField(_("code"), max_length=30, unique=True)
    slug = models.SlugField(_("address name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)
    guide_price = models.DecimalField(_("guide price"), **MONEY)
    offer_price = models.DecimalField(_("offer price"), **MONEY)
    package = models.ForeignKey(AccessoryPackage, on_delete=models.PROTECT, related_name="editions",
                                verbose_name=_("accessory package"))
    deposit = models.DecimalField(_("online deposit"), default=Decimal("500.00"), **MONEY)
    rewards = models.CharField(_("rewards after delivery"), max_length=200, blank=True)
    voucher_value = models.DecimalField(_("charging voucher value"), default=Decimal("0.00"), **MONEY)
    fuel_card_value = models.DecimalField(_("fuel card value"), default=Decimal("0.00"), **MONEY)
    rewards_when = models.CharField(_("rewards issued when"), max_length=10, choices=RewardsWhen.choices,
                                    default=RewardsWhen.RECEIPT)
    reward_valid_days = models.PositiveIntegerField(_("rewards valid for (days)"), default=365,
                                                    validators=[MinValueValidator(1), MaxValueValidator(3650)])
    starts_on = models.DateField(_("on sale from"), default=timezone.localdate)
    ends_on = models.DateField(_("on sale until"), null=True, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    quantity = models.PositiveIntegerField(_("limited to (cars)"), null=True, blank=True,
                                           help_text=_("Blank: no limit. Counted when the order is placed."))

    class Meta:
        verbose_name = _("special edition")
        verbose_name_plural = _("special editions")
        constraints = [
            models.CheckConstraint(condition=Q(offer_price__gt=0) & Q(offer_price__lte=models.F("guide_price")),
                                   name="edition_offer_within_guide"),
            models.CheckConstraint(condition=Q(deposit__gt=0), name="edition_deposit_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class PriceChange(models.Model):
    """A trim's guide and offer price from a date on: valid until the next change takes effect.
    A change dated today or earlier is applied when saved; later ones on their day (``apply_due``)."""

    trim = models.ForeignKey(Trim, on_delete=models.CASCADE, related_name="price_changes", verbose_name=_("trim"))
    guide_price = models.DecimalField(_("guide price"), **MONEY)
    offer_price = models.DecimalField(_("offer price"), **MONEY)
    effective_on = models.DateField(_("valid from"))
    note = models.CharField(_("note"), max_length=120, blank=True)
    by_label = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")
        ordering = ["trim", "effective_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(offer_price__gt=0) & Q(offer_price__lte=models.F("guide_price")),
                                   name="price_change_offer_within_guide"),
            models.UniqueConstraint(fields=["trim", "effective_on"], name="one_price_change_per_trim_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.trim_id} {self.effective_on}: {self.offer_price}"


class RateEntry(models.Model):
    """A tax, insurance or fee rate HQ set from a date on, over the shipped ``data/rates.json``
    (the same table names and entry shape; the entry in force on a day is the last one from
    before it, wherever it comes from)."""

    table = models.CharField(_("rate"), max_length=40)
    effective_on = models.DateField(_("valid from"))
    data = models.JSONField(_("values"))
    note = models.CharField(_("source or note"), max_length=200, blank=True)
    by_label = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        ordering = ["table", "effective_on", "id"]
        constraints = [models.UniqueConstraint(fields=["table", "effective_on"], name="one_rate_per_table_and_day")]

    def __str__(self) -> str:
        return f"{self.table} {self.effective_on}"


class FeeKind(models.TextChoices):
    AMOUNT = "amount", _("A fixed amount (CNY)")
    PERCENT = "percent", _("A share of the financed amount (%)")


class FinanceOfferQuerySet(models.QuerySet["FinanceOffer"]):
    def valid_on(self, day: dt.date) -> FinanceOfferQuerySet:
        return self.filter(is_active=True, valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day))

    def for_trim(self, trim: Trim) -> FinanceOfferQuerySet:
        """Offers for every car (no trim and no model named), or naming this trim or its model."""
        everywhere = Q(trims__isnull=True) & Q(car_models__isnull=True)
        return self.filter(everywhere | Q(trims=trim) | Q(car_models=trim.model_id)).distinct()


class FinanceOffer(models.Model):
    """A lender's car-loan offer HQ marketing publishes (CAT-4, DOMAIN.md §2): the terms it
    offers, its nominal rate, its fee, its minimum down payment (a per-product parameter since
    2024-04-03) and the cars it applies to. ``apr_disclosed`` is the annualised rate over all
    costs (PBOC 2021 No. 3), worked out when saved."""

    lender = models.CharField(_("lender"), max_length=60)
    title = models.CharField(_("title"), max_length=40, help_text=_("As the store shows it, e.g. 36期0息."))
    terms = models.CharField(_("terms (months)"), max_length=20, help_text=_("The terms offered, e.g. 12,24,36."))
    annual_rate = models.DecimalField(_("nominal annual rate (%)"), max_digits=5, decimal_places=2,
                                      default=Decimal("0.00"))
    fee_kind = models.CharField(_("fee as"), max_length=8, choices=FeeKind.choices, default=FeeKind.AMOUNT)
    fee_value = models.DecimalField(_("fee"), default=Decimal("0.00"), **MONEY,
                                    help_text=_("CNY, or a percentage of the financed amount."))
    min_down_pct = models.DecimalField(_("minimum down payment (%)"), max_digits=5, decimal_places=2,
                                       default=Decimal("0.00"))
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    trims = models.ManyToManyField(Trim, blank=True, related_name="finance_offers", verbose_name=_("trims"))
    car_models = models.ManyToManyField(CarModel, blank=True, related_name="finance_offers",
                                        verbose_name=_("models"),
                                        help_text=_("No trim and no model chosen: the offer applies to every car."))
    is_active = models.BooleanField(_("active"), default=True)
    apr_disclosed = models.DecimalField(
        _("disclosed APR (%)"), max_digits=6, decimal_places=2, default=Decimal("0.00"),
        help_text=_("The highest annualised rate over all costs on a 100,000 CNY loan over the terms offered."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = FinanceOfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("finance offer")
        verbose_name_plural = _("finance offers")
        ordering = ["-is_active", "-valid_from", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(annual_rate__gte=0, annual_rate__lte=36), name="finance_offer_rate_range"),
            models.CheckConstraint(condition=Q(fee_value__gte=0), name="finance_offer_fee_not_negative"),
            models.CheckConstraint(condition=Q(min_down_pct__gte=0, min_down_pct__lt=100),
                                   name="finance_offer_min_down_range"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                                   name="finance_offer_window_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.lender} {self.title}"

    @property
    def term_list(self) -> list[int]:
        return sorted({int(t) for t in self.terms.split(",") if t.strip().isdigit()})

    def fee_for(self, loan: Decimal) -> Decimal:
        """The fee on a loan of ``loan`` CNY, to the fen."""
        from autodcc.catalog.finance import fen

        if self.fee_kind == FeeKind.PERCENT:
            return fen(loan * self.fee_value / 100)
        return fen(self.fee_value)
