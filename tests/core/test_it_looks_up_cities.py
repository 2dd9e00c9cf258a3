import pytest
from django.utils import translation

from autodcc.core import geo
from autodcc.core.errors import DomainError


def test_it_finds_a_city_by_code_or_name():
    assert geo.lookup_city("420100").name == "武汉市"
    assert geo.lookup_city("武汉").adcode == "420100"
    assert geo.lookup_city("武汉市").adcode == "420100"
    assert geo.lookup_city("北京市").province_code == "110000"


def test_it_ships_every_city_with_coordinates():
    cities = geo.all_cities()
    assert len(cities) == 362
    assert all(73 < c.lng < 136 and 3 < c.lat < 54 for c in cities.values())


def test_it_measures_distance_between_city_centres():
    wuhan, zhengzhou = geo.lookup_city("420100"), geo.lookup_city("410100")
    km = geo.haversine_km(float(wuhan.lat), float(wuhan.lng), float(zhengzhou.lat), float(zhengzhou.lng))
    assert km == pytest.approx(466, abs=1)


def test_it_picks_the_nearest_candidate():
    kunming = geo.lookup_city("昆明")
    candidates = [(c.name, float(c.lat), float(c.lng)) for c in map(geo.lookup_city, ["北京", "广州", "成都"])]
    assert geo.nearest(float(kunming.lat), float(kunming.lng), candidates) == "成都市"


@pytest.mark.parametrize("value", ["", "999999", "火星市", "Gotham"])
def test_it_names_an_unknown_city_in_chinese(value):
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as exc:
            geo.lookup_city(value, field="city")
        assert exc.value.field == "city"
        assert "未知城市" in exc.value.message
