"""Store visitor events (raw, pseudonymous, only with consent) and their daily rollups.

An ``Event`` names a visitor (a random id kept in a first-party cookie after consent) and a visit
(a random id the page keeps for 30 minutes of activity); never a person, an address or a phone.
The console reads the rollups (``DailyFigure``, ``DailyPath``) only; raw events are kept for
``ANALYTICS_RETENTION_DAYS`` and then deleted.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    PAGE_VIEW = "page_view", _("Page view")
    ENQUIRY = "enquiry", _("Price enquiry")
    BOOKING = "booking", _("Test-drive booking")
    ORDER = "order", _("Deposit order")
    CONSENT = "consent", _("Analytics consent")


# what a browser may send; the conversions are recorded by the server where the service succeeded
CLIENT_KINDS = frozenset({EventKind.PAGE_VIEW})
CONVERSIONS = (EventKind.ENQUIRY, EventKind.BOOKING, EventKind.ORDER)


class PageType(models.TextChoices):
    HOME = "home", _("Home")
    SERIES = "series", _("Series")
    TRIM = "trim", _("Trim")
    COMPARE = "compare", _("Comparison")
    CALCULATOR = "calculator", _("Price & loan")
    RECOMMEND = "recommend", _("Help me choose")
    BOOKING = "booking", _("Test-drive booking")
    ENQUIRY = "enquiry", _("Price enquiry")
    ORDER = "order", _("Deposit order")
    DRAW = "draw", _("Launch-day draw")
    MINE = "mine", _("My orders and test drives")
    OTHER = "other", _("Other page")


PRODUCT_PAGES = frozenset({PageType.SERIES, PageType.TRIM})


class Event(models.Model):
    at = models.DateTimeField(_("time"), db_index=True)
    visitor = models.CharField(_("visitor"), max_length=32)
    visit = models.CharField(_("visit"), max_length=32, blank=True)
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    page = models.CharField(_("page type"), max_length=16, choices=PageType.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=120, blank=True)  # trim/series slugs, order id
    path = models.CharField(_("path"), max_length=300, blank=True)
    referrer = models.CharField(_("referrer host"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True)
    medium = models.CharField(_("medium"), max_length=64, blank=True)
    campaign = models.CharField(_("campaign"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("store event")
        verbose_name_plural = _("store events")
        indexes = [models.Index(fields=["visitor", "at"], name="analytics_event_visitor_at")]


class Dimension(models.TextChoices):
    ALL = "all", _("All visits")
    SOURCE = "source", _("Source")
    CAMPAIGN = "campaign", _("Campaign")
    ENTRY = "entry", _("Entry page")


# the counts a rollup row carries, in the order tables and exports show them
FIGURES = ("visits", "visitors", "page_views", "product_views", "product_visits", "tool_visits",
           "calculator_visits", "compare_visits", "lead_visits", "deposit_visits", "enquiries", "bookings",
           "orders", "deposits")


class DailyFigure(models.Model):
    """One day's visits and what they did, for all visits or by one dimension's value (a visit
    counts under its first source, campaign and entry page)."""

    day = models.DateField(_("day"))
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    key = models.CharField(_("value"), max_length=300, blank=True)
    visits = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    page_views = models.PositiveIntegerField(default=0)
    product_views = models.PositiveIntegerField(default=0)
    product_visits = models.PositiveIntegerField(default=0)
    tool_visits = models.PositiveIntegerField(default=0)  # used the calculator or a comparison
    calculator_visits = models.PositiveIntegerField(default=0)
    compare_visits = models.PositiveIntegerField(default=0)
    lead_visits = models.PositiveIntegerField(default=0)  # an enquiry or a test-drive booking
    deposit_visits = models.PositiveIntegerField(default=0)
    enquiries = models.PositiveIntegerField(default=0)
    bookings = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    deposits = models.PositiveIntegerField(default=0)  # orders made in the visit whose deposit is paid

    class Meta:
        verbose_name = _("daily store figure")
        verbose_name_plural = _("daily store figures")
        constraints = [models.UniqueConstraint(fields=["day", "dimension", "key"], name="analytics_figure_once")]


class Goal(models.TextChoices):
    ENQUIRY = "enquiry", _("Price enquiry")
    BOOKING = "booking", _("Test-drive booking")
    DEPOSIT = "deposit", _("Deposit paid")


class DailyPath(models.Model):
    """How many of a day's visits reached a goal along one sequence of page types."""

    day = models.DateField(_("day"))
    goal = models.CharField(_("goal"), max_length=16, choices=Goal.choices)
    path = models.CharField(_("path"), max_length=300)
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily store path")
        verbose_name_plural = _("daily store paths")
        constraints = [models.UniqueConstraint(fields=["day", "goal", "path"], name="analytics_path_once")]
