from autodcc.network.models import Dealer, Staff


def codes(actor):
    return set(Dealer.objects.visible_to(actor).values_list("code", flat=True))


def logins(actor):
    return set(Staff.objects.visible_to(actor).values_list("user__username", flat=True))


def test_hq_sees_every_dealer(net):
    assert codes(net.hq_marketer.actor) == {"SH-001", "HZ-001", "BJ-001"}
    assert codes(net.hq_service.actor) == {"SH-001", "HZ-001", "BJ-001"}


def test_a_region_sees_its_dealers(net):
    assert codes(net.regional_manager.actor) == {"SH-001", "HZ-001"}


def test_a_dealer_sees_itself(net):
    for who in ("a_manager", "a_agent", "a_consultant", "a_supervisor", "a_gm"):
        assert codes(getattr(net, who).actor) == {"SH-001"}
    assert codes(net.b_agent.actor) == {"HZ-001"}


def test_staff_lists_follow_the_same_scope(net):
    a_staff = logins(net.a_manager.actor)
    assert a_staff == {"p-a-manager", "p-a-gm", "p-a-supervisor", "p-a-agent", "p-a-consultant"}
    assert "p-b-agent" not in a_staff and "p-rm-east" not in a_staff
    rm = logins(net.regional_manager.actor)
    assert {"p-a-agent", "p-b-agent", "p-rm-east"} <= rm and "p-hq-service" not in rm
    assert len(logins(net.hq_marketer.actor)) == len(net.people)


def test_someone_without_grants_sees_nothing(net):
    from autodcc.core.actors import ANONYMOUS, Actor

    assert codes(ANONYMOUS) == set()
    assert codes(Actor(kind="staff", label="nobody", user_id=999)) == set()
