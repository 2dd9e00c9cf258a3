"""Deposit orders to settlement (ORD-1..9, CMP-7).

The online deposit is called 意向金 (refundable, 订金 semantics, DOMAIN.md §6): it has no 定金
penalty; it is credited against the price on delivery and paid over to the dealer after the
consumer confirms receipt. Payments and refunds are separate rows with their own states;
balances are derived from them, never stored. What the dealer agreed with the buyer (contract
value, balance paid) lives in ``DealerDeal``, which HQ's pages and APIs never read.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from autodcc.core.tenancy import TenantQuerySet

MONEY = {"max_digits": 13, "decimal_places": 2}


def new_token() -> str:
    return secrets.token_urlsafe(18)


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PAID = "paid", _("Deposit paid")
    VISITED = "visited", _("Visited the store")
    CONTRACTED = "contracted", _("Contract signed")
    DELIVERED = "delivered", _("Car delivered")
    RECEIVED = "received", _("Receipt confirmed")
    REFUNDED = "refunded", _("Refunded")
    CLOSED = "closed", _("Closed unpaid")


MILESTONE_ORDER = (OrderStatus.PAID, OrderStatus.VISITED, OrderStatus.CONTRACTED, OrderStatus.DELIVERED,
                   OrderStatus.RECEIVED)

TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.AWAITING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CLOSED}),
    OrderStatus.PAID: frozenset({OrderStatus.VISITED, OrderStatus.CONTRACTED, OrderStatus.REFUNDED}),
    OrderStatus.VISITED: frozenset({OrderStatus.CONTRACTED, OrderStatus.REFUNDED}),
    OrderStatus.CONTRACTED: frozenset({OrderStatus.DELIVERED, OrderStatus.REFUNDED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.RECEIVED}),
    OrderStatus.RECEIVED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
    # a payment that lands after the deadline (the buyer was still at the payment page) is kept
    OrderStatus.CLOSED: frozenset({OrderStatus.PAID}),
}


class DeliveryMode(models.TextChoices):
    STORE_PICKUP = "store_pickup", _("Pick up at the store")
    HOME_DELIVERY = "home_delivery", _("Home delivery")


class CancelledBy(models.TextChoices):
    CONSUMER = "consumer", _("The buyer")
    DEALER = "dealer", _("The dealer")
    BRAND = "brand", _("The brand")


class Order(models.Model):
    TENANT_DEALER_FIELD = "dealer"

    number = models.CharField(_("order number"), max_length=20, unique=True)
    token = models.CharField(max_length=32, unique=True, default=new_token)
    trim = models.ForeignKey("catalog.Trim", on_delete=models.PROTECT, related_name="+", verbose_name=_("trim"))
    edition = models.ForeignKey("catalog.Edition", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("special edition"))
    deposit = models.DecimalField(_("deposit"), **MONEY)
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, related_name="orders",
                               verbose_name=_("dealer"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="orders")
    lead = models.ForeignKey("leads.Lead", on_delete=models.PROTECT, related_name="orders", verbose_name=_("lead"))
    buyer_name = models.CharField(_("buyer"), max_length=60)
    wants_loan = models.BooleanField(_("interested in a loan"), default=False)
    colour = models.CharField(_("colour"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices,
                              default=OrderStatus.AWAITING_PAYMENT)
    delivery_mode = models.CharField(_("delivery"), max_length=16, choices=DeliveryMode.choices,
                                     default=DeliveryMode.STORE_PICKUP)
    # the deposit is due by then (``ORDER_PAYMENT_MINUTES`` after the order, fixed when it is placed);
    # the scheduled sweep closes the order if it is still unpaid
    pay_by = models.DateTimeField(_("pay by"))
    payment_reminded_at = models.DateTimeField(_("payment reminder sent"), null=True, blank=True)
    # receipt reminders after delivery, the dealer's and the automatic ones (ORD-7)
    receipt_reminders = models.PositiveSmallIntegerField(_("receipt reminders sent"), default=0)
    receipt_reminded_at = models.DateTimeField(_("last receipt reminder"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed unpaid"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    visited_at = models.DateTimeField(_("store visit"), null=True, blank=True)
    contracted_at = models.DateTimeField(_("contract signed"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    received_at = models.DateTimeField(_("receipt confirmed"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    cancelled_by = models.CharField(_("cancelled by"), max_length=16, choices=CancelledBy.choices, blank=True)
    deposit_due_to_dealer = models.BooleanField(_("deposit due to the dealer"), default=False)
    # the buyer's car, on file from the delivery on (CARE-1: maintenance, care, complaints find it)
    vehicle = models.OneToOneField("customers.Vehicle", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="order", verbose_name=_("vehicle"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("deposit order")
        verbose_name_plural = _("deposit orders")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(deposit__gt=0), name="order_deposit_positive")]
        indexes = [models.Index(fields=["dealer", "status"]), models.Index(fields=["status", "received_at"]),
                   models.Index(fields=["status", "pay_by"])]

    def __str__(self) -> str:
        return self.number


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the payment")
    SUCCEEDED = "succeeded", _("Paid")
    CLOSED = "closed", _("Closed")


class Payment(models.Model):
    TENANT_DEALER_FIELD = "order__dealer"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("provider"), max_length=16)
    out_trade_no = models.CharField(_("our payment number"), max_length=40, unique=True)
    trade_no = models.CharField(_("provider's trade number"), max_length=64, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(_("status"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    return_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(fields=["provider", "trade_no"], condition=~Q(trade_no=""),
                                    name="one_payment_per_provider_trade"),
            models.UniqueConstraint(fields=["order"], condition=Q(status="succeeded"), name="one_paid_payment_per_order"),
        ]

    def __str__(self) -> str:
        return self.out_trade_no


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked by the buyer")
    DEALER_CONFIRMED = "dealer_confirmed", _("Confirmed by the dealer")
    PROCESSING = "processing", _("Being refunded")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")
    REJECTED = "rejected", _("Declined")
    DEALER_DECLINED = "dealer_declined", _("Declined by the dealer: customer service reviews it")


# a refund in flight (one per order): a dealer's decline is not final until customer service reviews it
ACTIVE_REFUND = (RefundStatus.REQUESTED, RefundStatus.DEALER_CONFIRMED, RefundStatus.PROCESSING,
                 RefundStatus.DEALER_DECLINED)


class Refund(models.Model):
    TENANT_DEALER_FIELD = "order__dealer"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    out_refund_no = models.CharField(_("our refund number"), max_length=40, unique=True)
    refund_no = models.CharField(_("provider's refund number"), max_length=64, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    requested_at = models.DateTimeField(default=timezone.now)
    dealer_confirmed_at = models.DateTimeField(null=True, blank=True)
    dealer_confirmed_by = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="+")
    dealer_note = models.CharField(_("dealer's note"), max_length=200, blank=True)
    # HQ customer service's review of a dealer's decline: overruled (approved) or the decline confirmed
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey("network.Staff", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    review_note = models.CharField(_("customer service's note"), max_length=200, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=200, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            # concurrent requests refund once: one refund in flight per order
            models.UniqueConstraint(fields=["order"], condition=Q(status__in=ACTIVE_REFUND),
                                    name="one_active_refund_per_order"),
        ]

    def __str__(self) -> str:
        return self.out_refund_no


class NotificationOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REPLAY = "replay", _("Already applied (replay)")
    REJECTED = "rejected", _("Rejected")


class PaymentNotification(models.Model):
    """Every asynchronous notification received, with what was done with it and why."""

    provider = models.CharField(max_length=16)
    kind = models.CharField(max_length=16, default="payment")  # payment or refund
    out_trade_no = models.CharField(max_length=40, blank=True, db_index=True)
    body = models.TextField()
    verified = models.BooleanField(default=False)
    outcome = models.CharField(max_length=16, choices=NotificationOutcome.choices)
    reason = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]


class DealerDeal(models.Model):
    """The dealer's side of the deal (ORD-4): contract value and the balance paid to the dealer.
    Dealer-only: HQ pages and APIs never read this model (the field policy in ``policy.py``)."""

    TENANT_DEALER_FIELD = "order__dealer"

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="dealer_deal")
    contract_value = models.DecimalField(_("contract value"), null=True, blank=True, **MONEY)
    balance_paid = models.DecimalField(_("balance paid to the dealer"), null=True, blank=True, **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()


class DeliveryUpdate(models.Model):
    """ORD-9: what the consumer sees of the car's way to them."""

    TENANT_DEALER_FIELD = "order__dealer"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="delivery_updates")
    text = models.CharField(_("update"), max_length=200)
    at = models.DateTimeField(default=timezone.now)
    by_label = models.CharField(max_length=150)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]


class AccessoryStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    CONFIRMED = "confirmed", _("Confirmed by HQ")
    SHIPPED = "shipped", _("Shipped")
    ARRIVED = "arrived", _("Arrived at the dealer")
    INSTALLED = "installed", _("Installed")


# the part order's way: HQ (or the parts supplier) confirms and ships, the dealer receives and installs
ACCESSORY_STEPS: dict[str, tuple[str, str]] = {  # next status → (the status before it, who records it)
    AccessoryStatus.CONFIRMED: (AccessoryStatus.ORDERED, "hq"),
    AccessoryStatus.SHIPPED: (AccessoryStatus.CONFIRMED, "hq"),
    AccessoryStatus.ARRIVED: (AccessoryStatus.SHIPPED, "dealer"),
    AccessoryStatus.INSTALLED: (AccessoryStatus.ARRIVED, "dealer"),
}


class AccessoryOrder(models.Model):
    """ORD-6: the edition's package ordered by part number after the contract; installed free."""

    TENANT_DEALER_FIELD = "order__dealer"

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="accessory_order")
    package = models.ForeignKey("catalog.AccessoryPackage", on_delete=models.PROTECT, related_name="+")
    parts = models.JSONField(default=list)  # [{"part_no", "name", "quantity"}] as ordered
    ordered_at = models.DateTimeField(default=timezone.now)
    promised_on = models.DateField(_("promised delivery"))
    status = models.CharField(_("status"), max_length=16, choices=AccessoryStatus.choices,
                              default=AccessoryStatus.ORDERED)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    installed_at = models.DateTimeField(_("installed"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("accessory order")
        verbose_name_plural = _("accessory orders")
        ordering = ["promised_on", "pk"]

    def __str__(self) -> str:
        return f"{self.order.number} {self.package}"


class RewardKind(models.TextChoices):
    VOUCHER = "voucher", _("Charging voucher")
    FUEL_CARD = "fuel_card", _("Fuel card")


class Reward(models.Model):
    """CMP-7: what an edition's buyer receives once receipt is confirmed."""

    TENANT_DEALER_FIELD = "order__dealer"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="rewards")
    kind = models.CharField(max_length=16, choices=RewardKind.choices)
    code = models.CharField(_("code"), max_length=24, unique=True)
    value = models.DecimalField(_("value"), **MONEY)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    redeemed_at = models.DateTimeField(_("redeemed"), null=True, blank=True)
    redeemed_by = models.CharField(_("redeemed by"), max_length=80, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="one_reward_of_a_kind_per_order")]

    @property
    def label(self) -> str:
        """The name the buyer sees: the card of a battery-electric car is a charging card (the same
        reward kind as a petrol car's fuel card)."""
        from autodcc.catalog.models import Energy

        if self.kind == RewardKind.FUEL_CARD and self.order.trim.model.energy == Energy.BEV:
            return pgettext("reward", "Charging card")
        return self.get_kind_display()


class Statement(models.Model):
    """A provider's monthly bill, imported for reconciliation (ORD-8)."""

    provider = models.CharField(max_length=16)
    month = models.DateField(help_text="first day of the month")
    filename = models.CharField(max_length=200)
    file_hash = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by_label = models.CharField(max_length=150)
    report = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-month", "-imported_at"]

    def __str__(self) -> str:
        return f"{self.provider_label} {self.month:%Y-%m}"

    @property
    def provider_label(self) -> str:
        from autodcc.orders import providers

        return providers.label(self.provider)


class LineMatch(models.TextChoices):
    MATCHED = "matched", _("Matched")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount differs")
    UNMATCHED = "unmatched", _("No such payment or refund")
    DUPLICATE = "duplicate", _("Duplicate line")


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField()
    kind = models.CharField(max_length=8)  # payment or refund
    out_no = models.CharField(max_length=40)
    provider_no = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(**MONEY)
    occurred_at = models.DateTimeField(null=True, blank=True)
    match = models.CharField(max_length=16, choices=LineMatch.choices)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["statement", "row"]


class Settlement(models.Model):
    """A dealer's deposits for a month, credited against its vehicle account once."""

    TENANT_DEALER_FIELD = "dealer"

    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, related_name="settlements")
    month = models.DateField()
    total = models.DecimalField(**MONEY)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-month", "dealer"]
        constraints = [models.UniqueConstraint(fields=["dealer", "month"], name="one_settlement_per_dealer_month")]

    def __str__(self) -> str:
        return f"{self.dealer} {self.month:%Y-%m}"


class SettlementLine(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="settlement_line")  # settled once
    amount = models.DecimalField(**MONEY)
