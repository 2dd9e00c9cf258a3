import re

import pytest
from django.urls import reverse

from autodcc.console.navigation import NAV

# where each role lands after login: the day's work, not a page of dealer counts
LANDING = {"hq_marketer": "insights", "hq_service": "order_list", "hq_finance": "finance",
           "regional_manager": "insights", "a_gm": "worklist", "a_manager": "worklist", "a_supervisor": "worklist",
           "a_agent": "worklist", "a_consultant": "worklist"}

EXPECTED_NAV = {
    "hq_marketer": {"home", "worklist", "leads", "customers", "groups", "dealers", "staff", "regions", "messages",
                    "templates", "optouts", "audit", "orders", "accessories", "testdrives", "catalog", "insights"},
    "hq_service": {"home", "worklist", "leads", "customers", "dealers", "staff", "regions", "messages", "optouts",
                   "audit", "orders", "accessories", "testdrives", "insights"},
    "hq_finance": {"home", "worklist", "leads", "customers", "dealers", "staff", "regions", "testdrives", "messages",
                   "optouts", "audit", "orders", "finance", "insights"},
    "regional_manager": {
        "home", "worklist", "leads", "customers", "dealers", "staff", "regions", "audit", "orders", "testdrives", "insights"},
    "a_gm": {"home", "worklist", "leads", "approvals", "arrivals", "customers", "groups", "dealers", "staff", "audit",
             "orders", "testdrives", "insights"},
    "a_manager": {"home", "worklist", "leads", "approvals", "arrivals", "customers", "groups", "dealers", "staff",
                  "audit", "orders", "testdrives", "insights"},
    "a_supervisor": {
        "home", "worklist", "leads", "arrivals", "customers", "groups", "dealers", "staff", "orders", "testdrives", "insights"},
    "a_agent": {"home", "worklist", "leads", "arrivals", "customers", "dealers", "orders", "testdrives", "insights"},
    "a_consultant": {"home", "worklist", "leads", "arrivals", "customers", "dealers", "orders", "testdrives", "insights"},
}


def nav_keys(html: str) -> set[str]:
    return set(re.findall(r'data-nav="([a-z]+)"', html))


@pytest.mark.parametrize(("who", "expected"), EXPECTED_NAV.items())
def test_the_navigation_shows_each_role_its_entries_and_they_open(net, login, who, expected):
    client = login(getattr(net, who))
    home = client.get(reverse("console:home"), follow=True)
    assert home.status_code == 200
    landing = reverse(f"console:{LANDING[who]}") + ("?attention=on" if who == "hq_service" else "")
    assert home.redirect_chain == [(landing, 302)]
    assert nav_keys(home.content.decode()) == expected
    for entry in NAV:
        status = client.get(reverse(entry.url_name)).status_code
        assert status == (200 if entry.key in expected else 403), (entry.key, status)


def test_logged_out_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("console:dealer_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("console:login"))


def test_the_login_page_speaks_chinese_and_switches_to_english(client):
    page = client.get(reverse("console:login")).content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/console/login/"})
    page = client.get(reverse("console:login")).content.decode()
    assert 'lang="en"' in page and "Log in" in page


def test_a_wrong_password_is_refused_in_chinese(net, client):
    response = client.post(reverse("console:login"), {"username": "p-a-agent", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_logging_in_with_the_password_works(net, client):
    response = client.post(reverse("console:login"), {"username": "p-a-agent", "password": net.a_agent.password})
    assert response.status_code == 302 and response["Location"] == reverse("console:home")


def test_staff_lists_mask_mobile_numbers(net, login):
    page = login(net.a_manager).get(reverse("console:staff_list")).content.decode()
    assert "138****0006" in page  # p-a-agent's mobile 13800000006
    assert "13800000006" not in page
