"""Campaigns (CMP-1, CMP-2, CMP-8): a dealer's sales manager plans one in the console; its code
comes with leads from the store's links, the API, the import and staff entry, and only for the
dealers it belongs to; the plan is fixed a month ahead; the summary's cost per lead and per deal
are the spend divided by the leads and deals the campaign brought."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from autodcc.campaigns import services
from autodcc.campaigns.models import BudgetLine, Campaign, ChannelCost
from autodcc.core.actors import SYSTEM
from autodcc.core.errors import DomainError, Forbidden
from autodcc.core.models import AuditLog
from autodcc.insights import queries
from autodcc.leads import services as leads
from autodcc.leads.models import Capture, Lead


@pytest.fixture
def weekend(net):
    """Dealer A's launch weekend, planned by its sales manager a week ahead (so the plan is fixed)."""
    start = timezone.localdate() + dt.timedelta(days=7)
    return services.campaign_save(actor=net.a_manager.actor, campaign=Campaign(
        code="sh-launch", name="S7 上市周末", theme="launch", dealer=net.dealer_a, starts_on=start,
        ends_on=start + dt.timedelta(days=1), target_leads=4, target_deals=2))


def test_a_sales_manager_plans_a_campaign_in_the_console(net, login):
    client = login(net.a_manager)
    start = timezone.localdate() + dt.timedelta(days=45)
    response = client.post(reverse("console:campaign_new"), {
        "code": "sh-an5", "name": "五周年店庆", "theme": "anniversary", "dealer": net.dealer_a.pk,
        "starts_on": start.isoformat(), "ends_on": (start + dt.timedelta(days=1)).isoformat(),
        "target_leads": "80", "target_arrivals": "30", "target_test_drives": "20", "target_deals": "8"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.code == "SH-AN5" and campaign.dealer == net.dealer_a
    assert not campaign.is_fixed() and AuditLog.objects.filter(action="campaign.create").count() == 1
    calendar = client.get(reverse("console:campaign_calendar") + f"?month={start:%Y-%m}").content.decode()
    assert 'data-campaign="SH-AN5"' in calendar
    year = client.get(reverse("console:campaign_calendar") + f"?view=year&year={start.year}").content.decode()
    assert 'data-campaign="SH-AN5"' in year
    other = login(net.b_manager).get(reverse("console:campaign_calendar") + f"?month={start:%Y-%m}").content.decode()
    assert 'data-campaign="SH-AN5"' not in other  # another dealer's plan is not theirs to see
    taken = login(net.a_manager).post(reverse("console:campaign_new"), {
        "code": "SH-AN5", "name": "x", "theme": "other", "dealer": net.dealer_a.pk, "starts_on": start.isoformat(),
        "ends_on": start.isoformat(), "target_leads": 0, "target_arrivals": 0, "target_test_drives": 0,
        "target_deals": 0})
    assert taken.status_code == 200 and Campaign.objects.count() == 1


def test_a_manager_may_not_plan_for_another_dealer(net, weekend):
    with pytest.raises(Forbidden):
        services.campaign_save(actor=net.b_manager.actor, campaign=Campaign(
            code="B-X", name="x", dealer=net.dealer_a, starts_on=weekend.starts_on, ends_on=weekend.ends_on))
    with pytest.raises(Forbidden):  # nor the brand's
        services.campaign_save(actor=net.a_gm.actor, campaign=Campaign(
            code="BRAND-X", name="x", starts_on=weekend.starts_on, ends_on=weekend.ends_on))


def test_leads_count_toward_the_campaign_whose_code_they_carry(net, client, weekend, enquiry, catalogue):
    # the store: a link with ?c= and a later enquiry in the same visit
    client.get("/store/?c=sh-launch")
    sent = client.post("/store/enquiry/", {"trim": catalogue["s7"].slug, "city": "上海", "name": "陈静",
                                           "phone": "13712345678", "consent_privacy": "on",
                                           "consent_share_with_dealer": "on"})
    assert sent.status_code == 302
    store_lead = Lead.objects.get(channel="storefront")
    assert store_lead.campaign == weekend and store_lead.dealer == net.dealer_a
    # the API's and the import's campaign field, staff entry: the same service
    api = leads.lead_capture(actor=SYSTEM, data=enquiry(campaign="SH-LAUNCH", dealer="SH-001")).lead
    utm = leads.lead_capture(actor=SYSTEM, data=enquiry(campaign="Sh-Launch", city="上海")).lead
    assert api.campaign == weekend and utm.campaign == weekend
    # dealer A's code on a lead that goes to dealer B names no campaign; the code stays on the capture
    other = leads.lead_capture(actor=SYSTEM, data=enquiry(campaign="SH-LAUNCH", dealer="HZ-001")).lead
    assert other.campaign is None and Capture.objects.get(lead=other).campaign == "SH-LAUNCH"
    unknown = leads.lead_capture(actor=SYSTEM, data=enquiry(campaign="双十一", city="上海")).lead
    assert unknown.campaign is None and Capture.objects.get(lead=unknown).campaign == "双十一"
    assert Lead.objects.filter(campaign=weekend).count() == 3


def test_the_store_link_carries_the_code_to_the_booking_and_the_order(net, client, weekend, catalogue):
    client.get(f"/store/trims/{catalogue['s7'].slug}/?utm_source=wechat&utm_campaign=SH-LAUNCH")
    from autodcc.storefront.views.common import CAMPAIGN_KEY

    assert client.session[CAMPAIGN_KEY] == "SH-LAUNCH"
    client.get("/store/?c=bad code!")  # not a code: the visit keeps the one it had
    assert client.session[CAMPAIGN_KEY] == "SH-LAUNCH"


def test_the_summary_divides_spend_by_what_the_campaign_brought(net, weekend, enquiry, login):
    actor = net.a_gm.actor  # the plan is fixed: the GM approves budget changes, with a reason
    for item, planned, spent, support in (("平台推广", "6000", "5400", "3000"), ("到店礼", "3000", "3600", "0")):
        services.part_save(actor=actor, obj=BudgetLine(campaign=weekend, category="media", item=item,
                                                       planned=D(planned), spent=D(spent), support=D(support)),
                           reason="上市周末追加预算")
    made = [leads.lead_capture(actor=SYSTEM, data=enquiry(campaign="SH-LAUNCH", dealer="SH-001")).lead
            for _ in range(3)]
    Lead.objects.filter(pk=made[0].pk).update(arrived_at=timezone.now(), ordered_at=timezone.now())
    s = services.summary(weekend)
    assert (s.counts["leads"], s.counts["arrivals"], s.counts["orders"]) == (3, 1, 1)
    assert (s.budget, s.spent, s.support) == (D("9000.00"), D("9000.00"), D("3000.00"))
    assert s.per_lead == D("3000.00") and s.per_arrival == D("9000.00") and s.per_deal == D("9000.00")
    assert s.reached("leads") == D("75.0") and s.support_ratio == D("33.3")
    page = login(net.a_manager).get(reverse("console:campaign_detail", args=[weekend.pk]))
    html = page.content.decode()
    assert 'data-figure="per_lead">¥3000.00' in html and 'data-figure="per_deal">¥9000.00' in html
    book = login(net.a_manager).get(reverse("console:campaign_detail", args=[weekend.pk]) + "?format=xlsx")
    sheets = load_workbook(io.BytesIO(book.content)).worksheets
    money = {row[0].value: row[1].value for row in sheets[1].iter_rows(min_row=2)}
    assert D(str(money["每条线索成本"])) == D("3000.00") and D(str(money["每单成本"])) == D("9000.00")


def test_a_fixed_plan_changes_only_with_a_managers_reason(net, weekend):
    assert weekend.is_fixed()
    later = Campaign.objects.get(pk=weekend.pk)
    later.ends_on = later.ends_on + dt.timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        services.campaign_save(actor=net.a_manager.actor, campaign=later)  # a sales manager may not
    assert refused.value.code == "campaign.fixed"
    with pytest.raises(DomainError) as no_reason:
        services.campaign_save(actor=net.a_gm.actor, campaign=later)
    assert no_reason.value.code == "campaign.reason_required"
    services.campaign_save(actor=net.a_gm.actor, campaign=later, reason="场地延期一天")
    assert AuditLog.objects.filter(action="campaign.update", note="场地延期一天").count() == 1
    renamed = Campaign.objects.get(pk=weekend.pk)
    renamed.name = "S7 上市周末（改名）"  # not a date or a target: no approval needed
    services.campaign_save(actor=net.a_manager.actor, campaign=renamed)


def test_channel_costs_give_the_cost_of_a_lead_per_channel(net, login, enquiry):
    month = timezone.localdate().replace(day=1)
    client = login(net.a_manager)
    assert "errorlist" not in client.get(reverse("console:channel_costs")).content.decode()  # an empty form is no error
    response = client.post(reverse("console:channel_costs"), {
        "dealer": net.dealer_a.pk, "channel": "autohome", "month": f"{month:%Y-%m}", "amount": "1200"})
    assert response.status_code == 302 and ChannelCost.objects.get().amount == D("1200")
    for _ in range(4):
        leads.lead_capture(actor=SYSTEM, data=enquiry(channel="autohome", dealer="SH-001"))
    html = client.get(reverse("console:channel_costs")).content.decode()
    assert ">300.00<" in html  # 1,200 over four leads
    bad = client.post(reverse("console:channel_costs"), {"dealer": net.dealer_a.pk, "channel": "autohome",
                                                         "month": "2026-13", "amount": "-5"})
    assert bad.status_code == 200 and ChannelCost.objects.count() == 1
    with pytest.raises(Forbidden):
        services.channel_cost_set(actor=net.b_manager.actor, dealer=net.dealer_a, channel="autohome", month=month,
                                  amount=D("1"))


def test_the_funnel_groups_by_campaign_under_its_name(net, weekend, enquiry):
    leads.lead_capture(actor=SYSTEM, data=enquiry(campaign="SH-LAUNCH", dealer="SH-001"))
    leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001"))
    today = timezone.localdate()
    rows = queries.funnel(actor=net.hq_marketer.actor, group="campaign",
                          filters=queries.Filters(date_from=today, date_to=today))
    labelled = {r.label: r.counts["leads"] for r in rows}
    assert labelled == {"S7 上市周末（SH-LAUNCH）": 1, "—": 1}
    only = queries.funnel(actor=net.hq_marketer.actor, filters=queries.Filters(date_from=today, date_to=today,
                                                                                 campaign="sh-launch"))
    assert only[0].counts["leads"] == 1


def test_channel_costs_are_imported_from_the_sheet_marketing_keeps(net, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(net.a_manager)
    good = "月份,渠道,金额,经销商代码,备注\n2026-11,汽车之家,3600,SH-001,线索包\n2026-11,autohome,1200,SH-001,改过\n"
    response = client.post(reverse("console:channel_costs"), {"file": SimpleUploadedFile("c.csv", good.encode("utf-8-sig"))})
    assert response.status_code == 302
    assert ChannelCost.objects.get(dealer=net.dealer_a, channel="autohome").amount == D("1200")  # the later row wins
    bad = "月份,渠道,金额,经销商代码\n2026-13,汽车之家,1,SH-001\n2026-11,火星平台,1,SH-001\n2026-11,易车,-5,SH-001\n" \
          "2026-11,易车,5,HZ-001\n2026-11,易车,5,\n"
    page = client.post(reverse("console:channel_costs"), {"file": SimpleUploadedFile("c.csv", bad.encode("utf-8-sig"))})
    html = page.content.decode()
    assert page.status_code == 200 and ChannelCost.objects.count() == 1  # nothing of a bad file is kept
    for row in (2, 3, 4, 5, 6):
        assert f"第 {row} 行" in html


def test_the_funnel_by_channel_and_by_campaign_shows_what_a_lead_and_a_deal_cost(net, weekend, enquiry, login):
    import re

    today = timezone.localdate()
    services.channel_cost_set(actor=net.a_manager.actor, dealer=net.dealer_a, channel="dongchedi",
                              month=today.replace(day=1), amount=D("900"))
    services.part_save(actor=net.a_gm.actor, obj=BudgetLine(campaign=weekend, category="media", item="推广",
                                                            planned=D("2000"), spent=D("2000")), reason="追加")
    made = [leads.lead_capture(actor=SYSTEM, data=enquiry(channel="dongchedi", dealer="SH-001",
                                                          campaign="SH-LAUNCH")).lead for _ in range(3)]
    Lead.objects.filter(pk=made[0].pk).update(ordered_at=timezone.now())
    client = login(net.a_manager)
    query = f"?date_from={today.replace(day=1).isoformat()}&date_to={today.isoformat()}"

    def cells(group, key):
        html = client.get(reverse("console:insights") + query + f"&group={group}").content.decode()
        row = re.search(r'<tr data-row="[^"]*' + re.escape(key) + r'[^"]*">(.*?)</tr>', html, re.S).group(1)
        return [re.search(rf'data-cell="{c}">([^<]*)<', row).group(1) for c in ("cost", "per_lead", "per_deal")]

    assert cells("channel", "懂车帝") == ["900.00", "300.00", "900.00"]
    assert cells("campaign", "SH-LAUNCH") == ["2000.00", "666.67", "2000.00"]


def test_the_quarter_shows_each_campaign_as_a_bar_over_its_weeks(net, login):
    """CMP-1: annual, quarterly and monthly plans — the quarter as weeks, each campaign on its own."""
    client = login(net.a_manager)
    for code, start, days in (("Q-SPRING", dt.date(2027, 1, 4), 13), ("Q-STORE", dt.date(2027, 3, 29), 3)):
        services.campaign_save(actor=net.a_manager.actor, campaign=Campaign(
            code=code, name=code, theme="anniversary", dealer=net.dealer_a, starts_on=start,
            ends_on=start + dt.timedelta(days=days)))
    services.campaign_save(actor=net.b_manager.actor, campaign=Campaign(
        code="Q-OTHER", name="Q-OTHER", theme="launch", dealer=net.dealer_b, starts_on=dt.date(2027, 2, 1),
        ends_on=dt.date(2027, 2, 2)))
    page = client.get(reverse("console:campaign_calendar") + "?view=quarter&year=2027&q=1").content.decode()
    assert 'id="calendar-quarter">2027 Q1' in page
    weeks = page.count('<th class="week')
    assert weeks == 14  # 2026-12-28 … 2027-03-29: the Mondays of the weeks touching Q1
    spring = page.split('data-campaign="Q-SPRING"')[1].split("</tr>")[0]
    store = page.split('data-campaign="Q-STORE"')[1].split("</tr>")[0]
    assert spring.count("data-on") == 2 and store.count("data-on") == 1  # 01-04 … 01-17: two weeks; the last one
    assert 'data-campaign="Q-OTHER"' not in page  # another dealer's plan
    fallback = client.get(reverse("console:campaign_calendar") + "?view=quarter&year=abc&q=9")
    assert fallback.status_code == 200 and 'id="quarter-plan"' in fallback.content.decode()
    month = client.get(reverse("console:campaign_calendar") + "?month=2027-03").content.decode()
    assert "view=quarter&year=2027&q=1" in month
