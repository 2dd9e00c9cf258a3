"""Lead services, one audited function per operation (the modules hold the details)."""

from autodcc.leads.services.capture import CaptureResult, LeadInput, lead_capture
from autodcc.leads.services.defeat import defeat_approve, defeat_reject, lead_request_defeat
from autodcc.leads.services.followup import (
    appointment_confirm,
    lead_follow_up,
    lead_invite,
    lead_register_arrival,
    lead_set_grade,
    visit_booked,
    visit_cancelled,
)
from autodcc.leads.services.manage import dealer_lead_settings_save, lead_reallocate, revisit_target_set
from autodcc.leads.services.moves import cover_leaves, lead_reassign, leads_release
from autodcc.leads.services.showroom import care_task_done, lead_handover, lead_record_step

__all__ = [
    "CaptureResult", "LeadInput", "appointment_confirm", "care_task_done", "cover_leaves",
    "dealer_lead_settings_save", "defeat_approve", "defeat_reject", "lead_capture", "lead_follow_up",
    "lead_handover", "lead_invite", "lead_reallocate", "lead_reassign", "lead_record_step", "lead_register_arrival",
    "lead_request_defeat", "lead_set_grade", "leads_release", "revisit_target_set", "visit_booked",
    "visit_cancelled",
]
