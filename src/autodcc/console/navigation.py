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
    group: str = ""


# menus for people with many entries (HQ): the entries of a group open from one menu
GROUPS: dict[str, Promise] = {
    "work": _("Leads"), "customers": _("Customers"), "network": _("Network"), "sales": _("Cars and orders"),
    "messages": _("Messages"), "campaigns": _("Campaigns"), "care": _("After-sales"),
}
FLAT_UP_TO = 9  # this many entries or fewer fit on one line at 1280 px: no menus


NAV: tuple[NavEntry, ...] = (
    NavEntry("home", _("Overview"), "console:overview", None),
    NavEntry("worklist", _("My work"), "console:worklist", "leads.view", "work"),
    NavEntry("leads", _("Leads"), "console:lead_list", "leads.view", "work"),
    NavEntry("channels", _("Channel connectors"), "console:channels", "channels.view", "work"),
    NavEntry("scores", _("Platform scores"), "console:platform_scores", "insights.scores", "work"),
    NavEntry("approvals", _("Approvals"), "console:approvals", "leads.approve_defeat", "work"),
    NavEntry("arrivals", _("Expected arrivals"), "console:arrivals", "leads.work", "work"),
    NavEntry("customers", _("Customers"), "console:customer_list", "customers.view", "customers"),
    NavEntry("groups", _("Customer groups"), "console:group_list", "customers.groups", "customers"),
    NavEntry("chats", _("Live chat"), "console:chat_queue", "assistant.handle", "customers"),
    NavEntry("faq", _("Question bank"), "console:faq_list", "assistant.manage", "customers"),
    NavEntry("dealers", _("Dealers"), "console:dealer_list", "network.view_dealers", "network"),
    NavEntry("staff", _("Staff"), "console:staff_list", "network.view_staff", "network"),
    NavEntry("regions", _("Regions"), "console:region_list", "network.view_regions", "network"),
    NavEntry("testdrives", _("Test drives"), "console:booking_list", "testdrives.view", "sales"),
    NavEntry("catalog", _("Catalogue"), "console:catalog", "catalog.edit", "sales"),
    NavEntry("editions", _("Special editions"), "console:editions", "catalog.edit", "sales"),
    NavEntry("loanoffers", _("Finance offers"), "console:finance_offers", "catalog.edit", "sales"),
    NavEntry("orders", _("Deposit orders"), "console:order_list", "orders.view", "sales"),
    NavEntry("accessories", _("Accessory orders"), "console:accessory_list", "orders.accessories_supply", "sales"),
    NavEntry("vouchers", _("Vouchers and gifts"), "console:reward_list", "orders.view", "sales"),
    NavEntry("finance", _("Finance"), "console:finance", "orders.finance", "sales"),
    NavEntry("campaigns", _("Activity calendar"), "console:campaign_calendar", "campaigns.view", "campaigns"),
    NavEntry("prizes", _("Draw winners"), "console:prizes", "campaigns.fulfil", "campaigns"),
    NavEntry("scripts", _("Call scripts"), "console:scripts", "campaigns.view", "campaigns"),
    NavEntry("costs", _("Channel costs"), "console:channel_costs", "campaigns.manage", "campaigns"),
    NavEntry("messages", _("Messages"), "console:message_list", "messaging.view_outbox", "messages"),
    NavEntry("templates", _("Message templates"), "console:template_list", "messaging.edit_templates", "messages"),
    NavEntry("optouts", _("Opt-outs"), "console:optout_list", "messaging.manage_optouts", "messages"),
    NavEntry("complaints", _("Complaints"), "console:complaint_list", "feedback.view", "care"),
    NavEntry("complaintreport", _("Complaint report"), "console:complaint_report", "feedback.report", "care"),
    NavEntry("maintenance", _("Maintenance"), "console:care_maintenance", "care.maintenance", "care"),
    NavEntry("revisits", _("Revisits"), "console:care_revisits", "care.revisit", "care"),
    NavEntry("surveys", _("Survey results"), "console:care_report", "care.survey_report", "care"),
    NavEntry("caresettings", _("After-sales settings"), "console:care_settings", "care.configure", "care"),
    NavEntry("insights", _("Insights"), "console:insights", "insights.view"),
    NavEntry("audit", _("Audit trail"), "console:audit_list", "audit.view"),
)


# where each role starts its day (the first that applies): the day's work, not a page of counts
LANDINGS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({Role.DCC_AGENT, Role.DCC_SUPERVISOR, Role.SALES_CONSULTANT, Role.DEALER_GM, Role.SALES_MANAGER}),
     "console:worklist"),
    (frozenset({Role.HQ_SERVICE}), "console:order_list"),  # with the orders that need them first
    (frozenset({Role.HQ_FINANCE}), "console:finance"),
    (frozenset({Role.HQ_MARKETING, Role.REGIONAL_MANAGER}), "console:insights"),
    (frozenset({Role.SERVICE_ADVISOR}), "console:care_maintenance"),
)


def landing_for(actor: Actor) -> str | None:
    """The URL a person lands on after login; None: the overview page."""
    for roles, url_name in LANDINGS:
        if actor.roles & roles:
            return reverse(url_name) + ("?attention=on" if url_name == "console:order_list" else "")
    return None


def entries_for(actor: Actor) -> list[dict[str, str]]:
    return [
        {"key": e.key, "label": str(e.label), "url": reverse(e.url_name), "group": e.group}
        for e in NAV
        if e.capability is None or actor.can(e.capability)
    ]


def menu_for(actor: Actor) -> list[dict[str, object]]:
    """The navigation as it is drawn: flat when it fits, else a menu per group of two or more
    entries (in the order of their first entry), single entries as links."""
    entries = entries_for(actor)
    if len(entries) <= FLAT_UP_TO:
        return [{"entry": e} for e in entries]
    items: list[dict[str, object]] = []
    menus: dict[str, dict[str, object]] = {}
    sizes = {g: sum(1 for e in entries if e["group"] == g) for g in GROUPS}
    for e in entries:
        group = e["group"]
        if group and sizes.get(group, 0) > 1:
            if group not in menus:
                menus[group] = {"key": group, "label": str(GROUPS[group]), "entries": []}
                items.append({"menu": menus[group]})
            menus[group]["entries"].append(e)  # type: ignore[union-attr]
        else:
            items.append({"entry": e})
    return items
