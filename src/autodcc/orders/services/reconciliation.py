"""Monthly reconciliation and settlement (ORD-8).

A provider's statement (CSV or Excel, in Alipay's, WeChat Pay's or the sandbox's bill layout)
is matched line by line to our payments and refunds; the report lists unmatched lines, amount
differences, duplicate lines, and our payments/refunds of the month that the statement lacks.
Each dealer's transfer list is the deposits of orders whose receipt was confirmed that month,
matched in a statement and never settled before; settling is once per order, enforced by the
database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext

from autodcc.core import audit, tabular
from autodcc.core.actors import Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden
from autodcc.network.models import Dealer
from autodcc.orders.models import (
    LineMatch,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    Settlement,
    SettlementLine,
    Statement,
    StatementLine,
)

# provider → canonical column → accepted headers
LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "alipay": {"provider_no": ("支付宝交易号",), "out_no": ("商户订单号",), "kind": ("业务类型",),
               "amount": ("订单金额（元）", "订单金额(元)"), "refund_amount": ("退款金额（元）", "退款金额(元)"),
               "refund_no": ("退款批次号/请求号", "退款请求号"), "at": ("完成时间",)},
    "wechat": {"provider_no": ("微信订单号",), "out_no": ("商户订单号",), "kind": ("交易状态",),
               "amount": ("应结订单金额", "订单金额"), "refund_amount": ("退款金额",), "refund_no": ("商户退款单号",),
               "at": ("交易时间",)},
    "sandbox": {"provider_no": ("trade_no",), "out_no": ("out_trade_no",), "kind": ("type",), "amount": ("amount",),
                "refund_amount": ("refund_amount",), "refund_no": ("out_refund_no",), "at": ("time",)},
}
REQUIRED = ("out_no", "kind", "amount")
REFUND_WORDS = {"退款", "refund", "REFUND"}
# what surrounds the table in the files the providers publish: Alipay's bill opens and closes with
# "#" lines (account, period, totals); WeChat Pay's ends with a totals header and its values
FRAMES: dict[str, dict[str, str]] = {"alipay": {"comment": "#"}, "wechat": {"end_marker": "总交易单数"},
                                      "sandbox": {}}


@dataclass
class ParsedLine:
    row: int
    kind: str
    out_no: str
    provider_no: str
    amount: Decimal
    at: dt.datetime | None


def _require(actor: Actor) -> None:
    if not actor.can("orders.finance"):
        raise Forbidden("forbidden")


def month_start(value: str | dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value.replace(day=1)
    try:
        year, month = (int(x) for x in str(value).split("-")[:2])
        return dt.date(year, month, 1)
    except ValueError:
        raise DomainError("statement.month_invalid", field="month") from None


def layout_help() -> list[dict[str, Any]]:
    """Per provider, the columns the import needs and the ones it also reads (as the provider heads them)."""
    return [{"provider": provider, "required": [names[0] for key, names in layout.items() if key in REQUIRED],
             "optional": [names[0] for key, names in layout.items() if key not in REQUIRED]}
            for provider, layout in LAYOUTS.items()]


def parse_statement(provider: str, upload: BinaryIO, filename: str) -> list[ParsedLine]:
    layout = LAYOUTS.get(provider)
    if layout is None:
        raise DomainError("order.provider_unknown", field="provider", value=provider)
    aliases = {alias.lstrip("`"): key for key, names in layout.items() for alias in names}
    rows = tabular.read_rows(upload, filename, aliases, REQUIRED, **FRAMES[provider])
    lines: list[ParsedLine] = []
    for row in rows:
        values = {k: ("" if v is None else str(v).strip().lstrip("`")) for k, v in row.values.items()}
        is_refund = values.get("kind", "") in REFUND_WORDS
        text = values.get("refund_amount") if is_refund and values.get("refund_amount") else values.get("amount", "")
        try:
            amount = Decimal(text.replace(",", "").replace("−", "-").replace("¥", "")).quantize(Decimal("0.01"))
        except (InvalidOperation, AttributeError):
            raise DomainError("statement.bad_amount", row=row.number, value=text or "—") from None
        if is_refund:
            amount = abs(amount)  # a refund is money going back, printed with a minus sign or without
        at = None
        if values.get("at"):
            try:
                at = timezone.make_aware(dt.datetime.fromisoformat(values["at"].replace("/", "-")))
            except ValueError:
                at = None
        out_no = values.get("refund_no") if is_refund and values.get("refund_no") else values["out_no"]
        lines.append(ParsedLine(row.number, "refund" if is_refund else "payment", out_no,
                                values.get("provider_no", ""), amount, at))
    return lines


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, timezone.make_aware(dt.datetime.combine(nxt, dt.time.min))


@transaction.atomic
def statement_import(*, actor: Actor, provider: str, month: str | dt.date, upload: BinaryIO,
                     filename: str) -> Statement:
    _require(actor)
    month = month_start(month)
    content = upload.read()
    digest = hashlib.sha256(content).hexdigest()
    if Statement.objects.filter(provider=provider, month=month, file_hash=digest).exists():
        raise Conflict("statement.already_imported", field="file")
    parsed = parse_statement(provider, io.BytesIO(content), filename)
    statement = Statement.objects.create(provider=provider, month=month, filename=filename[:200],
                                         imported_by_label=actor.label, file_hash=digest)
    seen: Counter[tuple[str, str]] = Counter()
    payments = {p.out_trade_no: p for p in Payment.objects.filter(provider=provider,
                                                                   out_trade_no__in=[x.out_no for x in parsed])}
    refunds = {r.out_refund_no: r for r in Refund.objects.filter(payment__provider=provider,
                                                                  out_refund_no__in=[x.out_no for x in parsed])}
    rows: list[StatementLine] = []
    for line in parsed:
        key = (line.kind, line.out_no)
        seen[key] += 1
        target = payments.get(line.out_no) if line.kind == "payment" else refunds.get(line.out_no)
        succeeded = target is not None and target.status == (PaymentStatus.SUCCEEDED if line.kind == "payment"
                                                             else RefundStatus.SUCCEEDED)
        if seen[key] > 1:
            match = LineMatch.DUPLICATE
        elif not succeeded:
            match = LineMatch.UNMATCHED
        elif target.amount != line.amount:
            match = LineMatch.AMOUNT_MISMATCH
        else:
            match = LineMatch.MATCHED
        rows.append(StatementLine(
            statement=statement, row=line.row, kind=line.kind, out_no=line.out_no[:40],
            provider_no=line.provider_no[:64], amount=line.amount, occurred_at=line.at, match=match,
            payment=target if line.kind == "payment" and succeeded else None,
            refund=target if line.kind == "refund" and succeeded else None))
    StatementLine.objects.bulk_create(rows)
    start, end = _month_bounds(month)
    listed_payments = {x.out_no for x in parsed if x.kind == "payment"}
    listed_refunds = {x.out_no for x in parsed if x.kind == "refund"}
    missing_payments = list(Payment.objects.filter(provider=provider, status=PaymentStatus.SUCCEEDED,
                                                   paid_at__gte=start, paid_at__lt=end)
                            .exclude(out_trade_no__in=listed_payments).values_list("out_trade_no", flat=True))
    missing_refunds = list(Refund.objects.filter(payment__provider=provider, status=RefundStatus.SUCCEEDED,
                                                 refunded_at__gte=start, refunded_at__lt=end)
                           .exclude(out_refund_no__in=listed_refunds).values_list("out_refund_no", flat=True))
    counts = Counter(r.match for r in rows)
    statement.report = {
        "lines": len(rows), "matched": counts[LineMatch.MATCHED],
        "unmatched": [_line(r) for r in rows if r.match == LineMatch.UNMATCHED],
        "amount_mismatch": [{**_line(r), "ours": str((r.payment or r.refund or _find(payments, refunds, r)).amount)
                             if _find(payments, refunds, r) else None}
                            for r in rows if r.match == LineMatch.AMOUNT_MISMATCH],
        "duplicates": [_line(r) for r in rows if r.match == LineMatch.DUPLICATE],
        "missing_from_statement": {"payments": missing_payments, "refunds": missing_refunds},
    }
    statement.save(update_fields=["report"])
    audit.record(actor=actor, action="statement.import", obj=statement,
                 after={"provider": provider, "month": month.isoformat(), "lines": len(rows),
                        "matched": counts[LineMatch.MATCHED]})
    return statement


def _find(payments: dict[str, Payment], refunds: dict[str, Refund], line: StatementLine) -> Any:
    return payments.get(line.out_no) if line.kind == "payment" else refunds.get(line.out_no)


def _line(r: StatementLine) -> dict[str, Any]:
    return {"row": r.row, "kind": r.kind, "out_no": r.out_no, "amount": str(r.amount)}


def settlement_candidates(month: dt.date) -> dict[int, list[Order]]:
    """Per dealer: orders whose receipt was confirmed by the end of ``month``, whose deposit was
    matched in a statement and that were never settled — an order matched late (in a later
    month's statement) is credited in the first run after its match."""
    _start, end = _month_bounds(month_start(month))
    matched = StatementLine.objects.filter(match=LineMatch.MATCHED, kind="payment").values("payment__order_id")
    orders = (Order.objects.filter(status=OrderStatus.RECEIVED, deposit_due_to_dealer=True, received_at__lt=end,
                                   pk__in=matched)
              .exclude(pk__in=SettlementLine.objects.values("order_id")).select_related("dealer").order_by("number"))
    by_dealer: dict[int, list[Order]] = {}
    for order in orders:
        by_dealer.setdefault(order.dealer_id, []).append(order)
    return by_dealer


@transaction.atomic
def settlement_run(*, actor: Actor, month: str | dt.date, expected_total: Decimal | None = None) -> list[Settlement]:
    """Create and mark settled each dealer's transfer list for the month. Running it again
    settles nothing twice: orders already settled are excluded, and the database refuses a
    second line for an order or a second settlement per dealer and month. With
    ``expected_total`` (what the person confirmed on screen) nothing is settled unless the run
    would move exactly that amount."""
    _require(actor)
    month = month_start(month)
    done = set(Settlement.objects.filter(month=month).values_list("dealer_id", flat=True))
    # a settled month: orders matched later are credited in the next month's run
    due = {dealer_id: orders for dealer_id, orders in settlement_candidates(month).items() if dealer_id not in done}
    total_due = sum((o.deposit for orders in due.values() for o in orders), Decimal("0.00"))
    if expected_total is not None and total_due != expected_total:
        raise DomainError("settlement.total_changed", field="expected_total", expected=f"{expected_total:.2f}",
                          actual=f"{total_due:.2f}")
    settled: list[Settlement] = []
    for dealer_id, orders in due.items():
        total = sum((o.deposit for o in orders), Decimal("0.00"))
        try:
            with transaction.atomic():
                settlement = Settlement.objects.create(dealer_id=dealer_id, month=month, total=total,
                                                       settled_at=timezone.now(), settled_by_label=actor.label)
                SettlementLine.objects.bulk_create([SettlementLine(settlement=settlement, order=o, amount=o.deposit)
                                                    for o in orders])
        except IntegrityError:
            continue
        audit.record(actor=actor, action="settlement.settle", obj=settlement, dealer_id=dealer_id,
                     after={"month": month.isoformat(), "orders": [o.number for o in orders], "total": total})
        settled.append(settlement)
    return settled


def transfer_list_xlsx(month: dt.date) -> bytes:
    """划款清单: one row per dealer with the account to credit and the amount, a totals row; then
    every credited order."""
    month = month_start(month)
    settlements = list(Settlement.objects.filter(month=month).select_related("dealer").order_by("dealer__code")
                       .annotate(orders=Count("lines")))
    lines = (SettlementLine.objects.filter(settlement__month=month)
             .select_related("settlement__dealer", "order").order_by("settlement__dealer__code", "order__number"))
    missing = gettext("(no account on file)")
    transfers = [[s.dealer.code, s.dealer.name, s.dealer.account_name or missing, s.dealer.account_bank or missing,
                  s.dealer.account_number or missing, s.orders, s.total,
                  timezone.localtime(s.settled_at).strftime("%Y-%m-%d %H:%M")] for s in settlements]
    transfers.append([gettext("Total"), "", "", "", "", sum(s.orders for s in settlements),
                      sum((s.total for s in settlements), Decimal("0.00")), ""])
    return tabular.xlsx_book([
        (gettext("Transfers %(month)s") % {"month": f"{month:%Y-%m}"},
         [gettext("Dealer code"), gettext("Dealer"), gettext("Account holder"), gettext("Bank and branch"),
          gettext("Account number"), gettext("Orders"), gettext("Amount (CNY)"), gettext("Settled at")], transfers),
        (gettext("Orders"),
         [gettext("Dealer code"), gettext("Dealer"), gettext("Order number"), gettext("Deposit"),
          gettext("Receipt confirmed at"), gettext("Settled at")],
         ([line.settlement.dealer.code, line.settlement.dealer.name, line.order.number, line.amount,
           timezone.localtime(line.order.received_at).strftime("%Y-%m-%d %H:%M"),
           timezone.localtime(line.settlement.settled_at).strftime("%Y-%m-%d %H:%M")] for line in lines)),
    ], bold_last=[True])


def settlement_totals(month: dt.date) -> dict[str, Decimal]:
    return {code: total for code, total in
            Settlement.objects.filter(month=month_start(month)).values_list("dealer__code")
            .annotate(t=Sum("total")).values_list("dealer__code", "t")}


__all__ = ["Dealer", "layout_help", "parse_statement", "settlement_candidates", "settlement_run", "settlement_totals",
           "statement_import", "transfer_list_xlsx"]
