"""A car added by hand names its model in free text: the catalogue model it means is found whatever
the width, spaces and case, by its full name, its series' name with its own, or by words that
point to one model only; a name that fits several models, or none, finds none."""

import pytest

from autodcc.catalog.models import CarModel, Series
from autodcc.catalog.selectors import model_named, name_key, name_words


def test_names_compare_without_width_spaces_or_case():
    assert name_key("澜川 S7") == name_key("澜川S7") == name_key("澜川·ｓ７") == name_key(" 澜川  s7 ") == "澜川s7"
    assert name_words("澜川S7 2026款") == {"澜川", "s7", "2026", "款"}
    assert name_words("2.0T 七座豪华版.") == {"2.0t", "七座豪华版"}
    assert name_key("") == "" and name_words("  ") == set()


@pytest.fixture
def one_s7(db):
    """A catalogue whose 澜川 S7 series has one model, named without the brand."""
    series = Series.objects.create(code="S7", slug="s7", name="澜川 S7")
    return CarModel.objects.create(series=series, code="S7-26", name="S7 2026款", year=2026, energy="bev")


@pytest.mark.parametrize("typed", ["澜川 S7", "澜川S7", "s7", "S7 2026款", "澜川 S7 2026款", "ｓ７　２０２６款"])
def test_every_way_of_writing_the_one_model_finds_it(one_s7, typed):
    assert model_named(typed) == one_s7


@pytest.mark.parametrize("typed", ["", "   ", "宝马 X5", "奥迪 S7", "X9", "S7 2025款", "S7 纯电"])
def test_a_name_of_no_model_finds_none(one_s7, typed):
    assert model_named(typed) is None


@pytest.fixture
def demo(db):
    from autodcc.catalog import demo as catalog_demo

    catalog_demo.build()
    return {m.code: m for m in CarModel.objects.all()}


@pytest.mark.parametrize("typed, code", [
    ("澜川 S7 增程 2026款", "S7-EREV-26"),  # the full name
    ("澜川S7增程2026款", "S7-EREV-26"),
    ("澜川 Ｓ７ 纯电 ２０２６款", "S7-BEV-26"),  # full-width letters and digits
    ("s7 增程", "S7-EREV-26"),  # words that fit one model only
    ("S7 纯电", "S7-BEV-26"),
    ("s5", "S5-BEV-26"),  # a series of one model
    ("澜川 X9 2.0T", "X9-ICE-26"),
])
def test_the_demo_catalogue_finds_the_model_meant(demo, typed, code):
    assert model_named(typed) == demo[code]


@pytest.mark.parametrize("typed", ["澜川 S7", "澜川S7", "s7", "S7 2026款", "纯电", "2026款"])
def test_a_name_that_fits_several_models_finds_none(demo, typed):
    """The demo's 澜川 S7 has a battery and a range-extender model, serviced differently: "S7" alone
    could be either, so staff choose the trim rather than the car get the wrong schedule."""
    assert model_named(typed) is None
