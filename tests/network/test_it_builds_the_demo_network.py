from collections import Counter

from django.contrib.auth import authenticate
from django.test import RequestFactory

from autodcc.core.roles import ROLE_SCOPE, Role, Scope
from autodcc.network import demo
from autodcc.network.models import Dealer, Region, RoleGrant, Staff


def test_the_demo_network_has_every_role_and_runs_twice_without_duplicates(db):
    first = demo.build()
    assert (first.regions, first.dealers) == (3, 32)
    counts = (Region.objects.count(), Dealer.objects.count(), Staff.objects.count(), RoleGrant.objects.count())
    second = demo.build()
    assert (second.regions, second.dealers, second.staff) == (0, 0, 0)
    assert counts == (Region.objects.count(), Dealer.objects.count(), Staff.objects.count(), RoleGrant.objects.count())

    per_city = Counter(Dealer.objects.values_list("city__adcode", flat=True))
    assert 18 <= len(per_city) <= 24 and sum(1 for n in per_city.values() if n >= 2) >= 5
    provinces = set(Dealer.objects.values_list("city__province__code", flat=True))
    assert {"530000", "650000", "540000"}.isdisjoint(provinces)  # Yunnan, Xinjiang, Tibet have none
    dealer_roles = {r for r in Role.values if ROLE_SCOPE[r] == Scope.DEALER}
    for dealer in Dealer.objects.all():
        assert set(RoleGrant.objects.filter(dealer=dealer).values_list("role", flat=True)) == dealer_roles, dealer
    assert RoleGrant.objects.filter(role=Role.REGIONAL_MANAGER).count() == 3
    assert RoleGrant.objects.filter(role__in=[Role.HQ_MARKETING, Role.HQ_SERVICE]).count() == 2


def test_the_printed_demo_logins_work(db):
    result = demo.build()
    for login, _what in result.logins:
        request = RequestFactory().post("/console/login/")
        assert authenticate(request, username=login, password=demo.DEMO_PASSWORD) is not None, login
