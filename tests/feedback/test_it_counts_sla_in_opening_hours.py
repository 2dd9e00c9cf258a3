"""The SLA clock runs in opening hours: the handling dealer's (08:30–18:00 for the personas'
dealers, closed on official holidays), or HQ's office hours (09:00–18:00 on working days), from
the moment the complaint is filed. Qingming 2026 (4–6 April) is closed for both."""

import datetime as dt

from autodcc.core.workhours import SHANGHAI
from autodcc.feedback import rules
from autodcc.feedback.models import Queue


def t(day, hour, minute=0):
    return dt.datetime(2026, 4, day, hour, minute, tzinfo=SHANGHAI)


def test_a_dealers_clock_skips_the_night_and_the_holiday(net, file_complaint):
    complaint = file_complaint("sales_service", dealer="SH-001", now=t(3, 17))  # Friday 17:00, 1 h before closing
    assert complaint.queue == Queue.DEALER
    assert complaint.respond_by == t(7, 9, 30)  # 60 min on Friday, 60 min on Tuesday after the holiday
    assert complaint.resolve_by == t(8, 16, 0)  # 1080 min: 60 + 570 (Tuesday) + 450 (Wednesday)
    assert complaint.escalate_at == complaint.respond_by


def test_hq_works_office_hours_on_working_days(net, file_complaint):
    complaint = file_complaint("product", now=t(3, 16))  # Friday 16:00
    assert complaint.queue == Queue.HQ_SERVICE
    assert complaint.respond_by == t(7, 11, 0)  # 120 min on Friday, 120 min on Tuesday
    assert complaint.resolve_by == t(13, 16, 0)  # 45 h: 2 + 9 × 4 (Tue–Fri), 7 on Monday the 13th


def test_filed_at_night_the_clock_starts_at_opening(net, file_complaint):
    complaint = file_complaint("delivery", dealer="HZ-001", now=t(8, 23, 15))
    assert complaint.respond_by == t(9, 10, 30)


def test_the_rules_module_computes_the_same_deadlines(net):
    rule = rules.Rule(Queue.DEALER, 120, 1080, 540)
    assert rules.deadlines(t(3, 17), rule, rules.hours_for(Queue.DEALER, net.dealer_a)) == (t(7, 9, 30), t(8, 16))
    assert rules.hours_for(Queue.DEALER, None) == rules.HQ_HOURS
