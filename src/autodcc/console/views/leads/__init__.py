"""Console pages of the lead spine: the work list, the lead list and the lead page with its
actions, staff entry, imports, the approval queue, expected arrivals, dealer lead rules.

Every action posts to its own URL, finds its object through the actor's scope (404 for another
dealer's), calls one service and re-renders the lead page's body for htmx (or redirects). What a
service refuses shows on the action's form; nothing else changes.
"""

from autodcc.console.views.leads.actions import (
    appointment_confirm,
    care_task_done,
    defeat_approve,
    defeat_reasons,
    defeat_reject,
    lead_arrive,
    lead_defeat,
    lead_follow_up,
    lead_handover,
    lead_invite,
    lead_reallocate,
    lead_reassign,
    lead_step,
    lead_testdrive,
)
from autodcc.console.views.leads.entry import (
    lead_create,
    lead_import,
    lead_import_detail,
    lead_import_template,
    lead_settings,
)
from autodcc.console.views.leads.page import lead_call, lead_detail
from autodcc.console.views.leads.work import approvals, arrivals, lead_bulk_reassign, lead_list, worklist

__all__ = [
    "appointment_confirm", "approvals", "arrivals", "care_task_done", "defeat_approve", "defeat_reasons",
    "defeat_reject", "lead_arrive", "lead_bulk_reassign",
    "lead_call", "lead_create", "lead_defeat", "lead_detail", "lead_follow_up", "lead_handover",
    "lead_import", "lead_import_detail", "lead_import_template", "lead_invite", "lead_list", "lead_reallocate",
    "lead_reassign", "lead_settings", "lead_step", "lead_testdrive", "worklist",
]
