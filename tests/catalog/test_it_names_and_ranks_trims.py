"""A trim's full name says each word once; the recommendation's badge goes only to real matches;
the demo catalogue is re-runnable and speaks of what an electric car gets."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from autodcc.catalog import demo
from autodcc.catalog.models import CarModel, Edition, SpecValue, Trim
from autodcc.catalog.recommend import Needs, TrimFacts, rank


@pytest.mark.parametrize(("model", "trim", "full"), [
    ("澜川 S7 增程 2026款", "增程 Max", "澜川 S7 增程 2026款 Max"),
    ("澜川 X9 2.0T 2026款", "2.0T 七座豪华版", "澜川 X9 2.0T 2026款 七座豪华版"),
    ("澜川 X9 插混 2026款", "插混 Pro 六座", "澜川 X9 插混 2026款 Pro 六座"),
    ("澜川 S7 纯电 2026款", "长续航 Pro", "澜川 S7 纯电 2026款 长续航 Pro"),
    ("澜川 S7 增程 2026款", "增程", "澜川 S7 增程 2026款 增程"),  # never an empty trim name
])
def test_a_trims_name_does_not_repeat_its_models(model, trim, full):
    assert str(Trim(model=CarModel(name=model), name=trim)) == full


def facts(n: int, *, energy: str = "bev", uses: str = "family", price: str = "200000") -> TrimFacts:
    return TrimFacts(id=n, name=f"T{n}", price=D(price), seats=5, energy=energy,
                     uses=frozenset(uses.split(",")), features=frozenset({"sunroof"}))


def test_only_a_trim_that_meets_every_need_is_recommended():
    needs = Needs(budget=D("250000"), seats=5, energy="bev", use="family", must_have=frozenset({"sunroof"}))
    match, petrol, commuter, dear = rank([
        facts(1), facts(2, energy="ice"), facts(3, uses="commute"), facts(4, price="260000")], needs)
    assert match.trim.id == 1 and match.fits and match.recommended
    by_id = {r.trim.id: r for r in (petrol, commuter, dear)}
    assert by_id[2].fits and not by_id[2].recommended and "不是您想要的能源类型" in " ".join(by_id[2].reasons)
    assert by_id[3].fits and not by_id[3].recommended and "不太适合您的用车场景" in by_id[3].reasons
    assert not by_id[4].recommended  # slightly above the budget
    # nothing asked: nothing to recommend for, no badge either way
    assert not any(r.recommended for r in rank([facts(1), facts(2)], Needs()))


@pytest.mark.django_db
def test_the_demo_catalogue_adds_nothing_twice_and_updates_old_wording(settings: Any, tmp_path: Any):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert demo.build() == len(demo.TRIMS)
    edition = Edition.objects.get(code="S7-TMALL")
    assert edition.trim.model.energy == "bev" and "充电卡" in edition.rewards and "加油卡" not in edition.rewards
    assert SpecValue.objects.get(trim__code="S7-LR", label="厂商指导价").value == "¥229,900"
    names = [str(t) for t in Trim.objects.select_related("model")]
    assert "澜川 S7 增程 2026款 Max" in names and "澜川 X9 2.0T 2026款 七座豪华版" in names
    # a database filled by an earlier version of the demo
    Edition.objects.filter(pk=edition.pk).update(rewards=demo.OLD_TMALL_REWARDS)
    SpecValue.objects.filter(label="厂商指导价").update(value="229,900 元")
    counts = (Trim.objects.count(), SpecValue.objects.count(), Edition.objects.count())
    assert demo.build() == 0
    assert (Trim.objects.count(), SpecValue.objects.count(), Edition.objects.count()) == counts
    assert Edition.objects.get(pk=edition.pk).rewards == demo.TMALL_REWARDS
    assert set(SpecValue.objects.filter(label="厂商指导价").values_list("value", flat=True)) == {"¥229,900"}
