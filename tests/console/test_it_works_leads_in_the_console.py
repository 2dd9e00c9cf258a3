"""The lead pages driven through their POST endpoints, as the personas would click them."""

import datetime as dt
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from autodcc.core import workhours
from autodcc.core.actors import SYSTEM
from autodcc.core.errors import message_for
from autodcc.core.models import AuditLog, ImportJob, ImportStatus
from autodcc.customers.models import Customer, CustomerKind
from autodcc.leads import services as s
from autodcc.leads.models import (
    Appointment,
    AppointmentStatus,
    CareTask,
    DefeatRequest,
    DefeatStatus,
    Lead,
    RevisitTarget,
    Stage,
    Status,
)

HX = {"HTTP_HX_REQUEST": "true"}
_phones = itertools.count(1)


def lead_input(**overrides):
    """A valid consumer enquiry; each call gets a fresh mobile number unless one is given."""
    values = {"name": "张伟", "phone": f"1370000{next(_phones):04d}", "channel": "autohome", "city": "上海",
              "consent_version": "2026-01", "consent_share_with_dealer": True, "model_interest": "澜川 S7"}
    values.update(overrides)
    return s.LeadInput(**values)


def visit_time(days_ahead=3, hour=10):
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while not workhours.is_open_day(day, "1234567"):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def local_input(when):
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def actions(lead):
    return list(AuditLog.objects.filter(object_type="leads.lead", object_id=str(lead.pk)).order_by("id")
                .values_list("action", flat=True))


def url(name, *args):
    return reverse(f"console:{name}", args=args)


def message(code, **params):
    """A domain error's message as the console shows it: in the default language (Chinese), escaped."""
    with translation.override("zh-hans"):
        return escape(message_for(code, params))


def is_fragment(response, marker):
    html = response.content.decode()
    return response.status_code == 200 and "<html" not in html and marker in html


def test_one_lead_from_the_walk_in_form_to_delivery(net, login):
    client = login(net.a_agent)
    response = client.post(url("lead_create"), {
        "name": "李雷", "phone": "139 1234 5678", "city": "上海", "channel": "walk_in", "model_interest": "澜川 S7",
        "consent_version": "on", "consent_share_with_dealer": "on",
    })
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == url("lead_detail", lead.pk)
    assert (lead.dealer, lead.agent, lead.allocation_reason) == (net.dealer_a, net.a_agent.staff, "staff")
    consent = lead.customer.consents.get()
    assert consent.version == "console-2026-01" and consent.share_with_dealer and consent.dealer == net.dealer_a
    page = client.get(response["Location"]).content.decode()
    assert "139****5678" in page and "13912345678" not in page and 'data-action="lead.capture"' in page

    purchase = timezone.localdate() + dt.timedelta(days=12)
    response = client.post(url("lead_follow_up", lead.pk), {
        "kind": "call_out", "result": "reached", "grade": "A", "note": "想周末看车", "recording_ref": "REC-1",
        "expected_purchase_on": purchase.isoformat()}, **HX)
    assert is_fragment(response, 'id="lead-body"')
    lead.refresh_from_db()
    assert (lead.status, lead.grade, lead.expected_purchase_on) == (Status.FOLLOWING, "A", purchase)
    assert lead.first_response_at is not None and lead.contacted_by == net.a_agent.staff

    when = visit_time()
    response = client.post(url("lead_invite", lead.pk), {"scheduled_at": local_input(when), "purpose": "试驾"}, **HX)
    assert is_fragment(response, 'id="lead-body"')
    appointment = Appointment.objects.get(lead=lead)
    assert appointment.scheduled_at == when and Lead.objects.get(pk=lead.pk).status == Status.INVITED

    response = client.post(url("appointment_confirm", appointment.pk), {"outcome": "confirmed"})
    assert response.status_code == 302  # without htmx: back to the lead page
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED and appointment.confirmed_by == net.a_agent.staff

    client.post(url("lead_arrive", lead.pk), {}, **HX)
    client.post(url("lead_handover", lead.pk), {"consultant": net.a_consultant.staff.pk, "note": "A级，关注续航"}, **HX)
    lead.refresh_from_db()
    assert (lead.status, lead.stage, lead.consultant) == (Status.ARRIVED, Stage.SHOWROOM, net.a_consultant.staff)

    client = login(net.a_consultant)
    page = client.get(url("lead_detail", lead.pk)).content.decode()
    assert 'data-step="presented"' in page and 'data-step="delivered"' not in page  # not ordered yet
    for step in ("presented", "test_driven", "negotiated", "ordered", "delivered"):
        response = client.post(url("lead_step", lead.pk), {"step": step}, **HX)
        assert is_fragment(response, f'data-milestone="{step}"'), step
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.status == Status.DELIVERED and lead.next_follow_up_on is None
    for milestone in ("contacted", "invited", "arrived", "presented", "test_driven", "negotiated", "ordered",
                      "delivered"):
        assert getattr(lead, f"{milestone}_at") is not None, milestone
    assert lead.arrived_by == net.a_agent.staff and lead.delivered_by == net.a_consultant.staff
    assert lead.customer.kind == CustomerKind.MEMBER
    assert actions(lead) == ["lead.capture", "lead.follow_up", "lead.invite", "appointment.confirmed", "lead.arrive",
                             "lead.handover", "lead.presented", "lead.test_driven", "lead.negotiated", "lead.ordered",
                             "lead.delivered"]

    # closed: no more actions offered; the post-delivery calls can be marked done
    page = client.get(url("lead_detail", lead.pk)).content.decode()
    assert 'id="follow-up-form"' not in page and 'id="step-form"' not in page
    # the progress bar names the stages as the funnel does (已试驾, not 试驾)
    test_driven = page[page.index('data-milestone="test_driven"'):]
    assert test_driven[:test_driven.index("</b>")].endswith("<b>已试驾")
    first = CareTask.objects.filter(lead=lead).order_by("due_on").first()
    # the care call's note field says what it is: it has no label in the table
    care_form = page[page.index(f'id="care-form-{first.pk}"'):]
    care_form = care_form[:care_form.index("</form>")]
    assert 'placeholder="回访备注（可选）"' in care_form and 'aria-label="回访备注（可选）"' in care_form
    response = client.post(url("care_task_done", first.pk), {"note": "客户满意"}, **HX)
    assert is_fragment(response, 'id="care-tasks"')
    first.refresh_from_db()
    assert first.done_by == net.a_consultant.staff and actions(lead)[-1] == "lead.care_done"


def test_defeat_rejected_then_approved_from_the_queue(net, login):
    lead = s.lead_capture(actor=SYSTEM, data=lead_input(dealer="SH-001")).lead
    agent = login(net.a_agent)
    agent.post(url("lead_follow_up", lead.pk), {"kind": "call_out", "result": "reached", "grade": "B"})
    response = agent.post(url("lead_defeat", lead.pk), {"kind": "defeat", "reason": "price", "note": "嫌贵"}, **HX)
    assert is_fragment(response, 'id="lead-body"') and 'id="defeat-form"' not in response.content.decode()
    first = DefeatRequest.objects.get(lead=lead)
    assert Lead.objects.get(pk=lead.pk).status == Status.DEFEAT_PENDING
    assert agent.post(url("defeat_approve", first.pk), {}).status_code == 403  # agents do not approve

    manager = login(net.a_manager)
    queue = manager.get(url("approvals")).content.decode()
    assert f'id="defeat-{first.pk}"' in queue and lead.customer.phone[-4:] in queue
    response = manager.post(url("defeat_reject", first.pk), {"note": "", "from": "approvals"}, **HX)
    assert is_fragment(response, f'id="defeat-{first.pk}"')
    assert message("lead.note_required") in response.content.decode()
    assert DefeatRequest.objects.get(pk=first.pk).status == DefeatStatus.PENDING
    response = manager.post(url("defeat_reject", first.pk), {"note": "价格可以再谈", "from": "approvals"}, **HX)
    assert is_fragment(response, f'id="defeat-{first.pk}"') and 'name="from"' not in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == Status.FOLLOWING and lead.next_follow_up_on == timezone.localdate()

    agent = login(net.a_agent)
    agent.post(url("lead_follow_up", lead.pk), {"kind": "call_out", "result": "reached", "note": "已买别家"})
    response = agent.post(url("lead_defeat", lead.pk), {"kind": "defeat", "reason": "competitor"}, **HX)
    assert message("defeat.competitor_missing") in response.content.decode()
    assert DefeatRequest.objects.filter(lead=lead).count() == 1
    # the reason list follows the kind
    reasons = agent.get(url("defeat_reasons"), {"kind": "invalid"}, **HX).content.decode()
    assert 'value="invalid_number"' in reasons and 'value="price"' not in reasons and 'id="def-reason"' in reasons
    agent.post(url("lead_defeat", lead.pk), {"kind": "defeat", "reason": "competitor", "competitor_brand": "比亚迪",
                                             "competitor_model": "汉"})
    second = DefeatRequest.objects.get(lead=lead, status=DefeatStatus.PENDING)

    manager = login(net.a_manager)
    revisit = timezone.localdate() + dt.timedelta(days=180)
    response = manager.post(url("defeat_approve", second.pk), {"revisit_on": revisit.isoformat(), "note": "半年后回访"},
                            **HX)
    assert is_fragment(response, 'id="lead-body"')
    lead.refresh_from_db()
    assert lead.status == Status.DEFEATED and lead.defeated_by == net.a_manager.staff
    assert CareTask.objects.get(lead=lead).due_on == revisit
    assert actions(lead) == ["lead.capture", "lead.follow_up", "lead.defeat_request", "lead.defeat_reject",
                             "lead.follow_up", "lead.defeat_request", "lead.defeat_approve"]


def test_bad_input_shows_on_the_form_and_saves_nothing(net, login):
    client = login(net.a_agent)
    response = client.post(url("lead_create"), {"name": "韩梅梅", "phone": "12345", "city": "上海",
                                                "channel": "walk_in", "consent_version": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert message("phone.not_mobile", value="12345") in html
    assert message("consent.sharing_missing") in html
    assert not Lead.objects.exists() and not Customer.objects.exists()

    lead = s.lead_capture(actor=SYSTEM, data=lead_input(dealer="SH-001")).lead
    yesterday = timezone.now() - dt.timedelta(days=1)
    response = client.post(url("lead_invite", lead.pk), {"scheduled_at": local_input(yesterday)}, **HX)
    assert is_fragment(response, message("appointment.past"))
    response = client.post(url("lead_invite", lead.pk), {"scheduled_at": local_input(visit_time(hour=20))}, **HX)
    assert "18:00" in response.content.decode()  # outside opening hours, in the dealer's words
    assert not Appointment.objects.exists() and Lead.objects.get(pk=lead.pk).status == Status.NEW
    response = client.post(url("lead_follow_up", lead.pk), {"kind": "call_out", "result": "reached",
                                                            "next_follow_up_on": "2020-01-01"}, **HX)
    assert 'role="alert"' in response.content.decode() and not lead.contacts.exists()
    assert actions(lead) == ["lead.capture"]
    # a step out of order is refused by the service on the consultant's form (as the manager here)
    response = login(net.a_manager).post(url("lead_step", lead.pk), {"step": "ordered"}, **HX)
    assert message("lead.not_arrived") in response.content.decode()


def test_a_known_number_joins_the_open_lead_with_a_message(net, login):
    lead = s.lead_capture(actor=SYSTEM, data=lead_input(dealer="SH-001", phone="13912340000")).lead
    client = login(net.a_supervisor)
    response = client.post(url("lead_create"), {"name": "张伟", "phone": "13912340000", "city": "上海",
                                                "channel": "hotline", "consent_version": "on",
                                                "consent_share_with_dealer": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == url("lead_detail", lead.pk)
    assert lead.number in response.content.decode()
    assert Lead.objects.count() == 1 and Lead.objects.get().duplicate_count == 1


def test_phones_are_masked_in_the_list_and_the_work_list(net, login):
    lead = s.lead_capture(actor=SYSTEM, data=lead_input(dealer="SH-001", phone="13955556666")).lead
    overdue = s.lead_capture(actor=SYSTEM, data=lead_input(dealer="SH-001", phone="13955557777")).lead
    Lead.objects.filter(pk=overdue.pk).update(status=Status.FOLLOWING,
                                              next_follow_up_on=timezone.localdate() - dt.timedelta(days=2))
    for who in ("a_agent", "a_supervisor", "a_manager", "hq_service"):
        client = login(getattr(net, who))
        for name, args in (("lead_list", ()), ("worklist", ()), ("lead_detail", (lead.pk,))):
            page = client.get(url(name, *args))
            html = page.content.decode()
            assert page.status_code == 200
            for full in ("13955556666", "+8613955556666", "13955557777"):
                assert full not in html, (who, full)
        assert "139****6666" in client.get(url("lead_list")).content.decode()
    work = login(net.a_agent).get(url("worklist")).content.decode()
    assert f'data-lead="{lead.pk}"' in work and "139****6666" in work
    overdue_section = work.split('id="wl-overdue"')[1].split("</article>")[0]
    assert f'data-lead="{overdue.pk}"' in overdue_section and 'class="overdue"' in overdue_section
    supervisor = login(net.a_supervisor).get(url("worklist")).content.decode()
    assert 'id="wl-sla"' in supervisor and 'id="wl-pool"' in supervisor


def test_a_consultant_sees_only_the_leads_handed_to_them(net, login):
    handed = s.lead_capture(actor=SYSTEM, data=lead_input(dealer="SH-001")).lead
    other = s.lead_capture(actor=SYSTEM, data=lead_input(dealer="SH-001")).lead
    s.lead_handover(actor=net.a_agent.actor, lead=handed, to_staff=net.a_consultant.staff)
    client = login(net.a_consultant)
    html = client.get(url("lead_list")).content.decode()
    assert handed.number in html and other.number not in html
    assert client.get(url("lead_detail", handed.pk)).status_code == 200
    assert client.get(url("lead_detail", other.pk)).status_code == 404
    assert client.post(url("lead_follow_up", other.pk), {"kind": "call_out", "result": "reached"}).status_code == 404
    html = client.get(url("customer_detail", other.customer_id))
    assert html.status_code == 404


def test_lists_refresh_as_fragments_and_filter(net, login):
    first = s.lead_capture(actor=SYSTEM, data=lead_input(dealer="SH-001", name="欧阳娜娜")).lead
    s.lead_capture(actor=SYSTEM, data=lead_input(dealer="HZ-001", name="司马光"))
    client = login(net.regional_manager)
    full = client.get(url("lead_list")).content.decode()
    assert "<html" in full and "欧阳娜娜" in full and "司马光" in full and "SH-001" not in full
    fragment = client.get(url("lead_list"), {"dealer": net.dealer_a.pk}, **HX)
    assert is_fragment(fragment, 'id="results"')
    assert "欧阳娜娜" in fragment.content.decode() and "司马光" not in fragment.content.decode()
    by_tail = client.get(url("lead_list"), {"q": first.customer.phone[-4:]}, **HX).content.decode()
    assert "欧阳娜娜" in by_tail
    assert is_fragment(client.get(url("lead_detail", first.pk), **HX), 'id="lead-body"')
    assert "司马光" not in client.get(url("lead_list"), {"status": "following"}).content.decode()


def test_expected_arrivals_register_in_place(net, login):
    lead = s.lead_capture(actor=SYSTEM, data=lead_input(dealer="SH-001")).lead
    when = visit_time(days_ahead=2)
    appointment = s.lead_invite(actor=net.a_agent.actor, lead=lead, scheduled_at=when)
    client = login(net.a_agent)
    page = client.get(url("arrivals"), {"day": timezone.localdate(when).isoformat()}).content.decode()
    assert f'data-arrive="{appointment.pk}"' in page
    assert f'id="arrival-{appointment.pk}"' not in client.get(url("arrivals")).content.decode()
    response = client.post(url("lead_arrive", lead.pk), {"from": "arrivals", "appointment": appointment.pk}, **HX)
    assert is_fragment(response, f'id="arrival-{appointment.pk}"')
    assert 'data-arrive=' not in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == Status.ARRIVED


def test_supervisor_reassigns_and_hq_reallocates(net, login):
    from autodcc.network import services as network

    lead = s.lead_capture(actor=SYSTEM, data=lead_input(dealer="SH-001")).lead
    second = network.staff_create(actor=SYSTEM, username="p-a-agent2", name="a_agent2", mobile="13800009999",
                                  grants=[("dcc_agent", net.dealer_a, None)])
    client = login(net.a_supervisor)
    response = client.post(url("lead_reassign", lead.pk), {"agent": second.pk, "note": ""}, **HX)
    assert message("lead.note_required") in response.content.decode()
    client.post(url("lead_reassign", lead.pk), {"agent": second.pk, "note": "均衡工作量"}, **HX)
    assert Lead.objects.get(pk=lead.pk).agent == second
    assert login(net.a_agent).post(url("lead_reassign", lead.pk), {"agent": net.a_agent.staff.pk,
                                                                   "note": "x"}).status_code == 403

    client = login(net.hq_service)
    page = client.get(url("lead_detail", lead.pk)).content.decode()
    assert 'id="reallocate-form"' in page and 'id="follow-up-form"' not in page
    response = client.post(url("lead_reallocate", lead.pk), {"dealer": net.dealer_b.pk, "note": "客户改在杭州买车"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.dealer == net.dealer_b and lead.agent == net.b_agent.staff
    assert actions(lead)[-2:] == ["lead.reassign", "lead.reallocate"]
    # dealer A no longer sees it
    assert login(net.a_manager).get(url("lead_detail", lead.pk)).status_code == 404


def test_imports_show_progress_and_the_error_report(net, login, settings, tmp_path,
                                                    django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client = login(net.a_manager)
    template = client.get(url("lead_import_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    data = ("姓名,手机,城市,渠道,平台线索号,授权版本,同意共享经销商\n"
            "王芳,13711110001,上海,汽车之家,AH-1,2026-01,是\n"
            "陈静,12345,上海,汽车之家,AH-2,2026-01,是\n").encode("utf-8-sig")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("lead_import"), {
            "file": SimpleUploadedFile("leads.csv", data, content_type="text/csv"), "skip_bad_rows": "on"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == url("lead_import_detail", job.pk)
    assert job.status == ImportStatus.DONE_WITH_ERRORS and job.created_count == 1 and job.dealer_id == net.dealer_a.pk
    assert Lead.objects.get().dealer == net.dealer_a
    page = client.get(response["Location"]).content.decode()
    assert "12345" in page and 'id="import-errors"' in page and 'hx-trigger="every 1s"' not in page
    report = client.get(response["Location"], {"format": "xlsx"})
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(report.content)).active.cell(2, 1).value == 3
    running = ImportJob.objects.create(kind="leads", filename="big.csv", dealer_id=net.dealer_a.pk,
                                       created_by_label="x", total_rows=400, processed_rows=200)
    poll = client.get(url("lead_import_detail", running.pk), **HX)
    assert is_fragment(poll, 'hx-trigger="every 1s"') and 'value="200"' in poll.content.decode()
    # other kinds of import and other dealers' imports are not reachable here
    other = ImportJob.objects.create(kind="dealers", filename="d.csv", created_by_label="hq")
    assert client.get(url("lead_import_detail", other.pk)).status_code == 404


def test_lead_rules_and_revisit_targets(net, login):
    client = login(net.a_manager)
    page = client.get(url("lead_settings"))
    assert page.status_code == 200 and f'data-staff="{net.a_agent.staff.pk}"' in page.content.decode()
    bad = client.post(url("lead_settings"), {"section": "rules", "sla_minutes": "20", "post_delivery_days": "1, x",
                                             "interval_N": "1", "interval_H": "1", "interval_A": "2",
                                             "interval_B": "5", "interval_C": "0"})
    assert bad.status_code == 200 and bad.content.decode().count('role="alert"') >= 2
    ok = client.post(url("lead_settings"), {"section": "rules", "sla_minutes": "20", "post_delivery_days": "1, 3, 30",
                                            "interval_N": "1", "interval_H": "1", "interval_A": "2",
                                            "interval_B": "5", "interval_C": "10"})
    assert ok.status_code == 302
    rules = net.dealer_a.lead_settings
    assert (rules.sla_minutes, rules.grade_intervals["A"], rules.post_delivery_days) == (20, 2, [1, 3, 30])

    supervisor = login(net.a_supervisor)
    assert supervisor.post(url("lead_settings"), {"section": "rules", "sla_minutes": "5"}).status_code == 403
    response = supervisor.post(url("lead_settings"), {"section": "targets",
                                                      f"target_{net.a_agent.staff.pk}": "40"})
    assert response.status_code == 302
    assert RevisitTarget.objects.get(staff=net.a_agent.staff).per_day == 40
    work = login(net.a_agent).get(url("worklist")).content.decode()
    assert 'id="revisit-target"' in work and 'max="40"' in work
    assert login(net.a_supervisor).get(url("lead_settings"), {"dealer": net.dealer_b.pk}).status_code == 404
    hq = login(net.hq_marketer).get(url("lead_settings"), {"dealer": net.dealer_b.pk})
    assert hq.status_code == 200 and 'id="dealer-select"' in hq.content.decode()
    assert login(net.a_agent).get(url("lead_settings")).status_code == 403
