from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _empty_buffer() -> Any:
    """Each test starts and ends with this process's analytics buffer empty."""
    from autodcc.analytics import buffer

    buffer.clear()
    yield
    buffer.clear()


@pytest.fixture
def consented(client: Any) -> Any:
    """The test client as a visitor who agreed in the banner (cookies as the store set them)."""
    from autodcc.analytics import consent

    response = client.post("/store/analytics/consent/", {"choice": "yes", "next": "/store/"})
    assert response.status_code == 302
    client.cookies[consent.VISIT_COOKIE] = "ab" * 16
    return client

