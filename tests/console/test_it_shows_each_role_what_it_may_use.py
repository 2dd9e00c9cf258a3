import re

import pytest
from django.urls import reverse

from autodcc.console.navigation import NAV

# where each role lands after login: the day's work, not a page of dealer counts
LANDING = {"hq_marketer": "insights", "hq_service": "order_list", "hq_finance": "finance",
           "regional_manager": "insights", "a_gm": "worklist", "a_manager": "worklist", "a_supervisor": "worklist",
           "a_agent": "worklist", "a_consultant": "worklist"}

EXPECTED_NAV = {
    "hq_marketer": {
        "accessories", "audit", "campaigns", "caresettings", "catalog", "channels", "complaintreport",
        "complaints", "costs", "customers", "dealers", "editions", "faq", "groups", "home", "insights", "leads", "loanoffers",
        "messages", "optouts", "orders", "prizes", "regions", "scores", "scripts", "staff", "surveys",
        "templates", "testdrives", "vouchers", "worklist"},
    "hq_service": {
        "accessories", "audit", "campaigns", "caresettings", "channels", "chats", "complaintreport",
        "complaints", "customers", "dealers", "faq", "home", "insights", "leads", "messages", "optouts",
        "orders", "prizes", "regions", "scripts", "staff", "surveys", "testdrives", "vouchers", "worklist"},
    "hq_finance": {
        "audit", "campaigns", "channels", "customers", "dealers", "finance", "home", "insights", "leads",
        "messages", "optouts", "orders", "regions", "scripts", "staff", "testdrives", "vouchers", "worklist"},
    "regional_manager": {
        "audit", "campaigns", "complaintreport", "complaints", "costs", "customers", "dealers", "home",
        "insights", "leads", "orders", "regions", "scores", "scripts", "staff", "surveys", "testdrives",
        "vouchers", "worklist"},
    "a_gm": {
        "approvals", "arrivals", "audit", "campaigns", "complaintreport", "complaints", "costs", "customers",
        "dealers", "groups", "home", "insights", "leads", "maintenance", "orders", "revisits", "scripts",
        "staff", "surveys", "testdrives", "vouchers", "worklist"},
    "a_manager": {
        "approvals", "arrivals", "audit", "campaigns", "complaintreport", "complaints", "costs", "customers",
        "dealers", "groups", "home", "insights", "leads", "maintenance", "orders", "revisits", "scripts",
        "staff", "surveys", "testdrives", "vouchers", "worklist"},
    "a_supervisor": {
        "arrivals", "campaigns", "complaints", "customers", "dealers", "groups", "home", "insights", "leads",
        "orders", "revisits", "scripts", "staff", "testdrives", "vouchers", "worklist"},
    "a_agent": {
        "arrivals", "campaigns", "customers", "dealers", "home", "insights", "leads", "orders", "revisits",
        "scripts", "testdrives", "vouchers", "worklist"},
    "a_consultant": {
        "arrivals", "campaigns", "customers", "dealers", "home", "insights", "leads", "orders", "scripts",
        "testdrives", "vouchers", "worklist"},
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


def test_a_service_advisor_starts_on_the_maintenance_list_and_may_not_open_the_rest(net, login):
    from autodcc.core.actors import SYSTEM
    from autodcc.network import services

    advisor = services.staff_create(actor=SYSTEM, username="p-a-sa", name="a_sa", mobile="13800009911",
                                    grants=[("service_advisor", net.dealer_a, None)])
    client = login(type(net.a_agent)("a_sa", "p-a-sa", advisor, None))
    home = client.get(reverse("console:home"), follow=True)
    assert home.redirect_chain == [(reverse("console:care_maintenance"), 302)]
    assert {"maintenance", "revisits"} <= nav_keys(home.content.decode())
    for name in ("care_report", "care_settings", "lead_list", "order_list"):
        assert client.get(reverse(f"console:{name}")).status_code == 403, name
    hq = login(net.hq_service)
    assert hq.get(reverse("console:care_maintenance")).status_code == 403  # the dealer's work, not HQ's
    assert hq.get(reverse("console:care_settings")).status_code == 200


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
