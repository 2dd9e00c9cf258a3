"""Dongchedi (懂车帝): clues pushed and pulled.

Push body: ``{"clue_id", "user_name", "phone", "city_code", "city_name", "dealer_code",
"series_name", "car_name", "campaign_code", "intention", "create_time"}``; answered
``{"err_no", "err_tips", "data"}`` (0 is success). Pull: ``GET /open/clue/list`` with ``cursor``
and ``count``; ``data`` holds ``clues``, ``cursor`` and ``has_more``. Feedback:
``POST /open/clue/status`` with ``clue_id`` and ``status`` (contacted, invalid, arrived_store).
"""

from __future__ import annotations

from typing import Any

from autodcc.channels.connectors.signed_json import SignedJsonConnector


class DongchediConnector(SignedJsonConnector):
    name = "dongchedi"
    channel = "dongchedi"
    fields = {"id": "clue_id", "name": "user_name", "phone": "phone", "city_code": "city_code",
              "city_name": "city_name", "dealer": "dealer_code", "series": "series_name", "model": "car_name",
              "campaign": "campaign_code", "message": "intention"}
    codes = {"config": 10503, "method": 10003, "signature": 10001, "timestamp": 10002, "malformed": 10003,
             "rejected": 10004, "failed": 10500}
    pull_path = "/open/clue/list"
    pull_size_param = "count"
    list_key, next_key, more_key = "clues", "cursor", "has_more"
    feedback_path = "/open/clue/status"
    feedback_id_field, feedback_status_field = "clue_id", "status"
    feedback_values = {"contacted": "contacted", "invalid": "invalid", "arrived": "arrived_store"}

    def envelope(self, code: int, message: str, data: Any) -> dict[str, Any]:
        return {"err_no": code, "err_tips": message, "data": data}

    def unwrap(self, envelope: dict[str, Any]) -> tuple[bool, Any, str]:
        return envelope.get("err_no") == 0, envelope.get("data"), str(envelope.get("err_tips") or "")
