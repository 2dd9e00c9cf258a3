"""A dealer without an address or a phone reads cleanly: no empty slots between separators, a dash in
an empty cell."""

from django.urls import reverse

from autodcc.network.models import Dealer


def test_the_overview_page_skips_a_missing_address(net, login):
    Dealer.objects.filter(pk=net.dealer_b.pk).update(address="", phone="057186660001")
    html = login(net.b_manager).get(reverse("console:overview")).content.decode()
    line = html[html.index('class="dealer-contact"'):]
    line = line[line.index(">") + 1:line.index("</p>")]
    assert line.startswith("杭州市 · 0571") and "·  ·" not in line and "· ·" not in line
    Dealer.objects.filter(pk=net.dealer_b.pk).update(phone="")
    html = login(net.b_manager).get(reverse("console:overview")).content.decode()
    line = html[html.index('class="dealer-contact"'):]
    assert "· ·" not in line[:line.index("</p>")] and " · 周一" in line


def test_the_dealer_list_shows_a_dash_for_a_missing_phone(net, login):
    Dealer.objects.filter(pk=net.dealer_c.pk).update(phone="")
    html = login(net.hq_service).get(reverse("console:dealer_list")).content.decode()
    row = html[html.index('data-dealer="BJ-001"'):]
    row = row[:row.index("</tr>")]
    assert "<td>—</td>" in row
    assert "<td></td>" not in row
