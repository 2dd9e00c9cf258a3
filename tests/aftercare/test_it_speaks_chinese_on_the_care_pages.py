"""The after-sales pages with data in them read in Chinese: no English word, stored code or
dotted action where people read (the crawl of every console page sees them empty)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from autodcc.aftercare import revisits, services
from autodcc.aftercare.models import RevisitTask, TaskKind
from tests.console.test_it_speaks_chinese_on_every_page import problems

TODAY = timezone.localdate()


def test_the_care_pages_read_in_chinese(net, login, client, advisors, delivered):
    advisor = advisors["a_advisor"]
    due = delivered(on=services.rules.add_months(TODAY, -6) + dt.timedelta(days=3), name="林车主")
    services.reminders_send(today=TODAY)
    services.mileage_report(actor=advisor.actor, vehicle=due, km=4000)
    services.appointment_book(actor=advisor.actor, vehicle=due, scheduled_at=timezone.now() + dt.timedelta(days=1))
    done = delivered(on=TODAY - dt.timedelta(days=1), name="周车主")
    services.visit_record(actor=advisor.actor, vehicle=done, visited_on=TODAY, mileage_km=300, notes="检查")
    revisits.revisits_generate(today=TODAY)
    task = RevisitTask.objects.get(vehicle=done)
    questions = task.step.survey.questions.all()
    revisits.survey_fill(actor=net.a_agent.actor, task=task, answers={
        f"q{q.pk}": "等太久" if q.kind == "comment" else "1" if q.kind != "nps" else "2" for q in questions})
    follow_up = RevisitTask.objects.get(kind=TaskKind.FOLLOW_UP)
    other = RevisitTask.objects.exclude(pk__in=[task.pk, follow_up.pk]).first() or task
    link = revisits.survey_send(actor=net.a_agent.actor, task=other) if other.status == "open" else None
    names = {"a_advisor", "p-a_advisor", "a_agent", "a_manager", "hq_service", "a_consultant"}  # the personas
    pages = [
        (advisor, [reverse("console:care_maintenance") + f"?tab={t}" for t in ("due", "reminded", "booked", "overdue",
                                                                               "done", "all")]
        + [reverse("console:care_vehicle", args=[due.pk]), reverse("console:care_vehicle", args=[done.pk])]),
        (net.a_manager, [reverse("console:care_revisits") + f"?tab={t}" for t in ("today", "upcoming", "closed",
                                                                                 "follow_up")]
        + [reverse("console:care_revisit", args=[task.pk]), reverse("console:care_revisit", args=[follow_up.pk]),
           reverse("console:care_report")]),
        (net.hq_service, [reverse("console:care_settings"),
                         reverse("console:care_survey_template", args=[task.step.survey_id]),
                         reverse("console:care_report")]),
    ]
    found = {}
    for persona, urls in pages:
        staff = login(persona)
        for url in urls:
            response = staff.get(url)
            assert response.status_code == 200, url
            bad = problems(response.content.decode(), names)
            if bad:
                found[url] = bad
    if link is not None:
        client.logout()
        page = client.get(reverse("store:survey", args=[link.token])).content.decode()
        found.update({"survey": problems(page)} if problems(page) else {})
    assert found == {}
