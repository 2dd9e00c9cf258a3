"""Demo platform leads, a Tmall deposit order, refused pushes and imported platform scores, fed
through the connectors' own mapping and capture step (the signature check needs the platforms'
secrets, which a demo does not have). Re-runnable: deliveries are keyed by the platforms' ids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from autodcc.channels import connectors
from autodcc.channels.connectors import Refused
from autodcc.channels.models import Delivery, DeliveryKind, Refusal
from autodcc.channels.services import _json, receive_many
from autodcc.core.actors import SYSTEM
from autodcc.insights.models import Platform, PlatformScore
from autodcc.network.models import Dealer

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "丽"]


def _items() -> dict[str, list[dict[str, str]]]:
    cities = [("310000", "上海", "SH-001"), ("330100", "杭州", "HZ-001"), ("440100", "广州", "GZ-001"),
              ("320100", "南京", "NJ-001"), ("110000", "北京", "BJ-001")]
    out: dict[str, list[dict[str, str]]] = {"tmall": [], "autohome": [], "yiche": [], "dongchedi": []}
    for n in range(24):
        code, city, dealer = cities[n % len(cities)]
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
        mobile = f"1776{n:07d}"
        if n % 4 == 0:
            out["tmall"].append({"name": name, "mobile": mobile, "addr": f"{city}市", "district_id": code, "brand": "澜川",
                                 "line": "S7", "year": "2026", "model": "长续航 Pro", "price": "21.98",
                                 "favorite_brand": "澜川", "price_memo": "裸车价",
                                 "attr": {"store_id": f"50{n:02d}", "store_code": dealer, "lead_no": f"TM2026120{n:04d}"}})
        elif n % 4 == 1:
            out["autohome"].append({"clueId": f"AH{8800000 + n}", "customerName": name, "mobile": mobile,
                                    "cityCode": code, "cityName": city, "dealerCode": dealer if n % 3 else "AH-XX",
                                    "seriesName": "S7", "specName": "2026款 长续航", "remark": "询底价"})
        elif n % 4 == 2:
            out["yiche"].append({"leadId": f"YC{5500000 + n}", "userName": name, "userPhone": mobile, "cityId": code,
                                 "cityName": city, "dealerCode": dealer, "serialName": "S5", "carName": "2026款 标准版"})
        else:
            out["dongchedi"].append({"clue_id": f"DCD{77000000 + n}", "user_name": name, "phone": mobile,
                                     "city_code": code, "city_name": city, "dealer_code": dealer,
                                     "series_name": "S7", "car_name": "2026款 性能版", "intention": "想试驾"})
    # one each that our rules refuse (a number that is no mobile): shown for a replay
    out["autohome"].append({"clueId": "AH8899999", "customerName": "钱多多", "mobile": "0571-123",
                            "cityCode": "330100", "cityName": "杭州", "dealerCode": "HZ-001", "seriesName": "S7"})
    out["yiche"].append({"leadId": "YC5599999", "userName": "", "userPhone": "17760009999", "cityId": "310000",
                         "cityName": "上海", "dealerCode": "SH-001", "serialName": "S5"})
    return out


def build() -> int:
    if not Dealer.objects.filter(code="SH-001").exists():
        return 0
    made = 0
    for name, items in _items().items():
        connector = connectors.get(name)
        assert connector is not None
        have = set(Delivery.objects.filter(connector=name, kind=DeliveryKind.LEAD).values_list("platform_id", flat=True))
        batch = []
        for item in items:
            try:
                mapped = connector.map(item)
            except Refused:
                continue
            if mapped.platform_id not in have:
                batch.append((mapped, item))
        if batch:
            received = receive_many(connector, batch, via="push" if name != "yiche" else "pull",
                                    bodies=[_json(item) for _m, item in batch])
            made += sum(1 for r in received if not r.repeat)
    today = timezone.localdate()
    for reason, count, detail in (("signature", 3, "sign does not match"), ("timestamp", 1, "timestamp is 812 s off")):
        Refusal.objects.get_or_create(connector="tmall", day=today, reason=reason,
                                      defaults={"count": count, "last_detail": detail})
    made += _tmall_order()
    _scores(today)
    return made


def _tmall_order() -> int:
    from autodcc.channels.orders import trade_import

    if Delivery.objects.filter(connector="tmall", kind=DeliveryKind.ORDER).exists():
        return 0
    created = (timezone.localtime() - dt.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    trade = {"tid": 3512889900112233, "status": "WAIT_SELLER_SEND_GOODS", "payment": "500.00", "created": created,
             "pay_time": created, "buyer_nick": "l***8", "receiver_name": "林晓", "receiver_mobile": "17788880001",
             "receiver_state": "上海", "receiver_city": "上海市", "receiver_district": "浦东新区",
             "orders": {"order": [{"oid": 35128899001122330, "title": "澜川 S7 天猫特别版 意向金", "outer_iid": "S7-TMALL",
                                   "outer_sku_id": "SH-001", "num": 1, "payment": "500.00"}]}}
    return 1 if trade_import(trade).order_id else 0


def _scores(today: dt.date) -> None:
    from autodcc.insights.reports import platform_score_save

    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    dealers = {d.code: d for d in Dealer.objects.filter(code__in=["SH-001", "HZ-001", "GZ-001", "BJ-001"])}
    values = {"SH-001": ("91.5", "93", "88"), "HZ-001": ("82.0", "90", "86"), "GZ-001": ("88.0", "87", "79"),
              "BJ-001": ("95.0", "92", "90")}
    for code, dealer in dealers.items():
        for platform, score in zip((Platform.CHESHANGHUI, Platform.CHEYITONG, Platform.DONGCHEDI), values[code],
                                   strict=True):
            if not PlatformScore.objects.filter(dealer=dealer, platform=platform, month=month).exists():
                platform_score_save(actor=SYSTEM, dealer=dealer, platform=platform, month=month, score=Decimal(score))
