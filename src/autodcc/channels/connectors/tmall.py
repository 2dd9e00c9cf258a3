"""Tmall (天猫): leads pushed by Qimen, paid deposit orders pulled from TOP.

Push — Qimen calls our endpoint with ``method=qimen.tmall.car.leads.synchronize`` and the TOP
system parameters (``app_key``, ``timestamp`` in GMT+8, ``v``, ``sign_method``, ``format``,
``sign``) in the query string; the business parameters (``name``, ``mobile``, ``addr``,
``district_id``, ``brand``, ``line``, ``year``, ``model``, ``price``, ``favorite_brand``,
``attr``, ``price_memo``) come as form fields (signed with the system parameters), or as a JSON
body (Qimen's custom-API shape: the body is appended to the signed text). The answer is Qimen's
``success`` / ``msgCode`` / ``msgDesc``, in XML (TOP's default) or JSON (``format=json``).

``attr`` is a JSON (or JavaScript-style) object: ``store_code`` is our dealer code, ``store_id``
Tmall's store id, ``lead_no`` Tmall's lead number when it sends one (else the lead's identity is a
digest of its business fields, so the same lead sent again is the same lead), ``campaign_code``
a campaign code. ``district_id`` is the administrative code of the consumer's district.

Orders — ``taobao.trades.sold.get`` (same signing, with the seller's session) lists the store's
paid deposit trades; each becomes a deposit order through the store's own order flow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone

from autodcc.channels.connectors import signing
from autodcc.channels.connectors.base import (
    MAX_BODY,
    Connector,
    Inbound,
    Mapped,
    Refused,
    Reply,
    Verified,
    join,
    lenient_json,
)
from autodcc.channels.connectors.transport import Call, Transport, TransportError

LEADS_METHOD = "qimen.tmall.car.leads.synchronize"
TRADES_METHOD = "taobao.trades.sold.get"
REFUNDS_METHOD = "taobao.refunds.receive.get"  # the refunds the seller received, by modification time
FEEDBACK_METHOD = "tmall.aliauto.lead.feed.back"
SYSTEM_PARAMS = ("method", "app_key", "timestamp", "v", "sign_method", "format", "sign", "target_app_key",
                 "customerId", "partner_id", "session", "simplify")
BUSINESS = ("name", "mobile", "addr", "district_id", "brand", "line", "year", "model", "price", "favorite_brand",
            "attr", "price_memo")
REQUIRED = ("name", "mobile", "attr")
# Qimen's error codes for each refusal
CODES = {"config": "isp.service-unavailable", "method": "isv.invalid-method", "signature": "sign-check-failure",
         "timestamp": "isv.invalid-timestamp", "malformed": "isv.invalid-parameter",
         "rejected": "isv.lead-rejected", "failed": "isp.service-error"}
# paid and later: the deposit has been paid (a refund or a closed trade is not)
PAID_STATUSES = ("WAIT_SELLER_SEND_GOODS", "WAIT_BUYER_CONFIRM_GOODS", "TRADE_BUYER_SIGNED", "TRADE_FINISHED")
TRADE_FIELDS = ("tid,status,payment,created,pay_time,modified,buyer_nick,receiver_name,receiver_mobile,"
                "receiver_state,receiver_city,receiver_district,receiver_district_code,orders")
PAGE_SIZE = 100
REFUND_FIELDS = "refund_id,tid,oid,status,refund_fee,total_fee,created,modified,reason"
REFUNDED = "SUCCESS"  # a refund Tmall has paid back to the buyer


class TmallConnector(Connector):
    name = "tmall"
    channel = "tmall"
    pulls = ("order",)
    # ``tmall.aliauto.lead.feed.back`` takes a lead's first touch (a numeric Tmall lead number)
    feedback_statuses = frozenset({"contacted"})

    @property
    def gives_feedback(self) -> bool:
        config = self.config()
        return bool(self.configured and config.get("session") and config.get("feedback", True))

    def takes_feedback_for(self, platform_id: str) -> bool:
        return platform_id.isdigit()  # Tmall's own lead number (not our digest of a lead sent without one)

    # --- push ------------------------------------------------------------------------------

    def verify(self, inbound: Inbound) -> Verified:
        config = self.config()
        if not config.get("secret"):
            raise Refused("config", "no app secret configured")
        if len(inbound.body) > MAX_BODY:
            raise Refused("malformed", "body too large")
        system = {k: v for k, v in inbound.query.items()}
        is_form = not inbound.body or "x-www-form-urlencoded" in inbound.content_type
        if is_form:
            params = {**system, **inbound.form}
            body_text = ""
        else:
            params = system
            try:
                body_text = inbound.body.decode("utf-8")
            except UnicodeDecodeError:
                raise Refused("malformed", "body is not UTF-8") from None
        if any("\x00" in v for v in params.values()) or "\x00" in body_text or "\\u0000" in body_text:
            raise Refused("malformed", "NUL character in the request")
        if params.get("method") != LEADS_METHOD:
            raise Refused("method", f"method {params.get('method', '')[:60]!r}")
        if config.get("app_key") and params.get("app_key") != config["app_key"]:
            raise Refused("signature", "unknown app_key")
        method = params.get("sign_method") or "md5"
        if method not in signing.TOP_METHODS:
            raise Refused("signature", f"sign_method {method[:20]!r}")
        try:
            sent_at = signing.parse_top_timestamp(params.get("timestamp", ""))
        except ValueError:
            raise Refused("timestamp", "timestamp is not yyyy-MM-dd HH:mm:ss") from None
        expected = signing.top_sign(params, config["secret"], method, body_text)
        if not signing.same(expected, params.get("sign", "")):
            raise Refused("signature", "sign does not match")
        skew = abs((timezone.now() - sent_at).total_seconds())
        if skew > int(config.get("max_skew_seconds") or 600):
            raise Refused("timestamp", f"timestamp {params.get('timestamp')} is {int(skew)} s off")
        if is_form:
            item = {k: v for k, v in params.items() if k in BUSINESS}
        else:
            item = _body_item(body_text)
        missing = [k for k in REQUIRED if not str(item.get(k) or "").strip()]
        if missing:
            raise Refused("malformed", "missing " + ", ".join(missing))
        try:
            item["attr"] = lenient_json(str(item["attr"])) if not isinstance(item["attr"], dict) else item["attr"]
        except ValueError:
            raise Refused("malformed", "attr is not an object") from None
        kept = {k: params[k] for k in ("method", "app_key", "timestamp", "sign_method", "format", "v", "customerId")
                if params.get(k)}
        return Verified(item, kept)

    def map(self, item: dict[str, Any]) -> Mapped:
        attr = item.get("attr") if isinstance(item.get("attr"), dict) else lenient_json(str(item.get("attr") or ""))
        lead_no = str(attr.get("lead_no") or attr.get("leads_id") or "").strip()
        platform_id = lead_no or "h" + hashlib.sha256(json.dumps(
            {k: str(item.get(k) or "") for k in BUSINESS if k != "attr"} | {"store": str(attr.get("store_code") or "")},
            sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:31]
        details = []
        if item.get("price"):
            details.append(f"报价 {item['price']}" + (f"（{item['price_memo']}）" if item.get("price_memo") else ""))
        if item.get("favorite_brand"):
            details.append(f"意向品牌 {item['favorite_brand']}")
        if attr.get("store_id"):
            details.append(f"天猫门店 {attr['store_id']}")
        if item.get("addr"):
            details.append(f"地址 {item['addr']}")
        return self.lead_input(
            platform_id=platform_id, name=item.get("name"), phone=item.get("mobile"), city=item.get("district_id"),
            dealer=attr.get("store_code"), campaign=attr.get("campaign_code") or attr.get("activity_code") or "",
            model_interest=join(item.get("line"), item.get("year"), item.get("model")),
            message="；".join(details), city_text=str(item.get("addr") or ""))

    def reply_ok(self, inbound: Inbound | None, platform_id: str, outcome: str, lead_number: str = "") -> Reply:
        return self._reply(inbound, True, "0", lead_number or outcome)

    def reply_error(self, inbound: Inbound | None, reason: str, detail: str) -> Reply:
        return self._reply(inbound, False, CODES.get(reason, CODES["failed"]), detail or reason)

    def _reply(self, inbound: Inbound | None, ok: bool, code: str, desc: str) -> Reply:
        fields = {"success": "true" if ok else "false", "msgCode": code, "msgDesc": desc[:200]}
        wants_json = inbound is not None and (inbound.query.get("format") or inbound.form.get("format")) == "json"
        if wants_json:
            return Reply(200, "application/json; charset=utf-8",
                         json.dumps({"response": fields}, ensure_ascii=False).encode())
        root = ET.Element("response")
        for key, value in fields.items():
            ET.SubElement(root, key).text = value
        return Reply(200, "text/xml; charset=utf-8", b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, "utf-8"))

    # --- calls to TOP -----------------------------------------------------------------------

    def top_call(self, method: str, business: dict[str, str], *, now: dt.datetime | None = None) -> Call:
        """A TOP call signed ``hmac-sha256`` with the app secret, on the seller's session."""
        config = self.config()
        params = {"method": method, "app_key": config.get("app_key", ""), "session": config.get("session", ""),
                  "timestamp": signing.top_timestamp(now or timezone.now()), "format": "json", "v": "2.0",
                  "sign_method": "hmac-sha256", **business}
        params["sign"] = signing.top_sign(params, config.get("secret", ""), "hmac-sha256")
        return Call("POST", config.get("gateway") or "https://eco.taobao.com/router/rest",
                    {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}, urlencode(params).encode())

    def send_feedback(self, transport: Transport, platform_id: str, status: str) -> None:
        """The lead's first touch, told to Tmall (only a lead Tmall numbered can be told)."""
        from autodcc.core.outbox import PermanentFailure

        if status not in self.feedback_statuses or not platform_id.isdigit():
            raise PermanentFailure(f"Tmall takes no {status} feedback for lead {platform_id[:20]}")
        dto = {"lead_no": int(platform_id), "first_touch": True, "call_status": "CONNECTED"}
        answer = transport(self.top_call(FEEDBACK_METHOD, {"lead_feed_back_dto": json.dumps(dto)}))
        try:
            data = json.loads(answer.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise TransportError(f"HTTP {answer.status}: not JSON") from None
        if "error_response" in data:
            err = data["error_response"]
            raise TransportError(f"{err.get('code')} {err.get('sub_code', '')} {err.get('msg', '')}".strip())
        result = data.get("tmall_aliauto_lead_feed_back_response") or {}
        if not result.get("result_success"):
            raise TransportError(f"{result.get('msg_code', '')} {result.get('msg_info', '')}".strip() or "refused")

    # --- orders ----------------------------------------------------------------------------

    def trades_call(self, *, start: dt.datetime, end: dt.datetime, page: int, now: dt.datetime | None = None) -> Call:
        """A signed ``taobao.trades.sold.get`` call for one page of the trades created in [start, end)."""
        return self.top_call(TRADES_METHOD, {
            "fields": TRADE_FIELDS, "type": "step,fixed", "start_created": signing.top_timestamp(start),
            "end_created": signing.top_timestamp(end), "page_no": str(page), "page_size": str(PAGE_SIZE),
            "use_has_next": "true"}, now=now)

    def fetch_trades(self, transport: Transport, *, start: dt.datetime, end: dt.datetime
                     ) -> list[dict[str, Any]]:
        """Every trade created in [start, end), page after page (``TransportError`` on a failure)."""
        return _pages(transport, lambda page: self.trades_call(start=start, end=end, page=page),
                      "trades_sold_get_response", "trades", "trade")

    def refunds_call(self, *, start: dt.datetime, end: dt.datetime, page: int, now: dt.datetime | None = None) -> Call:
        """A signed ``taobao.refunds.receive.get`` call for one page of the refunds modified in [start, end)."""
        return self.top_call(REFUNDS_METHOD, {
            "fields": REFUND_FIELDS, "start_modified": signing.top_timestamp(start),
            "end_modified": signing.top_timestamp(end), "page_no": str(page), "page_size": str(PAGE_SIZE),
            "use_has_next": "true"}, now=now)

    def fetch_refunds(self, transport: Transport, *, start: dt.datetime, end: dt.datetime
                      ) -> list[dict[str, Any]]:
        """Every refund modified in [start, end), page after page (``TransportError`` on a failure)."""
        return _pages(transport, lambda page: self.refunds_call(start=start, end=end, page=page),
                      "refunds_receive_get_response", "refunds", "refund")


def _pages(transport: Transport, call: Any, response: str, plural: str, singular: str) -> list[dict[str, Any]]:
    """A TOP list method's pages: ``{response: {plural: {singular: [...]}, "has_next": …}}``."""
    items: list[dict[str, Any]] = []
    for page in range(1, 1000):
        answer = transport(call(page))
        try:
            data = json.loads(answer.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise TransportError(f"HTTP {answer.status}: not JSON") from None
        if "error_response" in data:
            err = data["error_response"]
            raise TransportError(f"{err.get('code')} {err.get('sub_code', '')} {err.get('msg', '')}".strip())
        body = data.get(response) or {}
        got = (body.get(plural) or {}).get(singular) or []
        items += [t for t in got if isinstance(t, dict)]
        if not body.get("has_next"):
            break
    return items


def _body_item(text: str) -> dict[str, Any]:
    """The business parameters of a Qimen JSON body (``{"request": {...}}`` or flat)."""
    try:
        data = json.loads(text)
    except ValueError:
        raise Refused("malformed", "body is not JSON") from None
    if isinstance(data, dict) and isinstance(data.get("request"), dict):
        data = data["request"]
    if not isinstance(data, dict):
        raise Refused("malformed", "body is not a JSON object")
    return {k: data[k] for k in BUSINESS if k in data}


def trade_amount(trade: dict[str, Any]) -> Decimal | None:
    try:
        return Decimal(str(trade.get("payment") or "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def trade_lines(trade: dict[str, Any]) -> list[dict[str, Any]]:
    orders = trade.get("orders") or {}
    lines = orders.get("order") if isinstance(orders, dict) else orders
    return [line for line in (lines or []) if isinstance(line, dict)]
