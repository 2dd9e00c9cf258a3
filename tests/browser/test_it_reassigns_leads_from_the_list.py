"""A sales manager ticks leads on the lead list and gives them to one agent with a reason (LEAD-4),
at a laptop's 1366 px: the refusal of a missing reason, then the move, all in Chinese."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.core.roles import Role
from autodcc.leads.models import Lead
from autodcc.leads.services import LeadInput, lead_capture
from autodcc.messaging.models import Event, Message
from autodcc.network import services as network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reassigns_ticked_leads_to_one_agent(live_net, live_server, log_in, shot, page: Page):
    net = live_net
    colleague = network.staff_create(actor=SYSTEM, username="a-agent-2", name="网销小周", mobile="13500000002",
                                     grants=[(Role.DCC_AGENT, net.dealer_a, None)])
    network.staff_set_duty(actor=SYSTEM, staff=colleague, on_duty=False)  # the persona agent gets them all
    leads = [lead_capture(actor=SYSTEM, data=LeadInput(
        name=f"客户{i}", phone=f"1391111000{i}", channel="autohome", dealer="SH-001", consent_version="2026-01",
        consent_share_with_dealer=True)).lead for i in range(3)]
    network.staff_set_duty(actor=SYSTEM, staff=colleague, on_duty=True)
    assert {lead.agent_id for lead in leads} == {net.a_agent.staff.pk}

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(net.a_manager)
    page.goto(f"{live_server.url}/console/leads/")
    bar = page.locator("#bulk-reassign")
    expect(bar).to_be_visible()
    for lead in leads[:2]:
        page.locator(f'input[name=lead][value="{lead.pk}"]').check()
    expect(bar.locator("[data-selected-count]")).to_have_text("2")
    bar.locator("select[name=staff]").select_option(label="网销小周")

    bar.locator("#bulk-submit").click()  # no reason yet: refused, ticks kept, nothing moved
    expect(bar.locator("#bulk-note-error")).to_contain_text("请填写备注说明原因")
    expect(page.locator(f'input[name=lead][value="{leads[0].pk}"]')).to_be_checked()
    assert not Lead.objects.filter(agent=colleague).exists()

    bar.locator("input[name=note]").fill("客户要求换人跟进")
    shot(page, "leads-bulk-reassign")
    bar.locator("#bulk-submit").click()
    expect(page.locator("ul.messages")).to_contain_text("已将 2 条线索改派给 网销小周")
    for lead in leads[:2]:
        expect(page.locator(f'tr[data-lead="{lead.pk}"]')).to_contain_text("网销小周")
    expect(page.locator(f'tr[data-lead="{leads[2].pk}"]')).not_to_contain_text("网销小周")
    shot(page, "leads-bulk-reassigned")

    assert set(Lead.objects.filter(pk__in=[lead.pk for lead in leads[:2]]).values_list("agent_id", flat=True)) == {
        colleague.pk}
    assert AuditLog.objects.filter(action="lead.reassign", note="客户要求换人跟进").count() == 2
    assert Message.objects.filter(event=Event.LEAD_ASSIGNED, recipient_staff_id=colleague.pk).count() == 1
