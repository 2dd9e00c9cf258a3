"""Every operational list as an Excel file (SPEC KPI-6): the rows the person sees with the filters
they chose (the whole list, not one page), mobile numbers masked as on screen, the download
written to the audit trail. The columns of each list are declared once here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from autodcc.console.downloads import xlsx_download
from autodcc.core import phone, tabular

MAX_ROWS = 50_000
MOBILE = re.compile(r"1[3-9]\d{9}")


@dataclass(frozen=True)
class Column:
    label: Promise | str
    value: Callable[[Any], Any]


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _day(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _masked(value: str) -> str:
    return phone.mask(value) if value else ""


def _date(value: Any) -> Any:
    """A date as an Excel date (sorts and filters as one), empty when there is none."""
    return value or None


def _datetime(value: Any) -> Any:
    """A moment as an Excel date and time, in local time (Excel knows no time zones)."""
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if value else None


def _yes(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


LISTS: dict[str, tuple[Promise, tuple[Column, ...]]] = {
    "leads": (_("Leads"), (
        Column(_("Number"), lambda x: x.number),
        Column(_("Customer"), lambda x: x.customer.name),
        Column(_("Mobile"), lambda x: _masked(x.customer.phone)),
        Column(_("Channel"), lambda x: x.get_channel_display()),
        Column(_("Model"), lambda x: x.model_interest),
        Column(_("Dealer"), lambda x: str(x.dealer)),
        Column(_("Status"), lambda x: x.get_status_display()),
        Column(_("Grade"), lambda x: x.grade),
        Column(_("Holder"), lambda x: getattr(x.holder, "name", "")),
        Column(_("Next follow-up"), lambda x: _day(x.next_follow_up_on)),
        Column(_("Created"), lambda x: _when(x.created_at)),
    )),
    "customers": (_("Customers"), (
        Column(_("Full name"), lambda x: x.name),
        Column(_("Mobile"), lambda x: _masked(x.phone)),
        Column(_("City"), lambda x: str(x.city or "")),
        Column(_("Customer type"), lambda x: x.get_kind_display()),
        Column(_("Created"), lambda x: _when(x.created_at)),
    )),
    "orders": (_("Deposit orders"), (
        Column(_("Order number"), lambda x: x.number),
        Column(_("Buyer"), lambda x: x.buyer_name),
        Column(_("Mobile"), lambda x: _masked(x.customer.phone)),
        Column(_("Car"), lambda x: str(x.edition or x.trim)),
        Column(_("Colour"), lambda x: x.colour),
        Column(_("Deposit"), lambda x: x.deposit),
        Column(_("Dealer"), lambda x: str(x.dealer)),
        Column(_("Status"), lambda x: x.get_status_display()),
        Column(_("Paid"), lambda x: _when(x.paid_at)),
        Column(_("Created"), lambda x: _when(x.created_at)),
    )),
    "testdrives": (_("Test drives"), (
        Column(_("Booking number"), lambda x: x.number),
        Column(_("Customer"), lambda x: x.lead.customer.name),
        Column(_("Mobile"), lambda x: _masked(x.lead.customer.phone)),
        Column(_("Car"), lambda x: str(x.vehicle.trim)),
        Column(_("Dealer"), lambda x: str(x.dealer)),
        Column(_("Time"), lambda x: _when(x.starts_at)),
        Column(_("Status"), lambda x: x.get_status_display()),
    )),
    "dealers": (_("Dealers"), (
        Column(_("Dealer code"), lambda x: x.code),
        Column(_("Name"), lambda x: x.name),
        Column(_("Region"), lambda x: str(x.region)),
        Column(_("City"), lambda x: str(x.city)),
        Column(_("Address"), lambda x: x.address),
        Column(_("Phone"), lambda x: x.phone_display),
        Column(_("Opening hours"), lambda x: x.opening_hours_display),
        Column(_("Key dealer"), lambda x: gettext("Yes") if x.is_key else gettext("No")),
        Column(_("Active"), lambda x: gettext("Yes") if x.is_active else gettext("No")),
    )),
    "staff": (_("Staff"), (
        Column(_("Full name"), lambda x: x.name),
        Column(_("Mobile"), lambda x: _masked(x.phone)),
        Column(_("Roles"), lambda x: "、".join(str(g.get_role_display()) for g in x.grants.all())),
        Column(_("Where"), lambda x: "、".join(str(g.dealer or g.region or gettext("HQ")) for g in x.grants.all())),
    )),
    "complaints": (_("Complaints"), (
        Column(_("Number"), lambda x: x.number),
        Column(_("Type"), lambda x: x.get_kind_display()),
        Column(_("Category"), lambda x: x.get_category_display()),
        Column(_("Customer"), lambda x: x.contact_name),
        Column(_("Mobile"), lambda x: _masked(x.customer.phone)),
        Column(_("Dealer"), lambda x: str(x.dealer or "")),
        Column(_("Handled by"), lambda x: x.handler_label),
        Column(_("Assignee"), lambda x: getattr(x.assignee, "name", "")),
        Column(_("Status"), lambda x: x.get_status_display()),
        Column(_("Filed"), lambda x: _when(x.created_at)),
        Column(_("First response due"), lambda x: _when(x.respond_by)),
        Column(_("Resolution due"), lambda x: _when(x.resolve_by)),
        Column(_("Resolved"), lambda x: _when(x.resolved_at)),
        Column(_("Escalation level"), lambda x: x.escalation_level),
    )),
    "messages": (_("Messages"), (
        Column(_("Created"), lambda x: _when(x.created_at)),
        Column(_("Event"), lambda x: x.get_event_display()),
        Column(_("Channel"), lambda x: x.get_channel_display()),
        Column(_("Recipient"), lambda x: _masked(x.recipient_phone) or x.recipient_openid),
        Column(_("Dealer"), lambda x: str(x.dealer or "")),
        Column(_("Status"), lambda x: x.get_status_display()),
    )),
}


LISTS["maintenance"] = (_("Maintenance"), (
    Column(pgettext_lazy("car", "Owner"), lambda x: x.vehicle.customer.name),
    Column(_("Mobile"), lambda x: _masked(x.vehicle.customer.phone)),
    Column(_("Plate"), lambda x: x.vehicle.plate),
    Column(_("VIN"), lambda x: x.vehicle.vin),
    Column(_("Model"), lambda x: str(x.car_model or x.vehicle.model_name)),
    Column(_("Dealer"), lambda x: str(x.vehicle.dealer or "")),
    Column(_("Service number"), lambda x: x.service_no),
    Column(_("Next service due"), lambda x: _day(x.next_due_on)),
    Column(_("Due at (km)"), lambda x: x.due_km),
    Column(_("Reminded"), lambda x: _when(x.reminded_at)),
    Column(_("Booked for"), lambda x: _when(x.booked_for)),
    Column(_("Last service"), lambda x: _day(x.last_service_on)),
))
LISTS["revisits"] = (_("Revisits"), (
    Column(_("Due"), lambda x: _day(x.due_on)),
    Column(_("Revisit"), lambda x: x.label),
    Column(pgettext_lazy("car", "Owner"), lambda x: x.customer.name),
    Column(_("Mobile"), lambda x: _masked(x.customer.phone)),
    Column(_("Vehicle"), lambda x: str(x.vehicle)),
    Column(_("Dealer"), lambda x: str(x.dealer)),
    Column(_("Sales consultant"), lambda x: getattr(x.consultant, "name", "")),
    Column(_("Status"), lambda x: x.get_status_display()),
    Column(_("Note"), lambda x: x.note),
))

LISTS["arrivals"] = (_("Expected arrivals"), (
    Column(_("Time"), lambda x: _when(x.scheduled_at)),
    Column(_("Customer"), lambda x: x.lead.customer.name),
    Column(_("Lead"), lambda x: x.lead.number),
    Column(_("Mobile"), lambda x: _masked(x.lead.customer.phone)),
    Column(_("Purpose"), lambda x: x.purpose),
    Column(_("Dealer"), lambda x: str(x.lead.dealer)),
    Column(_("Holder"), lambda x: getattr(x.lead.holder, "name", "")),
    Column(_("Status"), lambda x: x.get_status_display()),
))
LISTS["approvals"] = (_("Defeat and invalid-lead approvals"), (
    Column(_("Requested"), lambda x: _when(x.requested_at)),
    Column(_("Lead"), lambda x: x.lead.number),
    Column(_("Customer"), lambda x: x.lead.customer.name),
    Column(_("Mobile"), lambda x: _masked(x.lead.customer.phone)),
    Column(_("Dealer"), lambda x: str(x.lead.dealer)),
    Column(_("Kind"), lambda x: x.get_kind_display()),
    Column(_("Reason"), lambda x: x.get_reason_display()),
    Column(_("Competitor"), lambda x: " ".join(v for v in (x.competitor_brand, x.competitor_model) if v)),
    Column(_("Note"), lambda x: x.note),
    Column(_("Requested by"), lambda x: getattr(x.requested_by, "name", "")),
))
LISTS["group_members"] = (_("Customer group"), (
    Column(_("Full name"), lambda x: x.name),
    Column(_("Mobile"), lambda x: _masked(x.phone)),
    Column(_("City"), lambda x: str(x.city or "")),
    Column(_("Customer type"), lambda x: x.get_kind_display()),
))
LISTS["accessories"] = (_("Accessory orders"), (
    Column(_("Order number"), lambda x: x.order.number),
    Column(_("Dealer"), lambda x: str(x.order.dealer)),
    Column(_("Package"), lambda x: str(x.package)),
    Column(_("Parts"), lambda x: "、".join(f"{p.get('part_no', '')} ×{p.get('quantity', '')}" for p in x.parts or [])),
    Column(_("Ordered"), lambda x: _when(x.ordered_at)),
    Column(_("Promised delivery"), lambda x: _day(x.promised_on)),
    Column(_("Status"), lambda x: x.get_status_display()),
    Column(_("Shipped"), lambda x: _when(x.shipped_at)),
    Column(_("Installed"), lambda x: _when(x.installed_at)),
))

LISTS["first_n_claims"] = (_("Gift winners"), (
    Column(_("Rank"), lambda x: x.rank),
    Column(_("Gift"), lambda x: x.reward.name),
    Column(_("Customer"), lambda x: x.booking.lead.customer.name),
    Column(_("Mobile"), lambda x: _masked(x.booking.lead.customer.phone)),
    Column(_("Booking number"), lambda x: x.booking.number),
    Column(_("Dealer"), lambda x: str(x.booking.dealer)),
    Column(_("Test drive confirmed by the dealer"), lambda x: _when(x.booking.completed_at)),
    Column(_("Confirmed by"), lambda x: getattr(x.booking.completed_by, "name", "")),
    Column(_("Won at"), lambda x: _when(x.met_at)),
    Column(_("Status"), lambda x: x.get_state_display()),
    Column(_("Delivery address"), lambda x: x.address),
    Column(_("Carrier"), lambda x: x.carrier),
    Column(_("Tracking number"), lambda x: x.tracking_no),
    Column(_("Shipped"), lambda x: _when(x.shipped_at)),
))


LISTS["statement_lines"] = (_("Statement"), (
    Column(_("Row"), lambda x: x.row),
    Column(_("Kind"), lambda x: gettext("Payment") if x.kind == "payment" else gettext("Refund")),
    Column(_("Our number"), lambda x: x.out_no),
    Column(_("Provider's number"), lambda x: x.provider_no),
    Column(_("Paid or refunded at"), lambda x: _datetime(x.occurred_at)),
    Column(_("Statement amount"), lambda x: x.amount),
    Column(_("Our amount"), lambda x: _statement_ours(x)),
    Column(_("Result"), lambda x: x.get_match_display()),
    Column(_("Order number"), lambda x: getattr(_statement_order(x), "number", "")),
    Column(_("Dealer"), lambda x: str(getattr(_statement_order(x), "dealer", "") or "")),
))


def _statement_order(line: Any) -> Any:
    return line.payment.order if line.payment else getattr(line.refund, "order", None)


def _statement_ours(line: Any) -> Any:
    target = line.payment or line.refund
    return target.amount if target is not None else None


def _prize_status(x: Any) -> str:
    if x.unreachable:
        return gettext("Could not be reached")
    if x.returned_at:
        return gettext("Returned")
    if x.agreement_no:
        return gettext("Picked up")
    if x.contacted_at:
        return gettext("Contacted")
    return gettext("To contact")


LISTS["prizes"] = (_("Draw winners"), (
    Column(_("Campaign"), lambda x: x.round.campaign.name),
    Column(_("Round"), lambda x: x.round.number),
    Column(_("Prize"), lambda x: x.round.prize),
    Column(_("Entry number"), lambda x: x.entry_id),
    Column(_("Winner"), lambda x: x.entry.name),
    Column(_("Lead"), lambda x: getattr(x.entry.lead, "number", "")),
    Column(_("Status"), _prize_status),
    Column(_("Contacted"), lambda x: _datetime(x.contacted_at)),
    Column(_("Contact note"), lambda x: x.contact_note),
    Column(_("Rental partner"), lambda x: x.partner),
    Column(_("Agreement number"), lambda x: x.agreement_no),
    Column(_("Pickup"), lambda x: _date(x.pickup_on)),
    Column(_("Return"), lambda x: _date(x.return_on)),
    Column(_("Rental cost (CNY)"), lambda x: x.cost),
    Column(_("Returned"), lambda x: _datetime(x.returned_at)),
    Column(_("Usage report"), lambda x: x.usage_report),
))
LISTS["campaigns"] = (_("Campaigns"), (
    Column(_("Campaign"), lambda x: x.name),
    Column(_("Code"), lambda x: x.code),
    Column(_("Theme"), lambda x: x.get_theme_display()),
    Column(_("First day"), lambda x: _date(x.starts_on)),
    Column(_("Last day"), lambda x: _date(x.ends_on)),
    Column(_("Organiser"), lambda x: str(x.dealer or x.region or gettext("The brand"))),
))
LISTS["channel_costs"] = (_("Channel costs"), (
    Column(_("Month"), lambda x: x["month"].strftime("%Y-%m")),
    Column(_("Channel"), lambda x: str(x["channel"])),
    Column(_("Cost"), lambda x: x["amount"]),
    Column(_("Leads"), lambda x: x["leads"]),
    Column(_("Deals"), lambda x: x["deals"]),
    Column(_("Cost per lead"), lambda x: x["per_lead"]),
    Column(_("Cost per deal"), lambda x: x["per_deal"]),
))
LISTS["scripts"] = (_("Call scripts"), (
    Column(_("Title"), lambda x: x.title),
    Column(_("Situation"), lambda x: x.get_situation_display()),
    Column(_("Version"), lambda x: x.version),
    Column(_("Dealer"), lambda x: str(x.dealer or gettext("The brand"))),
    Column(_("Text"), lambda x: x.body),
))
LISTS["optouts"] = (_("Opt-outs"), (
    Column(_("Mobile"), lambda x: _masked(x.phone)),
    Column(_("Stop"), lambda x: x.get_scope_display()),
    Column(_("Source"), lambda x: x.source),
    Column(_("Since"), lambda x: _datetime(x.created_at)),
))
LISTS["templates"] = (_("Message templates"), (
    Column(_("Event"), lambda x: x.get_event_display()),
    Column(_("Channel"), lambda x: x.get_channel_display()),
    Column(_("Text"), lambda x: x.body),
    Column(_("Status"), lambda x: gettext("Active") if x.is_active else gettext("Inactive")),
))
LISTS["fleet"] = (_("Test-drive cars"), (
    Column(_("Dealer"), lambda x: str(x.dealer)),
    Column(_("Car"), lambda x: str(x.trim)),
    Column(_("Colour"), lambda x: x.colour),
    Column(_("Plate"), lambda x: x.plate),
    Column(_("Status"), lambda x: gettext("Available") if x.is_active else gettext("Not available")),
))


def _delivery_summary(x: Any, key: str) -> str:
    from autodcc.channels.selectors import item_summary

    return item_summary(x)[key]


LISTS["deliveries"] = (_("Channel deliveries"), (
    Column(_("Platform's id"), lambda x: x.platform_id),
    Column(_("Kind"), lambda x: x.get_kind_display()),
    Column(_("Received via"), lambda x: x.get_via_display()),
    Column(_("Last received"), lambda x: _datetime(x.last_received_at)),
    Column(_("Consumer"), lambda x: _delivery_summary(x, "name")),
    Column(_("Mobile"), lambda x: _delivery_summary(x, "mobile")),
    Column(_("What became of it"), lambda x: x.get_outcome_display()),
    Column(_("Reason"), lambda x: MOBILE.sub(lambda m: phone.mask(m.group(0)), "；".join(
        str(e.get("message", "")) for e in x.error or []))),
    Column(_("Lead"), lambda x: getattr(x.lead, "number", "")),
    Column(_("Dealer"), lambda x: str(getattr(x.lead, "dealer", "") or "")),
    Column(_("Order number"), lambda x: getattr(x.order, "number", "")),
    Column(_("Times received"), lambda x: x.times_received),
))
LISTS["groups"] = (_("Customer groups"), (
    Column(_("Name"), lambda x: x.name),
    Column(_("Members"), lambda x: x.member_count),
    Column(_("Dealer"), lambda x: str(x.dealer or gettext("HQ"))),
    Column(_("Created by"), lambda x: x.created_by_label),
    Column(_("Created"), lambda x: _datetime(x.created_at)),
))


def _chat_mobile(x: Any) -> str:
    return _masked(x.customer.phone if x.customer_id and x.customer.phone else x.phone)


LISTS["chats"] = (_("Live chat"), (
    Column(_("Conversation"), lambda x: x.pk),
    Column(_("Status"), lambda x: x.get_status_display()),
    Column(_("Customer"), lambda x: x.customer.name if x.customer_id else ""),
    Column(_("Mobile"), _chat_mobile),
    Column(_("Handed over because"), lambda x: x.get_handover_reason_display()),
    Column(_("Waiting since"), lambda x: _datetime(x.handed_over_at)),
    Column(_("Agent"), lambda x: getattr(x.agent, "name", "")),
    Column(_("Last message"), lambda x: _datetime(x.last_message_at)),
    Column(_("Messages"), lambda x: x.count),
    Column(_("Closed"), lambda x: _datetime(x.closed_at)),
))
LISTS["faq"] = (_("Question bank"), (
    Column(_("Question"), lambda x: x.question),
    Column(_("Other wordings"), lambda x: x.variants),
    Column(_("Category"), lambda x: x.get_category_display()),
    Column(_("Answer"), lambda x: x.answer),
    Column(_("Active"), lambda x: _yes(x.is_active)),
    Column(pgettext_lazy("time", "Updated"), lambda x: _datetime(x.updated_at)),
))


def _audit_changes(entry: Any) -> str:
    from autodcc.console.auditing import changes

    text = "；".join(f"{c.label}: {c.before} → {c.after}" for c in changes(entry))
    return MOBILE.sub(lambda m: phone.mask(m.group(0)), text)  # a file leaves the console: masked


def _audit_actor(label: str) -> str:
    from autodcc.console.auditing import actor_display

    return actor_display(label)


def _audit_action(action: str) -> str:
    from autodcc.console.auditing import action_label

    return action_label(action)


LISTS["audit"] = (_("Audit trail"), (
    Column(_("Time"), lambda x: timezone.localtime(x.created_at).strftime("%Y-%m-%d %H:%M:%S")),
    Column(_("By"), lambda x: _audit_actor(x.actor_label)),
    Column(_("Action"), lambda x: _audit_action(x.action)),
    Column(_("Object"), lambda x: MOBILE.sub(lambda m: phone.mask(m.group(0)), x.object_repr)),
    Column(_("Changes"), _audit_changes),
))


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def export_list(request: HttpRequest, name: str, rows: QuerySet | Iterable[Any],
                filters: dict[str, Any] | None = None) -> HttpResponse:
    """The list ``name`` as a workbook of ``rows`` (already scoped and filtered for the person)."""
    title, columns = LISTS[name]
    items = list(rows[:MAX_ROWS + 1] if isinstance(rows, QuerySet) else rows)
    body = [[c.value(x) for c in columns] for x in items[:MAX_ROWS]]
    if len(items) > MAX_ROWS:  # said in the file itself, never cut silently
        body.append([gettext("Only the first %(n)s rows: narrow the filters to export the rest.") % {"n": MAX_ROWS}])
        items = items[:MAX_ROWS]
    data = tabular.xlsx_bytes(str(title), [str(c.label) for c in columns], body)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_download(request, data, f"{title}-{stamp}.xlsx", what=f"list.{name}",
                         details={"rows": len(items), "filters": filters or {
                             k: MOBILE.sub(lambda m: phone.mask(m.group(0)), v) for k, v in request.GET.items()}})
