"""Yiche (易车): leads pushed and pulled.

Push body: ``{"leadId", "userName", "userPhone", "cityId", "cityName", "dealerCode", "serialName",
"carName", "activityId", "comment", "submitTime"}``; answered ``{"code", "msg", "data"}`` (0 is
success). Pull: ``GET /openapi/leads`` with ``cursor`` and ``size``; ``data`` holds ``items``,
``nextCursor`` and ``hasMore``. Feedback: ``POST /openapi/leads/feedback`` with ``leadId`` and
``followStatus`` (CONTACTED, INVALID — Yiche takes no arrival).
"""

from __future__ import annotations

from typing import Any

from autodcc.channels.connectors.signed_json import SignedJsonConnector


class YicheConnector(SignedJsonConnector):
    name = "yiche"
    channel = "yiche"
    fields = {"id": "leadId", "name": "userName", "phone": "userPhone", "city_code": "cityId", "city_name": "cityName",
              "dealer": "dealerCode", "series": "serialName", "model": "carName", "campaign": "activityId",
              "message": "comment"}
    codes = {"config": 50300, "method": 40001, "signature": 40101, "timestamp": 40102, "malformed": 40001,
             "rejected": 42201, "failed": 50000}
    pull_path = "/openapi/leads"
    list_key, next_key, more_key = "items", "nextCursor", "hasMore"
    feedback_path = "/openapi/leads/feedback"
    feedback_id_field, feedback_status_field = "leadId", "followStatus"
    feedback_values = {"contacted": "CONTACTED", "invalid": "INVALID"}

    def envelope(self, code: int, message: str, data: Any) -> dict[str, Any]:
        return {"code": code, "msg": message, "data": data}

    def unwrap(self, envelope: dict[str, Any]) -> tuple[bool, Any, str]:
        return envelope.get("code") == 0, envelope.get("data"), str(envelope.get("msg") or "")
