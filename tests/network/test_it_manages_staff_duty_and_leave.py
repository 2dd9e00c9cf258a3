import datetime as dt

import pytest
from django.utils import timezone

from autodcc.core.errors import Conflict, DomainError, Forbidden
from autodcc.core.models import AuditLog
from autodcc.core.roles import Role
from autodcc.network import services
from autodcc.network.models import RoleGrant, Staff


def test_a_dealer_manager_hires_at_their_own_dealer(net):
    staff = services.staff_create(actor=net.a_manager.actor, username="new-agent", name="新人", mobile="13900001111",
                                  grants=[(Role.DCC_AGENT, net.dealer_a, None)])
    assert staff.phone == "+8613900001111"
    assert list(staff.grants.values_list("role", "dealer_id")) == [("dcc_agent", net.dealer_a.pk)]
    entry = AuditLog.objects.get(action="staff.create", object_id=str(staff.pk))
    assert entry.dealer_id == net.dealer_a.pk and entry.after["grants"][0]["role"] == "dcc_agent"
    assert entry.actor_user_id == net.a_manager.user.pk


def test_a_dealer_manager_cannot_grant_elsewhere_or_at_hq(net):
    for grants in ([(Role.DCC_AGENT, net.dealer_b, None)], [(Role.HQ_MARKETING, None, None)]):
        with pytest.raises(Forbidden):
            services.staff_create(actor=net.a_manager.actor, username="x", name="x", grants=grants)
    with pytest.raises(Forbidden):
        services.staff_create(actor=net.a_agent.actor, username="y", name="y",
                              grants=[(Role.DCC_AGENT, net.dealer_a, None)])
    assert not Staff.objects.filter(user__username__in=["x", "y"]).exists()


def test_a_role_must_be_given_at_its_level(net):
    with pytest.raises(DomainError) as exc:
        services.staff_create(actor=net.hq_marketer.actor, username="z", name="z",
                              grants=[(Role.DCC_AGENT, None, net.east)])
    assert exc.value.code == "staff.grant_scope"
    with pytest.raises(DomainError):
        services.staff_create(actor=net.hq_marketer.actor, username="z", name="z", grants=[])


def test_login_names_are_unique_regardless_of_case(net):
    with pytest.raises(Conflict):
        services.staff_create(actor=net.hq_marketer.actor, username="P-A-AGENT", name="dup",
                              grants=[(Role.DCC_AGENT, net.dealer_a, None)])


def test_an_update_changes_roles_and_is_audited(net):
    services.staff_update(actor=net.a_manager.actor, staff=net.a_agent.staff, name="组长",
                          grants=[(Role.DCC_SUPERVISOR, net.dealer_a, None)])
    assert list(RoleGrant.objects.filter(staff=net.a_agent.staff).values_list("role", flat=True)) == ["dcc_supervisor"]
    entry = AuditLog.objects.get(action="staff.update")
    assert entry.before["grants"][0]["role"] == "dcc_agent" and entry.after["grants"][0]["role"] == "dcc_supervisor"
    assert entry.changes["name"] == ("a_agent", "组长")


def test_a_foreign_manager_cannot_touch_our_staff(net):
    with pytest.raises(Forbidden):
        services.staff_update(actor=net.b_manager.actor, staff=net.a_agent.staff, name="hijack")
    with pytest.raises(Forbidden):
        services.staff_set_duty(actor=net.b_supervisor.actor, staff=net.a_agent.staff, on_duty=False)


def test_the_supervisor_sets_duty_and_leave(net):
    sup = net.a_supervisor.actor
    services.staff_set_duty(actor=sup, staff=net.a_agent.staff, on_duty=False)
    services.staff_set_duty(actor=sup, staff=net.a_agent.staff, on_duty=False)  # a double click changes nothing
    assert AuditLog.objects.filter(action="staff.duty").count() == 1
    start = timezone.now()
    leave = services.leave_add(actor=sup, staff=net.a_agent.staff, starts_at=start,
                               ends_at=start + dt.timedelta(days=3), reason="年假")
    agent = Staff.objects.get(pk=net.a_agent.staff.pk)
    assert agent.on_leave_at(start + dt.timedelta(days=1)) and not agent.on_leave_at(start + dt.timedelta(days=4))
    with pytest.raises(Conflict):
        services.leave_add(actor=sup, staff=agent, starts_at=start + dt.timedelta(days=2),
                           ends_at=start + dt.timedelta(days=5))
    with pytest.raises(DomainError):
        services.leave_add(actor=sup, staff=agent, starts_at=start + dt.timedelta(days=9),
                           ends_at=start + dt.timedelta(days=8))
    services.leave_cancel(actor=sup, leave=leave)
    assert not agent.leaves.exists()
    assert list(AuditLog.objects.filter(action__startswith="staff.leave").values_list("action", flat=True)
                .order_by("id")) == ["staff.leave_add", "staff.leave_cancel"]
