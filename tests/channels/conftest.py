from __future__ import annotations

from typing import Any

import pytest

from tests.channels import fakes


@pytest.fixture(autouse=True)
def channel_settings(settings: Any) -> Any:
    """Every connector configured with the fakes' credentials."""
    channels = {
        "tmall": {"app_key": fakes.TMALL["app_key"], "secret": fakes.TMALL["secret"], "session": "seller-session",
                  "gateway": "https://eco.taobao.test/router/rest", "max_skew_seconds": 600,
                  "consent_version": "天猫平台授权", "pull": True},
    }
    for name, (ts, sign) in fakes.HEADERS.items():
        channels[name] = {"app_id": f"{name}-app", "secret": fakes.SECRETS[name], "api_base": fakes.API_BASE[name],
                          "timestamp_header": ts, "signature_header": sign, "max_skew_seconds": 300,
                          "consent_version": "平台授权", "pull": True, "feedback": True}
    settings.CHANNELS = channels
    return channels
