"""The worked examples of DOMAIN.md §1–2, to the fen; schedules repay exactly the principal."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodcc.catalog import finance, pricing
from autodcc.core.errors import DomainError

IN_2025, IN_2026 = dt.date(2025, 6, 1), dt.date(2026, 6, 1)
pytestmark = pytest.mark.django_db  # the rates in force: the shipped file with those HQ set since


@pytest.mark.parametrize(("invoice", "full", "pay_2025", "pay_2026"), [
    ("200000", "17699.12", "0.00", "8849.56"),
    ("250000", "22123.89", "0.00", "11061.95"),
    ("400000", "35398.23", "5398.23", "20398.23"),
])
def test_purchase_tax_and_the_nev_relief(invoice, full, pay_2025, pay_2026):
    for day, expected in ((IN_2025, pay_2025), (IN_2026, pay_2026)):
        got_full, pay, _ = pricing.purchase_tax(D(invoice), day=day, energy="bev", relief_eligible=True)
        assert (got_full, pay) == (D(full), D(expected))
    # a petrol car, or a NEV not on the MIIT list, pays the full tax
    assert pricing.purchase_tax(D(invoice), day=IN_2026, energy="ice", relief_eligible=False)[1] == D(full)
    assert pricing.purchase_tax(D(invoice), day=IN_2026, energy="bev", relief_eligible=False)[1] == D(full)


def test_the_worked_examples_hold_under_the_shipped_rates():
    for name, kwargs, line, amount in pricing.WORKED_EXAMPLES:
        assert pricing.landed_price(**kwargs).amount(line) == D(amount), name


def test_no_relief_is_assumed_after_2027():
    full, pay, note = pricing.purchase_tax(D("200000"), day=dt.date(2028, 3, 1), energy="bev", relief_eligible=True)
    assert pay == full == D("17699.12") and note


def test_the_landed_price_lists_every_line():
    price = pricing.landed_price(invoice_price=D("200000"), invoice_date=dt.date(2026, 4, 10), energy="ice",
                                 seats=5, displacement_l=D("1.5"), accessories=D("3000"))
    codes = [line.code for line in price.lines]
    assert codes == ["invoice", "purchase_tax", "compulsory_insurance", "vehicle_vessel_tax", "plate", "accessories"]
    assert price.amount("compulsory_insurance") == D("950.00")
    assert price.amount("vehicle_vessel_tax") == D("270.00")  # 360 a year × 9 months (April–December)
    assert price.amount("plate") == D("100.00")
    assert price.total == D("200000") + D("17699.12") + 950 + 270 + 100 + 3000
    assert all(line.explanation for line in price.lines)


def test_seven_seats_pay_the_larger_premium_and_listed_nevs_skip_the_vessel_tax():
    price = pricing.landed_price(invoice_price=D("300000"), invoice_date=IN_2026, energy="phev", seats=7,
                                 displacement_l=D("1.5"), relief_eligible=True, vessel_tax_exempt=True)
    assert price.amount("compulsory_insurance") == D("1100.00") and price.amount("vehicle_vessel_tax") == D("0.00")


def test_an_unlisted_plug_in_hybrid_pays_the_vessel_tax_and_a_bev_never_does():
    """DOMAIN.md §1.3: BEVs are outside the tax; a PHEV is exempt only when its model is listed."""
    october = dt.date(2026, 10, 8)
    tax, note = pricing.vehicle_vessel_tax(D("1.5"), "phev", day=october, listed_exempt=False)
    assert tax == D("90.00") and "360" in note  # 360 a year × 3 months (October–December)
    assert pricing.vehicle_vessel_tax(D("1.5"), "erev", day=october, listed_exempt=True)[0] == D("0.00")
    assert pricing.vehicle_vessel_tax(None, "bev", day=october, listed_exempt=False)[0] == D("0.00")


def test_a_luxury_car_pays_the_surtax():
    price = pricing.landed_price(invoice_price=D("1130000"), invoice_date=IN_2026, energy="ice", seats=5,
                                 displacement_l=D("3.0"))
    assert price.amount("luxury_surtax") == D("100000.00")


def test_equal_instalments_100k_at_4_percent_over_36_months():
    s = finance.equal_instalments(D("100000"), D("0.04"), 36)
    assert s.first_payment == D("2952.40") and s.total_interest == D("6286.35")
    assert (s.last_payment, s.residue) == (D("2952.35"), D("-0.05"))
    assert sum(i.principal for i in s.instalments) == D("100000") and s.instalments[-1].balance == 0


def test_equal_principal_100k_at_4_percent_over_36_months():
    s = finance.equal_principal(D("100000"), D("0.04"), 36)
    assert (s.first_payment, s.last_payment, s.total_interest) == (D("3111.11"), D("2787.04"), D("6166.67"))
    assert sum(i.principal for i in s.instalments) == D("100000") and s.residue == 0


def test_a_zero_percent_offer_with_a_fee_discloses_its_annualised_rate():
    s = finance.equal_instalments(D("100000"), D("0"), 36, fee=D("4000"))
    assert s.total_interest == 0 and s.apr == D("2.67")
    assert finance.equal_instalments(D("100000"), D("0.04"), 36).apr == D("4.00")


@settings(max_examples=200, deadline=None)
@given(principal=st.decimals(min_value=1000, max_value=2_000_000, places=2),
       rate=st.decimals(min_value=0, max_value="0.2", places=4),
       months=st.sampled_from(finance.TERMS), method=st.sampled_from(["equal_instalment", "equal_principal"]))
def test_every_schedule_repays_exactly_the_principal(principal, rate, months, method):
    build = finance.equal_principal if method == "equal_principal" else finance.equal_instalments
    s = build(principal, rate, months)
    assert sum(i.principal for i in s.instalments) == principal
    assert s.instalments[-1].balance == 0
    assert all(i.payment == i.principal + i.interest and i.interest >= 0 for i in s.instalments)
    assert all(i.payment.as_tuple().exponent >= -2 for i in s.instalments)
    if method == "equal_instalment":  # every payment but the last is the same
        assert len({i.payment for i in s.instalments[:-1]}) <= 1


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"down_payment": D("250000")}, "loan.down_payment_too_high"),
    ({"down_payment": D("-1")}, "loan.down_payment_negative"),
    ({"months": 0}, "loan.term_invalid"),
    ({"months": 72}, "loan.term_invalid"),
    ({"annual_rate": D("0.5")}, "loan.rate_invalid"),
])
def test_bad_loan_input_is_refused(kwargs, code):
    args = {"price": D("200000"), "down_payment": D("50000"), "months": 36, "annual_rate": D("0.04"),
            "method": "equal_instalment", **kwargs}
    with pytest.raises(DomainError) as exc:
        finance.schedule(**args)
    assert exc.value.code == code
