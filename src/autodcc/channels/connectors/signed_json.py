"""The car platforms' shape: a JSON lead pushed with an HMAC-SHA256 signature of the timestamp and
the raw body in two headers (names configurable per connector), a scheduled pull of new leads with
a cursor (GET, signed the same way over the path and query), and status feedback posted back.
Each platform names its fields, error codes and answer envelope differently (its own module)."""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.utils import timezone

from autodcc.channels.connectors import signing
from autodcc.channels.connectors.base import MAX_BODY, Connector, Inbound, Mapped, Refused, Reply, Verified, join
from autodcc.channels.connectors.transport import Call, Transport, TransportError

HTTP_STATUS = {"config": 503, "method": 400, "signature": 401, "timestamp": 401, "malformed": 400, "rejected": 422,
               "failed": 500}
PAGE_SIZE = 100


class SignedJsonConnector(Connector):
    # our name → the platform's field name
    fields: ClassVar[dict[str, str]]
    required: ClassVar[tuple[str, ...]] = ("id", "name", "phone")
    codes: ClassVar[dict[str, int]]
    ok_code: ClassVar[int] = 0
    pull_path: ClassVar[str]
    pull_cursor_param: ClassVar[str] = "cursor"
    pull_size_param: ClassVar[str] = "size"
    list_key: ClassVar[str]
    next_key: ClassVar[str]
    more_key: ClassVar[str]
    feedback_path: ClassVar[str]
    feedback_id_field: ClassVar[str]
    feedback_status_field: ClassVar[str]
    feedback_values: ClassVar[dict[str, Any]]
    pulls = ("lead",)

    # the answer envelope: code, message, data
    def envelope(self, code: int, message: str, data: Any) -> dict[str, Any]:
        raise NotImplementedError

    def unwrap(self, envelope: dict[str, Any]) -> tuple[bool, Any, str]:
        """(ok, data, message) of a platform's answer."""
        raise NotImplementedError

    @property
    def feedback_statuses(self) -> frozenset[str]:  # type: ignore[override]
        return frozenset(self.feedback_values)

    # --- push ------------------------------------------------------------------------------

    def verify(self, inbound: Inbound) -> Verified:
        config = self.config()
        if not config.get("secret"):
            raise Refused("config", "no shared secret configured")
        if len(inbound.body) > MAX_BODY:
            raise Refused("malformed", "body too large")
        stamp = inbound.header(config["timestamp_header"])
        sign = inbound.header(config["signature_header"])
        if not stamp or not sign:
            raise Refused("signature", f"{config['timestamp_header']} and {config['signature_header']} are required")
        if not signing.same(signing.hmac_sign(config["secret"], stamp, inbound.body), sign):
            raise Refused("signature", "signature does not match")
        try:
            sent = int(stamp)
        except ValueError:
            raise Refused("timestamp", "timestamp is not a number of seconds") from None
        if sent > 10**11:  # milliseconds
            sent //= 1000
        skew = abs(time.time() - sent)
        if skew > int(config.get("max_skew_seconds") or 300):
            raise Refused("timestamp", f"timestamp is {int(skew)} s off")
        if b"\x00" in inbound.body or b"\\u0000" in inbound.body:
            raise Refused("malformed", "NUL character in the body")
        try:
            item = json.loads(inbound.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Refused("malformed", "body is not JSON") from None
        if not isinstance(item, dict):
            raise Refused("malformed", "body is not a JSON object")
        self.check_item(item)
        return Verified(item, {"timestamp": stamp})

    def check_item(self, item: dict[str, Any]) -> None:
        missing = [self.fields[k] for k in self.required if not str(item.get(self.fields[k]) or "").strip()]
        if missing:
            raise Refused("malformed", "missing " + ", ".join(missing))
        for key, value in item.items():
            if isinstance(value, dict | list):
                raise Refused("malformed", f"{key[:40]} is not a plain value")

    def map(self, item: dict[str, Any]) -> Mapped:
        f = self.fields
        get = lambda key: item.get(f[key], "") if key in f else ""  # noqa: E731
        return self.lead_input(
            platform_id=str(get("id")).strip(), name=get("name"), phone=get("phone"),
            city=get("city_code") or get("city_name"), dealer=get("dealer"), campaign=get("campaign"),
            model_interest=join(get("series"), get("model")), message=str(get("message") or "").strip(),
            city_text=str(get("city_name") or ""))

    def reply_ok(self, inbound: Inbound | None, platform_id: str, outcome: str, lead_number: str = "") -> Reply:
        return self._reply(200, self.ok_code, "success", {self.fields["id"]: platform_id, "result": outcome,
                                                          "lead": lead_number})

    def reply_error(self, inbound: Inbound | None, reason: str, detail: str) -> Reply:
        return self._reply(HTTP_STATUS.get(reason, 500), self.codes.get(reason, self.codes["failed"]), detail or reason,
                           None)

    def _reply(self, status: int, code: int, message: str, data: Any) -> Reply:
        return Reply(status, "application/json; charset=utf-8",
                     json.dumps(self.envelope(code, message[:200], data), ensure_ascii=False).encode())

    # --- calls to the platform ---------------------------------------------------------------

    def signed_call(self, method: str, path: str, *, query: dict[str, str] | None = None,
                    payload: dict[str, Any] | None = None) -> Call:
        config = self.config()
        base = (config.get("api_base") or "").rstrip("/")
        query = {"app_id": config.get("app_id", ""), **(query or {})}
        target = f"{path}?{urlencode(query)}"
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        stamp = str(int(timezone.now().timestamp()))
        signed = body if payload is not None else target.encode()
        headers = {config["timestamp_header"]: stamp,
                   config["signature_header"]: signing.hmac_sign(config.get("secret", ""), stamp, signed)}
        if payload is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        return Call(method, base + target, headers, body)

    def _ask(self, transport: Transport, call: Call) -> Any:
        answer = transport(call)
        try:
            data = json.loads(answer.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise TransportError(f"HTTP {answer.status}: not JSON") from None
        ok, payload, message = self.unwrap(data) if isinstance(data, dict) else (False, None, "not an object")
        if answer.status >= 400 or not ok:
            raise TransportError(f"HTTP {answer.status}: {message}"[:300])
        return payload

    def fetch_leads(self, transport: Transport, cursor: str) -> tuple[list[dict[str, Any]], str, bool]:
        """One page of leads after ``cursor``: (items, next cursor, more to come)."""
        data = self._ask(transport, self.signed_call("GET", self.pull_path, query={
            self.pull_cursor_param: cursor, self.pull_size_param: str(PAGE_SIZE)}))
        if not isinstance(data, dict):
            raise TransportError("the page is not an object")
        items = [i for i in (data.get(self.list_key) or []) if isinstance(i, dict)]
        return items, str(data.get(self.next_key) or cursor), bool(data.get(self.more_key))

    def send_feedback(self, transport: Transport, platform_id: str, status: str) -> None:
        self._ask(transport, self.signed_call("POST", self.feedback_path, payload={
            self.feedback_id_field: platform_id, self.feedback_status_field: self.feedback_values[status],
            "time": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")}))
