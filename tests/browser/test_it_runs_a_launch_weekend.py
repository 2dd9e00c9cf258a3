"""A dealer's sales manager plans and runs a launch weekend in Chromium (CMP-1..4, CMP-8).

The calendar entry and the plan with its budget and targets, a task, a call script, an SMS wave to
a saved customer group (the customers without consent to marketing and the opted-out one are
skipped and counted), call tasks that land in two agents' work lists with the script beside the
lead; the agents record their calls; leads captured with the campaign's code count toward it;
the summary's cost per lead and per deal are the spend divided by those leads and deals."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
CODE = "SH-S7-LAUNCH"


def saved(page: Page) -> None:
    expect(page.locator(".errorlist")).to_have_count(0)
    expect(page.locator(".messages")).to_be_visible()


def log_out(page: Page) -> None:
    page.locator("header.app form[action$='/logout/'] button[type=submit]").click()


def audience(net: Any) -> Any:
    """Four prospects of the Shanghai dealer with open leads, saved as a customer group: two agreed
    to marketing messages, one did not, one agreed and later opted out."""
    from autodcc.core.actors import SYSTEM
    from autodcc.customers.models import CustomerGroup
    from autodcc.leads import services as leads
    from autodcc.messaging import services as messaging

    people = []
    for n, marketing in enumerate((True, True, False, True)):
        data = leads.LeadInput(name=f"意向客户{n}", phone=f"1371234000{n}", channel="autohome", dealer="SH-001",
                               consent_version="2026-01", consent_share_with_dealer=True, consent_marketing=marketing)
        people.append(leads.lead_capture(actor=SYSTEM, data=data).lead.customer)
    messaging.optout_add(actor=SYSTEM, raw_phone=people[3].phone, scope="marketing", source="sms")
    group = CustomerGroup.objects.create(name="S7 意向客户", dealer=net.dealer_a, criteria={"lead_model": "S7"},
                                         member_count=4, created_by_label=net.a_manager.staff.name)
    group.members.add(*people)
    return group


def test_a_sales_manager_plans_and_runs_a_launch_weekend(live_net, live_server, page: Page, log_in, shot):
    from autodcc.campaigns import outreach
    from autodcc.campaigns.models import Campaign
    from autodcc.core.actors import SYSTEM
    from autodcc.leads import services as leads
    from autodcc.leads.models import CareTask, Lead

    net = live_net
    audience(net)  # the saved group the manager picks
    page.set_viewport_size(DESKTOP)
    log_in(net.a_manager)

    # the calendar entry and the plan, a month and more ahead
    start = timezone.localdate() + dt.timedelta(days=35)
    go_to(page, "campaigns")
    page.locator("main a", has_text="策划活动").click()
    form = page.locator("#campaign-form")
    form.locator("input[name=code]").fill(CODE.lower())
    form.locator("input[name=name]").fill("澜川 S7 上市周末")
    form.locator("select[name=theme]").select_option("launch")
    form.locator("input[name=starts_on]").fill(start.isoformat())
    form.locator("input[name=ends_on]").fill((start + dt.timedelta(days=1)).isoformat())
    for name, value in (("target_leads", "4"), ("target_arrivals", "2"), ("target_test_drives", "2"),
                        ("target_deals", "1")):
        form.locator(f"input[name={name}]").fill(value)
    form.locator("textarea[name=customers]").fill("S7 意向客户以家庭用户为主")
    form.locator("button[type=submit]").click()
    saved(page)
    campaign = Campaign.objects.get(code=CODE)
    assert campaign.dealer == net.dealer_a and not campaign.is_fixed()
    campaign_url = page.url
    page.goto(f"{live_server.url}/console/campaigns/?month={start:%Y-%m}")
    expect(page.locator(f'#calendar a[data-campaign="{CODE}"]').first).to_be_visible()
    page.goto(campaign_url)

    # budget with the manufacturer's support, and a task
    page.locator("#lines details > summary").click()
    lines = page.locator("#line-form")
    lines.locator("select[name=line-category]").select_option("media")
    lines.locator("input[name=line-item]").fill("汽车之家推广")
    lines.locator("input[name=line-planned]").fill("6000")
    lines.locator("input[name=line-support]").fill("3000")
    lines.locator("button[type=submit]").click()
    saved(page)
    page.locator("#tasks details > summary").click()
    tasks = page.locator("#task-form")
    tasks.locator("input[name=task-title]").fill("展车与试驾车到位")
    tasks.locator("select[name=task-owner]").select_option(label=net.a_consultant.staff.name)
    tasks.locator("input[name=task-due_on]").fill((start - dt.timedelta(days=2)).isoformat())
    tasks.locator("input[name=task-checklist]").check()
    tasks.locator("button[type=submit]").click()
    saved(page)
    expect(page.locator("#tasks")).to_contain_text("展车与试驾车到位")

    # the call script
    page.goto(f"{live_server.url}/console/scripts/new/")
    script_form = page.locator("#script-form")
    script_form.locator("select[name=situation]").select_option("campaign")
    script_form.locator("input[name=title]").fill("上市周末邀约")
    script_form.locator("textarea[name=body]").fill("您好，我是澜川汽车浦东店，本周末 S7 上市，邀请您到店品鉴试驾。")
    script_form.locator("button[type=submit]").click()
    saved(page)

    # the SMS wave: who may not get it is skipped and counted
    page.goto(campaign_url)
    page.locator("#wave-details > summary").click()
    wave_form = page.locator("#outreach-form")
    wave_form.locator("select[name=wave-group]").select_option(label="S7 意向客户")
    wave_form.locator("textarea[name=wave-content]").fill("本周末 S7 上市，到店试驾有礼")
    wave_form.locator("button[type=submit]").click()
    saved(page)
    row = page.locator("#waves tbody tr").first
    expect(row.locator('[data-count="queued"]')).to_have_text("2")
    expect(row).to_contain_text("未同意营销 1")
    expect(row).to_contain_text("已退订 1")
    held = 2 if outreach.in_quiet_hours(timezone.now()) else 0
    expect(row.locator('[data-count="held"]')).to_have_text(str(held))

    # call tasks for two agents, with the script
    page.locator("#calls details > summary").click()
    calls = page.locator("#calls-form")
    calls.locator("select[name=calls-group]").select_option(label="S7 意向客户")
    for agent in (net.a_agent, net.a_supervisor):
        calls.locator("label", has_text=agent.staff.name).locator("input[type=checkbox]").check()
    calls.locator("input[name=calls-due_on]").fill(timezone.localdate().isoformat())
    calls.locator("select[name=calls-script]").select_option(label="上市周末邀约")
    calls.locator("button[type=submit]").click()
    saved(page)
    expect(page.locator("#call-load tbody tr")).to_have_count(2)
    shot(page, "campaign-planned")
    log_out(page)

    # each agent finds the calls in the work list, reads the script, records the call
    for agent in (net.a_agent, net.a_supervisor):
        log_in(agent)
        mine = list(CareTask.objects.filter(campaign=campaign, assignee=agent.staff).select_related("lead"))
        assert len(mine) == 2  # four open leads, spread evenly
        for task in mine:
            expect(page.locator("main")).to_contain_text(task.lead.number)
        task = mine[0]
        page.goto(f"{live_server.url}/console/leads/{task.lead_id}/")
        expect(page.locator(f"#call-script-{task.pk}")).to_contain_text("本周末 S7 上市")
        follow = page.locator("#follow-up-form")
        if not follow.is_visible():
            page.locator("details#follow-up > summary").click()
        follow.locator("select[name=kind]").select_option("call_out")
        follow.locator("select[name=result]").select_option("reached")
        follow.locator("textarea[name=note]").fill("周六上午到店")
        with page.expect_response(lambda r: r.request.method == "POST" and "/follow-up/" in r.url):
            follow.locator("button[type=submit]").click()
        expect(page.locator(f"#call-script-{task.pk}")).to_have_count(0)
        task.refresh_from_db()
        assert task.done_at is not None and task.done_by == agent.staff and "周六上午到店" in task.note
        log_out(page)

    # leads that came with the campaign's code; one of them buys
    brought = [leads.lead_capture(actor=SYSTEM, data=leads.LeadInput(
        name=f"活动客户{n}", phone=f"1391234500{n}", channel="storefront", dealer="SH-001", campaign=CODE,
        consent_version="2026-01", consent_share_with_dealer=True)).lead for n in range(3)]
    Lead.objects.filter(pk=brought[0].pk).update(ordered_at=timezone.now())

    # the manager enters what was spent and reads the summary
    log_in(net.a_manager)
    page.goto(campaign_url)
    spent = page.locator("form.spent-form").first
    spent.locator("input[name=spent]").fill("5400")
    spent.locator("button[type=submit]").click()
    saved(page)
    per_lead = (Decimal("5400") / 3).quantize(Decimal("0.01"))
    per_deal = Decimal("5400.00")
    expect(page.locator('#spend [data-figure="per_lead"]')).to_have_text(f"¥{per_lead}")
    expect(page.locator('#spend [data-figure="per_deal"]')).to_have_text(f"¥{per_deal}")
    expect(page.locator('#summary-table tr[data-metric="leads"] td.num').first).to_have_text("3")
    shot(page, "campaign-summary")
    assert re.search(r"\d", page.locator("#daily").inner_text())
