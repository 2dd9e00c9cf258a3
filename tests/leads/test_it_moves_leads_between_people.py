"""LEAD-4 / LEAD-9 / NET-3: leads move when their holder leaves, loses the role, goes on leave, or
when a manager reassigns many at once — each move recorded, each new holder told once."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from autodcc.core.actors import SYSTEM
from autodcc.core.errors import DomainError, Forbidden, NotFound
from autodcc.core.models import AuditLog
from autodcc.core.roles import Role
from autodcc.leads import selectors
from autodcc.leads.models import Assignment, AssignmentKind, Handover, Lead, LeaveCoverage, Stage
from autodcc.leads.services import cover_leaves, lead_capture, lead_handover, lead_reassign
from autodcc.messaging.models import Event, Message
from autodcc.network import services as network


@pytest.fixture
def team(net):
    """Dealer A with three DCC agents and two sales consultants (the personas and colleagues)."""
    agents = [net.a_agent.staff, *(network.staff_create(
        actor=SYSTEM, username=f"a-agent-{i}", name=f"网销{i}", mobile=f"1350000000{i}",
        grants=[(Role.DCC_AGENT, net.dealer_a, None)]) for i in (2, 3))]
    consultants = [net.a_consultant.staff, network.staff_create(
        actor=SYSTEM, username="a-consultant-2", name="顾问二", mobile="13500000012",
        grants=[(Role.SALES_CONSULTANT, net.dealer_a, None)])]
    return agents, consultants


def capture(enquiry, n, dealer="SH-001"):
    return [lead_capture(actor=SYSTEM, data=enquiry(dealer=dealer)).lead for _ in range(n)]


def to_showroom(net, leads, consultant):
    for lead in leads:
        lead_handover(actor=net.a_supervisor.actor, lead=lead, to_staff=consultant, note="到店")
    return [Lead.objects.get(pk=lead.pk) for lead in leads]


def told(event, staff):
    return Message.objects.filter(event=event, recipient_staff_id=staff.pk)


def test_deactivating_an_agent_moves_their_leads_evenly_with_records(net, team, enquiry):
    agents, _consultants = team
    leaving = agents[0]
    for other in agents[1:]:  # only the leaving agent is on duty while the leads come in
        network.staff_set_duty(actor=SYSTEM, staff=other, on_duty=False)
    leads = capture(enquiry, 4)
    assert {lead.agent_id for lead in leads} == {leaving.pk}
    for other in agents[1:]:
        network.staff_set_duty(actor=SYSTEM, staff=other, on_duty=True)
    before = {a.pk: told(Event.LEAD_ASSIGNED, a).count() for a in agents}

    staff = network.staff_update(actor=net.a_manager.actor, staff=leaving, is_active=False)

    assert staff.leads_moved == 4
    moved = Lead.objects.filter(pk__in=[lead.pk for lead in leads])
    assert Counter(lead.agent_id for lead in moved) == {agents[1].pk: 2, agents[2].pk: 2}  # evenly, by the rotation
    records = Assignment.objects.filter(lead__in=moved, kind=AssignmentKind.MANUAL, previous=leaving)
    assert records.count() == 4 and all("停用" in r.note or "deactivated" in r.note for r in records)
    audits = AuditLog.objects.filter(action="lead.reassign", object_id__in=[str(lead.pk) for lead in leads])
    assert audits.count() == 4 and {a.actor_label for a in audits} == {net.a_manager.actor.label}
    edit = AuditLog.objects.filter(action="staff.update", object_id=str(leaving.pk)).latest("id")
    assert edit.after["leads_moved"] == 4 and edit.after["is_active"] is False
    for agent in agents[1:]:  # each new holder told once, of both leads
        assert told(Event.LEAD_ASSIGNED, agent).count() == before[agent.pk] + 1
    assert told(Event.LEAD_ASSIGNED, leaving).count() == before[leaving.pk]


def test_deactivating_a_consultant_hands_their_showroom_leads_to_colleagues(net, team, enquiry):
    _agents, consultants = team
    leads = to_showroom(net, capture(enquiry, 3), consultants[0])
    staff = network.staff_update(actor=net.a_manager.actor, staff=consultants[0], is_active=False)
    assert staff.leads_moved == 3
    moved = Lead.objects.filter(pk__in=[lead.pk for lead in leads])
    assert {lead.consultant_id for lead in moved} == {consultants[1].pk}
    assert all(lead.stage == Stage.SHOWROOM for lead in moved)
    handovers = Handover.objects.filter(lead__in=moved, from_stage=Stage.SHOWROOM, to_stage=Stage.SHOWROOM)
    assert handovers.count() == 3 and {h.from_staff_id for h in handovers} == {consultants[0].pk}
    assert {h.to_staff_id for h in handovers} == {consultants[1].pk}
    assert told(Event.LEAD_HANDOVER, consultants[1]).count() == 1  # once, for the three
    assert "3" in told(Event.LEAD_HANDOVER, consultants[1]).get().body


def test_with_no_consultant_left_showroom_leads_wait_for_the_manager(net, team, enquiry):
    _agents, consultants = team
    network.staff_update(actor=SYSTEM, staff=consultants[1], is_active=False)
    leads = to_showroom(net, capture(enquiry, 2), consultants[0])
    network.staff_update(actor=net.a_manager.actor, staff=consultants[0], is_active=False)
    moved = Lead.objects.filter(pk__in=[lead.pk for lead in leads])
    assert {(lead.stage, lead.consultant_id) for lead in moved} == {(Stage.SHOWROOM, None)}
    assert Handover.objects.filter(lead__in=moved, to_staff__isnull=True).count() == 2
    waiting = selectors.work_list(actor=net.a_manager.actor).waiting_consultant
    assert {lead.pk for lead in waiting} == {lead.pk for lead in leads}


def test_losing_the_agent_role_moves_only_the_dcc_leads(net, team, enquiry):
    agents, _consultants = team
    leads = capture(enquiry, 6)
    mine = [lead.pk for lead in leads if lead.agent_id == agents[0].pk]
    assert mine
    staff = network.staff_update(actor=net.a_manager.actor, staff=agents[0],
                                 grants=[(Role.SALES_CONSULTANT, net.dealer_a, None)])
    assert staff.leads_moved == len(mine)
    assert not Lead.objects.filter(pk__in=mine, agent=agents[0]).exists()
    # a change that does not touch roles or the account moves nothing
    assert network.staff_update(actor=net.a_manager.actor, staff=agents[1], name="网销二").leads_moved == 0


def test_a_consultants_leave_moves_their_showroom_leads_like_an_agents(net, team, enquiry):
    agents, consultants = team
    dcc = [lead for lead in capture(enquiry, 6) if lead.agent_id == agents[0].pk]
    showroom = to_showroom(net, capture(enquiry, 2), consultants[0])
    now = timezone.now()
    for person in (consultants[0], agents[0]):
        network.leave_add(actor=SYSTEM, staff=person, starts_at=now - dt.timedelta(minutes=5),
                          ends_at=now + dt.timedelta(days=2))
    assert cover_leaves() == len(dcc) + 2
    assert {lead.consultant_id for lead in Lead.objects.filter(pk__in=[lead.pk for lead in showroom])} == {
        consultants[1].pk}
    assert Handover.objects.filter(lead__in=[lead.pk for lead in showroom], from_stage=Stage.SHOWROOM,
                                   to_staff=consultants[1]).count() == 2
    assert AuditLog.objects.filter(action="lead.cover_leave",
                                   object_id__in=[str(lead.pk) for lead in showroom]).count() == 2
    assert LeaveCoverage.objects.get(leave__staff=consultants[0]).moved == 2
    assert told(Event.LEAD_HANDOVER, consultants[1]).filter(body__contains="休假").count() == 1
    assert cover_leaves() == 0


def test_a_colleague_on_leave_gets_no_showroom_lead(net, team, enquiry):
    _agents, consultants = team
    showroom = to_showroom(net, capture(enquiry, 1), consultants[0])
    now = timezone.now()
    network.leave_add(actor=SYSTEM, staff=consultants[1], starts_at=now - dt.timedelta(hours=1),
                      ends_at=now + dt.timedelta(days=1))
    network.staff_update(actor=net.a_manager.actor, staff=consultants[0], is_active=False)
    assert Lead.objects.get(pk=showroom[0].pk).consultant_id is None


def test_a_manager_reassigns_many_leads_to_one_person_with_a_reason(net, team, enquiry):
    agents, consultants = team
    leads = capture(enquiry, 3)
    target = agents[2]
    before = told(Event.LEAD_ASSIGNED, target).count()
    result = lead_reassign(actor=net.a_manager.actor, leads=[lead.pk for lead in leads], to_staff=target,
                           note="客户集中跟进")
    assert len(result) == 3
    assert set(Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("agent_id", flat=True)) == {target.pk}
    moved = [lead for lead in leads if lead.agent_id != target.pk]
    assert Assignment.objects.filter(lead__in=moved, kind=AssignmentKind.MANUAL, staff=target,
                                     note="客户集中跟进").count() == len(moved)
    audits = AuditLog.objects.filter(action="lead.reassign", note="客户集中跟进")
    assert audits.count() == len(moved) and {a.after["agent_id"] for a in audits} == {target.pk}
    assert told(Event.LEAD_ASSIGNED, target).count() == before + 1  # told once

    # showroom leads go to a consultant as a recorded handover; a batch of one is a batch
    showroom = to_showroom(net, capture(enquiry, 1), consultants[0])
    lead_reassign(actor=net.a_supervisor.actor, leads=showroom, to_staff=consultants[1], note="顾问调整")
    handover = Handover.objects.filter(lead=showroom[0]).latest("id")
    assert (handover.from_staff_id, handover.to_staff_id, handover.note) == (consultants[0].pk, consultants[1].pk,
                                                                            "顾问调整")
    assert told(Event.LEAD_HANDOVER, consultants[1]).count() == 1


@pytest.mark.parametrize("note", ["", "   ", "x" * 10_000, "换人\x00"])
def test_a_bad_reason_changes_nothing(net, team, enquiry, note):
    agents, _consultants = team
    leads = capture(enquiry, 2)
    held = {lead.pk: lead.agent_id for lead in leads}
    count = Assignment.objects.count()
    with pytest.raises(DomainError) as caught:
        lead_reassign(actor=net.a_manager.actor, leads=leads, to_staff=agents[2], note=note)
    assert caught.value.field == "note"
    assert Assignment.objects.count() == count
    assert {lead.pk: lead.agent_id for lead in Lead.objects.filter(pk__in=held)} == held


def test_bad_choices_change_nothing(net, team, enquiry):
    agents, consultants = team
    leads = capture(enquiry, 2)
    held = {lead.pk: lead.agent_id for lead in leads}
    network.staff_update(actor=SYSTEM, staff=agents[2], is_active=False)
    audits = AuditLog.objects.filter(action="lead.reassign").count()
    cases = [
        ([], agents[1], "lead.none_chosen"),
        (leads, agents[2], "lead.not_holder"),  # an inactive agent
        (leads, net.b_agent.staff, "lead.not_holder"),  # another dealer's agent
        (leads, consultants[1], "lead.reassign_not_showroom"),  # a DCC lead to a consultant is a handover
        (leads, net.a_manager.staff, "lead.not_holder"),
    ]
    for chosen, person, code in cases:
        with pytest.raises(DomainError) as caught:
            lead_reassign(actor=net.a_manager.actor, leads=chosen, to_staff=person, note="调整")
        assert caught.value.code == code
        assert str(caught.value.message)
    assert AuditLog.objects.filter(action="lead.reassign").count() == audits
    assert {lead.pk: lead.agent_id for lead in Lead.objects.filter(pk__in=held)} == held


def test_another_dealers_lead_among_the_ids_is_not_found_and_nothing_changes(net, team, enquiry):
    agents, _consultants = team
    own = capture(enquiry, 2)
    foreign = capture(enquiry, 1, dealer="HZ-001")[0]
    held = {lead.pk: lead.agent_id for lead in [*own, foreign]}
    with pytest.raises(NotFound):
        lead_reassign(actor=net.a_manager.actor, leads=[*own, foreign], to_staff=agents[1], note="调整")
    with pytest.raises(NotFound):
        lead_reassign(actor=net.a_supervisor.actor, leads=[foreign.pk], to_staff=net.b_agent.staff, note="调整")
    assert {lead.pk: lead.agent_id for lead in Lead.objects.filter(pk__in=held)} == held
    assert not AuditLog.objects.filter(action="lead.reassign").exists()


@pytest.mark.parametrize("who,allowed", [
    ("a_manager", True), ("a_gm", True), ("a_supervisor", True),
    ("a_agent", False), ("a_consultant", False), ("hq_marketer", False), ("regional_manager", False),
])
def test_who_may_reassign(net, team, enquiry, who, allowed):
    agents, consultants = team
    leads = capture(enquiry, 2)
    if who == "a_consultant":  # a consultant sees only the leads handed to them
        leads = to_showroom(net, leads, consultants[0])
    persona = getattr(net, who)
    if allowed:
        lead_reassign(actor=persona.actor, leads=leads, to_staff=agents[1], note="调整")
        assert set(Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("agent_id", flat=True)) == {
            agents[1].pk}
    else:
        with pytest.raises(Forbidden):
            lead_reassign(actor=persona.actor, leads=leads, to_staff=agents[1], note="调整")
