import re

import pytest
from django.urls import reverse

from autodcc.console.navigation import NAV

# where each role lands after login: the day's work, not a page of dealer counts
LANDING = {"hq_marketer": "insights", "hq_service": "order_list", "hq_finance": "finance",
           "regional_manager": "insights", "a_gm": "worklist", "a_manager": "worklist", "a_supervisor": "worklist",
           "a_agent": "worklist", "a_consultant": "worklist"}

EXPECTED_NAV = {
    "hq_marketer": {"home", "worklist", "channels", "scores", "leads", "customers", "groups", "dealers", "staff", "regions", "messages",
                    "templates", "optouts", "audit", "orders", "vouchers", "accessories", "testdrives", "catalog", "editions", "insights",
                    "campaigns", "prizes", "scripts", "costs"},
    "hq_service": {"home", "worklist", "channels", "leads", "customers", "dealers", "staff", "regions", "messages", "optouts",
                   "audit", "orders", "vouchers", "accessories", "testdrives", "insights", "campaigns", "prizes", "scripts"},
    "hq_finance": {"home", "worklist", "channels", "leads", "customers", "dealers", "staff", "regions", "testdrives", "messages",
                   "optouts", "audit", "orders", "vouchers", "finance", "insights", "campaigns", "scripts"},
    "regional_manager": {
        "home", "worklist", "leads", "customers", "dealers", "staff", "regions", "audit", "orders", "vouchers", "testdrives", "insights",
        "campaigns", "scripts", "costs", "scores"},
    "a_gm": {"home", "worklist", "leads", "approvals", "arrivals", "customers", "groups", "dealers", "staff", "audit",
             "orders", "vouchers", "testdrives", "insights", "campaigns", "scripts", "costs"},
    "a_manager": {"home", "worklist", "leads", "approvals", "arrivals", "customers", "groups", "dealers", "staff",
                  "audit", "orders", "vouchers", "testdrives", "insights", "campaigns", "scripts", "costs"},
    "a_supervisor": {
        "home", "worklist", "leads", "arrivals", "customers", "groups", "dealers", "staff", "orders", "vouchers", "testdrives", "insights",
        "campaigns", "scripts"},
    "a_agent": {"home", "worklist", "leads", "arrivals", "customers", "dealers", "orders", "vouchers", "testdrives", "insights",
                "campaigns", "scripts"},
    "a_consultant": {"home", "worklist", "leads", "arrivals", "customers", "dealers", "orders", "vouchers", "testdrives", "insights",
                     "campaigns", "scripts"},
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


CATALOGUE_ARGS = {"pk": 1, "series": 1, "model": 1, "kind": "trim"}


def catalogue_urls():
    """Every console page that edits the catalogue (the views of ``console.views.catalogue``)."""
    from django.urls import URLPattern, get_resolver

    from autodcc.console.views import catalogue

    console = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "console")
    for pattern in console.url_patterns:
        if isinstance(pattern, URLPattern) and pattern.callback.__module__ == catalogue.__name__:
            args = {k: CATALOGUE_ARGS[k] for k in pattern.pattern.converters}
            yield pattern.name, reverse(f"console:{pattern.name}", kwargs=args)


@pytest.mark.parametrize("who", ["a_gm", "a_manager", "a_supervisor", "a_agent", "a_consultant", "hq_service",
                                 "hq_finance", "regional_manager"])
def test_only_hq_marketing_edits_the_catalogue(net, login, who, catalogue):
    client = login(getattr(net, who))
    urls = list(catalogue_urls())
    assert len(urls) >= 15  # the catalogue's pages, new ones included automatically
    for name, url in urls:
        answers = {client.get(url).status_code, client.post(url, {"action": "delete", "name": "x"}).status_code}
        assert 403 in answers and answers <= {403, 405}, (who, name, answers)  # 405: the other method
    marketing = login(net.hq_marketer)
    assert all(marketing.get(url).status_code in (200, 404, 405) for _name, url in urls)


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
