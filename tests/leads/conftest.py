from __future__ import annotations

import itertools
from typing import Any

import pytest

from autodcc.leads.services import LeadInput

_phones = itertools.count(1)


def lead_input(**overrides: Any) -> LeadInput:
    """A valid consumer enquiry; each call gets a fresh mobile number unless one is given."""
    values: dict[str, Any] = {
        "name": "张伟", "phone": f"1390000{next(_phones):04d}", "channel": "autohome", "city": "上海",
        "consent_version": "2026-01", "consent_share_with_dealer": True, "model_interest": "澜川 S7",
    }
    values.update(overrides)
    return LeadInput(**values)


@pytest.fixture
def enquiry():
    return lead_input
