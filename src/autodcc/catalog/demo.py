"""Demo catalogue: three series, ten trims, specifications, colours, generated pictures and a
Tmall special edition. Re-runnable: everything is keyed by code."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

from django.core.files.base import ContentFile
from django.utils import timezone

from autodcc.catalog.models import (
    AccessoryPackage,
    AccessoryPart,
    CarModel,
    Colour,
    Edition,
    Feature,
    FeeKind,
    FinanceOffer,
    Photo,
    Series,
    SpecValue,
    Trim,
)

FEATURES = [("sunroof", "全景天窗"), ("ventilated_seats", "座椅通风"), ("l2_adas", "L2 级辅助驾驶"),
            ("hud", "抬头显示"), ("360_camera", "360° 全景影像"), ("third_row", "第三排座椅"), ("v2l", "对外放电")]

# series code, slug, name, tagline, body, colour (RGB) for the generated pictures
SERIES = [
    ("S5", "s5", "澜川 S5", "城市通勤纯电轿车", "轿车", (46, 125, 180)),
    ("S7", "s7", "澜川 S7", "长续航智能中大型 SUV", "SUV", (40, 120, 90)),
    ("X9", "x9", "澜川 X9", "六座家庭旗舰", "MPV", (120, 70, 40)),
]
# model code, series, name, year, energy
MODELS = [
    ("S5-BEV-26", "S5", "澜川 S5 纯电 2026款", 2026, "bev"),
    ("S7-BEV-26", "S7", "澜川 S7 纯电 2026款", 2026, "bev"),
    ("S7-EREV-26", "S7", "澜川 S7 增程 2026款", 2026, "erev"),
    ("X9-PHEV-26", "X9", "澜川 X9 插混 2026款", 2026, "phev"),
    ("X9-ICE-26", "X9", "澜川 X9 2.0T 2026款", 2026, "ice"),
]
# trim code, model, slug, name, guide, offer, seats, litres, range, kW, relief, uses, features
TRIMS = [
    ("S5-STD", "S5-BEV-26", "s5-standard", "标准续航版", "139900", "129900", 5, None, 520, 150, True,
     "commute", ["l2_adas"]),
    ("S5-LR", "S5-BEV-26", "s5-long-range", "长续航版", "159900", "149900", 5, None, 650, 180, True,
     "commute,long_trip", ["l2_adas", "sunroof"]),
    ("S7-LR", "S7-BEV-26", "s7-long-range", "长续航 Pro", "229900", "219900", 5, None, 705, 230, True,
     "family,long_trip", ["l2_adas", "sunroof", "360_camera", "v2l"]),
    ("S7-PERF", "S7-BEV-26", "s7-performance", "四驱性能版", "279900", "269900", 5, None, 630, 390, True,
     "family,business", ["l2_adas", "sunroof", "360_camera", "hud", "ventilated_seats", "v2l"]),
    ("S7-EREV", "S7-EREV-26", "s7-erev", "增程 Max", "209900", "199900", 5, "1.5", 1200, 200, True,
     "family,long_trip", ["l2_adas", "sunroof", "360_camera"]),
    ("X9-PHEV-P", "X9-PHEV-26", "x9-phev-pro", "插混 Pro 六座", "329900", "319900", 6, "1.5", 180, 300, True,
     "family,business", ["l2_adas", "sunroof", "third_row", "360_camera", "ventilated_seats"]),
    ("X9-PHEV-U", "X9-PHEV-26", "x9-phev-ultra", "插混 Ultra 六座", "389900", "379900", 6, "1.5", 200, 340, True,
     "family,business", ["l2_adas", "sunroof", "third_row", "360_camera", "ventilated_seats", "hud"]),
    ("X9-20T-7", "X9-ICE-26", "x9-20t-7", "2.0T 七座豪华版", "259900", "239900", 7, "2.0", None, 185, False,
     "family,long_trip", ["sunroof", "third_row", "360_camera"]),
    ("X9-20T-6", "X9-ICE-26", "x9-20t-6", "2.0T 六座旗舰版", "289900", "269900", 6, "2.0", None, 185, False,
     "family,business", ["sunroof", "third_row", "360_camera", "ventilated_seats"]),
    ("S5-ENTRY", "S5-BEV-26", "s5-entry", "都市入门版", "119900", "112900", 5, None, 430, 120, True, "commute", []),
]
TMALL_REWARDS = "交车后赠送 2000 元充电券 + 1000 元充电卡"
OLD_TMALL_REWARDS = "交车后赠送 2000 元充电券 + 1000 元加油卡"
COLOURS = [("星辰白", "#f2f2f0", "0"), ("曜石黑", "#1b1b1d", "0"), ("湖光蓝", "#2a6f97", "3000"), ("暖阳橙", "#d9822b", "5000")]


ART = "art2"  # the generation of the drawn pictures: older ones are drawn again
# side views on a 640 × 360 canvas: (body outline, glass outline, wheel centres)
BODIES = {
    "轿车": ([(70, 250), (80, 215), (165, 200), (240, 150), (400, 145), (475, 195), (570, 210), (575, 250)],
            [(255, 160), (395, 156), (455, 198), (200, 202)], (165, 485)),
    "SUV": ([(70, 255), (75, 195), (120, 185), (185, 125), (450, 120), (520, 180), (575, 195), (578, 255)],
            [(200, 135), (440, 131), (495, 183), (150, 188)], (170, 480)),
    "MPV": ([(65, 255), (68, 170), (110, 110), (500, 100), (560, 160), (580, 185), (582, 255)],
            [(125, 120), (490, 111), (540, 168), (95, 172)], (165, 490)),
}


def _picture(rgb: tuple[int, int, int], body: str) -> bytes:
    """A drawn side view in the series' colour and body style (no lettering: the page names the car)."""
    from PIL import Image, ImageDraw

    width, height = 640, 360
    img = Image.new("RGB", (width, height), (235, 240, 245))
    draw = ImageDraw.Draw(img)
    for y in range(height):
        shade = int(235 - 60 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade, shade + 5, min(255, shade + 15)))
    draw.rectangle([0, 291, width, height], fill=(90, 90, 95))
    outline, glass, wheels = BODIES.get(body, BODIES["轿车"])
    draw.polygon(outline, fill=rgb)
    draw.polygon(glass, fill=(200, 220, 235))
    pillar = (glass[0][0] + glass[1][0]) // 2  # the B-pillar splits the glass
    draw.line([(pillar, glass[1][1]), (pillar, max(glass[2][1], glass[3][1]))], fill=rgb, width=8)
    draw.line([(outline[0][0] + 10, 222), (outline[-1][0] - 10, 222)], fill=tuple(max(0, c - 40) for c in rgb), width=2)
    for x in wheels:
        draw.ellipse([x - 40, 213, x + 40, 293], fill=(30, 30, 30))
        draw.ellipse([x - 19, 234, x + 19, 272], fill=(160, 160, 160))
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _specs(trim: Trim, energy: str) -> list[tuple[str, str, str]]:
    power = f"{trim.power_kw} kW" if trim.power_kw else "—"
    rows = [
        ("基本参数", "厂商指导价", f"¥{trim.guide_price:,.0f}"),  # as the store writes prices
        ("基本参数", "能源类型", dict(bev="纯电动", erev="增程式", phev="插电混动", ice="汽油").get(energy, energy)),
        ("基本参数", "座位数", f"{trim.seats} 座"),
        ("基本参数", "最大功率", power),
        ("动力", "排量", f"{trim.displacement_l} L" if trim.displacement_l else "—"),
        ("动力", "CLTC 纯电续航", f"{trim.range_km} km" if trim.range_km and energy != "ice" else "—"),
        ("动力", "驱动方式", "四驱" if "PERF" in trim.code or "U" in trim.code[-1:] else "前驱"),
        ("安全", "主动刹车", "标配"),
        ("安全", "气囊数量", "8" if trim.guide_price > 200000 else "6"),
    ]
    names = dict(FEATURES)
    have = set(trim.features.values_list("code", flat=True))
    for code, name in FEATURES:
        rows.append(("配置", name, "●" if code in have else "—"))
    return [(g, label, v) for g, label, v in rows if label != "" or names]


def build() -> int:
    """Create what is missing; returns the number of trims created."""
    features = {code: Feature.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in FEATURES}
    series = {}
    for sort, (code, slug, name, tagline, body, rgb) in enumerate(SERIES):
        series[code], created = Series.objects.get_or_create(
            code=code, defaults={"slug": slug, "name": name, "tagline": tagline, "body_type": body, "sort": sort})
        if created or ART not in series[code].image.name:
            series[code].image.save(f"{slug}-{ART}.png", ContentFile(_picture(rgb, body)), save=True)
    models = {}
    for sort, (code, s_code, name, year, energy) in enumerate(MODELS):
        models[code], _ = CarModel.objects.get_or_create(
            code=code, defaults={"series": series[s_code], "name": name, "year": year, "energy": energy, "sort": sort})
    created_count = 0
    rgb_of = {code: rgb for code, *_rest, rgb in SERIES}
    body_of = {code: body for code, _slug, _name, _tagline, body, _rgb in SERIES}
    for sort, (code, m_code, slug, name, guide, offer, seats, litres, rng, kw, relief, uses, feats) in enumerate(TRIMS):
        trim, created = Trim.objects.get_or_create(code=code, defaults={
            "model": models[m_code], "slug": slug, "name": name, "guide_price": D(guide), "offer_price": D(offer),
            "seats": seats, "displacement_l": D(litres) if litres else None, "range_km": rng, "power_kw": kw,
            "relief_eligible": relief, "vessel_tax_exempt": relief, "uses": uses, "sort": sort,
            "highlights": "智能座舱 · OTA 升级 · 五年质保", "published_at": timezone.now(),
        })
        if not created:
            _redraw(trim, rgb_of[trim.model.series.code], body_of[trim.model.series.code])
            continue
        created_count += 1
        trim.features.set([features[f] for f in feats])
        for c_name, hexcode, extra in COLOURS:
            Colour.objects.create(trim=trim, name=c_name, hex=hexcode, extra_price=D(extra))
        _redraw(trim, rgb_of[models[m_code].series.code], body_of[models[m_code].series.code])
        for n, (group, label, value) in enumerate(_specs(trim, models[m_code].energy), start=1):
            SpecValue.objects.create(trim=trim, group=group, label=label, value=value, sort=n)
    package, _ = AccessoryPackage.objects.get_or_create(
        code="TM-PKG-S7", defaults={"name": "天猫特别版专属精品包", "internal_price": D("6800.00"), "lead_time_days": 10})
    if not package.parts.exists():
        for part_no, part_name in (("ACC-7701", "星空顶氛围灯"), ("ACC-7702", "定制脚垫"), ("ACC-7703", "车载冰箱")):
            AccessoryPart.objects.create(package=package, part_no=part_no, name=part_name)
    edition, _ = Edition.objects.get_or_create(code="S7-TMALL", defaults={
        "trim": Trim.objects.get(code="S7-LR"), "slug": "s7-tmall-edition", "name": "澜川 S7 天猫特别版",
        "guide_price": D("229900"), "offer_price": D("214900"), "package": package,
        "rewards": TMALL_REWARDS,
        # the second reward is of the fuel-card kind; for this battery-electric car it is a charging card
        "voucher_value": D("2000.00"), "fuel_card_value": D("1000.00"),
        "rewards_when": "balance",  # the seed: after paying the balance
    })
    _reword(edition)
    _finance_offers()
    return created_count


# lender, title, terms, nominal rate %, fee kind, fee, minimum down %, model codes (none: every car)
OFFERS = [
    ("澜川汽车金融", "36期0息", "36", "0.00", FeeKind.AMOUNT, "4000.00", "20", []),
    ("工商银行", "低息分期 2.99%", "12,24,36,48,60", "2.99", FeeKind.AMOUNT, "0.00", "15", ["X9-PHEV-26", "X9-ICE-26"]),
    ("平安银行", "60期低月供", "48,60", "1.99", FeeKind.PERCENT, "3.00", "30", ["S7-BEV-26", "S7-EREV-26"]),
]


def _finance_offers() -> None:
    """The demo's finance offers, valid from a month ago (so the store shows them today)."""
    from autodcc.catalog import offers

    since = timezone.localdate() - dt.timedelta(days=30)
    for lender, title, terms, rate, kind, fee, down, model_codes in OFFERS:
        offer, created = FinanceOffer.objects.get_or_create(lender=lender, title=title, defaults={
            "terms": terms, "annual_rate": D(rate), "fee_kind": kind, "fee_value": D(fee), "min_down_pct": D(down),
            "valid_from": since})
        if created:
            offer.apr_disclosed = offers.disclosed_apr(offer)
            offer.save(update_fields=["apr_disclosed"])
            offer.car_models.set(CarModel.objects.filter(code__in=model_codes))


def _redraw(trim: Trim, rgb: tuple[int, int, int], body: str) -> None:
    """The trim's two demo pictures in the current drawing (kept when already drawn so)."""
    photos = {p.sort: p for p in trim.photos.filter(sort__in=(1, 2))}
    for n, caption in enumerate(["外观", "侧面"], start=1):
        photo = photos.get(n) or Photo(trim=trim, caption=caption, sort=n)
        if ART in (photo.image.name or ""):
            continue
        photo.image.save(f"{trim.slug}-{n}-{ART}.png", ContentFile(_picture(rgb if n == 1 else rgb[::-1], body)),
                         save=True)


def _reword(edition: Edition) -> None:
    """Bring wording from earlier runs up to date (a fuel card for an electric car, prices in 元),
    changing only what an earlier run wrote."""
    if edition.rewards == OLD_TMALL_REWARDS:
        edition.rewards = TMALL_REWARDS
        edition.save(update_fields=["rewards"])
    for spec in SpecValue.objects.filter(label="厂商指导价", value__endswith=" 元",
                                         trim__code__in=[t[0] for t in TRIMS]):
        spec.value = f"¥{spec.value.removesuffix(' 元')}"
        spec.save(update_fields=["value"])
