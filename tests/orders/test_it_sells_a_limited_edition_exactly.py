"""A limited special edition (CAT-5): exactly as many orders as cars, even when buyers press at once;
an unpaid order holds its car for half an hour, then the car is free again."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from autodcc.catalog import demo as catalog_demo
from autodcc.catalog.models import Edition, Trim
from autodcc.core.actors import consumer
from autodcc.core.errors import Conflict, DomainError
from autodcc.orders.models import Order
from autodcc.orders.services import order_create, payment_start
from autodcc.orders.services.ordering import edition_left


def order(enquiry, edition, n):
    return order_create(actor=consumer("store"), trim=edition.trim, edition=edition,
                        buyer=enquiry(channel="storefront", dealer="SH-001", city="", phone=f"1392222{n:04d}"))


@pytest.fixture
def limited(net):
    catalog_demo.build()
    edition = Edition.objects.get(code="S7-TMALL")
    edition.quantity = 2
    edition.save(update_fields=["quantity"])
    return edition


def test_the_last_car_goes_once_and_then_the_edition_is_sold_out(client, limited, enquiry):
    first, second = order(enquiry, limited, 1), order(enquiry, limited, 2)
    assert edition_left(limited) == 0
    with pytest.raises(Conflict) as sold_out:
        order(enquiry, limited, 3)
    assert sold_out.value.code == "order.sold_out" and "2" in sold_out.value.message
    page = client.get(f"/store/trims/{limited.trim.slug}/").content.decode()
    assert 'data-left="0"' in page and f'data-edition="{limited.slug}"' not in page  # no deposit button
    # an unpaid order past its payment window frees its car, and can no longer be paid
    Order.objects.filter(pk=first.pk).update(pay_by=timezone.now() - dt.timedelta(seconds=1))
    assert edition_left(limited) == 1
    third = order(enquiry, limited, 3)
    with pytest.raises(DomainError) as refused:
        payment_start(order=first, provider="sandbox", return_url=f"/store/order/{first.token}/")
    assert refused.value.code == "order.closed_unpaid"
    payment_start(order=second, provider="sandbox", return_url="/")  # within its window: fine
    payment_start(order=third, provider="sandbox", return_url="/")
    assert Order.objects.filter(edition=limited).count() == 3


def test_an_edition_without_a_limit_is_never_sold_out(net, enquiry):
    catalog_demo.build()
    edition = Edition.objects.get(code="S7-TMALL")
    assert edition.quantity is None and edition_left(edition) is None
    for n in range(3):
        order(enquiry, edition, n)


def test_buyers_pressing_at_once_get_exactly_the_cars_there_are(live_net, enquiry):
    catalog_demo.build()
    edition = Edition.objects.get(code="S7-TMALL")
    edition.quantity = 3
    edition.save(update_fields=["quantity"])
    Trim.objects.filter(pk=edition.trim_id).update(is_active=True)

    def buy(n):
        try:
            order(enquiry, edition, n)
            return "ok"
        except Conflict:
            return "sold out"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(buy, range(12)))
    assert results.count("ok") == 3 and results.count("sold out") == 9
    assert Order.objects.filter(edition=edition).count() == 3


def test_a_payment_after_the_last_car_was_sold_is_kept_and_sent_back(limited, enquiry, django_capture_on_commit_callbacks):
    """The buyer paid at the payment company after the deadline, when the last car had gone to
    someone else: the money is taken (never turned away) and a refund is opened at once."""
    from autodcc.core.models import AuditLog
    from autodcc.orders.models import OrderStatus, RefundStatus
    from autodcc.orders.services import sandbox_pay

    late = order(enquiry, limited, 1)
    payment, _checkout = payment_start(order=late, provider="sandbox", return_url="/")
    Order.objects.filter(pk=late.pk).update(pay_by=timezone.now() - dt.timedelta(seconds=1))  # the hold ended
    others = [order(enquiry, limited, n) for n in (2, 3)]  # both cars taken by others
    for other in others:
        paid, _c = payment_start(order=other, provider="sandbox", return_url="/")
        with django_capture_on_commit_callbacks(execute=True):
            sandbox_pay(out_trade_no=paid.out_trade_no)
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_pay(out_trade_no=payment.out_trade_no)
    late.refresh_from_db()
    refund = late.refunds.get()
    assert late.status == OrderStatus.PAID and refund.status == RefundStatus.REQUESTED
    assert refund.amount == late.deposit and AuditLog.objects.filter(action="order.oversold").count() == 1
    assert edition_left(limited) == 0 and all(Order.objects.get(pk=o.pk).status == OrderStatus.PAID for o in others)
