"""The FAQ assistant (BOT-1): the question bank HQ keeps, the store's conversations with their
messages, and the questions the bank could not answer, kept for HQ to add."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    BUYING = "buying", _("Buying a car")
    PRICE = "price", _("Prices and offers")
    FINANCE = "finance", _("Loans and finance")
    TEST_DRIVE = "test_drive", _("Test drives")
    DEPOSIT = "deposit", _("Deposits and refunds")
    DELIVERY = "delivery", _("Delivery")
    CHARGING = "charging", _("Charging and range")
    MAINTENANCE = "maintenance", _("Maintenance and repairs")
    WARRANTY = "warranty", _("Warranty")
    INSURANCE = "insurance", _("Insurance")
    PLATES = "plates", _("Plates and registration")
    PRODUCT = "product", _("The cars")
    STORE = "store", _("Online store and account")


class Entry(models.Model):
    """One question of the bank: its main wording, other wordings people use, and the answer."""

    code = models.CharField(max_length=40, blank=True, help_text="a shipped entry's stable key (the demo bank's)")
    question = models.CharField(_("question"), max_length=200)
    variants = models.TextField(_("other wordings"), blank=True,
                                help_text=_("One wording per line: how people ask the same thing."))
    answer = models.TextField(_("answer"))
    links = models.TextField(_("links"), blank=True,
                             help_text=_("One per line: a title, a space, then an address (/store/… or https://…)."))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.BUYING)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["category", "question"]
        constraints = [models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="faq_code_once")]

    def __str__(self) -> str:
        return self.question

    def variant_list(self) -> list[str]:
        return [line.strip() for line in self.variants.splitlines() if line.strip()]

    def link_list(self) -> list[tuple[str, str]]:
        """(title, address) pairs; a line without a title shows its address."""
        pairs = []
        for line in self.links.splitlines():
            line = line.strip()
            if not line:
                continue
            title, _sep, url = line.rpartition(" ")
            pairs.append((title.strip() or url, url))
        return pairs


class Status(models.TextChoices):
    BOT = "bot", _("With the assistant")
    WAITING = "waiting", _("Waiting for a person")
    LIVE = "live", _("With customer service")
    CLOSED = "closed", _("Closed")


class HandoverReason(models.TextChoices):
    ASKED = "asked", _("Asked for a person")
    UNSURE = "unsure", _("The assistant was not sure")


def new_token() -> str:
    return secrets.token_urlsafe(18)


class Conversation(models.Model):
    """A consumer's chat from the store: kept in their session, and on the customer once their
    mobile is known."""

    token = models.CharField(max_length=32, unique=True, default=new_token)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOT)
    customer = models.ForeignKey("customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="conversations", verbose_name=_("customer"))
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    handover_reason = models.CharField(_("handed over because"), max_length=10, choices=HandoverReason.choices,
                                       blank=True)
    agent = models.ForeignKey("network.Staff", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="conversations", verbose_name=_("agent"))
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at"]
        indexes = [models.Index(fields=["status", "handed_over_at"]), models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def with_person(self) -> bool:
        return self.status in (Status.WAITING, Status.LIVE)


class Sender(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    BOT = "bot", _("Assistant")
    AGENT = "agent", _("Customer service")
    SYSTEM = "system", _("Notice")


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    text = models.TextField()
    entry = models.ForeignKey(Entry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    confidence = models.FloatField(null=True, blank=True)
    staff = models.ForeignKey("network.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:40]


class GapStatus(models.TextChoices):
    OPEN = "open", _("To review")
    ADDED = "added", _("Added to the bank")
    DISMISSED = "dismissed", _("Dismissed")


class OpenQuestion(models.Model):
    """A question the bank could not answer (or after which the consumer asked for a person),
    counted by its normalised wording until HQ adds it to the bank or dismisses it."""

    key = models.CharField(max_length=200)
    text = models.CharField(_("question"), max_length=500)
    reason = models.CharField(_("reason"), max_length=10, choices=HandoverReason.choices)
    times = models.PositiveIntegerField(_("times asked"), default=1)
    conversation = models.ForeignKey(Conversation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=GapStatus.choices, default=GapStatus.OPEN)
    entry = models.ForeignKey(Entry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    first_asked_at = models.DateTimeField(default=timezone.now)
    last_asked_at = models.DateTimeField(_("last asked"), default=timezone.now)
    reviewed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-last_asked_at"]
        constraints = [models.UniqueConstraint(fields=["key"], condition=Q(status="open"),
                                               name="open_question_once")]

    def __str__(self) -> str:
        return self.text[:40]
