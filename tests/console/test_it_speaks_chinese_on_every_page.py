"""Every console page as each persona reads it in Chinese: no English sentence, no raw code
(snake_case values, dotted action names, Python reprs) where people read.

The crawl follows the navigation and the links to objects from each list, one page per kind, on
a network with leads at every stage, an order, a refund request, a test drive and messages."""

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from autodcc.core.actors import SYSTEM
from autodcc.leads import services as leads

# words that are Chinese pages' own: names, units, standards and the product's name
ALLOWED = {
    "autodcc", "DCC", "Excel", "API", "CSV", "GCJ", "CNY", "VIN", "SMS", "URL", "HTTP", "HTTPS", "WeChat", "Pro", "Max",
    "Vonng", "adcode", "BY", "CC", "Lite", "EREV", "PHEV", "BEV", "SUV", "MPV", "NPS", "Air", "Plus", "Ultra",
    "TMALL", "Tmall", "JSON", "xlsx", "openid", "Token", "token", "Bearer", "tel", "CDN", "ECharts", "Apache",
    "English",  # the language switch offers English in English
}
ENGLISH = re.compile(r"\b[A-Za-z][a-z]{2,}(?:\s+[a-z]{2,}){1,}\b|\b[A-Za-z][a-z]{3,}\b")  # English words
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # a stored code such as contact_about_purchase
DOTTED = re.compile(r"\b(?:lead|order|refund|appointment|testdrive|settlement|statement|dealer|staff)\.[a-z_]+\b")
REPR = re.compile(r"\{'[a-z_]+':|object \(\d+\)|<[A-Z][a-zA-Z]+: ")


class Text(HTMLParser):
    """The text a person reads (and attribute text they see: placeholders, titles, labels)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template", "code", "textarea"):  # code and what was typed in
            self._skip += 1
        values = dict(attrs)
        for name in ("placeholder", "title", "aria-label", "alt"):
            if values.get(name):
                self.parts.append(values[name])
        if tag == "a" and values.get("href", "").startswith("/console/"):
            self.links.append(values["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "code", "textarea") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


# the sandbox's statement columns, shown as the file heads them
FILE_HEADERS = {"trade_no", "out_trade_no", "refund_amount", "out_refund_no", "amount", "time", "type"}
# links in message texts (and the store's pages a FAQ answer links to), a provider's message id
URL = re.compile(r"https?://\S+|(?<![\w/])/store/[\w/.-]*|\bconsole-\d+\b")


def problems(html: str, names: set[str] = frozenset()) -> list[str]:
    reader = Text()
    reader.feed(html)
    text = URL.sub(" ", "\n".join(reader.parts))
    found = []
    for pattern in (ENGLISH, SNAKE, DOTTED, REPR):
        for match in pattern.finditer(text):
            words = set(re.findall(r"[A-Za-z]+", match.group(0)))
            if pattern is ENGLISH and words <= ALLOWED:
                continue
            if match.group(0) in names or match.group(0) in FILE_HEADERS:
                continue
            found.append(match.group(0))
    return found


def links_of(html: str) -> list[str]:
    reader = Text()
    reader.feed(html)
    return reader.links


# one page per kind of object (the first link of each pattern is enough)
KINDS = [re.compile(p) for p in (
    r"^/console/leads/\d+/$", r"^/console/customers/\d+/$", r"^/console/orders/\d+/$", r"^/console/dealers/\d+/$",
    r"^/console/staff/\d+/$", r"^/console/testdrives/\d+/$", r"^/console/messages/\d+/$",
    r"^/console/groups/\d+/$", r"^/console/finance/statements/\d+/$", r"^/console/insights/daily/\d+/$",
    r"^/console/insights/monthly/\d+/$", r"^/console/complaints/\d+/$",
    r"^/console/insights/monthly/\d+/$", r"^/console/chats/\d+/$", r"^/console/faq/\d+/$",
    r"^/console/insights/monthly/\d+/$", r"^/console/channels/deliveries/\d+/$",
    r"^/console/channels/scores/imports/\d+/$",
)]
SKIP = re.compile(r"(\.xlsx|format=xlsx|/logout/|/edit/|/new/|/import/)")


@pytest.fixture
def world(net, enquiry, paid_order, catalogue):
    from autodcc.orders.services import refund_request
    from autodcc.testdrives import services as td
    from autodcc.testdrives.models import Vehicle

    a = [leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", name=f"客户{i}", phone=f"1391111000{i}")).lead
         for i in range(4)]
    leads.lead_follow_up(actor=net.a_agent.actor, lead=a[0], kind="call_out", result="no_answer")
    leads.lead_request_defeat(actor=net.a_agent.actor, lead=a[0], kind="defeat", reason="price")
    when = timezone.localtime() + dt.timedelta(days=2)
    day = when.date()
    while not td.slot_starts(net.dealer_a, day):
        day += dt.timedelta(days=1)
    leads.lead_invite(actor=net.a_agent.actor, lead=a[1], scheduled_at=td.slot_starts(net.dealer_a, day)[1])
    leads.lead_register_arrival(actor=net.a_agent.actor, lead=a[2])
    leads.lead_handover(actor=net.a_agent.actor, lead=a[2], to_staff=net.a_consultant.staff, note="关注续航")
    Vehicle.objects.create(dealer=net.dealer_a, trim=catalogue["s7"])
    td.booking_create(actor=SYSTEM, trim=catalogue["s7"], dealer=net.dealer_a,
                      starts_at=td.slot_starts(net.dealer_a, day)[2], lead=enquiry(channel="storefront", city=""))
    order = paid_order(name="付款客户")
    refund_request(token=order.token, reason="不买了")
    _complaints(net, order)
    _assistant_world(net, order)
    _platform_deliveries()
    return a


def _complaints(net, order):
    """Complaints in several states, one escalated, one resolved and confirmed."""
    from autodcc.core.actors import consumer
    from autodcc.feedback import services as feedback

    def file(category, **values):
        data = feedback.ComplaintInput(**{"name": "投诉客户", "phone": "13922220001", "category": category,
                                          "description": "等了很久没有回复", "consent_version": "2026-01",
                                          "consent_share": True, **values})
        return feedback.complaint_file(actor=consumer("storefront 139****0001"), data=data, source="store")[0]

    escalated = file("delivery", order=order.number, phone=order.customer.phone)
    feedback.escalate_due(now=escalated.resolve_by + dt.timedelta(days=30))
    done = file("sales_service", dealer="SH-001")
    feedback.complaint_assign(actor=net.a_manager.actor, complaint=done, assignee=net.a_supervisor.staff, note="请跟进")
    feedback.complaint_start(actor=net.a_supervisor.actor, complaint=done, note="已致电")
    done = feedback.complaint_resolve(actor=net.a_supervisor.actor, complaint=done, resolution="已补发赠品")
    feedback.consumer_decide(token=done.link_token, accept=True)
    file("online_store")


def _assistant_world(net, order):
    """The question bank, a conversation answered, handed over and replied to, an unanswered question."""
    from autodcc.assistant import services as assistant

    assistant.bank_load(actor=SYSTEM)
    chat = assistant.conversation_start(phone=order.customer.phone)
    assistant.ask(conversation=chat, text="订金可以退吗")
    assistant.ask(conversation=chat, text="车机能装抖音吗")
    assistant.agent_reply(actor=net.hq_service.actor, conversation=chat, text="您好，暂不支持。")


def _platform_deliveries():
    """A Tmall lead captured, one refused by the lead rules, one push refused (the connector pages)."""
    from django.test import Client, override_settings

    from tests.channels import fakes

    channels = {"tmall": {"app_key": fakes.TMALL["app_key"], "secret": fakes.TMALL["secret"], "max_skew_seconds": 600,
                          "consent_version": "天猫平台授权"}}
    with override_settings(CHANNELS=channels):
        platform = Client()
        fakes.qimen_push(platform, fakes.tmall_lead(mobile="13911119999"))
        fakes.qimen_push(platform, fakes.tmall_lead(mobile="123", attr="{lead_no:'TM-REFUSED'}"))
        fakes.qimen_push(platform, fakes.tmall_lead(), secret="wrong")


PERSONAS = ["hq_marketer", "hq_service", "hq_finance", "regional_manager", "a_gm", "a_manager", "a_supervisor",
            "a_agent", "a_consultant"]


@pytest.mark.parametrize("who", PERSONAS)
def test_every_page_reads_in_chinese(net, login, world, who):
    from autodcc.network.models import Staff

    # the test personas' names and logins ("p-a-agent"), and the label the test orders' buyer acts under
    names = {part for pair in Staff.objects.values_list("name", "user__username") for n in pair
             for part in (n, *re.split(r"[-_ ]", n))} | {"tmall"}
    client = login(getattr(net, who))
    home = client.get("/console/", follow=True)
    seen, queue, found = set(), ["/console/", *links_of(home.content.decode())], {}
    kinds_done: set[int] = set()
    while queue and len(seen) < 60:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or SKIP.search(url) or not path.startswith("/console/"):
            continue
        kind = next((i for i, k in enumerate(KINDS) if k.match(path)), None)
        if kind is not None:
            if kind in kinds_done:
                continue
            kinds_done.add(kind)
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        bad = problems(html, names)
        if bad:
            found[url] = sorted(set(bad))[:8]
        queue.extend(link for link in links_of(html) if link not in seen)
    assert len(seen) >= 8, seen  # the crawl reached the persona's pages
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
