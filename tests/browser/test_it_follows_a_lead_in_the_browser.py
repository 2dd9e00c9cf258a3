"""One lead followed through Chromium as the personas would click it: captured over the API, worked
by the DCC agent, handed over, sold and delivered by the consultant, looked at by the manager; and a
defeat request rejected, then approved from the manager's queue. After each click the audit trail
holds the matching row, signed by the person who clicked."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Response, expect

from autodcc.core import workhours
from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.leads.models import Appointment, AppointmentStatus, DefeatRequest, DefeatStatus, Lead, Status
from autodcc.network.services import api_token_create
from tests.browser.conftest import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ERRORS = re.compile(r'class="errorlist"[^>]*>(.*?)</(?:ul|p|span)>', re.S)
SHOWROOM_STEPS = ("presented", "test_driven", "negotiated", "ordered", "delivered")


# --- helpers -----------------------------------------------------------------------------------


def audit_rows(lead_id: int) -> list[tuple[str, str]]:
    """(action, actor_label) of the lead's audit rows, oldest first."""
    return list(AuditLog.objects.filter(object_type="leads.lead", object_id=str(lead_id)).order_by("id")
                .values_list("action", "actor_label"))


def visit_day() -> dt.date:
    """The first open day from tomorrow on: dealer A opens every weekday, so tomorrow unless a public
    holiday closes it (then a few days later; only a Golden Week puts it more than 5 days out). Its
    day-before confirmation call is due today, so the visit shows on today's confirmation list."""
    day = timezone.localdate() + dt.timedelta(days=1)
    while not workhours.is_open_day(day, "1234567"):
        day += dt.timedelta(days=1)
    return day


def submit(page: Page, button: Any, path: str) -> Response:
    """Click a submit button and wait for the htmx POST to ``path`` to come back."""
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path)) as info:
        button.click()
    response = info.value
    assert response.status == 200, (path, response.status)
    errors = ERRORS.findall(response.text())
    assert not errors, (path, [re.sub(r"<[^>]+>", " ", e).strip() for e in errors])
    return response


def log_out(page: Page, live_server: Any) -> None:
    page.locator("header.app form[action$='/logout/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/console/login/")))


def open_from_lead_list(page: Page, lead_id: int) -> None:
    go_to(page, "leads")
    row = page.locator(f'#lead-table tr[data-lead="{lead_id}"]')
    expect(row).to_be_visible()
    row.locator("td a").first.click()
    expect(page).to_have_url(re.compile(rf"/console/leads/{lead_id}/$"))
    expect(page.locator("#lead-body")).to_be_visible()


def open_details(page: Page, details_id: str) -> None:
    """Unfold an action's <details> by its summary, as a person would (clicking an open one folds it)."""
    details = page.locator(f"details#{details_id}")
    expect(details).to_be_attached()
    if details.get_attribute("open") is None:
        details.locator("> summary").click()
    expect(details).to_have_attribute("open", "")


def expect_no_form_errors(page: Page) -> None:
    expect(page.locator("#lead-body .errorlist")).to_have_count(0)


@pytest.fixture
def audited() -> Callable[[int, list[tuple[str, str]]], None]:
    """``audited(lead_id, expected)``: the lead's audit trail is exactly ``expected`` so far."""

    def check(lead_id: int, expected: list[tuple[str, str]]) -> None:
        assert audit_rows(lead_id) == expected

    return check


# --- 1. from the API to delivery ------------------------------------------------------------------


def test_a_lead_from_api_capture_to_delivery(live_net, live_server, page, log_in, shot, audited):
    agent, consultant, manager = live_net.a_agent, live_net.a_consultant, live_net.a_manager
    token, raw_key = api_token_create(actor=SYSTEM, name="汽车之家", channel="autohome")

    # a channel partner sends the enquiry over HTTP, choosing the Shanghai dealer
    response = page.request.post(f"{live_server.url}/api/leads", data={
        "name": "王芳", "phone": "13912345678", "city": "上海", "dealer": "SH-001",
        "model_interest": "澜川 S7", "message": "想周末试驾", "consent_version": "2026-01",
        "consent_share_with_dealer": True,
    }, headers={"Authorization": f"Bearer {raw_key}", "Idempotency-Key": "ah-browser-1"})
    assert response.status == 201, response.text()
    body = response.json()
    assert body["created"] is True and body["lead"]["dealer_code"] == "SH-001"
    lead_id = body["lead"]["id"]
    lead = Lead.objects.select_related("agent", "customer").get(pk=lead_id)
    assert (lead.status, lead.channel, lead.agent) == (Status.NEW, "autohome", agent.staff)
    trail = [("lead.capture", f"API: {token.name}")]
    audited(lead_id, trail)

    # the DCC agent finds it on the work list
    page = log_in(agent)
    go_to(page, "worklist")
    expect(page).to_have_url(f"{live_server.url}/console/work/")
    item = page.locator(f'#wl-new a[data-lead="{lead_id}"]')
    expect(item).to_be_visible()
    expect(item).to_contain_text("王芳")
    expect(page.locator("#wl-new")).to_contain_text(lead.number)
    shot(page, "worklist-agent")
    item.click()
    expect(page).to_have_url(f"{live_server.url}/console/leads/{lead_id}/")
    expect(page.locator("#customer-card")).to_contain_text("139****5678")
    expect(page.locator('#timeline li[data-action="lead.capture"]')).to_have_count(1)

    # a call: grade A, expected purchase date
    purchase = timezone.localdate() + dt.timedelta(days=20)
    form = page.locator("#follow-up-form")
    expect(form).to_be_visible()  # a lead without a first response opens the follow-up form
    form.locator("select[name=kind]").select_option("call_out")
    form.locator("select[name=result]").select_option("reached")
    form.locator("select[name=grade]").select_option("A")
    form.locator("input[name=expected_purchase_on]").fill(purchase.isoformat())
    form.locator("textarea[name=note]").fill("客户想周末来店试驾")
    submit(page, form.locator("button[type=submit]"), f"/console/leads/{lead_id}/follow-up/")
    expect(page.locator("#lead-notice")).to_be_visible()
    expect_no_form_errors(page)
    expect(page.locator('#milestones [data-milestone="contacted"]')).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("#lead-badges .badge.grade")).to_have_text("A")
    expect(page.locator('#timeline li[data-action="lead.follow_up"]')).to_have_count(1)
    lead.refresh_from_db()
    assert (lead.status, lead.grade, lead.expected_purchase_on) == (Status.FOLLOWING, "A", purchase)
    trail.append(("lead.follow_up", agent.staff.name))
    audited(lead_id, trail)

    # an invitation to the store at 10:00 on the next open day
    day = visit_day()
    open_details(page, "invite")
    form = page.locator("#invite-form")
    expect(form).to_be_visible()
    form.locator("input[name=scheduled_at]").fill(f"{day.isoformat()}T10:00")
    form.locator("input[name=purpose]").fill("试驾")
    submit(page, form.locator("button[type=submit]"), f"/console/leads/{lead_id}/invite/")
    expect_no_form_errors(page)
    expect(page.locator('#milestones [data-milestone="invited"]')).to_have_class(re.compile(r"\bdone\b"))
    appointment = Appointment.objects.get(lead_id=lead_id)
    expect(page.locator(f'#appointments tr[data-appointment="{appointment.pk}"]')).to_contain_text(
        f"{day.isoformat()} 10:00")
    ten = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    assert timezone.localtime(appointment.scheduled_at) == ten
    assert Lead.objects.get(pk=lead_id).status == Status.INVITED
    trail.append(("lead.invite", agent.staff.name))
    audited(lead_id, trail)

    # the day-before confirmation call: the visit is on the work list's confirmation list
    go_to(page, "worklist")
    confirm_item = page.locator(f'#wl-confirm a[data-lead="{lead_id}"]')
    expect(confirm_item).to_be_visible()
    confirm_item.click()
    expect(page).to_have_url(f"{live_server.url}/console/leads/{lead_id}/")
    form = page.locator(f"#confirm-{appointment.pk} form")
    expect(form).to_be_visible()
    form.locator("select[name=outcome]").select_option("confirmed")
    form.locator("input[name=note]").fill("客户确认明早到店")
    submit(page, form.locator("button[type=submit]"), f"/console/appointments/{appointment.pk}/confirm/")
    expect_no_form_errors(page)
    expect(page.locator(f'#appointments tr[data-appointment="{appointment.pk}"]')).to_contain_text(
        str(AppointmentStatus.CONFIRMED.label))
    expect(page.locator('#timeline li[data-action="appointment.confirmed"]')).to_have_count(1)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED and appointment.confirmed_by == agent.staff
    trail.append(("appointment.confirmed", agent.staff.name))
    audited(lead_id, trail)

    # the customer comes in
    form = page.locator("#arrive-form")
    expect(form).to_be_visible()  # open while the lead is invited
    submit(page, form.locator("button[type=submit]"), f"/console/leads/{lead_id}/arrive/")
    expect_no_form_errors(page)
    expect(page.locator('#milestones [data-milestone="arrived"]')).to_have_class(re.compile(r"\bdone\b"))
    assert Lead.objects.get(pk=lead_id).status == Status.ARRIVED
    trail.append(("lead.arrive", agent.staff.name))
    audited(lead_id, trail)

    # and is handed over to the sales consultant
    form = page.locator("#handover-form")
    expect(form).to_be_visible()
    form.locator("select[name=consultant]").select_option(str(consultant.staff.pk))
    form.locator("textarea[name=note]").fill("A级，关注续航")
    submit(page, form.locator("button[type=submit]"), f"/console/leads/{lead_id}/handover/")
    expect_no_form_errors(page)
    expect(page.locator("#lead-facts")).to_contain_text(consultant.staff.name)
    lead.refresh_from_db()
    assert lead.consultant == consultant.staff
    trail.append(("lead.handover", agent.staff.name))
    audited(lead_id, trail)
    log_out(page, live_server)

    # the consultant sells the car, step by step
    page = log_in(consultant)
    open_from_lead_list(page, lead_id)
    buttons = page.locator("#step-form button[data-step]")
    expect(page.locator('#step-form button[data-step="presented"]')).to_be_visible()
    expect(page.locator('#step-form button[data-step="delivered"]')).to_have_count(0)  # not ordered yet
    for step in SHOWROOM_STEPS:
        button = page.locator(f'#step-form button[data-step="{step}"]')
        expect(button).to_be_visible()
        submit(page, button, f"/console/leads/{lead_id}/step/")
        expect_no_form_errors(page)
        expect(page.locator(f'#milestones [data-milestone="{step}"]')).to_have_class(re.compile(r"\bdone\b"))
        expect(page.locator(f'#timeline li[data-action="lead.{step}"]')).to_have_count(1)
        trail.append((f"lead.{step}", consultant.staff.name))
        audited(lead_id, trail)
    expect(buttons).to_have_count(0)
    expect(page.locator("#step-form")).to_have_count(0)  # a delivered lead offers no more steps
    lead.refresh_from_db()
    assert lead.status == Status.DELIVERED and lead.delivered_by == consultant.staff
    log_out(page, live_server)

    # the manager reads the stamps and the timeline
    page = log_in(manager)
    open_from_lead_list(page, lead_id)
    for milestone in ("contacted", "invited", "arrived", *SHOWROOM_STEPS):
        stamp = page.locator(f'#milestones [data-milestone="{milestone}"]')
        expect(stamp).to_have_class(re.compile(r"\bdone\b"))
        who = agent if milestone in ("contacted", "invited", "arrived") else consultant
        expect(stamp).to_contain_text(who.staff.name)
    actions = page.locator("#timeline li[data-action]")
    expect(actions).to_have_count(len(trail))
    shown = set(actions.evaluate_all("items => items.map(li => li.dataset.action)"))
    assert shown == {action for action, _ in trail}
    expect(page.locator("#lead-actions")).to_contain_text(str(lead.get_status_display()))  # closed: delivered
    shot(page, "lead-page-delivered")
    audited(lead_id, trail)  # looking changes nothing


# --- 2. a defeat rejected, then approved ----------------------------------------------------------


def test_a_defeat_rejected_then_approved(live_net, live_server, page, log_in, shot, audited, enquiry):
    from autodcc.leads.services import lead_capture

    agent, manager = live_net.a_agent, live_net.a_manager
    lead = lead_capture(actor=SYSTEM, data=enquiry(name="赵敏", dealer="SH-001")).lead
    lead_id = lead.pk
    assert lead.agent == agent.staff
    trail = [("lead.capture", SYSTEM.label)]
    audited(lead_id, trail)

    def request_defeat(reason: str, note: str, brand: str = "") -> DefeatRequest:
        page.goto(f"{live_server.url}/console/leads/{lead_id}/")
        open_details(page, "defeat")
        form = page.locator("#defeat-form")
        expect(form).to_be_visible()
        # choosing the kind swaps in its reason list (htmx GET): wait for the new list before choosing
        form.locator("select[name=reason]").evaluate("el => { el.dataset.replaced = 'pending'; }")
        with page.expect_response(lambda r: "/console/leads/defeat-reasons/" in r.url) as reasons:
            form.locator("select[name=kind]").select_option("defeat")
        assert reasons.value.status == 200
        fresh = form.locator("select[name=reason]:not([data-replaced])")
        expect(fresh.locator(f'option[value="{reason}"]')).to_be_attached()
        fresh.select_option(reason)
        if brand:
            form.locator("input[name=competitor_brand]").fill(brand)
        form.locator("textarea[name=note]").fill(note)
        submit(page, form.locator("button[type=submit]"), f"/console/leads/{lead_id}/defeat/")
        expect_no_form_errors(page)
        expect(page.locator("#defeat-form")).to_have_count(0)  # nothing more to ask while it waits
        pending = DefeatRequest.objects.get(lead_id=lead_id, status=DefeatStatus.PENDING)
        expect(page.locator(f'#defeats tr[data-defeat="{pending.pk}"]')).to_be_visible()
        assert Lead.objects.get(pk=lead_id).status == Status.DEFEAT_PENDING
        return pending

    def open_queue(pending: DefeatRequest) -> Any:
        go_to(page, "approvals")
        expect(page).to_have_url(f"{live_server.url}/console/approvals/")
        card = page.locator(f"#approvals #defeat-{pending.pk}")
        expect(card).to_be_visible()
        expect(card.locator(f'a[href$="/console/leads/{lead_id}/"]')).to_contain_text("赵敏")
        return card

    # the agent asks to close it before calling: refused, nobody has contacted the customer yet
    page = log_in(agent)
    page.goto(f"{live_server.url}/console/leads/{lead_id}/")
    open_details(page, "defeat")
    form = page.locator("#defeat-form")
    # the form opens on "defeat" with its reasons (changing the kind would swap the list in)
    expect(form.locator("select[name=kind]")).to_have_value("defeat")
    form.locator("select[name=reason]").select_option("price")
    form.locator("textarea[name=note]").fill("客户嫌贵")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"/leads/{lead_id}/defeat/")):
        form.locator("button[type=submit]").click()
    expect(page.locator("#defeat-form .errorlist")).to_contain_text("联系")
    assert not DefeatRequest.objects.filter(lead_id=lead_id).exists()
    # one call, no answer; then too expensive
    follow = page.locator("#follow-up-form")
    follow.locator("select[name=result]").select_option("no_answer")
    submit(page, follow.locator("button[type=submit]"), f"/console/leads/{lead_id}/follow-up/")
    expect_no_form_errors(page)
    trail.append(("lead.follow_up", agent.staff.name))
    first = request_defeat("price", "客户嫌贵")
    trail.append(("lead.defeat_request", agent.staff.name))
    audited(lead_id, trail)
    log_out(page, live_server)

    # the manager sends it back from the queue, saying why
    page = log_in(manager)
    card = open_queue(first)
    reject = card.locator(f'form[action$="/defeats/{first.pk}/reject/"]')
    reject.locator("[name=note]").fill("价格可以再谈，请再跟进")
    submit(page, reject.locator("button[type=submit]"), f"/console/defeats/{first.pk}/reject/")
    card = page.locator(f"#defeat-{first.pk}")
    expect(card.locator("form")).to_have_count(0)
    expect(card.locator(".errorlist")).to_have_count(0)
    expect(card).to_contain_text("价格可以再谈")
    first.refresh_from_db()
    assert first.status == DefeatStatus.REJECTED and first.decided_by == manager.staff
    lead.refresh_from_db()
    assert lead.status == Status.FOLLOWING and lead.next_follow_up_on == timezone.localdate()
    trail.append(("lead.defeat_reject", manager.staff.name))
    audited(lead_id, trail)
    log_out(page, live_server)

    # the agent finds it back among today's follow-ups and calls again
    page = log_in(agent)
    go_to(page, "worklist")
    item = page.locator(f'#wl-due a[data-lead="{lead_id}"]')
    expect(item).to_be_visible()
    item.click()
    expect(page).to_have_url(f"{live_server.url}/console/leads/{lead_id}/")
    expect(page.locator(f'#defeats tr[data-defeat="{first.pk}"]')).to_contain_text("价格可以再谈")
    open_details(page, "follow-up")
    form = page.locator("#follow-up-form")
    expect(form).to_be_visible()
    form.locator("select[name=result]").select_option("reached")
    form.locator("textarea[name=note]").fill("客户已在比亚迪下定")
    submit(page, form.locator("button[type=submit]"), f"/console/leads/{lead_id}/follow-up/")
    expect_no_form_errors(page)
    expect(page.locator('#timeline li[data-action="lead.follow_up"]')).to_have_count(2)
    trail.append(("lead.follow_up", agent.staff.name))
    audited(lead_id, trail)

    # and asks again: bought from a competitor
    second = request_defeat("competitor", "已买比亚迪汉", brand="比亚迪")
    assert second.pk != first.pk and second.competitor_brand == "比亚迪"
    trail.append(("lead.defeat_request", agent.staff.name))
    audited(lead_id, trail)
    log_out(page, live_server)

    # the manager approves it from the queue, with a revisit in half a year
    page = log_in(manager)
    card = open_queue(second)
    expect(card).to_contain_text("比亚迪")
    expect(page.locator(f"#approvals #defeat-{first.pk}")).to_have_count(0)  # decided: off the queue
    shot(page, "approvals-manager")
    revisit = timezone.localdate() + dt.timedelta(days=180)
    approve = card.locator(f'form[action$="/defeats/{second.pk}/approve/"]')
    approve.locator("input[name=revisit_on]").fill(revisit.isoformat())
    approve.locator("input[name=note]").fill("半年后回访")
    submit(page, approve.locator("button[type=submit]"), f"/console/defeats/{second.pk}/approve/")
    card = page.locator(f"#defeat-{second.pk}")
    expect(card.locator("form")).to_have_count(0)
    expect(card.locator(".badge.ok")).to_be_visible()
    second.refresh_from_db()
    assert second.status == DefeatStatus.APPROVED and second.revisit_on == revisit
    trail.append(("lead.defeat_approve", manager.staff.name))
    audited(lead_id, trail)

    lead.refresh_from_db()
    assert lead.status == Status.DEFEATED and lead.defeated_by == manager.staff
    assert [a for a, _ in audit_rows(lead_id)] == [
        "lead.capture", "lead.follow_up", "lead.defeat_request", "lead.defeat_reject", "lead.follow_up",
        "lead.defeat_request", "lead.defeat_approve"]

    # the queue is empty now; the lead page shows it closed
    go_to(page, "approvals")
    expect(page.locator("#approvals [data-defeat]")).to_have_count(0)
    page.goto(f"{live_server.url}/console/leads/{lead_id}/")
    expect(page.locator('#milestones [data-milestone="defeated"]')).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("#defeat-form")).to_have_count(0)
