import time
from django.db import connection
from django.test.utils import CaptureQueriesContext

def test_smoke(shop, client):
    urls = ["/store/", "/store/series/s7/", "/store/trims/s7-long-range/", "/store/compare/?trims=s7-long-range&trims=s7-erev",
            "/store/compare/?trims=s7-long-range&trims=s7-erev&diff=1",
            "/store/calculator/?trim=s5-entry&down_payment=12900&months=36&offer=rate&annual_rate=4",
            "/store/calculator/?trim=s5-entry&down_payment=12900&months=36&offer=fee&fee=4000",
            "/store/recommend/?budget=250000&seats=5&energy=nev&use=family&must_have=sunroof",
            "/store/testdrive/", "/store/testdrive/?trim=s7-long-range", "/store/testdrive/?trim=s7-long-range&city=上海",
            "/store/testdrive/?trim=s7-long-range&dealer=SH-001", "/store/enquiry/", "/store/privacy/", "/sitemap.xml"]
    for url in urls:
        client.get(url)
    for url in urls:
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter(); r = client.get(url); ms = (time.perf_counter() - t) * 1000
        print(url, r.status_code, f"{ms:.1f}ms", len(q.captured_queries), "queries")
        assert r.status_code == 200, r.content.decode()[:3000]
