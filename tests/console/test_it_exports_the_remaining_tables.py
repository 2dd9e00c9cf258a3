"""The tables that had no Excel file yet download through the same export (KPI-6): the statement's
reconciled lines, the draw winners, the calendar's campaigns, the channel costs, the call scripts,
the opt-outs, the message templates, the test-drive fleet, a connector's deliveries, the customer
groups, the chat conversations and the question bank. Each holds the page's columns (mobiles
masked, dates as dates, amounts as numbers), only the rows the person may see, and is audited; a
role the page refuses is refused the file as well."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from autodcc.core.models import AuditLog


def cells(response):
    book = load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def text_of(rows):
    return " ".join(str(v) for row in rows for v in row if v is not None)


def column(rows, header):
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def row_with(rows, value):
    found = [row for row in rows[1:] if value in row]
    assert found, f"no row holds {value!r}"
    return dict(zip(rows[0], found[0], strict=False))


@pytest.fixture
def world(net, paid_order):
    from autodcc.assistant.models import Conversation, Entry
    from autodcc.campaigns import draw, outreach, services
    from autodcc.campaigns.models import Campaign
    from autodcc.catalog.models import Trim
    from autodcc.channels.models import Delivery
    from autodcc.customers.models import Customer, CustomerGroup
    from autodcc.messaging.models import OptOut
    from autodcc.orders.services.reconciliation import statement_import
    from autodcc.testdrives.models import Vehicle

    today = timezone.localdate()
    month = today.replace(day=1)
    w = {"today": today}
    # the statement: one line matched, one with a wrong amount, one without a payment of ours
    ok, off = paid_order(dealer="SH-001"), paid_order(dealer="HZ-001")
    pay_ok, pay_off = ok.payments.get(), off.payments.get()
    bill = ("trade_no,out_trade_no,type,amount,refund_amount,out_refund_no,time\n"
            f"{pay_ok.trade_no},{pay_ok.out_trade_no},payment,{pay_ok.amount},,,{today} 10:00:00\n"
            f"{pay_off.trade_no},{pay_off.out_trade_no},payment,1.00,,,{today} 11:00:00\n"
            f"SBX1,DO99999999999P1,payment,500.00,,,{today} 12:00:00\n")
    w["statement"] = statement_import(actor=net.hq_finance.actor, provider="sandbox", month=month,
                                      upload=io.BytesIO(bill.encode()), filename="bill.csv")
    w["ok"], w["pay_ok"], w["pay_off"] = ok, pay_ok, pay_off
    # campaigns of both dealers this month, a drawn round with its winner
    w["campaign_a"] = services.campaign_save(actor=net.a_manager.actor, campaign=Campaign(
        code="A-OPEN", name="浦东店开放日", theme="launch", dealer=net.dealer_a, starts_on=today, ends_on=today))
    services.campaign_save(actor=net.b_manager.actor, campaign=Campaign(
        code="B-OPEN", name="滨江店试驾周", theme="launch", dealer=net.dealer_b, starts_on=today, ends_on=today))
    brand = services.campaign_save(actor=net.hq_marketer.actor, campaign=Campaign(
        code="LAUNCH", name="全国上市日", theme="launch", starts_on=today, ends_on=today))
    now = timezone.now()
    rnd = draw.round_prepare(actor=net.hq_marketer.actor, campaign=brand, number=1,
                             opens_at=now - dt.timedelta(hours=2), closes_at=now - dt.timedelta(hours=1),
                             prize="澜川 S7 七日用车权")
    for n in range(3):
        draw.entry_submit(draw_round=rnd, now=rnd.opens_at + dt.timedelta(minutes=1), name=f"抽奖者{n}",
                          raw_phone=f"1380013{n:04d}", city="上海", consent=True)
    draw.round_close(rnd, now=rnd.closes_at + draw.CLOSE_GRACE)
    draw.round_draw(actor=net.hq_marketer.actor, draw_round=rnd)
    # costs, scripts, fleet and groups at both dealers
    services.channel_cost_set(actor=net.a_manager.actor, dealer=net.dealer_a, channel="autohome", month=month,
                              amount=Decimal("12345.60"))
    services.channel_cost_set(actor=net.b_manager.actor, dealer=net.dealer_b, channel="yiche", month=month,
                              amount=Decimal("777.00"))
    outreach.script_save(actor=net.a_manager.actor, title="浦东首呼", situation="first_call", dealer=net.dealer_a,
                         body="您好，我是浦东店顾问。")
    outreach.script_save(actor=net.b_manager.actor, title="滨江首呼", situation="first_call", dealer=net.dealer_b,
                         body="您好，我是滨江店顾问。")
    trim = Trim.objects.first()
    Vehicle.objects.create(dealer=net.dealer_a, trim=trim, colour="星河白", plate="沪A12345")
    Vehicle.objects.create(dealer=net.dealer_b, trim=trim, colour="曜石黑", plate="浙A54321")
    for name, dealer in (("浦东老客户", net.dealer_a), ("滨江老客户", net.dealer_b)):
        CustomerGroup.objects.create(name=name, dealer=dealer, criteria={}, created_by_label="test", member_count=3)
    # messaging, connectors, the assistant
    OptOut.objects.create(phone="13912345678", source="console")
    Delivery.objects.create(connector="autohome", kind="lead", platform_id="AH-0001", via="push", body="{}",
                            item={"name": "汽车之家客户", "mobile": "13987654321"}, outcome="rejected",
                            error=[{"code": "x", "message": "城市不明"}])
    Delivery.objects.create(connector="yiche", kind="lead", platform_id="YC-0001", via="push", body="{}",
                            item={"name": "易车客户"}, outcome="captured")
    customer = Customer.objects.create(name="在线咨询客户", phone="13911112222")
    w["chat"] = Conversation.objects.create(status="waiting", customer=customer, handover_reason="asked",
                                            handed_over_at=now)
    Conversation.objects.create(status="bot")  # never handed over: not in the queue
    Entry.objects.create(question="定金可以退吗？", answer="交车前可申请退还定金。", category="buying")
    Entry.objects.create(question="门店几点营业？", answer="以各门店公布的营业时间为准。", category="buying")
    return w


# URL (or a function of the world giving it) → persona, export name, what must be in it, what must not,
# a persona the page refuses and with what status
CASES = {
    "statement_lines": (lambda w: reverse("console:statement_detail", args=[w["statement"].pk]), "hq_finance",
                        "DO99999999999P1", None, "hq_service", 403),
    "prizes": (lambda w: reverse("console:prizes"), "hq_service", "抽奖者", None, "a_manager", 403),
    "campaigns": (lambda w: reverse("console:campaign_calendar"), "a_manager", "浦东店开放日", "滨江店试驾周",
                  None, None),
    "channel_costs": (lambda w: reverse("console:channel_costs"), "a_manager", 12345.6, 777, "a_agent", 403),
    "scripts": (lambda w: reverse("console:scripts"), "a_manager", "浦东首呼", "滨江首呼", None, None),
    "optouts": (lambda w: reverse("console:optout_list"), "hq_service", "139****5678", "13912345678",
                "a_manager", 403),
    "templates": (lambda w: reverse("console:template_list"), "hq_marketer", "到店确认", None, "hq_service", 403),
    "fleet": (lambda w: reverse("console:fleet"), "a_manager", "沪A12345", "浙A54321", "a_agent", 403),
    "deliveries": (lambda w: reverse("console:channel_detail", args=["autohome"]), "hq_service", "AH-0001",
                   "YC-0001", "a_manager", 403),
    "groups": (lambda w: reverse("console:group_list"), "a_manager", "浦东老客户", "滨江老客户", "a_agent", 403),
    "chats": (lambda w: reverse("console:chat_queue"), "hq_service", "在线咨询客户", "13911112222",
              "hq_marketer", 403),
    "faq": (lambda w: reverse("console:faq_list") + "?q=定金", "hq_marketer", "定金可以退吗？", "门店几点营业",
            "a_manager", 403),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_table_downloads_with_the_pages_columns_its_rows_and_an_audit_entry(net, login, world, name):
    from autodcc.console.exports import LISTS

    url_of, who, present, absent, _refused, _status = CASES[name]
    url = url_of(world)
    persona = getattr(net, who)
    client = login(persona)
    page = client.get(url)
    assert page.status_code == 200
    assert "data-export" in page.content.decode() and "format=xlsx" in page.content.decode()
    response = client.get(url + ("&" if "?" in url else "?") + "format=xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = cells(response)
    assert rows[0] == [str(c.label) for c in LISTS[name][1]] and len(rows) >= 2
    flat = text_of(rows)
    assert present in flat if isinstance(present, str) else present in [v for row in rows for v in row]
    if absent is not None:
        assert (absent not in flat) if isinstance(absent, str) else absent not in [v for row in rows for v in row]
    entry = AuditLog.objects.filter(action="file.download", object_type=f"list.{name}").latest("pk")
    assert entry.actor_user_id == persona.user.pk and entry.changes["rows"][1] == len(rows) - 1
    if not persona.actor.is_hq:
        assert entry.dealer_id == net.dealer_a.pk  # the dealer's own trail holds it


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case[4]])
def test_a_role_the_page_refuses_gets_no_file_and_leaves_no_download(net, login, world, name):
    url_of, _who, _present, _absent, refused, status = CASES[name]
    client = login(getattr(net, refused))
    url = url_of(world)
    assert client.get(url).status_code == status
    assert client.get(url + ("&" if "?" in url else "?") + "format=xlsx").status_code == status
    assert not AuditLog.objects.filter(action="file.download").exists()


def test_the_statement_file_holds_every_line_with_its_result_amounts_as_numbers(net, login, world):
    client = login(net.hq_finance)
    rows = cells(client.get(reverse("console:statement_detail", args=[world["statement"].pk]) + "?format=xlsx"))
    assert rows[0][:8] == ["行号", "类型", "我方单号", "服务商交易号", "支付或退款时间", "对账单金额", "我方金额", "结果"]
    assert len(rows) == 4
    matched = row_with(rows, world["pay_ok"].out_trade_no)
    assert matched["结果"] == "已匹配" and matched["订单号"] == world["ok"].number
    assert matched["对账单金额"] == float(world["pay_ok"].amount) and isinstance(matched["对账单金额"], (int, float))
    assert isinstance(matched["支付或退款时间"], dt.datetime) and matched["支付或退款时间"].hour == 10
    wrong = row_with(rows, world["pay_off"].out_trade_no)
    assert wrong["结果"] == "金额不符" and wrong["对账单金额"] == 1 and wrong["我方金额"] == float(world["pay_off"].amount)
    extra = row_with(rows, "DO99999999999P1")
    assert extra["我方金额"] is None and extra["订单号"] is None


def test_dates_stay_dates_and_the_calendar_export_follows_the_period_shown(net, login, world):
    client = login(net.a_manager)
    rows = cells(client.get(reverse("console:campaign_calendar") + "?format=xlsx"))
    mine = row_with(rows, "浦东店开放日")
    assert mine["开始日期"].date() == world["today"] and mine["主办方"] == str(net.dealer_a)
    assert "全国上市日" in text_of(rows)  # the brand's campaign is on a dealer's calendar too
    year = world["today"].year + 3
    assert len(cells(client.get(reverse("console:campaign_calendar") + f"?view=year&year={year}&format=xlsx"))) == 1


def test_the_scripts_file_follows_the_pages_search(net, login, world):
    client = login(net.hq_marketer)
    rows = cells(client.get(reverse("console:scripts") + "?q=滨江&format=xlsx"))
    assert [r[0] for r in rows[1:]] == ["滨江首呼"]  # HQ sees every dealer's scripts; the search narrows them


def test_the_fleet_file_is_the_dealers_own_whichever_dealer_is_asked_for(net, login, world):
    rows = cells(login(net.b_manager).get(reverse("console:fleet") + f"?dealer={net.dealer_a.pk}&format=xlsx"))
    assert "沪A12345" not in text_of(rows) and "浙A54321" in text_of(rows)


def test_a_connectors_file_can_hold_only_the_failed_deliveries(net, login, world):
    from autodcc.channels.models import Delivery

    Delivery.objects.create(connector="autohome", kind="lead", platform_id="AH-0002", via="push", body="{}",
                            item={"name": "已入库客户"}, outcome="captured")
    client = login(net.hq_service)
    url = reverse("console:channel_detail", args=["autohome"])
    everything = cells(client.get(url + "?format=xlsx"))
    failed = cells(client.get(url + "?failed=1&format=xlsx"))
    assert {r[0] for r in everything[1:]} == {"AH-0001", "AH-0002"} and [r[0] for r in failed[1:]] == ["AH-0001"]
    row = row_with(failed, "AH-0001")
    assert row["手机号"] == "139****4321" and row["原因"] == "城市不明"


def test_the_chat_file_lists_the_handed_over_conversations_masked(net, login, world):
    rows = cells(login(net.hq_service).get(reverse("console:chat_queue") + "?format=xlsx"))
    assert len(rows) == 2  # the conversation the assistant kept to itself is not in it
    chat = row_with(rows, world["chat"].pk)
    assert chat["手机号"] == "139****2222" and isinstance(chat["开始等待"], dt.datetime)


def test_a_long_table_is_capped_with_a_note(net, login, world, monkeypatch):
    from autodcc.console import exports

    monkeypatch.setattr(exports, "MAX_ROWS", 1)
    rows = cells(login(net.hq_service).get(reverse("console:prizes") + "?format=xlsx"))
    assert len(rows) == 2  # one winner only so far: nothing cut
    rows = cells(login(net.hq_marketer).get(reverse("console:template_list") + "?format=xlsx"))
    assert len(rows) == 3 and "仅导出前 1 行" in rows[-1][0]
