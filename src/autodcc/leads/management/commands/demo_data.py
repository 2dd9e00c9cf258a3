from typing import Any

from django.core.management.base import BaseCommand

from autodcc.analytics import demo as analytics_demo
from autodcc.campaigns import demo as campaign_demo
from autodcc.catalog import demo as catalog_demo
from autodcc.leads import demo as lead_demo
from autodcc.network import demo
from autodcc.orders import demo as order_demo
from autodcc.testdrives import demo as testdrive_demo


class Command(BaseCommand):
    help = "Create (or complete) the demo network, its staff and demo leads. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo.build()
        trims = catalog_demo.build()
        cars = testdrive_demo.build()
        campaigns = campaign_demo.build()
        leads = lead_demo.build()
        orders = order_demo.build()
        visits = analytics_demo.build()
        self.stdout.write(
            f"demo data: +{result.regions} regions, +{result.dealers} dealers, +{result.staff} staff, "
            f"+{trims} trims, +{cars} test-drive cars, +{campaigns} campaigns, +{leads} leads, +{orders} deposit orders, "
            f"+{visits} store visits "
            f"(nothing is added twice)"
        )
        self.stdout.write(f"demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for login, what in result.logins:
            self.stdout.write(f"  {login:<14} {what}")
