"""Personas shared by every test, and the Chromium set-up for browser tests.

The network: region EAST holds dealer A (SH-001, Shanghai) and dealer B (HZ-001, Hangzhou);
region NORTH holds dealer C (BJ-001, Beijing). HQ marketing, HQ customer service, the EAST
regional manager, and at dealers A and B a manager, a DCC supervisor, a DCC agent and a sales
consultant each. Every persona logs in with ``PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "persona-pass-2026"
_PASSWORD_HASH: list[str] = []

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    if not _has_chinese_font():
        pytest.skip("no Chinese font: pages and screenshots would show empty boxes (apt-get install fonts-noto-cjk)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]}


def _has_chinese_font() -> bool:
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(found.stdout.strip())


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1366, "height": 900}}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]):  # type: ignore[no-untyped-def]
    """With AUTODCC_NO_SKIPS=1 (CI) a skipped test is a failure: CI installs every dependency."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("AUTODCC_NO_SKIPS") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI, where every dependency must be present: {reason}"


@dataclass
class Persona:
    key: str
    username: str
    staff: Any
    actor: Any
    password: str = PASSWORD

    @property
    def user(self) -> Any:
        return self.staff.user


@dataclass
class Network:
    east: Any
    north: Any
    dealer_a: Any
    dealer_b: Any
    dealer_c: Any
    people: dict[str, Persona] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Persona:
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None

    def refresh_actors(self) -> None:
        from autodcc.network.actors import actor_for_staff
        from autodcc.network.models import Staff

        for persona in self.people.values():
            persona.staff = Staff.objects.prefetch_related("grants").select_related("user").get(pk=persona.staff.pk)
            persona.actor = actor_for_staff(persona.staff)


PERSONAS = [
    # key, login, role, where
    ("hq_marketer", "p-hq-marketing", "hq_marketing", None),
    ("hq_service", "p-hq-service", "hq_service", None),
    ("hq_finance", "p-hq-finance", "hq_finance", None),
    ("regional_manager", "p-rm-east", "regional_manager", "east"),
    ("a_manager", "p-a-manager", "sales_manager", "dealer_a"),
    ("a_gm", "p-a-gm", "dealer_gm", "dealer_a"),
    ("a_supervisor", "p-a-supervisor", "dcc_supervisor", "dealer_a"),
    ("a_agent", "p-a-agent", "dcc_agent", "dealer_a"),
    ("a_consultant", "p-a-consultant", "sales_consultant", "dealer_a"),
    ("b_manager", "p-b-manager", "sales_manager", "dealer_b"),
    ("b_supervisor", "p-b-supervisor", "dcc_supervisor", "dealer_b"),
    ("b_agent", "p-b-agent", "dcc_agent", "dealer_b"),
    ("b_consultant", "p-b-consultant", "sales_consultant", "dealer_b"),
]


def build_network() -> Network:
    from autodcc.core.actors import SYSTEM
    from autodcc.network import services
    from autodcc.network.actors import actor_for_staff
    from autodcc.network.models import Region

    east = Region.objects.create(code="EAST", name="华东大区")
    north = Region.objects.create(code="NORTH", name="华北大区")
    common = {"opens_at": dt.time(8, 30), "closes_at": dt.time(18, 0), "open_weekdays": "1234567"}
    net = Network(
        east=east,
        north=north,
        dealer_a=services.dealer_create(actor=SYSTEM, code="SH-001", name="上海浦东澜川汽车销售服务有限公司",
                                        short_name="上海浦东店", region=east, city="310000",
                                        address="浦东新区龙阳路 2000 号", phone="021-58880001", **common),
        dealer_b=services.dealer_create(actor=SYSTEM, code="HZ-001", name="杭州滨江澜川汽车销售服务有限公司",
                                        short_name="杭州滨江店", region=east, city="杭州", phone="0571-86660001",
                                        **common),
        dealer_c=services.dealer_create(actor=SYSTEM, code="BJ-001", name="北京亦庄澜川汽车销售服务有限公司",
                                        short_name="北京亦庄店", region=north, city="北京市", **common),
    )
    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(make_password(PASSWORD))
    for n, (key, login, role, where) in enumerate(PERSONAS):
        place = getattr(net, where) if where else None
        dealer = place if where and where.startswith("dealer") else None
        region = place if where and not where.startswith("dealer") else None
        staff = services.staff_create(actor=SYSTEM, username=login, name=f"{key}", mobile=f"1380000{n:04d}",
                                      grants=[(role, dealer, region)])
        staff.user.password = _PASSWORD_HASH[0]
        staff.user.save(update_fields=["password"])
        net.people[key] = Persona(key, login, staff, actor_for_staff(staff))
    return net


@pytest.fixture
def net(db: Any) -> Network:
    return build_network()


@pytest.fixture
def live_net(transactional_db: Any) -> Network:
    return build_network()


@pytest.fixture
def login(client: Any) -> Any:
    """``login(persona)`` logs the Django test client in as that persona and returns it."""

    def do(persona: Persona) -> Any:
        client.force_login(persona.user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return do


@pytest.fixture(autouse=True)
def _plain_static_urls(settings: Any) -> None:
    """Tests run without a collectstatic: static URLs are the source names (served by the
    finders), not the manifest's hashed names, which only exist after collectstatic."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Each test starts with an empty cache: rate-limit counters and wake-up keys of one test
    never reach the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _outbox_after_every_response(settings: Any) -> None:
    """Each test request's outbox events are dispatched after its response (the server waits at
    least ``OUTBOX_DISPATCH_INTERVAL`` between two dispatches of a process; tests check each one)."""
    settings.OUTBOX_DISPATCH_INTERVAL = 0.0


@pytest.fixture(autouse=True)
def _fresh_memo() -> Any:
    """Each test starts with an empty per-process memo (tests change rows the memo keeps)."""
    from autodcc.core import memo

    memo.clear()
    yield
    memo.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language, whatever a previous request activated."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _tasks_inline_unless_celery(request: pytest.FixtureRequest) -> Any:
    """Tasks run inline in tests, as in the embedded default, except where a test starts a real
    Celery worker (marker ``celery``)."""
    from autodcc.celery import app

    eager = request.node.get_closest_marker("celery") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


_phones = itertools.count(1)


def lead_input(**overrides: Any) -> Any:
    """A valid consumer enquiry; each call gets a fresh mobile number unless one is given."""
    values: dict[str, Any] = {
        "name": "张伟", "phone": f"1390000{next(_phones):04d}", "channel": "autohome", "city": "上海",
        "consent_version": "2026-01", "consent_share_with_dealer": True, "model_interest": "澜川 S7",
    }
    values.update(overrides)
    from autodcc.leads.services import LeadInput

    return LeadInput(**values)


@pytest.fixture
def enquiry():
    return lead_input


# --- orders: a catalogue, an order awaiting its deposit, a paid one -----------------------------


@pytest.fixture
def catalogue(net):
    from autodcc.catalog import demo as catalog_demo
    from autodcc.catalog.models import Edition, Trim

    catalog_demo.build()
    return {"s7": Trim.objects.get(code="S7-LR"), "edition": Edition.objects.get(code="S7-TMALL")}


@pytest.fixture
def new_order(catalogue, enquiry):
    """``new_order(dealer="SH-001", edition=False)``: an order awaiting its deposit."""
    from autodcc.core.actors import consumer
    from autodcc.orders.services import order_create

    def make(dealer: str = "SH-001", edition: bool = False, **buyer: Any):
        trim = catalogue["s7"]
        return order_create(actor=consumer("tmall"), trim=trim, edition=catalogue["edition"] if edition else None,
                            buyer=enquiry(channel="tmall", dealer=dealer, city="", **buyer))

    return make


@pytest.fixture
def paid_order(new_order, django_capture_on_commit_callbacks):
    """``paid_order(...)``: an order paid through the sandbox's signed notification."""
    from autodcc.orders.models import Order
    from autodcc.orders.services import payment_start, sandbox_pay

    def make(**kwargs: Any):
        order = new_order(**kwargs)
        payment, _checkout = payment_start(order=order, provider="sandbox", return_url=f"/store/order/{order.token}/")
        with django_capture_on_commit_callbacks(execute=True):
            sandbox_pay(out_trade_no=payment.out_trade_no)
        return Order.objects.get(pk=order.pk)

    return make


@pytest.fixture
def install_parts(request):
    """``install_parts(order, dealer_actor)``: a special edition's package ordered by the dealer,
    confirmed and shipped by HQ, received and installed (ORD-6); a trim order needs none."""

    def do(order, dealer_actor) -> None:
        import datetime as dt

        from django.utils import timezone

        from autodcc.orders.services import accessory_advance, accessory_order_place

        if order.edition_id is None:
            return
        net = request.getfixturevalue("live_net" if "live_net" in request.fixturenames else "net")
        promised = timezone.localdate() + dt.timedelta(days=order.edition.package.lead_time_days)
        parts = accessory_order_place(actor=dealer_actor, order=order, promised_on=promised)
        for step, actor in (("confirmed", net.hq_service.actor), ("shipped", net.hq_service.actor),
                            ("arrived", dealer_actor), ("installed", dealer_actor)):
            parts = accessory_advance(actor=actor, accessory=parts, to=step)

    return do
