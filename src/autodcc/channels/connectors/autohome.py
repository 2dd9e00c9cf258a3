"""Autohome (汽车之家, the dealer back office 车商汇): clues (线索) pushed and pulled.

Push body: ``{"clueId", "customerName", "mobile", "provinceName", "cityCode", "cityName",
"dealerCode", "seriesName", "specName", "activityCode", "remark", "orderType", "createTime"}``;
answered ``{"returncode", "message", "result"}`` (0 is success). Pull: ``GET /clue/list`` with
``cursor`` and ``pageSize``; its ``result`` holds ``list``, ``nextCursor`` and ``hasMore``.
Feedback: ``POST /clue/feedback`` with ``clueId`` and ``status`` (1 contacted, 2 invalid,
3 arrived).
"""

from __future__ import annotations

from typing import Any

from autodcc.channels.connectors.signed_json import SignedJsonConnector


class AutohomeConnector(SignedJsonConnector):
    name = "autohome"
    channel = "autohome"
    fields = {"id": "clueId", "name": "customerName", "phone": "mobile", "city_code": "cityCode",
              "city_name": "cityName", "dealer": "dealerCode", "series": "seriesName", "model": "specName",
              "campaign": "activityCode", "message": "remark"}
    codes = {"config": 5001, "method": 1003, "signature": 1001, "timestamp": 1002, "malformed": 1003,
             "rejected": 1004, "failed": 5000}
    pull_path = "/clue/list"
    pull_size_param = "pageSize"
    list_key, next_key, more_key = "list", "nextCursor", "hasMore"
    feedback_path = "/clue/feedback"
    feedback_id_field, feedback_status_field = "clueId", "status"
    feedback_values = {"contacted": 1, "invalid": 2, "arrived": 3}

    def envelope(self, code: int, message: str, data: Any) -> dict[str, Any]:
        return {"returncode": code, "message": message, "result": data}

    def unwrap(self, envelope: dict[str, Any]) -> tuple[bool, Any, str]:
        return envelope.get("returncode") == 0, envelope.get("result"), str(envelope.get("message") or "")
