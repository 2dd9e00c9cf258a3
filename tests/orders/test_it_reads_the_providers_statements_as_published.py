"""Reconciliation takes the providers' statement files in the shape they publish them: Alipay's
business-detail bill (GBK, "#" preamble and totals, values padded with tabs, refunds printed with
a minus sign) and WeChat Pay's trade bill (every value behind a backtick, a totals block at the
end). Fixtures: tests/orders/fixtures/, built from the providers' published bill layouts."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from autodcc.core.errors import DomainError
from autodcc.orders.models import LineMatch, Payment, PaymentStatus, Refund, RefundStatus
from autodcc.orders.services.reconciliation import statement_import

FIXTURES = Path(__file__).with_name("fixtures")
PAID = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))


@pytest.fixture
def two_payments_one_refund(new_order):
    def make(provider):
        rows = {}
        for n in (1, 2):
            order = new_order()
            payment = Payment.objects.create(order=order, provider=provider, out_trade_no=f"{order.number}P{n}",
                                             trade_no=f"2026112{n}22001400{n}", amount=Decimal("500.00"),
                                             status=PaymentStatus.SUCCEEDED, paid_at=PAID)
            rows[f"out_{n}"], rows[f"trade_{n}"] = payment.out_trade_no, payment.trade_no
        second = Payment.objects.get(out_trade_no=rows["out_2"])
        refund = Refund.objects.create(order=second.order, payment=second, amount=Decimal("500.00"),
                                       out_refund_no=f"{second.order.number}R1", status=RefundStatus.SUCCEEDED,
                                       refunded_at=PAID + dt.timedelta(days=5))
        rows["refund_2"] = refund.out_refund_no
        return rows

    return make


def bill(name, values, encoding):
    return io.BytesIO((FIXTURES / name).read_text(encoding="utf-8").format(**values).encode(encoding))


def test_an_alipay_bill_with_its_preamble_totals_and_negative_refunds(net, two_payments_one_refund):
    values = two_payments_one_refund("alipay")
    statement = statement_import(actor=net.hq_finance.actor, provider="alipay", month="2026-11",
                                 upload=bill("alipay_business_detail.csv.tmpl", values, "gbk"),
                                 filename="20881234567890120156_20261101_业务明细.csv")
    report = statement.report
    assert report["lines"] == 3 and report["matched"] == 3, report
    assert not report["amount_mismatch"] and not report["unmatched"] and not report["duplicates"]
    refund = statement.lines.get(kind="refund")
    assert refund.amount == Decimal("500.00") and refund.match == LineMatch.MATCHED and refund.row == 8


def test_a_wechat_trade_bill_with_backticks_and_its_totals(net, two_payments_one_refund):
    values = two_payments_one_refund("wechat")
    statement = statement_import(actor=net.hq_finance.actor, provider="wechat", month="2026-11",
                                 upload=bill("wechat_trade_bill.csv.tmpl", values, "utf-8"),
                                 filename="1900000109_20261101_tradebill.csv")
    report = statement.report
    assert report["lines"] == 3 and report["matched"] == 3, report
    assert not report["unmatched"] and not report["amount_mismatch"]


def test_a_bad_amount_names_its_row_and_value(net, two_payments_one_refund):
    values = two_payments_one_refund("wechat")
    text = (FIXTURES / "wechat_trade_bill.csv.tmpl").read_text(encoding="utf-8").format(**values)
    lines = text.splitlines()
    lines[1] = lines[1].replace("`500.00", "`五百")  # the first payment's amounts, as a person might type them
    broken = "\n".join(lines)
    with pytest.raises(DomainError) as exc:
        statement_import(actor=net.hq_finance.actor, provider="wechat", month="2026-11",
                         upload=io.BytesIO(broken.encode()), filename="bill.csv")
    assert "2" in exc.value.message and "五百" in exc.value.message
