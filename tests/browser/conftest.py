"""Helpers for the browser tests: log in through the form, and where screenshots go."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def shot() -> Callable[[Page, str], Path]:
    """``shot(page, "home-a_agent")`` saves a full-page PNG to artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def log_in(page: Page, live_server: Any) -> Callable[[Any], Page]:
    """``log_in(persona)`` fills the login form as a person would and waits for the page their role
    lands on (the day's work)."""
    from autodcc.console.navigation import landing_for

    def do(persona: Any) -> Page:
        page.goto(f"{live_server.url}/console/login/")
        form = page.locator("main form")
        form.locator("input[name=username]").fill(persona.username)
        form.locator("input[name=password]").fill(persona.password)
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}{landing_for(persona.actor) or '/console/'}")
        return page

    return do


@pytest.fixture(autouse=True)
def no_broken_assets(page: Page, live_server: Any) -> Any:
    """Fail the test if a stylesheet or script the page asks for is missing or the page throws."""
    broken: list[str] = []
    page.on("response", lambda r: broken.append(f"{r.status} {r.url}")
            if r.status >= 400 and "/static/" in r.url else None)
    page.on("pageerror", lambda e: broken.append(f"script error: {e}"))
    yield
    assert not broken, broken


def go_to(page: Page, key: str) -> None:
    """Follow the navigation entry ``key`` as a person would: open its menu first if it is in one."""
    link = page.locator(f'#main-nav a[data-nav="{key}"]')
    menu = page.locator(f'#main-nav details:has(a[data-nav="{key}"])')
    if menu.count() and menu.get_attribute("open") is None:
        menu.locator("> summary").click()
    link.click()
