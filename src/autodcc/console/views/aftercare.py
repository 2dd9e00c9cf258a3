"""After-sales pages (CARE-2, CARE-4): the service advisor's maintenance list and each car's care
page (book, record the visit, the mileage the owner reported); the dealer's revisit calls with the
script and the survey; the survey report with charts and Excel; HQ's schedules, revisit plans and
survey templates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.aftercare import revisits, selectors, services
from autodcc.aftercare.models import (
    QuestionKind,
    RevisitStep,
    RevisitTask,
    SurveyQuestion,
    SurveyTemplate,
    TaskKind,
    TaskStatus,
)
from autodcc.catalog.models import CarModel
from autodcc.console.downloads import xlsx_download
from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.aftercare import (
    BookForm,
    CloseForm,
    MileageForm,
    QuestionForm,
    ScheduleForm,
    StepForm,
    TemplateForm,
    VisitForm,
)
from autodcc.console.forms.common import FilterForm
from autodcc.console.views.base import paginate, querystring_without_page, run_service, shows_dealer, staff_view
from autodcc.core import tabular
from autodcc.core.errors import DomainError, Forbidden, Invalid, NotFound
from autodcc.core.tenancy import get_for_actor
from autodcc.customers.models import Vehicle


def _tab_labels() -> list[tuple[str, str]]:
    return [("due", _("Due within a month")), ("reminded", _("Reminded")), ("booked", _("Booked")),
            ("overdue", _("Overdue")), ("done", _("Serviced this month")),
            ("unmatched", _("No next service")), ("all", _("All"))]


# --- the service advisor's list ------------------------------------------------------------------------


@staff_view("care.maintenance")
def maintenance(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "due")
    tab = tab if tab in selectors.TABS else "due"
    q = request.GET.get("q", "")[:40]
    rows = selectors.care_list(actor=request.actor, tab=tab, q=q)
    if wants_export(request):
        return export_list(request, "maintenance", rows)
    counts = selectors.tab_counts(actor=request.actor)
    return render(request, "console/aftercare/maintenance.html", {
        "tab": tab, "tabs": [(k, label, counts.get(k)) for k, label in _tab_labels()], "q": q,
        "page": paginate(request, rows), "qs": querystring_without_page(request), "today": timezone.localdate(),
        "show_dealer": shows_dealer(request.actor), "may_edit": request.actor.can("customers.edit")})


def _vehicle(request: HttpRequest, pk: int) -> Vehicle:
    vehicle = get_for_actor(Vehicle.objects.select_related("customer", "dealer", "trim__model"), request.actor, pk=pk)
    if vehicle.dealer_id is None or not request.actor.can("care.maintenance", dealer=vehicle.dealer):
        raise PermissionDenied
    return vehicle


@staff_view("care.maintenance")
def care_vehicle(request: HttpRequest, pk: int, **forms_: Any) -> HttpResponse:
    vehicle = _vehicle(request, pk)
    return render(request, "console/aftercare/vehicle.html", {
        "vehicle": vehicle, "today": timezone.localdate(), **selectors.vehicle_file(vehicle),
        "book_form": forms_.get("book_form") or BookForm(prefix="book"),
        "visit_form": forms_.get("visit_form") or VisitForm(prefix="visit"),
        "mileage_form": forms_.get("mileage_form") or MileageForm(prefix="mileage"),
    })


@require_POST
@staff_view("care.maintenance")
def care_vehicle_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Book the service, record the visit, record the mileage the owner reported, cancel the booking."""
    vehicle = _vehicle(request, pk)
    actor = request.actor
    back = redirect("console:care_vehicle", pk=pk)
    if action == "book":
        form: Any = BookForm(request.POST, prefix="book")
        run = lambda: services.appointment_book(actor=actor, vehicle=vehicle,  # noqa: E731
                                                scheduled_at=form.cleaned_data["scheduled_at"],
                                                note=form.cleaned_data["note"])
        key, notice = "book_form", _("Service booked.")
    elif action == "visit":
        form = VisitForm(request.POST, prefix="visit")
        run = lambda: services.visit_record(actor=actor, vehicle=vehicle,  # noqa: E731
                                            visited_on=form.cleaned_data["visited_on"],
                                            mileage_km=form.cleaned_data["mileage_km"], notes=form.cleaned_data["notes"])
        key, notice = "visit_form", _("Service visit recorded: the next service is counted from it.")
    elif action == "mileage":
        form = MileageForm(request.POST, prefix="mileage")
        run = lambda: services.mileage_report(actor=actor, vehicle=vehicle, km=form.cleaned_data["km"])  # noqa: E731
        key, notice = "mileage_form", _("Mileage recorded.")
    elif action == "cancel":
        form = FilterForm(request.POST)
        run = lambda: services.appointment_cancel(actor=actor, vehicle=vehicle) or True  # noqa: E731
        key, notice = "", _("Appointment cancelled.")
    else:
        raise Http404
    if form.is_valid() and run_service(form, run) is not None:
        messages.success(request, notice)
        return back
    if not key:
        return back
    return care_vehicle(request, pk, **{key: form})


# --- revisit calls -------------------------------------------------------------------------------------------


def _revisit_tabs(actor: Any) -> list[tuple[str, str]]:
    tabs = [("today", _("Due today")), ("upcoming", _("Upcoming")), ("closed", _("Closed"))]
    if actor.can("care.follow_up"):
        tabs.append(("follow_up", _("Low-score follow-ups")))
    return tabs


@staff_view("care.revisit")
def revisit_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "today")
    tabs = _revisit_tabs(request.actor)
    tab = tab if tab in dict(tabs) else "today"
    rows = selectors.revisit_list(actor=request.actor, tab=tab)
    if wants_export(request):
        return export_list(request, "revisits", rows)
    return render(request, "console/aftercare/revisits.html", {
        "tab": tab, "tabs": tabs, "page": paginate(request, rows), "qs": querystring_without_page(request),
        "show_dealer": shows_dealer(request.actor), "today": timezone.localdate()})


def _task(request: HttpRequest, pk: int) -> RevisitTask:
    task = get_for_actor(RevisitTask.objects.select_related("customer", "vehicle", "dealer", "step__survey",
                                                            "consultant", "assignee", "source_survey"),
                         request.actor, pk=pk)
    capability = "care.follow_up" if task.kind == TaskKind.FOLLOW_UP else "care.revisit"
    if not request.actor.can(capability, dealer=task.dealer):
        raise PermissionDenied
    return task


def _questions(template: SurveyTemplate | None, values: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    if template is None:
        return []
    return [{"q": q, "name": f"q{q.pk}", "value": str(values.get(f"q{q.pk}", "")), "error": errors.get(f"q{q.pk}", "")}
            for q in template.questions.filter(is_active=True)]


@staff_view("care.revisit")
def revisit_task(request: HttpRequest, pk: int, values: dict[str, Any] | None = None,
                 errors: dict[str, str] | None = None, close_form: Any = None, dial: Any = None) -> HttpResponse:
    task = _task(request, pk)
    template = task.step.survey if task.step_id and task.step.survey_id else None
    dealer = task.dealer.short_name or task.dealer.name
    script = (task.step.script if task.step_id else "").replace(revisits.DEALER_MARK, dealer)
    return render(request, "console/aftercare/revisit.html", {
        "task": task, "template": template, "script": script, "questions": _questions(template, values or {},
                                                                                        errors or {}),
        **selectors.revisit_file(task),
        "open": task.status == TaskStatus.OPEN, "close_form": close_form or CloseForm(prefix="close"),
        "may_service": request.actor.can("care.maintenance", dealer=task.dealer), "dial": dial})


@require_POST
@staff_view("care.revisit")
def revisit_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Send the survey's link, fill the survey in with the owner on the phone, or close the call."""
    task = _task(request, pk)
    actor = request.actor
    form = FilterForm(request.POST)
    back = redirect("console:care_revisit", pk=pk)
    if action == "call":
        try:
            dial = revisits.task_dial(actor=actor, task=task)
        except Forbidden:
            raise PermissionDenied from None
        return revisit_task(request, pk, dial=dial)
    if action == "send":
        survey = run_service(form, lambda: revisits.survey_send(actor=actor, task=task))
        if survey is not None and revisits.link_suppressed(survey):
            messages.warning(request, _("The owner opted out of our messages: no SMS was sent. Fill the survey in "
                                        "with them on the phone instead."))
        elif survey is not None:
            messages.success(request, _("The survey's link was sent by SMS."))
        else:
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return back
    if action == "fill":
        values = {k: v for k, v in request.POST.items() if k.startswith("q")}
        try:
            revisits.survey_fill(actor=actor, task=task, answers=values)
        except Invalid as exc:
            return revisit_task(request, pk, values=values, errors={e.field or "": e.message for e in exc.errors})
        except NotFound:
            raise Http404 from None
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as exc:
            messages.error(request, exc.message)
            return back
        messages.success(request, _("Survey saved; the call is done."))
        return redirect("console:care_revisits")
    if action == "close":
        close = CloseForm(request.POST, prefix="close")
        if close.is_valid() and run_service(close, lambda: revisits.task_close(
                actor=actor, task=task, status=close.cleaned_data["status"], note=close.cleaned_data["note"])):
            messages.success(request, _("Call closed."))
            return redirect("console:care_revisits")
        return revisit_task(request, pk, close_form=close)
    raise Http404


# --- the survey report ---------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()

    def day(name: str, default: dt.date) -> dt.date:
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return default

    until = day("until", today)
    since = day("since", until - dt.timedelta(days=89))
    return (since, until) if since <= until else (until, since)


def _short(text: str, size: int = 6) -> str:
    """A question as a chart's axis label: its first words (the table below has it whole)."""
    return text if len(text) <= size else text[:size] + "…"


def _chart(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False)


@staff_view("care.survey_report")
def survey_report(request: HttpRequest) -> HttpResponse:
    since, until = _period(request)
    report = selectors.survey_report(actor=request.actor, since=since, until=until)
    if request.GET.get("format") == "xlsx":
        return _report_xlsx(request, report)
    scored = [q for q in report.questions if q.kind != QuestionKind.COMMENT]
    five = [q for q in scored if q.kind == QuestionKind.SCORE5]  # one scale per chart (NPS has its own)
    comments = [(q.text, c) for q in report.questions if q.kind == QuestionKind.COMMENT for c in q.comments][-30:]
    return render(request, "console/aftercare/report.html", {
        "report": report, "since": since, "until": until, "scored": scored, "comments": comments,
        "show_dealer": shows_dealer(request.actor),
        "dealer_chart": _chart({"type": "bar", "labels": [d.label for d in report.dealers], "series": [
            {"name": _("Average score (1–5)"), "data": [d.average5 or 0 for d in report.dealers]}],
            "empty": _("No answers in this period")}),
        "nps_chart": _chart({"type": "bar", "labels": [d.label for d in report.dealers], "series": [
            {"name": _("NPS"), "data": [d.nps_value or 0 for d in report.dealers]}],
            "empty": _("No answers in this period")}),
        "question_chart": _chart({"type": "bar", "labels": [_short(q.text) for q in five], "series": [
            {"name": _("Average score (1–5)"), "data": [q.average or 0 for q in five]}],
            "empty": _("No answers in this period")}),
    })


def _report_xlsx(request: HttpRequest, report: selectors.Report) -> HttpResponse:
    def figures(rows: list[selectors.Figures]) -> list[list[Any]]:
        return [[f.label, f.count, f.average5 if f.average5 is not None else "", f.nps_value if f.nps_value is not None
                 else "", len(f.low)] for f in rows]

    head = [_("Name"), _("Surveys"), _("Average score (1–5)"), _("NPS"), _("Low scores")]
    questions = [[q.text, q.kind_label, q.count, q.average if q.average is not None else "",
                  q.nps_value if q.nps_value is not None else ""] for q in report.questions if q.kind != "comment"]
    comments = [[q.text, c] for q in report.questions if q.kind == "comment" for c in q.comments]
    data = tabular.xlsx_book([
        (_("By dealer"), head, figures(report.dealers)),
        (_("By consultant"), head, figures(report.consultants)),
        (_("By question"), [_("Question"), _("Kind"), _("Answers"), _("Average score"), _("NPS")], questions),
        (_("Comments"), [_("Question"), _("Comment")], comments),
    ])
    return xlsx_download(request, data, f"满意度回访-{report.since:%Y%m%d}-{report.until:%Y%m%d}.xlsx",
                         what="care.survey_report", details={"surveys": report.total.count})


# --- HQ: schedules, revisit plans, survey templates ---------------------------------------------------------


@staff_view("care.configure")
def care_settings(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    bound: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "schedule":
            model = CarModel.objects.filter(pk=request.POST.get("car_model") or 0).first()
            if model is None:
                raise Http404
            form: Any = ScheduleForm(request.POST, prefix=f"s{model.pk}")
            if form.is_valid() and run_service(form, lambda: services.schedule_save(
                    actor=actor, car_model=model, **form.cleaned_data)):
                messages.success(request, _("Schedule saved for %(model)s.") % {"model": model})
                return redirect(reverse("console:care_settings") + "#schedules")
            bound[f"s{model.pk}"] = form
        elif action == "step":
            form = StepForm(request.POST, prefix="step")
            if form.is_valid() and form.cleaned_data["brand"] in selectors.brands() and run_service(
                    form, lambda: revisits.step_add(actor=actor, **form.cleaned_data)):
                messages.success(request, _("Revisit added to the plan."))
                return redirect(reverse("console:care_settings") + "#plans")
            bound["step"] = form
        elif action == "step_remove":
            step = RevisitStep.objects.filter(pk=request.POST.get("step") or 0).first()
            if step is None:
                raise Http404
            revisits.step_remove(actor=actor, step=step)
            messages.success(request, _("Revisit removed from the plan."))
            return redirect(reverse("console:care_settings") + "#plans")
        elif action == "template":
            form = TemplateForm(request.POST, prefix="tpl")
            template = run_service(form, lambda: revisits.template_create(actor=actor, **form.cleaned_data)) \
                if form.is_valid() else None
            if template is not None:
                return redirect("console:care_survey_template", pk=template.pk)
            bound["template"] = form
        else:
            raise Http404
    models = []
    for model, schedule in selectors.schedules_by_model():
        initial = ({"first_months": schedule.first_months, "first_km": schedule.first_km,
                    "every_months": schedule.every_months, "every_km": schedule.every_km, "offer": schedule.offer}
                   if schedule else {"first_months": 6, "first_km": 5000, "every_months": 12, "every_km": 10000})
        models.append({"model": model, "schedule": schedule,
                       "form": bound.get(f"s{model.pk}") or ScheduleForm(prefix=f"s{model.pk}", initial=initial)})
    plans = [{"brand": brand, "steps": revisits.plan_for(brand),
              "form": bound.get("step") if bound.get("step") is not None and bound["step"].data.get("step-brand") == brand
              else StepForm(prefix="step", initial={"brand": brand, "unit": "day"})} for brand in selectors.brands()]
    return render(request, "console/aftercare/settings.html", {
        "models": models, "plans": plans, "templates": SurveyTemplate.objects.all(),
        "template_form": bound.get("template") or TemplateForm(prefix="tpl")})


@staff_view("care.configure")
def survey_template(request: HttpRequest, pk: int) -> HttpResponse:
    template = SurveyTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise Http404
    form = QuestionForm(prefix="question")
    if request.method == "POST":
        if request.POST.get("action") == "toggle":
            question = SurveyQuestion.objects.filter(template=template, pk=request.POST.get("question") or 0).first()
            if question is None:
                raise Http404
            revisits.question_set_active(actor=request.actor, question=question, active=not question.is_active)
            return redirect("console:care_survey_template", pk=pk)
        form = QuestionForm(request.POST, prefix="question")
        if form.is_valid() and run_service(form, lambda: revisits.question_add(
                actor=request.actor, template=template, **form.cleaned_data)):
            messages.success(request, _("Question added."))
            return redirect("console:care_survey_template", pk=pk)
    return render(request, "console/aftercare/template.html", {
        "template": template, "questions": template.questions.all(), "form": form})
