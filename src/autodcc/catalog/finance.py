"""Car loans (CAT-4, DOMAIN.md §2): pure functions over Decimals.

Equal instalments (等额本息) and equal principal (等额本金) schedules are computed exactly and
rounded to the fen so that every running total is the rounded exact running total: the principal
parts add up to exactly the loan, the interest to the exactly computed total, no part is negative,
and the last instalment carries whatever residue the rounding leaves. Fee-based "0 %" offers disclose the
annualised rate over all costs (PBOC 2021 No. 3), found as the internal rate of return.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from autodcc.core.errors import DomainError

FEN = Decimal("0.01")
TERMS = (12, 24, 36, 48, 60)
DOWN_STEPS = (0, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70)  # down payment as a percentage of the price
MAX_RATE = Decimal("0.36")


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Instalment:
    number: int
    payment: Decimal
    principal: Decimal
    interest: Decimal
    balance: Decimal  # after this payment


@dataclass(frozen=True)
class Schedule:
    method: str
    principal: Decimal
    annual_rate: Decimal
    months: int
    fee: Decimal
    instalments: tuple[Instalment, ...]
    apr: Decimal  # annualised rate over all costs, percent, 2 decimals
    formula_last_payment: Decimal  # the textbook last instalment, before the rounding residue

    @property
    def residue(self) -> Decimal:
        """What the last instalment carries beyond the textbook amount so that the schedule
        repays exactly the loan and exactly the computed total interest."""
        return self.instalments[-1].payment - self.formula_last_payment

    @property
    def total_interest(self) -> Decimal:
        return sum((i.interest for i in self.instalments), Decimal("0.00"))

    @property
    def total_paid(self) -> Decimal:
        return sum((i.payment for i in self.instalments), Decimal("0.00")) + self.fee

    @property
    def annual_rate_pct(self) -> Decimal:
        return (self.annual_rate * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def monthly_rate(self) -> Decimal:
        """The nominal monthly rate in percent (annual / 12), the figure the APR must outshine."""
        return (self.annual_rate * 100 / 12).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    @property
    def first_payment(self) -> Decimal:
        return self.instalments[0].payment

    @property
    def last_payment(self) -> Decimal:
        return self.instalments[-1].payment


def check(price: Decimal, down_payment: Decimal, months: int, annual_rate: Decimal, fee: Decimal) -> Decimal:
    """Validate the inputs; returns the loan amount."""
    if down_payment < 0:
        raise DomainError("loan.down_payment_negative", field="down_payment")
    if down_payment > price:
        raise DomainError("loan.down_payment_too_high", field="down_payment",
                          down=f"{fen(down_payment):,.2f}", price=f"{fen(price):,.2f}")  # as the pages show money
    if not 12 <= months <= 60:
        raise DomainError("loan.term_invalid", field="months", value=months)
    if not Decimal(0) <= annual_rate <= MAX_RATE:
        raise DomainError("loan.rate_invalid", field="annual_rate", cap=f"{MAX_RATE * 100:.0f}")
    loan = fen(price - down_payment)
    if fee < 0 or fee > loan:
        raise DomainError("loan.fee_invalid", field="fee")
    return loan


def _rounded_steps(exact: list[Decimal]) -> list[Decimal]:
    """Round a series so its running total is always the rounded running total of the exact
    series: no part goes negative and the parts add up to the rounded exact sum."""
    out: list[Decimal] = []
    running, shown = Decimal(0), Decimal(0)
    for value in exact:
        running += value
        part = fen(running) - shown
        out.append(part)
        shown += part
    return out


def equal_instalments(principal: Decimal, annual_rate: Decimal, months: int, fee: Decimal = Decimal(0)) -> Schedule:
    """等额本息: the same payment every month; the last one takes the rounding residue."""
    with localcontext() as ctx:
        ctx.prec = 40
        r = annual_rate / 12
        if r == 0:
            exact_payment = principal / months
        else:
            growth = (1 + r) ** months
            exact_payment = principal * r * growth / (growth - 1)
        exact_interest: list[Decimal] = []
        balance = principal
        for _ in range(months):
            interest = balance * r
            exact_interest.append(interest)
            balance -= exact_payment - interest
        interests = _rounded_steps(exact_interest)
        payment = fen(exact_payment)
        total = principal + sum(interests, Decimal(0))
        payments = [payment] * (months - 1) + [total - payment * (months - 1)]
        rows = _rows(principal, payments, interests)
    return Schedule("equal_instalment", principal, annual_rate, months, fen(fee), rows,
                    apr(principal, payments, fee), payment)


def equal_principal(principal: Decimal, annual_rate: Decimal, months: int, fee: Decimal = Decimal(0)) -> Schedule:
    """等额本金: the same principal every month plus interest on what is still owed."""
    with localcontext() as ctx:
        ctx.prec = 40
        r = annual_rate / 12
        share = principal / months
        parts = _rounded_steps([share] * months)
        interests = _rounded_steps([(principal - k * share) * r for k in range(months)])
        payments = [p + i for p, i in zip(parts, interests, strict=True)]
        rows = _rows(principal, payments, interests)
        formula_last = fen(share + share * r)
    return Schedule("equal_principal", principal, annual_rate, months, fen(fee), rows,
                    apr(principal, payments, fee), formula_last)


def _rows(principal: Decimal, payments: list[Decimal], interests: list[Decimal]) -> tuple[Instalment, ...]:
    rows: list[Instalment] = []
    balance = principal
    for k, (payment, interest) in enumerate(zip(payments, interests, strict=True), start=1):
        part = payment - interest
        balance -= part
        rows.append(Instalment(k, payment, part, interest, balance))
    return tuple(rows)


def apr(principal: Decimal, payments: list[Decimal], fee: Decimal = Decimal(0)) -> Decimal:
    """The annualised rate (percent, nominal ×12) that makes the payments worth what the
    borrower really received (the loan less any up-front fee): the IRR, by bisection."""
    received = principal - fee
    if received <= 0 or not payments:
        return Decimal("0.00")

    def present_value(monthly: Decimal) -> Decimal:
        total, factor = Decimal(0), Decimal(1)
        for p in payments:
            factor /= 1 + monthly
            total += p * factor
        return total

    with localcontext() as ctx:
        ctx.prec = 30
        if present_value(Decimal(0)) <= received:
            return Decimal("0.00")
        low, high = Decimal(0), Decimal("0.1")
        for _ in range(80):
            mid = (low + high) / 2
            if present_value(mid) > received:
                low = mid
            else:
                high = mid
        return fen(low * 12 * 100)


def down_payment_for(price: Decimal, percent: Decimal) -> Decimal:
    """The down payment that is ``percent`` % of ``price``, to the fen."""
    return fen(price * percent / 100)


def down_share(price: Decimal, down_payment: Decimal) -> Decimal:
    """The down payment as a percentage of the price (2 decimals)."""
    return fen(down_payment * 100 / price) if price > 0 else Decimal("0.00")


def schedule(*, price: Decimal, down_payment: Decimal, months: int, annual_rate: Decimal, method: str,
             fee: Decimal = Decimal(0)) -> Schedule:
    """The loan for ``price`` after ``down_payment`` (validated), by the chosen method."""
    loan = check(price, down_payment, months, annual_rate, fee)
    if method == "equal_principal":
        return equal_principal(loan, annual_rate, months, fee)
    return equal_instalments(loan, annual_rate, months, fee)
