from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core import phone
from autodcc.core.actors import Actor
from autodcc.core.tenancy import TenantQuerySet, dealer_scope_q


class CustomerKind(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    MEMBER = "member", _("Member (bought here)")
    NON_MEMBER = "non_member", _("Non-member (serviced here)")


class AgeBand(models.TextChoices):
    UNDER_25 = "u25", _("Under 25")
    A25_34 = "25_34", _("25–34")
    A35_44 = "35_44", _("35–44")
    A45_54 = "45_54", _("45–54")
    OVER_55 = "55p", _("55 and over")


class Family(models.TextChoices):
    SINGLE = "single", _("Single")
    COUPLE = "couple", _("Couple")
    YOUNG_CHILDREN = "young_children", _("With young children")
    OLDER_CHILDREN = "older_children", _("With older children")
    MULTI_GENERATION = "multi_generation", _("Three generations")


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor) -> CustomerQuerySet:
        """HQ sees everyone; dealer staff see the customers with a lead or a vehicle at their
        dealers; a consultant sees the customers of the leads handed to them."""
        if actor.is_hq:
            return self.all()
        from autodcc.leads.models import Lead

        leads = Lead.objects.visible_to(actor).values("customer_id")
        vehicles = Vehicle.objects.filter(dealer_scope_q(actor, "dealer")).values("customer_id")
        return self.filter(Q(pk__in=leads) | Q(pk__in=vehicles))


class Customer(models.Model):
    """A person, known by their mobile number, across dealers."""

    name = models.CharField(_("full name"), max_length=60)
    phone = models.CharField(_("mobile"), max_length=20, unique=True)
    kind = models.CharField(_("customer type"), max_length=16, choices=CustomerKind.choices,
                            default=CustomerKind.PROSPECT)
    gender = models.CharField(_("gender"), max_length=8, blank=True,
                              choices=[("m", _("Male")), ("f", _("Female"))])
    city = models.ForeignKey("network.City", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("city"))
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    occupation = models.CharField(_("occupation / industry"), max_length=60, blank=True)
    family = models.CharField(_("family"), max_length=20, choices=Family.choices, blank=True)
    hobbies = models.CharField(_("hobbies"), max_length=200, blank=True)
    budget_min = models.PositiveIntegerField(_("budget from (CNY)"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(_("budget up to (CNY)"), null=True, blank=True)
    current_car = models.CharField(_("current car"), max_length=60, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=200, blank=True, default="", db_default="",
                                      help_text=_("For direct mail, with the customer's consent to marketing."))
    wechat_openid = models.CharField(_("WeChat openid"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return phone.mask(self.phone)


# what a consent is given for (the codes stored in Consent.purposes), as the consumer read it
PURPOSE_LABELS = {
    "contact_about_purchase": _("Contact about buying a car"),
    "marketing": _("Marketing messages"),
    "test_drive": _("Test-drive arrangements"),
    "order": _("Handling the order"),
    "feedback": _("Handling feedback and complaints"),
}


class Consent(models.Model):
    """PIPL consent as given, one row per capture (appended, never overwritten): which text, when,
    through which channel, for which purposes, and the separate consent to share the details with
    the dealer that received them (art. 23). A dealer's staff see the consents given to their
    dealer only."""

    TENANT_DEALER_FIELD = "dealer"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("shared with dealer"))
    version = models.CharField(_("consent text version"), max_length=40)
    purposes = models.JSONField(_("purposes"), default=list)
    share_with_dealer = models.BooleanField(_("separate consent to share with the dealer"), default=False)
    marketing = models.BooleanField(_("consent to marketing messages"), default=False)
    channel = models.CharField(_("channel"), max_length=32)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.customer} {self.version} {self.given_at:%Y-%m-%d}"

    @property
    def purpose_labels(self) -> list[str]:
        return [str(PURPOSE_LABELS.get(p, p)) for p in self.purposes or []]

    @property
    def channel_label(self) -> str:
        from autodcc.leads.models import Channel

        return str(dict(Channel.choices).get(self.channel, self.channel))


class Vehicle(models.Model):
    """A car a customer owns (bought or serviced at a dealer)."""

    TENANT_DEALER_FIELD = "dealer"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="vehicles",
                                 verbose_name=_("owner"))
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("dealer"))
    vin = models.CharField(_("VIN"), max_length=17, unique=True)
    plate = models.CharField(_("plate"), max_length=10, blank=True, db_index=True)
    # the catalogue trim of one of the brand's cars (set at delivery, or chosen by staff); a car of
    # another brand has none and is known by its free-text model name
    trim = models.ForeignKey("catalog.Trim", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("trim"))
    # free text for another brand's car; the catalogue model's name when the trim is known
    model_name = models.CharField(_("model"), max_length=80, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.plate or self.vin


class CustomerGroup(models.Model):
    """A saved criteria extraction (广泛应用提取): the criteria and the members found when saved."""

    TENANT_DEALER_FIELD = "dealer"

    name = models.CharField(_("name"), max_length=80)
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("dealer"))
    criteria = models.JSONField(_("criteria"), default=dict)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    members = models.ManyToManyField(Customer, related_name="groups", blank=True)
    created_by_label = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class PhoneCode(models.Model):
    """A one-time code sent by SMS so a consumer can prove a mobile number is theirs (to find
    their own orders and test drives in the store). Only a keyed hash of the code is kept."""

    phone = models.CharField(max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "created_at"])]

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"
