"""Staff roles, the scope each role lives at, and what each role may do.

The capability table is the one place that says who may use what; the console navigation, the
views and the services all ask :meth:`Actor.can`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    HQ = "hq", _("Headquarters")
    REGION = "region", _("Region")
    DEALER = "dealer", _("Dealer")


class Role(models.TextChoices):
    HQ_MARKETING = "hq_marketing", _("HQ marketing")
    HQ_SERVICE = "hq_service", _("HQ customer service")
    HQ_FINANCE = "hq_finance", _("HQ finance")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    DEALER_GM = "dealer_gm", _("Dealer general manager")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    DCC_SUPERVISOR = "dcc_supervisor", _("DCC supervisor")
    DCC_AGENT = "dcc_agent", _("DCC agent")
    SALES_CONSULTANT = "sales_consultant", _("Sales consultant")
    SERVICE_ADVISOR = "service_advisor", _("Service advisor")


ROLE_SCOPE: dict[str, str] = {
    Role.HQ_MARKETING: Scope.HQ,
    Role.HQ_SERVICE: Scope.HQ,
    Role.HQ_FINANCE: Scope.HQ,
    Role.REGIONAL_MANAGER: Scope.REGION,
    Role.DEALER_GM: Scope.DEALER,
    Role.SALES_MANAGER: Scope.DEALER,
    Role.DCC_SUPERVISOR: Scope.DEALER,
    Role.DCC_AGENT: Scope.DEALER,
    Role.SALES_CONSULTANT: Scope.DEALER,
    Role.SERVICE_ADVISOR: Scope.DEALER,
}

# Not a staff role: the grant an API token of a dealer carries (reads and captures that dealer's leads).
API_DEALER = "api_dealer"
ROLE_SCOPE[API_DEALER] = Scope.DEALER

ALL_ROLES = frozenset(Role.values)
DCC_ROLES = frozenset({Role.DCC_AGENT, Role.DCC_SUPERVISOR})
SHOWROOM_ROLES = frozenset({Role.SALES_CONSULTANT})
# at a dealer where someone holds only these roles, they see only the leads handed to them
HANDED_ONLY_ROLES = frozenset({Role.SALES_CONSULTANT, Role.SERVICE_ADVISOR})
HQ_ROLES = frozenset(r for r, s in ROLE_SCOPE.items() if s == Scope.HQ)
DEALER_MANAGERS = frozenset({Role.DEALER_GM, Role.SALES_MANAGER})
HQ_SERVICE_AND_MARKETING = frozenset({Role.HQ_SERVICE, Role.HQ_MARKETING})

# capability → roles that hold it. Scope is applied separately: a dealer role holds a capability
# only at its own dealer, a regional role at its region's dealers, an HQ role everywhere.
CAPABILITIES: dict[str, frozenset[str]] = {
    "network.view_dealers": ALL_ROLES,
    "network.create_dealer": frozenset({Role.HQ_MARKETING}),
    "network.import_dealers": frozenset({Role.HQ_MARKETING}),
    "network.edit_dealer": frozenset({Role.HQ_MARKETING, Role.DEALER_GM}),
    "network.flag_key_dealer": frozenset({Role.HQ_MARKETING, Role.REGIONAL_MANAGER}),
    "network.view_staff": ALL_ROLES - {Role.SERVICE_ADVISOR, Role.SALES_CONSULTANT, Role.DCC_AGENT},
    "network.manage_staff": frozenset({Role.HQ_MARKETING, Role.DEALER_GM, Role.SALES_MANAGER}),
    "network.manage_duty": frozenset({Role.HQ_MARKETING, Role.DEALER_GM, Role.SALES_MANAGER, Role.DCC_SUPERVISOR}),
    "network.view_regions": HQ_ROLES | {Role.REGIONAL_MANAGER},
    "audit.view": HQ_ROLES | {Role.REGIONAL_MANAGER, Role.DEALER_GM, Role.SALES_MANAGER},
    "messaging.view_outbox": HQ_ROLES,
    "messaging.edit_templates": frozenset({Role.HQ_MARKETING}),
    "messaging.manage_optouts": HQ_ROLES,
    "leads.view": (ALL_ROLES - {Role.SERVICE_ADVISOR}) | {API_DEALER},
    "leads.capture": (ALL_ROLES - {Role.REGIONAL_MANAGER, Role.SERVICE_ADVISOR}) | {API_DEALER},
    "leads.work": DCC_ROLES | SHOWROOM_ROLES | DEALER_MANAGERS,
    "leads.showroom": SHOWROOM_ROLES | DEALER_MANAGERS,
    "leads.handover": DCC_ROLES | DEALER_MANAGERS,
    "leads.reassign": DEALER_MANAGERS | {Role.DCC_SUPERVISOR},
    "leads.reallocate": HQ_ROLES,
    "leads.approve_defeat": DEALER_MANAGERS,
    "leads.import": DEALER_MANAGERS | {Role.DCC_SUPERVISOR, Role.HQ_MARKETING},
    "leads.set_targets": DEALER_MANAGERS | {Role.DCC_SUPERVISOR},
    "leads.configure": DEALER_MANAGERS | {Role.HQ_MARKETING},
    "customers.view": ALL_ROLES,
    "customers.edit": DCC_ROLES | SHOWROOM_ROLES | DEALER_MANAGERS | {Role.SERVICE_ADVISOR, Role.HQ_SERVICE},
    "customers.groups": DEALER_MANAGERS | {Role.DCC_SUPERVISOR, Role.HQ_MARKETING},
    "catalog.edit": frozenset({Role.HQ_MARKETING}),
    "campaigns.view": ALL_ROLES,
    "campaigns.manage": DEALER_MANAGERS | {Role.HQ_MARKETING, Role.REGIONAL_MANAGER},
    "campaigns.fulfil": frozenset({Role.HQ_SERVICE, Role.HQ_MARKETING}),
    "campaigns.approve": frozenset({Role.DEALER_GM, Role.HQ_MARKETING, Role.REGIONAL_MANAGER}),
    "testdrives.manage": DEALER_MANAGERS | {Role.DCC_SUPERVISOR, Role.SALES_CONSULTANT},
    "testdrives.view": ALL_ROLES,
    "orders.view": ALL_ROLES - {Role.SERVICE_ADVISOR},
    "orders.dealer": DEALER_MANAGERS | SHOWROOM_ROLES,
    "orders.refund_confirm": DEALER_MANAGERS,
    "orders.refund_execute": frozenset({Role.HQ_SERVICE}),
    # a refund the dealer declined: HQ customer service overrules or confirms the decline
    "orders.refund_review": frozenset({Role.HQ_SERVICE}),
    "orders.accessories_supply": frozenset({Role.HQ_SERVICE, Role.HQ_MARKETING}),
    "orders.finance": frozenset({Role.HQ_FINANCE}),
    "insights.view": ALL_ROLES - {Role.SERVICE_ADVISOR},
    "insights.export": HQ_ROLES | DEALER_MANAGERS | {Role.REGIONAL_MANAGER, Role.DCC_SUPERVISOR},
    "insights.scores": frozenset({Role.HQ_MARKETING, Role.REGIONAL_MANAGER}),
    "insights.targets": DEALER_MANAGERS | {Role.HQ_MARKETING},
    # feedback and complaints (CARE-3): who reads, who works them, who routes them between dealers
    # and HQ departments (and edits the routing and SLA rules), who reads the reports
    "feedback.view": HQ_SERVICE_AND_MARKETING | DEALER_MANAGERS | {
        Role.REGIONAL_MANAGER, Role.DCC_SUPERVISOR, Role.SERVICE_ADVISOR},
    "feedback.handle": HQ_SERVICE_AND_MARKETING | DEALER_MANAGERS | {
        Role.REGIONAL_MANAGER, Role.DCC_SUPERVISOR, Role.SERVICE_ADVISOR},
    "feedback.route": HQ_SERVICE_AND_MARKETING,
    "feedback.report": HQ_SERVICE_AND_MARKETING | DEALER_MANAGERS | {Role.REGIONAL_MANAGER},
    # after-sales care (CARE-2, CARE-4): the service advisor's maintenance list, the dealer's revisit
    # calls, managers' follow-ups of low scores, HQ's schedules, plans and survey templates
    "care.maintenance": DEALER_MANAGERS | {Role.SERVICE_ADVISOR},
    "care.revisit": DEALER_MANAGERS | DCC_ROLES | {Role.SERVICE_ADVISOR},
    "care.follow_up": DEALER_MANAGERS,
    "care.configure": frozenset({Role.HQ_MARKETING, Role.HQ_SERVICE}),
    "care.survey_report": DEALER_MANAGERS | {Role.HQ_MARKETING, Role.HQ_SERVICE, Role.REGIONAL_MANAGER},
    "assistant.handle": frozenset({Role.HQ_SERVICE}),
    "assistant.manage": frozenset({Role.HQ_SERVICE, Role.HQ_MARKETING}),
    "channels.view": HQ_ROLES,
    "channels.replay": frozenset({Role.HQ_MARKETING, Role.HQ_SERVICE}),
    # the store's visitor analytics: brand-wide, no dealer dimension, so not for dealer staff
    "analytics.view": HQ_ROLES | {Role.REGIONAL_MANAGER},
}
