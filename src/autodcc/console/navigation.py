"""The console's navigation: each entry shows only to roles that hold its capability."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from autodcc.core.actors import Actor
from autodcc.core.roles import Role


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: Promise
    url_name: str
    capability: str | None


NAV: tuple[NavEntry, ...] = (
    NavEntry("home", _("Overview"), "console:overview", None),
    NavEntry("worklist", _("My work"), "console:worklist", "leads.view"),
    NavEntry("leads", _("Leads"), "console:lead_list", "leads.view"),
    NavEntry("approvals", _("Approvals"), "console:approvals", "leads.approve_defeat"),
    NavEntry("arrivals", _("Expected arrivals"), "console:arrivals", "leads.work"),
    NavEntry("customers", _("Customers"), "console:customer_list", "customers.view"),
    NavEntry("groups", _("Customer groups"), "console:group_list", "customers.groups"),
    NavEntry("dealers", _("Dealers"), "console:dealer_list", "network.view_dealers"),
    NavEntry("staff", _("Staff"), "console:staff_list", "network.view_staff"),
    NavEntry("regions", _("Regions"), "console:region_list", "network.view_regions"),
    NavEntry("testdrives", _("Test drives"), "console:booking_list", "testdrives.view"),
    NavEntry("catalog", _("Catalogue"), "console:catalog", "catalog.edit"),
    NavEntry("orders", _("Deposit orders"), "console:order_list", "orders.view"),
    NavEntry("finance", _("Finance"), "console:finance", "orders.finance"),
    NavEntry("messages", _("Messages"), "console:message_list", "messaging.view_outbox"),
    NavEntry("templates", _("Message templates"), "console:template_list", "messaging.edit_templates"),
    NavEntry("optouts", _("Opt-outs"), "console:optout_list", "messaging.manage_optouts"),
    NavEntry("insights", _("Insights"), "console:insights", "insights.view"),
    NavEntry("audit", _("Audit trail"), "console:audit_list", "audit.view"),
)


# where each role starts its day (the first that applies): the day's work, not a page of counts
LANDINGS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({Role.DCC_AGENT, Role.DCC_SUPERVISOR, Role.SALES_CONSULTANT, Role.DEALER_GM, Role.SALES_MANAGER}),
     "console:worklist"),
    (frozenset({Role.HQ_SERVICE}), "console:order_list"),
    (frozenset({Role.HQ_FINANCE}), "console:finance"),
    (frozenset({Role.HQ_MARKETING, Role.REGIONAL_MANAGER}), "console:insights"),
    (frozenset({Role.SERVICE_ADVISOR}), "console:customer_list"),
)


def landing_for(actor: Actor) -> str | None:
    """The URL a person lands on after login; None: the overview page."""
    for roles, url_name in LANDINGS:
        if actor.roles & roles:
            return reverse(url_name)
    return None


def entries_for(actor: Actor) -> list[dict[str, str]]:
    return [
        {"key": e.key, "label": str(e.label), "url": reverse(e.url_name)}
        for e in NAV
        if e.capability is None or actor.can(e.capability)
    ]
