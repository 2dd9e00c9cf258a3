"""The store's tests: a demo catalogue with test-drive cars, plain static URLs, pictures in a
temporary media folder, and a fresh rate-limit count for every test."""

from __future__ import annotations

from typing import Any

import pytest
from store_helpers import build_catalogue


@pytest.fixture(autouse=True)
def store_settings(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shop(net: Any) -> Any:
    """The persona network with the demo catalogue and a test-drive S7 at every dealer."""
    build_catalogue()
    return net
