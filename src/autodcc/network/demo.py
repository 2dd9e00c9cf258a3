"""Demo dealer network: 3 regions, 32 dealers over 22 cities, staff in every role.

Re-runnable: dealers are keyed by code and people by login name, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from autodcc.core.actors import SYSTEM
from autodcc.core.roles import Role
from autodcc.network import services
from autodcc.network.models import Dealer, Region, Staff

DEMO_PASSWORD = "autodcc-demo"

REGIONS = [("EAST", "华东大区"), ("SOUTH", "华南大区"), ("NORTH", "华北华中大区")]

# (code, region, city adcode, short name, district/address)
DEALERS = [
    ("SH-001", "EAST", "310000", "上海浦东店", "浦东新区龙阳路 2000 号"),
    ("SH-002", "EAST", "310000", "上海闵行店", "闵行区沪闵路 7388 号"),
    ("SH-003", "EAST", "310000", "上海嘉定店", "嘉定区曹安公路 4800 号"),
    ("HZ-001", "EAST", "330100", "杭州滨江店", "滨江区江南大道 588 号"),
    ("HZ-002", "EAST", "330100", "杭州拱墅店", "拱墅区石祥路 71 号"),
    ("NJ-001", "EAST", "320100", "南京江宁店", "江宁区双龙大道 1600 号"),
    ("NJ-002", "EAST", "320100", "南京栖霞店", "栖霞区马群街道 9 号"),
    ("SZ-001", "EAST", "320500", "苏州园区店", "工业园区东环路 1500 号"),
    ("SZ-002", "EAST", "320500", "苏州吴中店", "吴中区宝带东路 399 号"),
    ("NB-001", "EAST", "330200", "宁波鄞州店", "鄞州区天童南路 1111 号"),
    ("HF-001", "EAST", "340100", "合肥包河店", "包河区繁华大道 8 号"),
    ("JN-001", "EAST", "370100", "济南历下店", "历下区经十路 15000 号"),
    ("QD-001", "EAST", "370200", "青岛崂山店", "崂山区松岭路 66 号"),
    ("GZ-001", "SOUTH", "440100", "广州天河店", "天河区黄埔大道西 188 号"),
    ("GZ-002", "SOUTH", "440100", "广州白云店", "白云区机场路 1018 号"),
    ("GZ-003", "SOUTH", "440100", "广州番禺店", "番禺区迎宾路 300 号"),
    ("SZN-001", "SOUTH", "440300", "深圳南山店", "南山区深南大道 9998 号"),
    ("SZN-002", "SOUTH", "440300", "深圳龙岗店", "龙岗区龙岗大道 5001 号"),
    ("FS-001", "SOUTH", "440600", "佛山南海店", "南海区桂城海八路 12 号"),
    ("DG-001", "SOUTH", "441900", "东莞南城店", "南城街道莞太路 80 号"),
    ("FZ-001", "SOUTH", "350100", "福州仓山店", "仓山区南江滨西大道 18 号"),
    ("XM-001", "SOUTH", "350200", "厦门湖里店", "湖里区枋湖北二路 1000 号"),
    ("CS-001", "SOUTH", "430100", "长沙岳麓店", "岳麓区金星中路 428 号"),
    ("NN-001", "SOUTH", "450100", "南宁青秀店", "青秀区民族大道 136 号"),
    ("BJ-001", "NORTH", "110000", "北京亦庄店", "大兴区经海路 8 号"),
    ("BJ-002", "NORTH", "110000", "北京望京店", "朝阳区望京街 10 号"),
    ("BJ-003", "NORTH", "110000", "北京石景山店", "石景山区鲁谷路 51 号"),
    ("TJ-001", "NORTH", "120000", "天津河西店", "河西区友谊路 35 号"),
    ("SJZ-001", "NORTH", "130100", "石家庄长安店", "长安区中山东路 508 号"),
    ("ZZ-001", "NORTH", "410100", "郑州金水店", "金水区文化路 100 号"),
    ("WH-001", "NORTH", "420100", "武汉汉阳店", "汉阳区龙阳大道 58 号"),
    ("XA-001", "NORTH", "610100", "西安高新店", "高新区科技路 33 号"),
]

# per dealer: (login suffix, role, how many)
DEALER_ROLES = [
    ("gm", Role.DEALER_GM, 1),
    ("sm", Role.SALES_MANAGER, 1),
    ("dccs", Role.DCC_SUPERVISOR, 1),
    ("dcc", Role.DCC_AGENT, 3),
    ("sc", Role.SALES_CONSULTANT, 2),
    ("sa", Role.SERVICE_ADVISOR, 1),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚",
         "桂英", "丹", "鹏", "辉", "玲", "建华", "晓东", "佳怡", "子涵", "浩然", "思远", "雨桐"]


def person_name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)]


def demo_mobile(n: int) -> str:
    return f"139{n:08d}"


@dataclass
class DemoResult:
    regions: int = 0
    dealers: int = 0
    staff: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def build(*, brand_dealers: list[tuple[str, str, str, str, str]] | None = None) -> DemoResult:
    result = DemoResult()
    password_hash = make_password(DEMO_PASSWORD)
    regions = {}
    for code, name in REGIONS:
        regions[code], created = Region.objects.get_or_create(code=code, defaults={"name": name})
        result.regions += created

    counter = 0

    def person(username: str, role: str, *, dealer: Dealer | None = None, region: Region | None = None,
               label: str = "") -> Staff:
        nonlocal counter
        counter += 1
        existing = Staff.objects.filter(user__username=username).first()
        if existing is not None:
            return existing
        staff = services.staff_create(actor=SYSTEM, username=username, name=label or person_name(counter),
                                      mobile=demo_mobile(counter), employee_no=f"E{counter:05d}",
                                      grants=[(role, dealer, region)])
        get_user_model().objects.filter(pk=staff.user_id).update(password=password_hash)
        result.staff += 1
        return staff

    person("hq-marketing", Role.HQ_MARKETING, label="市场部 王敏")
    person("hq-service", Role.HQ_SERVICE, label="客服中心 李娜")
    person("hq-finance", Role.HQ_FINANCE, label="财务部 赵强")
    for code, _name in REGIONS:
        person(f"rm-{code.lower()}", Role.REGIONAL_MANAGER, region=regions[code])

    for index, (code, region_code, adcode, short, address) in enumerate(brand_dealers or DEALERS):
        dealer = Dealer.objects.filter(code=code).first()
        if dealer is None:
            dealer = services.dealer_create(
                actor=SYSTEM, code=code, name=f"{short.removesuffix('店')}{settings.AUTODCC_BRAND}销售服务有限公司",
                short_name=short, region=regions[region_code], city=adcode, address=address,
                phone=f"400-8{index:02d}-{1000 + index * 37:04d}", is_key=index % 5 == 0, is_active=True,
                opens_at=dt.time(8, 30), closes_at=dt.time(18, 0 if index % 3 else 30),
                open_weekdays="1234567",
            )
            result.dealers += 1
        for suffix, role, count in DEALER_ROLES:
            for n in range(1, count + 1):
                login = f"{code.lower()}-{suffix}{n if count > 1 else ''}"
                person(login, role, dealer=dealer)

    # one DCC agent on leave this week and one off duty, so assignment has something to respect
    agent = Staff.objects.filter(user__username="sh-001-dcc3").first()
    if agent is not None and not agent.leaves.exists():
        start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        services.leave_add(actor=SYSTEM, staff=agent, starts_at=start, ends_at=start + dt.timedelta(days=5),
                           reason="年假")
    off = Staff.objects.filter(user__username="sh-001-dcc2", on_duty=True).first()
    if off is not None and result.staff:
        services.staff_set_duty(actor=SYSTEM, staff=off, on_duty=False)

    if not get_user_model().objects.filter(username="admin").exists():
        get_user_model().objects.create_superuser("admin", password=DEMO_PASSWORD)

    result.logins = [
        ("admin", "superuser (Django admin)"),
        ("hq-marketing", "HQ marketing"),
        ("hq-service", "HQ customer service"),
        ("hq-finance", "HQ finance"),
        ("rm-east", "regional manager, 华东大区"),
        ("sh-001-gm", "dealer GM, 上海浦东店"),
        ("sh-001-sm", "sales manager, 上海浦东店"),
        ("sh-001-dccs", "DCC supervisor, 上海浦东店"),
        ("sh-001-dcc1", "DCC agent, 上海浦东店"),
        ("sh-001-sc1", "sales consultant, 上海浦东店"),
        ("sh-001-sa", "service advisor, 上海浦东店"),
    ]
    return result
