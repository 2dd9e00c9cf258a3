import re
from django.urls import reverse

def test_dump(scenario, net, login):
    client = login(net.a_manager)
    client.post(reverse("console:insights_daily") + "?day=2026-10-06", {"leads": 10, "arrivals": 4, "orders": 2})
    html = client.get(reverse("console:insights_daily"), {"day": "2026-10-06"}).content.decode()
    open("/tmp/daily.html", "w").write(html)
    for name, params in (("insights", {"month": "2026-09"}), ("insights_defeats", {"month": "2026-09"}), ("insights_compare", {"month": "2026-09"}), ("insights_monthly", {"month": "2026-09"})):
        open(f"/tmp/{name}.html", "w").write(client.get(reverse(f"console:{name}"), params).content.decode())
    hq = login(net.hq_marketer)
    open("/tmp/compare_hq.html", "w").write(hq.get(reverse("console:insights_compare"), {"month": "2026-09"}).content.decode())
    open("/tmp/daily_hq.html", "w").write(hq.get(reverse("console:insights_daily"), {"day": "2026-10-06"}).content.decode())
