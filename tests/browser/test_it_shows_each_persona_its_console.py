"""Each persona logs in through the form, sees only its navigation and only its dealers, and logs out."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _expected_nav() -> dict[str, set[str]]:
    path = Path(__file__).resolve().parents[1] / "console" / "test_it_shows_each_role_what_it_may_use.py"
    spec = importlib.util.spec_from_file_location("_console_nav_expectations", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = dict(module.EXPECTED_NAV)
    expected["b_manager"] = expected["a_manager"]
    expected["b_agent"] = expected["a_agent"]
    return expected


EXPECTED_NAV = _expected_nav()

HQ = {"SH-001", "HZ-001", "BJ-001"}
EXPECTED_DEALERS = {
    "hq_marketer": HQ,
    "hq_service": HQ,
    "regional_manager": {"SH-001", "HZ-001"},
    "a_manager": {"SH-001"},
    "a_gm": {"SH-001"},
    "a_supervisor": {"SH-001"},
    "a_agent": {"SH-001"},
    "a_consultant": {"SH-001"},
    "b_manager": {"HZ-001"},
    "b_agent": {"HZ-001"},
}


@pytest.mark.parametrize("who", list(EXPECTED_DEALERS))
def test_each_persona_sees_its_navigation_and_its_dealers(live_net, live_server, log_in, shot, who):
    persona = getattr(live_net, who)
    page = log_in(persona)

    nav = page.locator("header.app [data-nav]")
    expect(nav.first).to_be_visible()
    shot(page, f"landing-{who}-1366")  # the role's own list of the day's work
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"landing-{who}-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    keys = set(nav.evaluate_all("links => links.map(a => a.dataset.nav)"))
    assert keys == EXPECTED_NAV[who]

    go_to(page, "dealers")
    expect(page).to_have_url(f"{live_server.url}/console/dealers/")
    rows = page.locator("#dealer-table tr[data-dealer]")
    expect(rows).to_have_count(len(EXPECTED_DEALERS[who]))
    shot(page, f"dealers-{who}")
    codes = set(rows.evaluate_all("rows => rows.map(r => r.dataset.dealer)"))
    assert codes == EXPECTED_DEALERS[who]

    page.locator("header.app form[action$='/logout/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/console/login/")))
    expect(page.locator("main form input[name=username]")).to_be_visible()
    expect(page.locator("header.app [data-nav]")).to_have_count(0)
