"""After-sales personas and a delivered car: a service advisor at dealers A and B, the demo
models' maintenance schedules, and ``delivered(...)`` — an order paid through the sandbox and
taken to delivery by the dealer, the way the order pages do it."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

_n = itertools.count(1)


def add_advisors(net: Any) -> dict[str, Any]:
    from autodcc.core.actors import SYSTEM
    from autodcc.network import services
    from autodcc.network.actors import actor_for_staff
    from tests.conftest import Persona

    made = {}
    for key, dealer, mobile in (("a_advisor", net.dealer_a, "13800009901"), ("b_advisor", net.dealer_b, "13800009902")):
        staff = services.staff_create(actor=SYSTEM, username=f"p-{key}", name=key, mobile=mobile,
                                      grants=[("service_advisor", dealer, None)])
        staff.user.password = net.a_agent.user.password  # the personas' one password
        staff.user.save(update_fields=["password"])
        net.people[key] = made[key] = Persona(key, f"p-{key}", staff, actor_for_staff(staff))
    return made


def add_schedules() -> dict[str, Any]:
    """Every catalogue model: first service at 6 months or 5,000 km, then every 12 months or 10,000 km."""
    from autodcc.aftercare.models import MaintenanceSchedule
    from autodcc.catalog import demo as catalog_demo
    from autodcc.catalog.models import CarModel

    catalog_demo.build()
    return {m.code: MaintenanceSchedule.objects.get_or_create(
        car_model=m, defaults={"first_months": 6, "first_km": 5000, "every_months": 12, "every_km": 10000,
                               "offer": "保养工时费8折"})[0] for m in CarModel.objects.all()}


def deliver(net: Any, dealer: str = "SH-001", on: dt.date | None = None, **buyer: Any) -> Any:
    """A car bought online and delivered by the dealer; its purchase date moved to ``on``."""
    from autodcc.aftercare.services import care_refresh
    from autodcc.catalog.models import Trim
    from autodcc.core.actors import consumer
    from autodcc.customers.models import Vehicle
    from autodcc.leads.services import LeadInput
    from autodcc.orders import handlers
    from autodcc.orders.services import order_create, order_record_step, payment_start

    n = next(_n)
    values = {"name": "车主", "phone": f"1392222{n:04d}", "channel": "tmall", "dealer": dealer,
              "consent_version": "2026-01", "consent_share_with_dealer": True, **buyer}
    order = order_create(actor=consumer("tmall"), trim=Trim.objects.get(code="S7-LR"), buyer=LeadInput(**values))
    payment, _checkout = payment_start(order=order, provider="sandbox", return_url="/")
    handlers.sandbox_notify({"kind": "payment", "out_trade_no": payment.out_trade_no, "amount": str(payment.amount)})
    manager = net.a_manager if dealer == "SH-001" else net.b_manager
    for step in ("visited", "contracted", "delivered"):
        order = order_record_step(actor=manager.actor, order=order, step=step,
                                  vin=f"LVGCARE{n:010d}" if step == "delivered" else "")
    vehicle = Vehicle.objects.get(pk=order.vehicle_id)
    if on is not None:
        Vehicle.objects.filter(pk=vehicle.pk).update(purchase_date=on)
        vehicle.mileage_readings.filter(source="purchase").update(read_on=on)
        vehicle.refresh_from_db()
        care_refresh(vehicle=vehicle)
    return vehicle


@pytest.fixture
def advisors(net):
    return add_advisors(net)


@pytest.fixture
def schedules(net):
    return add_schedules()


@pytest.fixture
def delivered(net, schedules):
    def make(dealer: str = "SH-001", on: dt.date | None = None, **buyer: Any):
        return deliver(net, dealer, on, **buyer)

    return make
