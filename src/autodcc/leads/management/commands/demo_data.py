from typing import Any

from django.core.management.base import BaseCommand

from autodcc.aftercare import demo as care_demo
from autodcc.analytics import demo as analytics_demo
from autodcc.assistant import demo as assistant_demo
from autodcc.campaigns import demo as campaign_demo
from autodcc.catalog import demo as catalog_demo
from autodcc.channels import demo as channel_demo
from autodcc.feedback import demo as feedback_demo
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
        parts = [f"+{result.regions} regions", f"+{result.dealers} dealers", f"+{result.staff} staff",
                 f"+{trims} trims", f"+{cars} test-drive cars", f"+{campaigns} campaigns", f"+{leads} leads",
                 f"+{orders} deposit orders"]
        parts.append(f"+{feedback_demo.build()} complaints")
        parts.append(f"+{care_demo.build()} owners' cars in after-sales care")
        parts.append(f"+{channel_demo.build()} platform leads and orders")
        parts.append(f"+{analytics_demo.build()} store visits")
        self.stdout.write("demo data: " + ", ".join(parts) + " (nothing is added twice)")
        self.stdout.write(f"assistant: +{assistant_demo.build()} questions in the FAQ bank")
        self.stdout.write(f"demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for login, what in result.logins:
            self.stdout.write(f"  {login:<14} {what}")
