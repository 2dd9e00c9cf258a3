"""CAT-4: the APR over all costs (IRR) of a loan, a finance offer's own rules, which offers a car
has today, and a loan under an offer (its terms and its minimum down payment)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from autodcc.catalog import finance, offers, services
from autodcc.catalog.models import CarModel, FeeKind, FinanceOffer, Trim
from autodcc.core.errors import DomainError, Forbidden, Invalid
from autodcc.core.models import AuditLog


def test_the_domain_worked_example_zero_percent_with_a_fee_is_about_2_67_percent():
    """DOMAIN.md §2: 100k at 0 % over 36 months with a 4,000 fee ≈ 2.67 % APR."""
    for method in (finance.equal_instalments, finance.equal_principal):
        loan = method(D("100000"), D("0"), 36, D("4000"))
        assert loan.apr == D("2.67")
        assert loan.total_interest == D("0.00") and loan.fee == D("4000.00")
        assert loan.total_paid == D("104000.00")


def test_a_normal_rate_matches_the_hand_computed_figures():
    """150,000 at 5 % over 60 months, worked by hand:
    M = P·r(1+r)^n/((1+r)^n−1) with r = 0.05/12 → 2,830.69, interest 60·M − P → 19,841.10;
    equal principal: 150,000/60 + 150,000·r = 2,500 + 625 = 3,125.00 first, interest (n+1)·P·r/2 = 19,062.50."""
    level = finance.equal_instalments(D("150000"), D("0.05"), 60)
    assert level.first_payment == D("2830.69") and level.total_interest == D("19841.10")
    assert level.apr == D("5.00")  # no fee: the APR is the nominal rate
    assert level.monthly_rate == D("0.4167")
    falling = finance.equal_principal(D("150000"), D("0.05"), 60)
    assert falling.first_payment == D("3125.00") and falling.total_interest == D("19062.50")
    assert falling.last_payment == D("2510.42")  # 2,500 + 2,500·r
    assert falling.apr == D("5.00")


def test_the_domain_check_figures_hold():
    level = finance.equal_instalments(D("100000"), D("0.04"), 36)
    assert level.first_payment == D("2952.40") and level.total_interest == D("6286.35")
    falling = finance.equal_principal(D("100000"), D("0.04"), 36)
    assert (falling.first_payment, falling.last_payment, falling.total_interest) == (
        D("3111.11"), D("2787.04"), D("6166.67"))


@settings(max_examples=40, deadline=None)
@given(principal=st.integers(10_000, 2_000_000), rate_bp=st.integers(0, 1500), months=st.sampled_from(finance.TERMS),
       fee_share=st.integers(0, 10))
def test_a_fee_always_raises_the_apr_above_the_nominal_rate(principal, rate_bp, months, fee_share):
    rate = D(rate_bp) / 10000
    fee = finance.fen(D(principal) * fee_share / 100)
    loan = finance.equal_instalments(D(principal), rate, months, fee)
    nominal = (rate * 100).quantize(D("0.01"))
    if fee == 0:
        assert abs(loan.apr - nominal) <= D("0.01")
    else:
        assert loan.apr > nominal
    assert sum(i.principal for i in loan.instalments) == D(principal)


# --- offers ---------------------------------------------------------------------------------------


def offer(**values):
    defaults = {"lender": "澜川汽车金融", "title": "36期0息", "terms": "36", "annual_rate": D("0"),
                "fee_kind": FeeKind.AMOUNT, "fee_value": D("4000"), "min_down_pct": D("20"),
                "valid_from": timezone.localdate() - dt.timedelta(days=1)}
    return FinanceOffer(**{**defaults, **values})


def test_saving_an_offer_discloses_its_apr_and_is_audited(net, catalogue):
    saved = services.save(actor=net.hq_marketer.actor, obj=offer(min_down_pct=D("0")))
    assert saved.apr_disclosed == D("2.67")  # on 100,000 over 36 months: the worked example
    entry = AuditLog.objects.get(action="financeoffer.create")
    assert entry.after["apr_disclosed"] == "2.67" and entry.after["terms"] == "36"
    several = services.save(actor=net.hq_marketer.actor, obj=offer(title="分期", terms="60，12 24", fee_value=D("3000")))
    assert several.terms == "12,24,60"
    assert several.apr_disclosed == finance.equal_instalments(D("100000"), D(0), 12, D("3000")).apr  # the highest


def test_an_offers_rules_are_refused_with_each_reason(net):
    actor = net.hq_marketer.actor
    cases = {
        "terms": offer(terms="36,72"),
        "annual_rate": offer(annual_rate=D("37")),
        "fee_value": offer(fee_kind=FeeKind.PERCENT, fee_value=D("31")),
        "min_down_pct": offer(min_down_pct=D("100")),
        "valid_until": offer(valid_until=timezone.localdate() - dt.timedelta(days=5)),
    }
    for field, bad in cases.items():
        with pytest.raises(Invalid) as refused:
            services.save(actor=actor, obj=bad)
        assert [e.field for e in refused.value.errors] == [field], field
    with pytest.raises(DomainError) as refused:
        services.save(actor=actor, obj=offer(terms=""))
    assert refused.value.errors[0].code == "offer.no_terms"
    assert "选择" in refused.value.errors[0].message
    assert not FinanceOffer.objects.exists()


def test_only_hq_marketing_saves_offers(net):
    for who in ("a_manager", "hq_finance", "hq_service", "regional_manager"):
        with pytest.raises(Forbidden):
            services.save(actor=getattr(net, who).actor, obj=offer())
    assert not FinanceOffer.objects.exists()


def test_a_car_has_the_active_offers_valid_today_for_it(net, catalogue):
    actor = net.hq_marketer.actor
    s7, s5 = Trim.objects.get(code="S7-LR"), Trim.objects.get(code="S5-ENTRY")
    FinanceOffer.objects.all().delete()  # only this test's offers
    today = timezone.localdate()
    everywhere = services.save(actor=actor, obj=offer(title="全部车型"))
    for_s7 = offer(title="S7 专享")
    services.save(actor=actor, obj=for_s7, save_m2m=lambda: for_s7.car_models.set([s7.model]))
    for_trim = offer(title="S5 入门专享")
    services.save(actor=actor, obj=for_trim, save_m2m=lambda: for_trim.trims.set([s5]))
    services.save(actor=actor, obj=offer(title="已下线", is_active=False))
    services.save(actor=actor, obj=offer(title="下月", valid_from=today + dt.timedelta(days=30)))
    services.save(actor=actor, obj=offer(title="已过期", valid_from=today - dt.timedelta(days=60),
                                         valid_until=today - dt.timedelta(days=1)))
    assert {o.title for o in offers.offers_for(s7)} == {"全部车型", "S7 专享"}
    assert {o.title for o in offers.offers_for(s5)} == {"全部车型", "S5 入门专享"}
    assert everywhere in offers.offers_for(Trim.objects.get(code="X9-20T-7"))
    assert AuditLog.objects.get(action="financeoffer.create", object_id=str(for_s7.pk)).after["car_models"] == str(
        CarModel.objects.get(code="S7-BEV-26"))


def test_a_loan_under_an_offer_keeps_its_terms_and_minimum_down_payment():
    deal = offer(terms="24,36", min_down_pct=D("20"), fee_kind=FeeKind.PERCENT, fee_value=D("4"))
    loan = offers.loan(deal, price=D("125000"), down_payment=D("25000"), months=36, method="equal_instalment")
    assert loan.principal == D("100000.00") and loan.fee == D("4000.00") and loan.apr == D("2.67")
    with pytest.raises(DomainError) as refused:
        offers.loan(deal, price=D("125000"), down_payment=D("24999.99"), months=36, method="equal_instalment")
    assert refused.value.code == "offer.down_below_minimum" and refused.value.field == "down_payment"
    assert "20%" in refused.value.message and "25,000.00" in refused.value.message
    with pytest.raises(DomainError) as refused:
        offers.loan(deal, price=D("125000"), down_payment=D("30000"), months=60, method="equal_principal")
    assert refused.value.code == "offer.term_not_offered" and refused.value.field == "months"
    assert "24、36" in refused.value.message
    with pytest.raises(DomainError) as refused:
        offers.loan(deal, price=D("125000"), down_payment=D("130000"), months=36, method="equal_principal")
    assert refused.value.code == "loan.down_payment_too_high"
