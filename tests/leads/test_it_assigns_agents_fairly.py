import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from autodcc.core.actors import SYSTEM
from autodcc.core.errors import DomainError, Forbidden
from autodcc.core.roles import Role
from autodcc.leads.models import Assignment, AssignmentKind, Lead
from autodcc.leads.services import lead_capture, lead_reassign
from autodcc.leads.services.assignment import assign_pool
from autodcc.leads.services.moves import cover_leaves
from autodcc.messaging.models import Event, Message
from autodcc.network import services as network


@pytest.fixture
def agents(net):
    """Dealer A with three DCC agents: the persona and two colleagues."""
    extra = [network.staff_create(actor=SYSTEM, username=f"a-agent-{i}", name=f"网销{i}", mobile=f"1350000000{i}",
                                  grants=[(Role.DCC_AGENT, net.dealer_a, None)]) for i in (2, 3)]
    return [net.a_agent.staff, *extra]


def capture_many(enquiry, n, **kw):
    return [lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", **kw)).lead for _ in range(n)]


def test_leads_are_spread_evenly_and_each_agent_is_told(net, agents, enquiry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # told after commit, outside the capture's time
        leads = capture_many(enquiry, 9)
    assert Counter(lead.agent_id for lead in leads) == {a.pk: 3 for a in agents}
    # the nine captures' events are dispatched together: one message per agent, naming its three leads
    told = Message.objects.filter(event=Event.LEAD_ASSIGNED)
    assert told.count() == 3 and set(told.values_list("recipient_staff_id", flat=True)) == {a.pk for a in agents}
    assert all("3" in m.body for m in told), [m.body for m in told]


def test_agents_off_duty_on_leave_or_at_capacity_are_skipped(net, agents, enquiry):
    network.staff_set_duty(actor=SYSTEM, staff=agents[1], on_duty=False)
    now = timezone.now()
    network.leave_add(actor=SYSTEM, staff=agents[2], starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=2))
    leads = capture_many(enquiry, 4)
    assert {lead.agent_id for lead in leads} == {agents[0].pk}
    network.staff_update(actor=SYSTEM, staff=agents[0], capacity=4)
    pooled = capture_many(enquiry, 1)[0]
    assert pooled.agent is None
    assert Assignment.objects.filter(lead=pooled).get().kind == AssignmentKind.POOL
    network.staff_set_duty(actor=SYSTEM, staff=agents[1], on_duty=True)
    assert assign_pool() == 1
    assert Lead.objects.get(pk=pooled.pk).agent_id == agents[1].pk


def test_a_new_agent_starts_level_with_the_least_served(net, agents, enquiry):
    capture_many(enquiry, 6)
    newcomer = network.staff_create(actor=SYSTEM, username="a-agent-new", name="新人",
                                    grants=[(Role.DCC_AGENT, net.dealer_a, None)])
    leads = capture_many(enquiry, 4)
    counts = Counter(lead.agent_id for lead in leads)
    assert counts[newcomer.pk] <= 2  # not all four: the newcomer is not flooded to "catch up"


def test_open_leads_move_to_colleagues_when_leave_starts(net, agents, enquiry):
    leads = capture_many(enquiry, 6)
    mine = [lead.pk for lead in leads if lead.agent_id == agents[0].pk]
    now = timezone.now()
    network.leave_add(actor=SYSTEM, staff=agents[0], starts_at=now - dt.timedelta(minutes=1),
                      ends_at=now + dt.timedelta(days=3))
    assert cover_leaves() == len(mine) == 2
    moved = Lead.objects.filter(pk__in=mine)
    assert all(lead.agent_id in {agents[1].pk, agents[2].pk} for lead in moved)
    assert Assignment.objects.filter(lead__in=mine, kind=AssignmentKind.LEAVE).count() == 2
    assert cover_leaves() == 0  # a leave is covered once


def test_a_supervisor_reassigns_with_a_reason(net, agents, enquiry):
    lead = capture_many(enquiry, 1)[0]
    target = next(a for a in agents if a.pk != lead.agent_id)
    with pytest.raises(DomainError):
        lead_reassign(actor=net.a_supervisor.actor, leads=[lead], to_staff=target, note=" ")
    with pytest.raises(Forbidden):
        lead_reassign(actor=net.a_agent.actor, leads=[lead], to_staff=target, note="我来")
    lead_reassign(actor=net.a_supervisor.actor, leads=[lead], to_staff=target, note="客户要求换人")
    lead.refresh_from_db()
    assert lead.agent == target
    assert Assignment.objects.filter(lead=lead, kind=AssignmentKind.MANUAL, note="客户要求换人").exists()
    with pytest.raises(DomainError):  # a consultant is not a DCC agent
        lead_reassign(actor=net.a_supervisor.actor, leads=[lead], to_staff=net.a_consultant.staff, note="x")


def test_a_supervisor_taking_a_lead_out_of_the_pool_leaves_a_handover(net, agents, enquiry):
    """LEAD-9: every move between the stages is recorded — also a pooled lead given to an agent by hand."""
    from autodcc.leads.models import Handover, Stage

    for staff in agents:
        network.staff_set_duty(actor=SYSTEM, staff=staff, on_duty=False)
    pooled = capture_many(enquiry, 1)[0]
    assert pooled.agent is None and pooled.stage == Stage.MARKETING and not pooled.handovers.exists()
    lead_reassign(actor=net.a_supervisor.actor, leads=[pooled], to_staff=agents[1], note="客户指定")
    handover = Handover.objects.get(lead=pooled)
    assert (handover.from_stage, handover.to_stage, handover.to_staff_id, handover.note) == (
        Stage.MARKETING, Stage.DCC, agents[1].pk, "客户指定")
    lead_reassign(actor=net.a_supervisor.actor, leads=[pooled], to_staff=agents[2], note="换人")
    assert Handover.objects.filter(lead=pooled).count() == 1  # agent to agent stays in the DCC stage
