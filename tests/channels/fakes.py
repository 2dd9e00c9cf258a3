"""Local fakes of the platforms, built from their published request formats.

``qimen_push`` sends what Qimen sends for ``qimen.tmall.car.leads.synchronize``: the TOP system
parameters in the query string, the business parameters as form fields, all of them signed
(sorted, names and values concatenated, md5 / hmac / hmac-sha256 with the app secret, upper-case
hex). ``signed_push`` sends what the car platforms send: a JSON body with the timestamp and the
HMAC-SHA256 of timestamp + body in the connector's two headers. ``FakePlatform`` answers the
pulls and takes the feedback of one car platform; ``FakeTop`` answers ``taobao.trades.sold.get``
— both check the signature of every call, as the platforms do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from autodcc.channels.connectors.transport import Answer, Call

TMALL = {"app_key": "23456789", "secret": "tmall-app-secret-0001"}
SECRETS = {"autohome": "autohome-shared-secret", "yiche": "yiche-shared-secret", "dongchedi": "dcd-shared-secret"}
HEADERS = {"autohome": ("X-Autohome-Timestamp", "X-Autohome-Signature"),
           "yiche": ("X-Yiche-Timestamp", "X-Yiche-Sign"),
           "dongchedi": ("X-Dcd-Timestamp", "X-Dcd-Signature")}
API_BASE = {"autohome": "https://openapi.autohome.test", "yiche": "https://api.yiche.test",
            "dongchedi": "https://open.dongchedi.test"}
GMT8 = dt.timezone(dt.timedelta(hours=8))


def top_sign(params: dict[str, str], secret: str, method: str, body: str = "") -> str:
    """The TOP signature, written out from the published rules (independently of the app's code)."""
    text = "".join(k + v for k, v in sorted(params.items()) if k != "sign" and v != "") + body
    if method == "md5":
        return hashlib.md5((secret + text + secret).encode()).hexdigest().upper()
    digest = hashlib.md5 if method == "hmac" else hashlib.sha256
    return hmac.new(secret.encode(), text.encode(), digest).hexdigest().upper()


def gmt8(at: dt.datetime | None = None) -> str:
    return (at or dt.datetime.now(dt.UTC)).astimezone(GMT8).strftime("%Y-%m-%d %H:%M:%S")


def tmall_lead(**overrides: Any) -> dict[str, str]:
    values = {"name": "王芳", "mobile": "13911112222", "addr": "浙江省杭州市西湖区文三路 90 号", "district_id": "330106",
              "brand": "澜川", "line": "S7", "year": "2026", "model": "长续航版", "price": "21.98",
              "favorite_brand": "澜川", "attr": "{store_id:'5001',store_code:'HZ-001',lead_no:'TM20261206001'}",
              "price_memo": "裸车价"}
    values.update(overrides)
    return values


def qimen_push(client: Any, lead: dict[str, str], *, sign_method: str = "md5", timestamp: str | None = None,
               secret: str = TMALL["secret"], fmt: str = "json", json_body: bool = False, tamper: bool = False) -> Any:
    system = {"method": "qimen.tmall.car.leads.synchronize", "app_key": TMALL["app_key"],
              "timestamp": timestamp or gmt8(), "v": "2.0", "sign_method": sign_method, "format": fmt,
              "customerId": "lanchuan"}
    if json_body:
        body = json.dumps(lead, ensure_ascii=False)
        system["sign"] = top_sign(system, secret, sign_method, body)
        return client.post("/channels/tmall/push/?" + urlencode(system), data=body.encode(),
                           content_type="application/json")
    system["sign"] = top_sign({**system, **lead}, secret, sign_method)
    if tamper:
        lead = {**lead, "mobile": "13900000000"}
    return client.post("/channels/tmall/push/?" + urlencode(system), data=urlencode(lead),
                       content_type="application/x-www-form-urlencoded;charset=utf-8")


def signed_push(client: Any, connector: str, item: dict[str, Any] | bytes, *, stamp: int | None = None,
                secret: str | None = None) -> Any:
    body = item if isinstance(item, bytes) else json.dumps(item, ensure_ascii=False).encode()
    ts = str(stamp if stamp is not None else int(time.time()))
    sign = hmac.new((secret or SECRETS[connector]).encode(), ts.encode() + body, hashlib.sha256).hexdigest()
    ts_header, sign_header = HEADERS[connector]
    return client.post(f"/channels/{connector}/push/", data=body, content_type="application/json",
                       headers={ts_header: ts, sign_header: sign})


PLATFORM_LEADS = {
    "autohome": lambda n, **o: {"clueId": f"AH{n:08d}", "customerName": "李强", "mobile": f"1371111{n:04d}",
                                "provinceName": "浙江省", "cityCode": "330100", "cityName": "杭州",
                                "dealerCode": "HZ-001", "seriesName": "S7", "specName": "2026款 长续航",
                                "activityCode": "", "remark": "询底价", "orderType": "询价",
                                "createTime": "2026-12-06 09:30:00", **o},
    "yiche": lambda n, **o: {"leadId": f"YC{n:08d}", "userName": "赵敏", "userPhone": f"1372222{n:04d}",
                             "cityId": "310100", "cityName": "上海", "dealerCode": "SH-001", "serialName": "S7",
                             "carName": "2026款 四驱", "activityId": "", "comment": "", "submitTime": "2026-12-06 10:00:00",
                             **o},
    "dongchedi": lambda n, **o: {"clue_id": f"DCD{n:010d}", "user_name": "孙丽", "phone": f"1373333{n:04d}",
                                 "city_code": "110100", "city_name": "北京", "dealer_code": "BJ-001",
                                 "series_name": "S7", "car_name": "2026款 长续航", "campaign_code": "",
                                 "intention": "想试驾", "create_time": 1765000000, **o},
}


class FakePlatform:
    """One car platform's open API: pages of leads after a cursor, and the feedback it takes."""

    PATHS = {"autohome": ("/clue/list", "/clue/feedback", "pageSize", "list", "nextCursor", "hasMore"),
             "yiche": ("/openapi/leads", "/openapi/leads/feedback", "size", "items", "nextCursor", "hasMore"),
             "dongchedi": ("/open/clue/list", "/open/clue/status", "count", "clues", "cursor", "has_more")}

    def __init__(self, name: str, leads: list[dict[str, Any]]) -> None:
        self.name, self.leads = name, leads
        self.calls: list[Call] = []
        self.feedback: list[dict[str, Any]] = []
        self.fail = False
        self.page_cap = 2

    def wrap(self, ok: bool, data: Any, message: str = "") -> bytes:
        code = 0 if ok else 1001
        body = {"autohome": {"returncode": code, "message": message, "result": data},
                "yiche": {"code": code, "msg": message, "data": data},
                "dongchedi": {"err_no": code, "err_tips": message, "data": data}}[self.name]
        return json.dumps(body, ensure_ascii=False).encode()

    def __call__(self, call: Call) -> Answer:
        self.calls.append(call)
        if self.fail:
            return Answer(502, b"bad gateway")
        parts = urlsplit(call.url)
        assert f"{parts.scheme}://{parts.netloc}" == API_BASE[self.name]
        ts_header, sign_header = HEADERS[self.name]
        ts = call.headers[ts_header]
        signed = call.body if call.method == "POST" else f"{parts.path}?{parts.query}".encode()
        expected = hmac.new(SECRETS[self.name].encode(), ts.encode() + signed, hashlib.sha256).hexdigest()
        if call.headers[sign_header] != expected or abs(time.time() - int(ts)) > 300:
            return Answer(401, self.wrap(False, None, "bad signature"))
        list_path, feedback_path, size_param, list_key, next_key, more_key = self.PATHS[self.name]
        if call.method == "GET" and parts.path == list_path:
            query = dict(parse_qsl(parts.query))
            start, size = int(query.get("cursor") or 0), int(query[size_param])
            page = self.leads[start:start + min(size, self.page_cap)]  # small pages: the pull must follow them
            end = start + len(page)
            return Answer(200, self.wrap(True, {list_key: page, next_key: str(end), more_key: end < len(self.leads)}))
        if call.method == "POST" and parts.path == feedback_path:
            self.feedback.append(json.loads(call.body))
            return Answer(200, self.wrap(True, None, "ok"))
        return Answer(404, self.wrap(False, None, "no such path"))


class FakeTop:
    """TOP's ``taobao.trades.sold.get`` for one seller: checks the signature and the session, pages."""

    def __init__(self, trades: list[dict[str, Any]], *, session: str = "seller-session", page_size: int = 2,
                 refunds: list[dict[str, Any]] | None = None) -> None:
        self.trades, self.session, self.page_size = trades, session, page_size
        self.refunds = refunds or []  # taobao.refunds.receive.get, by "modified"
        self.calls: list[dict[str, str]] = []
        self.feedback: list[dict[str, Any]] = []

    def __call__(self, call: Call) -> Answer:
        params = dict(parse_qsl(call.body.decode()))
        self.calls.append(params)
        if top_sign(params, TMALL["secret"], params.get("sign_method", "md5")) != params.get("sign"):
            return Answer(200, json.dumps({"error_response": {"code": 25, "msg": "Invalid signature"}}).encode())
        if params.get("session") != self.session:
            return Answer(200, json.dumps({"error_response": {"code": 27, "msg": "Invalid session"}}).encode())
        if params["method"] == "tmall.aliauto.lead.feed.back":
            self.feedback.append(json.loads(params["lead_feed_back_dto"]))
            body = {"tmall_aliauto_lead_feed_back_response": {"result_success": True, "msg_code": "200"}}
            return Answer(200, json.dumps(body).encode())
        if params["method"] == "taobao.refunds.receive.get":
            items, key, stamp = self.refunds, ("refunds_receive_get_response", "refunds", "refund"), "modified"
        else:
            assert params["method"] == "taobao.trades.sold.get"
            items, key, stamp = self.trades, ("trades_sold_get_response", "trades", "trade"), "created"
        start = dt.datetime.strptime(params[f"start_{stamp}"], "%Y-%m-%d %H:%M:%S")
        end = dt.datetime.strptime(params[f"end_{stamp}"], "%Y-%m-%d %H:%M:%S")
        within = [t for t in items if start <= dt.datetime.strptime(t[stamp], "%Y-%m-%d %H:%M:%S") < end]
        page = int(params["page_no"])
        chunk = within[(page - 1) * self.page_size: page * self.page_size]
        body = {key[0]: {key[1]: {key[2]: chunk}, "total_results": len(within),
                         "has_next": page * self.page_size < len(within), "request_id": "fake"}}
        return Answer(200, json.dumps(body, ensure_ascii=False).encode())


def tmall_trade(tid: int, *, created: str, status: str = "WAIT_SELLER_SEND_GOODS", payment: str = "500.00",
                outer_iid: str = "S7-TMALL", store: str = "SH-001", mobile: str | None = None) -> dict[str, Any]:
    return {"tid": tid, "status": status, "payment": payment, "created": created, "pay_time": created,
            "buyer_nick": "t***1", "receiver_name": "陈静", "receiver_mobile": mobile or f"1368888{tid % 10000:04d}",
            "receiver_state": "上海", "receiver_city": "上海市", "receiver_district": "浦东新区",
            "orders": {"order": [{"oid": tid * 10, "title": "澜川 S7 天猫限定版 意向金", "outer_iid": outer_iid,
                                  "outer_sku_id": store, "num": 1, "payment": payment}]}}


def tmall_refund(refund_id: int, tid: int, *, modified: str, status: str = "SUCCESS",
                 refund_fee: str = "500.00") -> dict[str, Any]:
    """One item of ``taobao.refunds.receive.get`` (the fields the pull asks for)."""
    return {"refund_id": refund_id, "tid": tid, "oid": tid * 10, "status": status, "refund_fee": refund_fee,
            "total_fee": "500.00", "created": modified, "modified": modified, "reason": "不想买了"}
