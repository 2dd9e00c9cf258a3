"""Feedback and complaints (CARE-3): one service per operation, each audited, each step kept in
the complaint's history.

* ``complaint_file`` takes a complaint from the store (the order page or the general page), from
  staff (a call or a walk-in) and from the API. It links the consumer to their customer record by
  mobile number, appends their consent, routes the complaint by its category's rule and starts its
  clock in opening hours. Who may file where is the lead capture's rule: a dealer's staff and a
  dealer's API key file for their own dealer only; naming another dealer is an error and nothing
  is saved. A repeated submission (the same form key or Idempotency-Key, or the same text from
  the same person within minutes) gives back the first complaint.
* The handler (the dealer concerned, or an HQ department) assigns, starts, notes and resolves;
  HQ passes a complaint to another dealer or department.
* Resolving sends the consumer an SMS with a single-use link: they confirm, or reopen with a
  comment; the link expires after ``LINK_DAYS``.
* ``escalate_due`` (every minute) escalates what is overdue: first to the dealer's general
  manager, then to the regional manager (or HQ customer service); it closes resolved complaints
  whose link expired unanswered.
"""

from autodcc.feedback.services.common import (
    ATTACHMENT_MB,
    DESCRIPTION_LIMIT,
    NAME_LIMIT,
    NOTE_LIMIT,
    ComplaintInput,
    handler_staff,
    hash_token,
    may_handle,
    may_route,
    rule_for,
)
from autodcc.feedback.services.consumer import by_token, consumer_decide, link_state
from autodcc.feedback.services.filing import complaint_file
from autodcc.feedback.services.handling import (
    complaint_assign,
    complaint_close,
    complaint_note,
    complaint_reassign,
    complaint_resolve,
    complaint_start,
)
from autodcc.feedback.services.ruleset import rule_save
from autodcc.feedback.services.sweep import escalate_due

__all__ = [
    "ATTACHMENT_MB", "DESCRIPTION_LIMIT", "NAME_LIMIT", "NOTE_LIMIT", "ComplaintInput", "by_token", "complaint_assign",
    "complaint_close", "complaint_file", "complaint_note", "complaint_reassign", "complaint_resolve", "complaint_start",
    "consumer_decide", "escalate_due", "handler_staff", "hash_token", "link_state", "may_handle", "may_route",
    "rule_for", "rule_save",
]
