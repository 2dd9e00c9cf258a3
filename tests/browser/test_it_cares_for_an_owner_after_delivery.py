"""After delivery in Chromium (CARE-2, CARE-4): a car is delivered → the owner's car is on file
→ its first service falls due → the scheduled task, run on the day a week before, sends the
reminder once → the service advisor books the service and records the visit in the console →
the next due date moves; and the day-1 revisit's survey, sent by SMS, is answered on a phone and
shows in the report."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.aftercare.conftest import add_advisors, add_schedules, deliver
from tests.browser.conftest import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_from_delivery_to_the_next_service_and_a_survey_in_the_report(live_net, live_server, page: Page, browser: Any,
                                                                      log_in, shot):
    from autodcc.aftercare.models import MaintenanceReminder, RevisitTask, VehicleCare
    from autodcc.aftercare.rules import add_months
    from autodcc.aftercare.tasks import run_daily
    from autodcc.messaging.models import Event, Message

    net = live_net
    add_schedules()
    advisor = add_advisors(net)["a_advisor"]
    today = timezone.localdate()

    # delivered: the dealer records the delivery with the VIN; the owner's car is on file from that day
    vehicle = deliver(net, "SH-001", name="林佳怡", phone="13912340001")
    assert vehicle.purchase_date == today and vehicle.customer.name == "林佳怡"
    care = VehicleCare.objects.get(vehicle=vehicle)
    due = care.next_due_on
    assert due == add_months(today, 6) and care.service_no == 1

    # the scheduled task on the controlled day: nothing 8 days before, the reminder 7 days before, once
    assert run_daily(today=(due - dt.timedelta(days=8)).isoformat())["reminders"] == 0
    assert run_daily(today=(due - dt.timedelta(days=7)).isoformat())["reminders"] == 1
    assert run_daily(today=(due - dt.timedelta(days=7)).isoformat())["reminders"] == 0
    assert run_daily(today=(due - dt.timedelta(days=2)).isoformat())["reminders"] == 0
    reminder = Message.objects.get(event=Event.MAINTENANCE_REMINDER)
    assert f"{due.month}月{due.day}日" in reminder.body and reminder.recipient_phone == "+8613912340001"
    assert MaintenanceReminder.objects.filter(vehicle=vehicle).count() == 1

    # the service advisor starts on the maintenance list, finds the reminded car, books and records the visit
    page.set_viewport_size(DESKTOP)
    log_in(advisor)
    page.locator('.care-tabs a[data-tab="reminded"]').click()
    row = page.locator(f'#care-table tr[data-vehicle="{vehicle.pk}"]')
    expect(row).to_contain_text("林佳怡")
    expect(row).to_contain_text("139****0001")
    expect(row).to_contain_text("已提醒")
    shot(page, "care-maintenance-1366")
    row.locator("a").first.click()
    expect(page.locator("#next-due")).to_have_text(due.isoformat())
    expect(page.locator("#reminder-state")).to_contain_text("已发送")
    when = timezone.localtime() + dt.timedelta(days=1)
    page.locator("#book-form input[name=book-scheduled_at]").fill(when.strftime("%Y-%m-%dT10:00"))
    page.locator("#book-form input[name=book-note]").fill("首保，车主上午送车")
    page.locator("#book-form button[type=submit]").click()
    expect(page.locator("#booked-for")).to_contain_text(when.strftime("%Y-%m-%d") + " 10:00")
    go_to(page, "maintenance")
    page.locator('.care-tabs a[data-tab="booked"]').click()
    expect(page.locator(f'#care-table tr[data-vehicle="{vehicle.pk}"]')).to_contain_text("已预约")
    page.goto(f"{live_server.url}/console/care/vehicles/{vehicle.pk}/")
    visit = page.locator("#visit-form")
    visit.locator("input[name=visit-mileage_km]").fill("4800")
    visit.locator("textarea[name=visit-notes]").fill("首次保养：更换机油机滤，检查刹车与轮胎")
    visit.locator("button[type=submit]").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("下次保养从本次起算")
    care.refresh_from_db()
    assert care.service_no == 2 and care.last_service_on == today and care.next_due_on > due
    expect(page.locator("#next-due")).to_have_text(care.next_due_on.isoformat())
    expect(page.locator("#visits")).to_contain_text("4800")
    shot(page, "care-vehicle-1366")
    # an odometer never goes back: a lower mileage is refused in words, and nothing is recorded
    page.locator("#mileage-form input[name=mileage-km]").fill("4000")
    page.locator("#mileage-form button[type=submit]").click()
    expect(page.locator("#mileage-form")).to_contain_text("少于")
    assert vehicle.service_visits.count() == 1
    page.set_viewport_size(PHONE)
    page.reload()
    fits(page)
    shot(page, "care-vehicle-390")

    # the day-1 revisit: the DCC agent sends the survey's link by SMS
    assert run_daily(today=(today + dt.timedelta(days=1)).isoformat())["revisits"] == 1
    task = RevisitTask.objects.get(vehicle=vehicle)
    page.set_viewport_size(DESKTOP)
    page.context.clear_cookies()
    log_in(net.a_agent)
    go_to(page, "revisits")
    page.locator('.care-tabs a[data-tab="upcoming"]').click()
    page.locator(f'#revisit-table tr[data-task="{task.pk}"] a').click()
    expect(page.locator("#script")).to_contain_text("上海浦东店")
    page.locator("#send-link").click()
    expect(page.locator("#surveys")).to_contain_text("等待答复")
    shot(page, "care-revisit-1366")
    sms = Message.objects.get(event=Event.SURVEY_INVITATION)
    path = re.search(r"/store/survey/[\w-]+/", sms.body).group(0)

    # the owner answers on a phone, without logging in; a second submit changes nothing
    phone = browser.new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
    phone.set_viewport_size(PHONE)
    phone.goto(f"{live_server.url}{path}")
    expect(phone.locator("h1")).to_have_text("交车满意度回访")
    phone.locator("#survey-submit").click()  # nothing chosen: each question says so
    expect(phone.locator(".field-error").first).to_contain_text("请为")
    for fieldset in phone.locator("fieldset.rating").all():
        scale = fieldset.locator("input[type=radio]")
        scale.nth(scale.count() - 1).check()
    phone.locator("textarea").fill("交车很顺利，顾问很专业")
    fits(phone)
    shot(phone, "care-survey-390")
    phone.locator("#survey-submit").click()
    expect(phone.locator("#survey-done")).to_contain_text("感谢")
    phone.go_back()
    phone.reload()
    expect(phone.locator("#survey-done")).to_contain_text("已提交")

    # the answer is in the report, by dealer and question, with its comment
    page.context.clear_cookies()
    log_in(net.a_manager)
    go_to(page, "surveys")
    expect(page.locator('[data-figure="surveys"]')).to_have_text("1")
    expect(page.locator('[data-figure="average"]')).to_have_text("5.0")
    expect(page.locator('[data-figure="nps"]')).to_have_text("100")
    expect(page.locator("#by-dealer")).to_contain_text("上海浦东店")
    expect(page.locator("#comments")).to_contain_text("交车很顺利")
    expect(page.locator("#dealer-chart canvas")).to_have_count(1)
    shot(page, "care-report-1366")
    page.set_viewport_size(PHONE)
    page.reload()
    fits(page)
    shot(page, "care-report-390")
