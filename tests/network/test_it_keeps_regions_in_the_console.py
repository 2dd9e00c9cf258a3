"""Regions (NET-2) are kept by HQ in the console, audited: created, renamed and closed once no
active dealer belongs to them; bad input is refused in Chinese and saves nothing; other roles may
look at the list but not change it."""

from django.urls import reverse

from autodcc.core.models import AuditLog
from autodcc.network.models import Dealer, Region


def test_hq_creates_renames_and_closes_a_region_with_an_audit_trail(net, login):
    client = login(net.hq_marketer)
    page = client.get(reverse("console:region_list")).content.decode()
    assert 'id="region-new"' in page and "新建大区" in page
    response = client.post(reverse("console:region_create"), {"code": "west", "name": "西部大区", "is_active": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("console:region_list")
    west = Region.objects.get(code="WEST")
    assert west.name == "西部大区" and west.is_active
    edit = reverse("console:region_edit", args=[west.pk])
    assert client.post(edit, {"code": "WEST", "name": "西南大区", "is_active": "on"}).status_code == 302
    assert client.post(edit, {"code": "WEST", "name": "西南大区"}).status_code == 302  # closed: no dealer in it
    west.refresh_from_db()
    assert (west.name, west.is_active) == ("西南大区", False)
    entries = list(AuditLog.objects.filter(object_type="network.region", object_id=str(west.pk)).order_by("pk"))
    assert [e.action for e in entries] == ["region.create", "region.update", "region.update"]
    assert entries[1].changes == {"name": ("西部大区", "西南大区")}
    assert "大区已修改" in client.get(reverse("console:audit_list")).content.decode()


def test_a_region_with_active_dealers_stays_open_and_bad_input_saves_nothing(net, login):
    client = login(net.hq_marketer)
    east = net.east
    active = Dealer.objects.filter(region=east, is_active=True).count()
    response = client.post(reverse("console:region_edit", args=[east.pk]), {"code": east.code, "name": east.name})
    assert response.status_code == 400 and f"{active} 家" in response.content.decode()
    east.refresh_from_db()
    assert east.is_active
    for data, words in (({"code": "x", "name": "北部"}, "大区代码"), ({"code": "NW-1", "name": ""}, "必填"),
                        ({"code": "NW-1", "name": "北" * 61}, "60"), ({"code": "NW-1", "name": "北部\x00"}, "控制字符"),
                        ({"code": east.code.lower(), "name": "重复"}, "已被")):
        response = client.post(reverse("console:region_create"), {**data, "is_active": "on"})
        assert response.status_code == 400 and words in response.content.decode(), data
    assert not Region.objects.filter(name__in=["北部", "重复"]).exists() and not Region.objects.filter(code="NW-1").exists()


def test_only_hq_marketing_changes_regions(net, login):
    region_url = reverse("console:region_edit", args=[net.east.pk])
    for persona in (net.hq_service, net.a_manager, net.a_agent):
        client = login(persona)
        assert client.get(reverse("console:region_create")).status_code == 403
        assert client.post(region_url, {"code": "EAST", "name": "改名"}).status_code == 403
    net.east.refresh_from_db()
    assert net.east.name != "改名"
    page = login(net.hq_service).get(reverse("console:region_list")).content.decode()
    assert net.east.name in page and 'id="region-new"' not in page and "data-edit-region" not in page
