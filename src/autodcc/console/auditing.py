"""Audit rows as people read them: what was done, and each changed field by its label with its
values shown as on the object's own page (related objects by name, yes/no, choices, local times,
phones masked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, gettext_lazy, pgettext

from autodcc.core import phone
from autodcc.core.models import AuditLog

# what the timeline and the history call an action; an action not listed shows its code
ACTION_LABELS: dict[str, Any] = {
    "lead.capture": gettext_lazy("Captured"),
    "lead.capture_repeat": gettext_lazy("Enquired again"),
    "lead.assign": gettext_lazy("Assigned to an agent"),
    "lead.follow_up": gettext_lazy("Follow-up"),
    "lead.grade": gettext_lazy("Grade changed"),
    "lead.invite": gettext_lazy("Invited to the store"),
    "appointment.booked": gettext_lazy("Test drive booked"),
    "appointment.confirmed": gettext_lazy("Visit confirmed"),
    "appointment.cancelled": gettext_lazy("Visit cancelled"),
    "appointment.no_show": gettext_lazy("Did not come"),
    "lead.arrive": gettext_lazy("Arrived in the showroom"),
    "lead.handover": gettext_lazy("Handed over"),
    "lead.presented": gettext_lazy("Product presented"),
    "lead.test_driven": gettext_lazy("Test drive"),
    "lead.negotiated": gettext_lazy("Negotiation"),
    "lead.ordered": gettext_lazy("Ordered"),
    "lead.delivered": gettext_lazy("Delivered"),
    "lead.defeat_request": gettext_lazy("Defeat requested"),
    "lead.defeat_approve": gettext_lazy("Defeat approved"),
    "lead.defeat_reject": gettext_lazy("Defeat rejected"),
    "lead.reassign": gettext_lazy("Reassigned"),
    "lead.reallocate": gettext_lazy("Re-allocated to another dealer"),
    "lead.care_done": gettext_lazy("Care call done"),
    "lead.escalate": gettext_lazy("Escalated: first response overdue"),
    "lead.cover_leave": gettext_lazy("Moved: the agent is on leave"),
    "region.create": gettext_lazy("Region created"),
    "region.update": gettext_lazy("Region edited"),
    "dealer.create": gettext_lazy("Dealer created"),
    "dealer.update": gettext_lazy("Dealer edited"),
    "dealer.import": gettext_lazy("Dealer imported"),
    "dealer.key_flag": gettext_lazy("Key-dealer flag changed"),
    "staff.create": gettext_lazy("Staff member created"),
    "staff.update": gettext_lazy("Staff member edited"),
    "staff.duty": gettext_lazy("Duty status changed"),
    "staff.leave_add": gettext_lazy("Leave added"),
    "staff.leave_cancel": gettext_lazy("Leave cancelled"),
    "api_token.create": gettext_lazy("API token created"),
    "file.download": gettext_lazy("File downloaded"),
    "insights.export": gettext_lazy("Report exported"),
    "lead.dial": gettext_lazy("Number revealed and called"),
    "lead_settings.save": gettext_lazy("Lead rules saved"),
    "revisit_target.set": gettext_lazy("Daily revisit target set"),
    "leave.covered": gettext_lazy("Leads moved during leave"),
    "customer.update": gettext_lazy("Customer edited"),
    "customer.create": gettext_lazy("Customer created"),
    "complaint.file": gettext_lazy("Complaint filed"),
    "complaint.assign": gettext_lazy("Complaint assigned"),
    "complaint.start": gettext_lazy("Complaint taken up"),
    "complaint.note": gettext_lazy("Note on a complaint"),
    "complaint.resolve": gettext_lazy("Complaint resolved"),
    "complaint.reassign": gettext_lazy("Complaint passed to another handler"),
    "complaint.close": gettext_lazy("Complaint closed"),
    "complaint.confirm": gettext_lazy("Resolution confirmed by the consumer"),
    "complaint.reopen": gettext_lazy("Complaint reopened by the consumer"),
    "complaint.escalate": gettext_lazy("Complaint escalated: overdue"),
    "complaint_rule.save": gettext_lazy("Complaint rule saved"),
    "customer_group.create": gettext_lazy("Customer group created"),
    "vehicle.add": gettext_lazy("Vehicle added"),
    "vehicle.update": gettext_lazy("Vehicle updated"),
    "trim.update": gettext_lazy("Trim edited"),
    "trim.create": gettext_lazy("Trim created"),
    "trim.delete": gettext_lazy("Trim deleted"),
    "trim.publish": gettext_lazy("Trim on sale"),
    "trim.withdraw": gettext_lazy("Trim withdrawn"),
    "trim.price": gettext_lazy("Prices changed"),
    "price.schedule": gettext_lazy("Prices set from a date"),
    "series.create": gettext_lazy("Series created"),
    "series.update": gettext_lazy("Series edited"),
    "series.delete": gettext_lazy("Series deleted"),
    "series.publish": gettext_lazy("Series on sale"),
    "series.withdraw": gettext_lazy("Series withdrawn"),
    "carmodel.create": gettext_lazy("Model created"),
    "carmodel.update": gettext_lazy("Model edited"),
    "carmodel.delete": gettext_lazy("Model deleted"),
    "colour.create": gettext_lazy("Colour added"),
    "colour.update": gettext_lazy("Colour edited"),
    "colour.delete": gettext_lazy("Colour removed"),
    "photo.delete": gettext_lazy("Photo removed"),
    "edition.create": gettext_lazy("Special edition created"),
    "edition.update": gettext_lazy("Special edition edited"),
    "edition.delete": gettext_lazy("Special edition deleted"),
    "edition.publish": gettext_lazy("Special edition on sale"),
    "edition.withdraw": gettext_lazy("Special edition withdrawn"),
    "accessorypackage.create": gettext_lazy("Accessory package created"),
    "accessorypackage.update": gettext_lazy("Accessory package edited"),
    "accessorypackage.delete": gettext_lazy("Accessory package deleted"),
    "accessorypackage.parts": gettext_lazy("Accessory parts changed"),
    "rate.set": gettext_lazy("Rate set"),
    "financeoffer.create": gettext_lazy("Finance offer created"),
    "financeoffer.update": gettext_lazy("Finance offer edited"),
    "care.mileage": gettext_lazy("Mileage recorded"),
    "care.appointment_book": gettext_lazy("Service booked"),
    "care.appointment_cancel": gettext_lazy("Service appointment cancelled"),
    "care.visit": gettext_lazy("Service visit recorded"),
    "care.schedule": gettext_lazy("Maintenance schedule set"),
    "care.reminder": gettext_lazy("Maintenance reminder sent"),
    "care.revisit_step_add": gettext_lazy("Revisit added to the plan"),
    "care.revisit_step_remove": gettext_lazy("Revisit removed from the plan"),
    "care.survey_template_create": gettext_lazy("Survey template created"),
    "care.survey_question_add": gettext_lazy("Survey question added"),
    "care.survey_question_update": gettext_lazy("Survey question changed"),
    "care.revisit_planned": gettext_lazy("Revisit call planned"),
    "care.revisit_done": gettext_lazy("Revisit call closed"),
    "care.survey_send": gettext_lazy("Survey link sent"),
    "care.dial": gettext_lazy("Owner's number revealed and called"),
    "care.survey_answer": gettext_lazy("Survey answered"),
    "care.follow_up_open": gettext_lazy("Low-score follow-up opened"),
    "campaign.create": gettext_lazy("Campaign planned"),
    "campaign.update": gettext_lazy("Campaign plan changed"),
    "campaign.budgetline": gettext_lazy("Campaign budget changed"),
    "campaign.task": gettext_lazy("Campaign task set"),
    "campaign.task_done": gettext_lazy("Campaign task done"),
    "campaign.note": gettext_lazy("Campaign day noted"),
    "campaign.channel_cost": gettext_lazy("Channel cost entered"),
    "campaign.outreach": gettext_lazy("Campaign messages queued"),
    "campaign.outreach_cancel": gettext_lazy("Message wave cancelled"),
    "campaign.call_tasks": gettext_lazy("Campaign calls placed"),
    "script.save": gettext_lazy("Call script saved"),
    "draw.prepare": gettext_lazy("Draw round prepared"),
    "reward.redeem": gettext_lazy("Voucher redeemed"),
    "reward.issue": gettext_lazy("Vouchers issued"),
    "first_n.claim": gettext_lazy("First-N gift won"),
    "prize.contacted": gettext_lazy("Winner contacted"),
    "prize.pickup": gettext_lazy("Prize pickup arranged"),
    "prize.returned": gettext_lazy("Prize car returned"),
    "first_n.ship": gettext_lazy("First-N gift shipped"),
    "first_n.reward_create": gettext_lazy("First-N gift set up"),
    "first_n.reward_update": gettext_lazy("First-N gift changed"),
    "first_n.address": gettext_lazy("First-N gift address given"),
    "draw.draw": gettext_lazy("Draw round drawn"),
    "draw.replace": gettext_lazy("Unreachable winner replaced"),
    "script.delete": gettext_lazy("Call script deleted"),
    "photo.add": gettext_lazy("Photo added"),
    "specs.import": gettext_lazy("Specifications imported"),
    "testdrive.book": gettext_lazy("Test drive booked"),
    "testdrive.cancel": gettext_lazy("Test drive cancelled"),
    "testdrive.complete": gettext_lazy("Test drive done"),
    "testdrive.report": gettext_lazy("Test-drive report submitted"),
    "testdrive.vehicle_add": gettext_lazy("Test-drive car added"),
    "testdrive.vehicle_active": gettext_lazy("Test-drive car availability changed"),
    "order.create": gettext_lazy("Order placed"),
    "order.paid": gettext_lazy("Deposit paid"),
    "order.paid_after_close": gettext_lazy("Deposit paid after the order was closed: reopened"),
    "order.oversold": gettext_lazy("Limited edition sold out: refund opened"),
    "order.payment_reminder": gettext_lazy("Payment reminder sent"),
    "order.closed_unpaid": gettext_lazy("Closed unpaid at the payment deadline"),
    "order.visited": gettext_lazy("Store visit recorded"),
    "order.contracted": gettext_lazy("Contract recorded"),
    "order.delivered": gettext_lazy("Delivery recorded"),
    "order.received": gettext_lazy("Receipt confirmed by the buyer"),
    "order.receipt_reminder": gettext_lazy("Receipt reminder sent"),
    "order.delivery_update": gettext_lazy("Delivery update"),
    "order.accessories": gettext_lazy("Accessories ordered"),
    "deal.update": gettext_lazy("Deal figures recorded"),
    "refund.request": gettext_lazy("Refund requested"),
    "refund.dealer_confirm": gettext_lazy("Refund confirmed by the dealer"),
    "refund.dealer_decline": gettext_lazy("Refund declined by the dealer"),
    "refund.overrule": gettext_lazy("Dealer's decline overruled: refund approved"),
    "refund.decline_confirmed": gettext_lazy("Dealer's decline confirmed by customer service"),
    "refund.execute": gettext_lazy("Refund sent"),
    "refund.succeeded": gettext_lazy("Refund paid"),
    "refund.marketplace": gettext_lazy("Refunded by the marketplace"),
    "statement.import": gettext_lazy("Statement imported"),
    "settlement.settle": gettext_lazy("Deposits settled"),
    "template.create": gettext_lazy("Message template created"),
    "template.update": gettext_lazy("Message template edited"),
    "template.deactivate": gettext_lazy("Message template switched off"),
    "optout.add": gettext_lazy("Opt-out recorded"),
    "consent.withdraw_marketing": gettext_lazy("Consent to marketing withdrawn"),
    "consent.give_marketing": gettext_lazy("Consent to marketing given"),
    "optout.remove": gettext_lazy("Opt-out removed"),
    "monthly_target.set": gettext_lazy("Monthly target set"),
    "platform_score.save": gettext_lazy("Platform score saved"),
    "assistant.handover": gettext_lazy("Chat handed to customer service"),
    "assistant.reply": gettext_lazy("Chat replied"),
    "assistant.close": gettext_lazy("Chat closed"),
    "assistant.entry_create": gettext_lazy("FAQ question added"),
    "assistant.entry_update": gettext_lazy("FAQ question changed"),
    "assistant.question_dismiss": gettext_lazy("Unanswered question dismissed"),
    "platform_score.import": gettext_lazy("Platform scores imported"),
    "channel.delivery_replay": gettext_lazy("Platform delivery replayed"),
}

HIDDEN = {"id", "created_at", "updated_at"}

# keys that services write beside the model's own fields
EXTRA_LABELS: dict[str, Any] = {
    "refund": gettext_lazy("Refund"),
    "amount": gettext_lazy("Amount"),
    "reason": gettext_lazy("Reason"),
    "provider": gettext_lazy("Payment provider"),
    "trade_no": gettext_lazy("Transaction number"),
    "payments_closed": gettext_lazy("Payments closed"),
    "lead": gettext_lazy("Lead"),
    "allocation": gettext_lazy("Allocation"),
    "channel": gettext_lazy("Channel"),
    "note": gettext_lazy("Note"),
    "customer_id": gettext_lazy("Customer"),
    "campaign": gettext_lazy("Campaign"),
    "contact": gettext_lazy("Contact"),
    "defeat": gettext_lazy("Defeat request"),
    "appointment": gettext_lazy("Appointment"),
    "handover": gettext_lazy("Handover"),
    "call": gettext_lazy("Call"),
    "order": gettext_lazy("Deposit order"),
    "grants": gettext_lazy("Roles"),
    "is_active": gettext_lazy("Active"),
    "care_model": gettext_lazy("Model for maintenance"),
    "reward": gettext_lazy("Gift"),
    "rank": gettext_lazy("Rank"),
    "booking": gettext_lazy("Test-drive booking"),
    "carrier": gettext_lazy("Carrier"),
    "tracking_no": gettext_lazy("Tracking number"),
    "address_changed": gettext_lazy("Address corrected"),
    "next_due_on": gettext_lazy("Next service due"),
    "leads_moved": gettext_lazy("Open leads moved to colleagues"),
    "trims": gettext_lazy("Trims"),
    "car_models": gettext_lazy("Models"),
}


def _allocation_words() -> dict[str, str]:
    from autodcc.leads.models import AllocationReason

    return {str(k): str(v) for k, v in AllocationReason.choices}


def _channel_words() -> dict[str, str]:
    from autodcc.leads.models import Channel

    return {str(k): str(v) for k, v in Channel.choices}


def _provider_words() -> dict[str, str]:
    from autodcc.orders import providers

    return {k: str(v) for k, v in providers.LABELS.items()}


# extra keys whose values are codes of a known list
EXTRA_WORDS = {"allocation": _allocation_words, "channel": _channel_words, "provider": _provider_words}


def _choice_words() -> dict[str, str]:
    """Codes services write inside a detail (a contact's kind and result, a defeat's reason…)."""
    from autodcc.leads.models import AppointmentStatus, ContactKind, ContactResult, DefeatKind, DefeatReason

    words: dict[str, str] = {}
    for choices in (ContactKind, ContactResult, DefeatKind, DefeatReason, AppointmentStatus):
        words.update({str(k): str(v) for k, v in choices.choices})
    return words


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


# stored actor labels that name no person: shown in the reader's language
ACTOR_WORDS: dict[str, Any] = {
    "system": gettext_lazy("System"),
    "anonymous": gettext_lazy("Anonymous visitor"),
    "storefront": gettext_lazy("Online store"),
    "demo": gettext_lazy("Demo data"),
}


def actor_display(label: str) -> str:
    """'system' → 系统, 'storefront 139****5678' → 网上商城 139****5678; a person's name as it is."""
    head, _sep, rest = (label or "").partition(" ")
    word = ACTOR_WORDS.get(head)
    if word is None:
        return label
    return f"{word} {rest}".strip()


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label else action


def changes(entry: AuditLog, names: dict[tuple[type[models.Model], Any], str] | None = None) -> list[Change]:
    """The entry's changed fields, labelled and formatted; ``names`` caches related objects' names
    across the entries of one page."""
    names = {} if names is None else names
    model = _model(entry.object_type)
    out = []
    for key, (before, after) in entry.changes.items():
        if key in HIDDEN:
            continue
        field = _field(model, key)
        label = str(field.verbose_name) if field is not None else str(EXTRA_LABELS.get(key, key))
        # snapshots keep foreign keys by id under the column name; services may write an id under the name
        by_id = field is not None and field.is_relation and (key == field.attname or isinstance(after, int))
        if field is None and key in EXTRA_WORDS:
            words = EXTRA_WORDS[key]()
            out.append(Change(label, words.get(str(before), _show(None, before, names)),
                              words.get(str(after), _show(None, after, names))))
            continue
        out.append(Change(label, _show(field, before, names, by_id), _show(field, after, names, by_id)))
    return out


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except LookupError:
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    for f in model._meta.concrete_fields:
        if key in (f.name, f.attname):
            return f
    return None


def _grant(value: dict[str, Any], names: dict[tuple[type[models.Model], Any], str]) -> str:
    from autodcc.core.roles import Role
    from autodcc.network.models import Dealer, Region

    role = str(dict(Role.choices).get(value.get("role"), value.get("role")))
    for model, key in ((Dealer, "dealer_id"), (Region, "region_id")):
        pk = value.get(key)
        if pk:
            if (model, pk) not in names:
                found = model._default_manager.filter(pk=pk).first()
                names[(model, pk)] = str(found) if found is not None else f"#{pk}"
            return f"{role} @ {names[(model, pk)]}"
    return role


def _show(field: models.Field | None, value: Any, names: dict[tuple[type[models.Model], Any], str],
          by_id: bool = False) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return "; ".join(_show(None, v, names) for v in value)
    if isinstance(value, dict) and "role" in value:  # a role grant: the role where it applies
        return _grant(value, names)
    if isinstance(value, dict):  # a detail a service wrote beside the fields: its values, as words
        words = _choice_words()
        return pgettext("list separator", ", ").join(
            words.get(str(v), str(v)) for v in value.values() if v not in (None, "", [], {}))
    if field is not None and field.is_relation:
        if not (by_id and isinstance(value, int) and field.related_model is not None):
            return str(value)
        key = (field.related_model, value)
        if key not in names:
            obj = field.related_model._default_manager.filter(pk=value).first()
            names[key] = str(obj) if obj is not None else f"#{value}"
        return names[key]
    if field is not None and field.choices:
        flat = {str(k): v for k, v in field.flatchoices}
        if isinstance(value, list):
            return pgettext("list separator", ", ").join(str(flat.get(str(v), v)) for v in value)
        return str(flat.get(str(value), value))
    if field is not None and field.name == "open_weekdays":
        from autodcc.network.models import weekdays_display

        return weekdays_display(str(value))
    if isinstance(field, models.DateTimeField):
        when = parse_datetime(str(value))
        if when is not None:
            return f"{timezone.localtime(when) if timezone.is_aware(when) else when:%Y-%m-%d %H:%M}"
    if isinstance(field, models.TimeField) and isinstance(value, str) and len(value) >= 5:
        return value[:5]
    text = str(value)
    if text.startswith("+86") and text[1:].isdigit():
        return phone.mask(text)
    return text


__all__ = ["ACTION_LABELS", "Change", "action_label", "actor_display", "changes"]
