import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from autodcc.core.errors import DomainError, Forbidden, Invalid
from autodcc.core.models import AuditLog
from autodcc.network import services
from autodcc.network.models import Dealer

GOOD = {"code": "NJ-001", "name": "南京江宁澜川汽车销售服务有限公司", "region": "EAST", "city": "320100",
        "phone": "025-52100001", "opens_at": dt.time(9, 0), "closes_at": dt.time(18, 0)}


def test_it_creates_a_dealer_at_its_city_centre_and_audits_it(net):
    dealer = services.dealer_create(actor=net.hq_marketer.actor, **GOOD)
    assert dealer.city.name == "南京市" and dealer.region == net.east
    assert (dealer.lng, dealer.lat) == (dealer.city.lng, dealer.city.lat)
    assert dealer.phone == "+862552100001"
    entry = AuditLog.objects.get(action="dealer.create", object_id=str(dealer.pk))
    assert entry.actor_label == net.hq_marketer.staff.name
    assert entry.after["code"] == "NJ-001" and entry.before is None and entry.dealer_id == dealer.pk


def test_an_update_records_before_and_after(net):
    services.dealer_update(actor=net.hq_marketer.actor, dealer=net.dealer_a, name="新名称", lng=Decimal("121.5"),
                           lat=Decimal("31.2"))
    entry = AuditLog.objects.filter(action="dealer.update").get()
    assert entry.changes["name"] == ("上海浦东澜川汽车销售服务有限公司", "新名称")
    assert entry.changes["lng"][1] == "121.500000"


def test_an_update_that_changes_nothing_writes_no_audit_row(net):
    services.dealer_update(actor=net.hq_marketer.actor, dealer=net.dealer_a, name=net.dealer_a.name)
    assert not AuditLog.objects.filter(action="dealer.update").exists()


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"code": "sh-001"}, "code", "已被"),
    ({"code": "有 空格"}, "code", "经销商代码"),
    ({"city": "000000"}, "city", "未知城市"),
    ({"phone": "12345"}, "phone", "12345"),
    ({"region": "MOON"}, "region", "MOON"),
    ({"opens_at": dt.time(19, 0)}, "closes_at", ""),
    ({"lng": Decimal("10"), "lat": Decimal("10")}, "lng", ""),
    ({"lng": Decimal("120")}, "lng", ""),
    ({"name": ""}, "name", ""),
])
def test_bad_input_names_the_field_in_chinese_and_saves_nothing(net, change, field, words):
    before = (Dealer.objects.count(), AuditLog.objects.count())
    with translation.override("zh-hans"), pytest.raises(DomainError) as exc:
        services.dealer_create(actor=net.hq_marketer.actor, **{**GOOD, **change})
    errors = exc.value.errors if isinstance(exc.value, Invalid) else [exc.value]
    assert field in [e.field for e in errors]
    message = next(e for e in errors if e.field == field).message
    assert words in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # said in Chinese
    assert (Dealer.objects.count(), AuditLog.objects.count()) == before


def test_every_problem_is_reported_at_once(net):
    with pytest.raises(Invalid) as exc:
        services.dealer_create(actor=net.hq_marketer.actor, code="A B", name="x", region="EAST", city="火星",
                               phone="1")
    assert {e.field for e in exc.value.errors} == {"code", "city", "phone"}


def test_only_hq_marketing_creates_dealers(net):
    for who in ("a_manager", "regional_manager", "hq_service", "a_gm"):
        with pytest.raises(Forbidden):
            services.dealer_create(actor=getattr(net, who).actor, **GOOD)
    assert not Dealer.objects.filter(code="NJ-001").exists()


def test_a_dealer_gm_edits_contact_details_of_their_own_dealer_only(net):
    gm = net.a_gm.actor
    services.dealer_update(actor=gm, dealer=net.dealer_a, phone="021-58889999", name="改名", code="XX-1")
    net.dealer_a.refresh_from_db()
    assert net.dealer_a.phone == "+862158889999"
    assert net.dealer_a.code == "SH-001" and net.dealer_a.name != "改名"  # identity stays with HQ
    with pytest.raises(Forbidden):
        services.dealer_update(actor=gm, dealer=net.dealer_b, phone="0571-80000000")


def test_the_regional_manager_flags_key_dealers_in_their_region(net):
    rm = net.regional_manager.actor
    services.dealer_set_key(actor=rm, dealer=net.dealer_a, is_key=True, note="销量前三")
    assert Dealer.objects.get(pk=net.dealer_a.pk).is_key
    entry = AuditLog.objects.get(action="dealer.key_flag")
    assert entry.changes == {"is_key": (False, True)} and entry.note == "销量前三"
    with pytest.raises(Forbidden):
        services.dealer_set_key(actor=rm, dealer=net.dealer_c, is_key=True)
