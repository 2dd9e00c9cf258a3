"""The lead list's bulk reassignment and the staff page's count of moved leads, through the console."""

import pytest
from django.urls import reverse

from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.core.roles import Role
from autodcc.leads.models import Assignment, Lead
from autodcc.leads.services import lead_capture
from autodcc.network import services as network

URL = "/console/leads/reassign/"


@pytest.fixture
def colleague(net):
    return network.staff_create(actor=SYSTEM, username="a-agent-2", name="网销二", mobile="13500000002",
                                grants=[(Role.DCC_AGENT, net.dealer_a, None)])


def capture(enquiry, n, dealer="SH-001"):
    return [lead_capture(actor=SYSTEM, data=enquiry(dealer=dealer)).lead for _ in range(n)]


def held(leads):
    return dict(Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("pk", "agent_id"))


def test_the_url_is_the_lead_lists():
    assert reverse("console:lead_bulk_reassign") == URL


def test_a_manager_reassigns_the_ticked_leads(net, login, enquiry, colleague):
    leads = capture(enquiry, 3)
    client = login(net.a_manager)
    page = client.get("/console/leads/").content.decode()
    assert 'id="bulk-reassign"' in page and f'name="lead" value="{leads[0].pk}"' in page and "网销二" in page
    response = client.post(URL, {"lead": [lead.pk for lead in leads], "staff": colleague.pk, "note": "客户集中跟进"},
                           follow=True)
    assert response.status_code == 200
    assert "已将 3 条线索改派给 网销二" in response.content.decode()
    assert set(held(leads).values()) == {colleague.pk}
    assert AuditLog.objects.filter(action="lead.reassign", note="客户集中跟进").count() == sum(
        1 for lead in leads if lead.agent_id != colleague.pk)


@pytest.mark.parametrize("data,message", [
    ({"note": "调整"}, "请至少勾选一条线索"),
    ({"note": ""}, "请填写备注说明原因"),
    ({"note": "x" * 10_000}, "过长"),
    ({"note": "换人\x00"}, "不可见的控制字符"),
    ({"note": "调整", "staff": ""}, "请选择接手这些线索的人员"),
    ({"note": "调整", "lead": ["abc"]}, "请在列表中勾选线索"),
])
def test_bad_input_gets_a_chinese_error_and_changes_nothing(net, login, enquiry, colleague, data, message):
    leads = capture(enquiry, 2)
    before, assignments = held(leads), Assignment.objects.count()
    post = {"lead": [lead.pk for lead in leads], "staff": colleague.pk, **data}
    if "请至少" in message:
        post.pop("lead")
    response = login(net.a_manager).post(URL, post)
    assert response.status_code == 200
    assert message in response.content.decode(), message
    assert held(leads) == before and Assignment.objects.count() == assignments


def test_an_inactive_person_is_refused_plainly(net, login, enquiry, colleague):
    leads = capture(enquiry, 2)
    network.staff_update(actor=SYSTEM, staff=colleague, is_active=False)  # their leads move to a_agent
    before = held(leads)
    response = login(net.a_manager).post(URL, {"lead": [lead.pk for lead in leads], "staff": colleague.pk,
                                               "note": "调整"})
    assert response.status_code == 200
    assert "不是上海浦东店在职的网销顾问或销售顾问" in response.content.decode()
    assert held(leads) == before


def test_another_dealers_lead_among_the_ticked_is_404_and_nothing_moves(net, login, enquiry, colleague):
    own, foreign = capture(enquiry, 2), capture(enquiry, 1, dealer="HZ-001")
    before = held([*own, *foreign])
    for who in (net.a_manager, net.a_supervisor, net.a_gm):
        response = login(who).post(URL, {"lead": [*(lead.pk for lead in own), foreign[0].pk], "staff": colleague.pk,
                                         "note": "调整"})
        assert response.status_code == 404, who.key
    # dealer B's staff cannot take dealer A's leads either, nor be given them
    assert login(net.b_manager).post(URL, {"lead": [own[0].pk], "staff": net.b_agent.staff.pk,
                                           "note": "调整"}).status_code == 404
    response = login(net.a_manager).post(URL, {"lead": [own[0].pk], "staff": net.b_agent.staff.pk, "note": "调整"})
    assert response.status_code == 200 and "请选择接手这些线索的人员" in response.content.decode()
    assert held([*own, *foreign]) == before
    assert not AuditLog.objects.filter(action="lead.reassign").exists()


@pytest.mark.parametrize("who,status", [("a_agent", 403), ("a_consultant", 403), ("hq_marketer", 403),
                                        ("regional_manager", 403), ("a_supervisor", 302), ("a_gm", 302)])
def test_only_those_who_may_reassign_one_lead_may_reassign_many(net, login, enquiry, colleague, who, status):
    leads = capture(enquiry, 1)
    client = login(getattr(net, who))
    assert client.post(URL, {"lead": [leads[0].pk], "staff": colleague.pk, "note": "调整"}).status_code == status
    if status == 403 and who != "a_consultant":
        assert 'id="bulk-reassign"' not in client.get("/console/leads/").content.decode()


def test_the_staff_page_says_how_many_leads_moved(net, login, enquiry, colleague):
    mine = [lead for lead in capture(enquiry, 4) if lead.agent_id == net.a_agent.staff.pk]
    staff = net.a_agent.staff
    response = login(net.a_manager).post(reverse("console:staff_edit", args=[staff.pk]), {
        "name": staff.name, "mobile": staff.phone[-11:], "employee_no": "", "capacity": "", "roles": ["dcc_agent"],
        "dealer": net.dealer_a.pk}, follow=True)  # "is_active" unticked: the account is deactivated
    assert response.status_code == 200
    page = response.content.decode()
    assert f"已保存。{len(mine)} 条未结线索已移交给同事。" in page
    assert set(held(mine).values()) == {colleague.pk}
