"""``manage.py demo_data`` (what ``make demo`` runs) builds the whole demo, and a second run adds
nothing."""

import pytest
from django.core.management import call_command

from autodcc.campaigns.models import Campaign
from autodcc.orders.models import AccessoryOrder, AccessoryStatus, Order, OrderStatus, Refund, RefundStatus

pytestmark = pytest.mark.django_db


def test_the_demo_builds_and_builds_again_without_adding(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo_data")
    out = capsys.readouterr().out
    assert "demo logins" in out and Campaign.objects.exists()
    delivered = Order.objects.filter(status__in=[OrderStatus.DELIVERED, OrderStatus.RECEIVED], edition__isnull=False)
    assert delivered.exists()  # an edition is delivered with its package installed
    assert all(AccessoryOrder.objects.get(order=o).status == AccessoryStatus.INSTALLED for o in delivered)
    # a refund declined by the dealer waits for customer service; a delivered car's buyer was reminded
    assert Refund.objects.filter(status=RefundStatus.DEALER_DECLINED).exists()
    assert Order.objects.filter(status=OrderStatus.DELIVERED, receipt_reminders__gte=1).exists()
    orders = Order.objects.count()
    call_command("demo_data")
    second = capsys.readouterr().out
    for added in ("+0 campaigns", "+0 leads", "+0 deposit orders", "+0 complaints", "+0 owners' cars",
                  "+0 platform leads and orders", "+0 store visits", "+0 questions"):
        assert added in second, added
    assert Order.objects.count() == orders


def test_the_demo_has_platform_leads_a_tmall_order_and_scores(settings, tmp_path):
    from autodcc.channels.models import Delivery, DeliveryKind, Outcome
    from autodcc.insights.models import PlatformScore

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo_data")
    outcomes = set(Delivery.objects.values_list("connector", "outcome"))
    assert {("tmall", Outcome.CAPTURED), ("autohome", Outcome.CAPTURED), ("yiche", Outcome.CAPTURED),
            ("dongchedi", Outcome.CAPTURED), ("autohome", Outcome.REJECTED), ("tmall", Outcome.ORDERED)} <= outcomes
    order = Delivery.objects.get(kind=DeliveryKind.ORDER).order
    assert order.status == OrderStatus.PAID and order.payments.get().provider == "tmall"
    assert PlatformScore.objects.count() == 12
