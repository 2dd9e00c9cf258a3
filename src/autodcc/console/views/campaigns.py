"""Campaign pages (CMP-1, CMP-2, CMP-8): the activity calendar by month and year, each campaign's
plan with its budget, targets, tasks and daily progress, its summary (page and Excel), and the
monthly cost of each channel."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.campaigns import draw, outreach, selectors, services
from autodcc.campaigns.models import BudgetLine, CallScript, Campaign, Situation, Task
from autodcc.console.downloads import xlsx_download
from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.campaigns import (
    BudgetLineForm,
    CallTasksForm,
    CampaignForm,
    ChannelCostForm,
    ChannelCostImportForm,
    DayNoteForm,
    DrawRoundForm,
    OutreachForm,
    PrizeStepForm,
    ScriptForm,
    SpentForm,
    TaskForm,
)
from autodcc.console.forms.common import parse_month
from autodcc.console.views.base import querystring_without_page, run_service, staff_view
from autodcc.core import tabular
from autodcc.core.errors import Forbidden, NotFound
from autodcc.core.tenancy import get_for_actor
from autodcc.insights.queries import scoped

VIEW = "campaigns.view"


def _overlapping(actor: Any, first: dt.date, last: dt.date) -> list[Campaign]:
    return list(selectors.overlapping(actor, first, last))


def _export_campaigns(request: HttpRequest, first: dt.date, last: dt.date) -> HttpResponse:
    """The campaigns of the month, quarter or year the calendar shows, as Excel."""
    return export_list(request, "campaigns", selectors.overlapping(request.actor, first, last),
                       filters={"from": first.isoformat(), "to": last.isoformat()})


@staff_view(VIEW)
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The activity calendar: a month's days with the campaigns running on each, or a year's months."""
    today = timezone.localdate()
    if request.GET.get("view") == "year":
        year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else today.year
        year = min(max(year, 2000), 2100)
        if wants_export(request):
            return _export_campaigns(request, dt.date(year, 1, 1), dt.date(year, 12, 31))
        campaigns = _overlapping(request.actor, dt.date(year, 1, 1), dt.date(year, 12, 31))
        months = []
        for m in range(1, 13):
            first = dt.date(year, m, 1)
            last = dt.date(year, m, calendar.monthrange(year, m)[1])
            months.append({"month": first, "campaigns": [c for c in campaigns if c.starts_on <= last and c.ends_on >= first]})
        return render(request, "console/campaigns/calendar.html", {
            "view": "year", "year": year, "months": months, "prev": year - 1, "next": year + 1,
            "can_plan": request.actor.can("campaigns.manage"), "qs": querystring_without_page(request)})
    if request.GET.get("view") == "quarter":
        return _quarter(request, today)
    month = parse_month(request.GET.get("month")) or today.replace(day=1)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    if wants_export(request):
        return _export_campaigns(request, month, last)
    campaigns = _overlapping(request.actor, month, last)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append([{"day": d, "in_month": d.month == month.month, "today": d == today,
                       "campaigns": [c for c in campaigns if c.starts_on <= d <= c.ends_on]} for d in week])
    prev = (month - dt.timedelta(days=1)).replace(day=1)
    nxt = last + dt.timedelta(days=1)
    return render(request, "console/campaigns/calendar.html", {
        "view": "month", "month": month, "weeks": weeks, "campaigns": campaigns, "prev": prev, "next": nxt,
        "quarter": (month.month - 1) // 3 + 1,
        "can_plan": request.actor.can("campaigns.manage"), "qs": querystring_without_page(request)})


def _quarter(request: HttpRequest, today: dt.date) -> HttpResponse:
    """A quarter's plan: the campaigns as bars over its weeks (Monday to Sunday), by start date."""
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else today.year
    year = min(max(year, 2000), 2100)
    given = request.GET.get("q", "")
    quarter = int(given) if given in ("1", "2", "3", "4") else (today.month - 1) // 3 + 1
    first = dt.date(year, 3 * quarter - 2, 1)
    last_month = 3 * quarter
    last = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    if wants_export(request):
        return _export_campaigns(request, first, last)
    monday = first - dt.timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        weeks.append((monday, monday + dt.timedelta(days=6)))
        monday += dt.timedelta(days=7)
    campaigns = sorted(_overlapping(request.actor, first, last), key=lambda c: (c.starts_on, c.name))
    rows = [{"campaign": c, "cells": [c.starts_on <= sunday and c.ends_on >= start for start, sunday in weeks]}
            for c in campaigns]
    prev = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    nxt = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    return render(request, "console/campaigns/calendar.html", {
        "view": "quarter", "year": year, "quarter": quarter, "weeks": weeks, "rows": rows, "first": first,
        "last": last, "today": today, "prev": prev, "next": nxt, "can_plan": request.actor.can("campaigns.manage"),
        "qs": querystring_without_page(request)})


@staff_view("campaigns.manage")
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        if run_service(form, lambda: services.campaign_save(actor=request.actor, campaign=campaign)):
            messages.success(request, _("Campaign planned."))
            return redirect("console:campaign_detail", pk=campaign.pk)
    return render(request, "console/campaigns/form.html", {"form": form})


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_for_actor(Campaign.objects.select_related("dealer", "region"), request.actor, pk=pk)


@staff_view(VIEW)
def campaign_detail(request: HttpRequest, pk: int, **forms_: Any) -> HttpResponse:
    campaign = _campaign(request, pk)
    manage = services.may_manage(request.actor, campaign)
    summary = services.summary(campaign, leads=scoped(request.actor))
    if request.GET.get("format") == "xlsx":
        return _summary_xlsx(request, campaign, summary)
    labels = dict(_metric_labels())
    context = {
        "campaign": campaign, "summary": summary, "manage": manage, "fixed": campaign.is_fixed(),
        "targets_chart": _chart({"type": "bar", "labels": [str(labels[m]) for m in services.TARGETS], "series": [
            {"name": _("Actual"), "data": [summary.counts[m] for m in services.TARGETS]},
            {"name": _("Target"), "data": [summary.targets[m] for m in services.TARGETS]}]}),
        "daily_chart": _chart({"type": "bar", "labels": [d["day"].strftime("%m-%d") for d in summary.days], "series": [
            {"name": str(labels[m]), "data": [d[m] for d in summary.days]}
            for m in ("leads", "arrivals", "test_drives", "orders")]}),
        "lines": campaign.budget_lines.all(), "tasks": campaign.tasks.select_related("owner"),
        "code_link": request.build_absolute_uri(reverse("store:home")) + f"?c={campaign.code}",
        "metrics": [(m, label, summary.counts[m], summary.targets.get(m), summary.reached(m))
                    for m, label in _metric_labels()],
    }
    rounds, rewards = selectors.draw_figures(campaign)
    context_rounds = {"rounds": rounds, "now": timezone.now(), "first_n": rewards,
                      "freeze_before": timezone.now() - draw.CLOSE_GRACE,
                      "rounds_chart": _chart({"type": "bar", "labels": [f"#{r.number}" for r in rounds], "series": [
                          {"name": _("Entries"), "data": [r.entries_now for r in rounds]},
                          {"name": _("Duplicates refused"), "data": [r.duplicates_refused for r in rounds]}]})
                      if rounds else ""}
    waves = list(campaign.outreaches.select_related("group")[:20])
    for wave in waves:
        wave.progress = outreach.progress(wave)
    context.update(waves=waves, calls=selectors.call_load(campaign), **context_rounds)
    if manage:
        context.update(
            outreach_form=forms_.get("outreach_form") or OutreachForm(prefix="wave", actor=request.actor),
            round_form=forms_.get("round_form") or DrawRoundForm(prefix="round", initial={
                "number": len(rounds) + 1}),
            calls_form=forms_.get("calls_form") or CallTasksForm(prefix="calls", actor=request.actor, campaign=campaign,
                                                                 initial={"due_on": timezone.localdate()}),
            form=forms_.get("form") or CampaignForm(instance=campaign, actor=request.actor),
            line_form=forms_.get("line_form") or BudgetLineForm(prefix="line"),
            task_form=forms_.get("task_form") or TaskForm(prefix="task", campaign=campaign),
            note_form=forms_.get("note_form") or DayNoteForm(prefix="note", initial={"day": timezone.localdate()}))
    return render(request, "console/campaigns/detail.html", context)


@require_POST
@staff_view(VIEW)
def campaign_outreach(request: HttpRequest, pk: int) -> HttpResponse:
    """An SMS or WeChat wave to a saved customer group."""
    campaign = _campaign(request, pk)
    if not services.may_manage(request.actor, campaign):
        raise PermissionDenied
    form = OutreachForm(request.POST, prefix="wave", actor=request.actor)
    if form.is_valid():
        d = form.cleaned_data
        wave = run_service(form, lambda: outreach.wave_send(actor=request.actor, campaign=campaign, group=d["group"],
                                                            content=d["content"], channel=d["channel"],
                                                            per_minute=d["per_minute"], starts_at=d["starts_at"]))
        if wave is not None:
            messages.success(request, _("%(queued)s messages queued (%(held)s wait for the morning); skipped: "
                                        "%(consent)s without consent to marketing, %(optout)s opted out, %(cap)s "
                                        "messaged too often this week, %(address)s without an address.") % {
                "queued": wave.queued, "held": wave.held, "consent": wave.skipped_consent,
                "optout": wave.skipped_optout, "cap": wave.skipped_cap, "address": wave.skipped_address})
            return redirect(reverse("console:campaign_detail", args=[pk]) + "#outreach")
    return campaign_detail(request, pk, outreach_form=form)


@require_POST
@staff_view(VIEW)
def campaign_outreach_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop what a wave has not sent yet (a wave of a campaign the person cannot see: 404)."""
    try:
        wave, stopped = outreach.wave_cancel(actor=request.actor, wave_id=pk)
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    messages.success(request, _("%(n)s messages of the wave will not be sent.") % {"n": stopped})
    return redirect(reverse("console:campaign_detail", args=[wave.campaign_id]) + "#outreach")


@require_POST
@staff_view(VIEW)
def campaign_calls(request: HttpRequest, pk: int) -> HttpResponse:
    """Call tasks for the open leads of a saved group, spread over the chosen agents."""
    campaign = _campaign(request, pk)
    if not services.may_manage(request.actor, campaign):
        raise PermissionDenied
    form = CallTasksForm(request.POST, prefix="calls", actor=request.actor, campaign=campaign)
    if form.is_valid():
        d = form.cleaned_data
        made = run_service(form, lambda: outreach.call_tasks_create(
            actor=request.actor, campaign=campaign, group=d["group"], agents=list(d["agents"]), due_on=d["due_on"],
            script=d["script"]))
        if made is not None:
            messages.success(request, _("%(n)s call tasks placed in the agents' work lists.") % {"n": made})
            return redirect(reverse("console:campaign_detail", args=[pk]) + "#calls")
    return campaign_detail(request, pk, calls_form=form)


@staff_view(VIEW)
def direct_mail(request: HttpRequest, pk: int) -> HttpResponse:
    """The direct-mail list of a saved group as Excel (names, cities, postal addresses)."""
    campaign = _campaign(request, pk)
    if not services.may_manage(request.actor, campaign):
        raise PermissionDenied
    form = OutreachForm(actor=request.actor)  # carries a refusal, if any
    group = request.GET.get("group", "")
    found = run_service(form, lambda: outreach.direct_mail(actor=request.actor, campaign=campaign,
                                                           group=int(group) if group.isdigit() else 0))
    if found is None:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(reverse("console:campaign_detail", args=[pk]) + "#outreach")
    rows, skipped = found
    data = tabular.xlsx_bytes(_("Direct mail"), [_("Name"), _("City"), _("Postal address")], rows)
    return xlsx_download(request, data, f"{campaign.code}-直邮名单.xlsx", what="campaigns.direct_mail",
                         dealer_id=campaign.dealer_id, details={"rows": len(rows), "skipped": skipped})


@require_POST
@staff_view(VIEW)
def campaign_draw(request: HttpRequest, pk: int) -> HttpResponse:
    """Launch-day rounds: prepare one (its commitment), close it, draw it, replace an unreachable winner."""
    from autodcc.campaigns import draw
    from autodcc.campaigns.models import DrawRound

    campaign = _campaign(request, pk)
    if not services.may_manage(request.actor, campaign):
        raise PermissionDenied
    action = request.POST.get("action")
    back = redirect(reverse("console:campaign_detail", args=[pk]) + "#draw")
    if action == "prepare":
        form = DrawRoundForm(request.POST, prefix="round")
        if form.is_valid():
            d = form.cleaned_data
            if run_service(form, lambda: draw.round_prepare(actor=request.actor, campaign=campaign, number=d["number"],
                                                            opens_at=d["opens_at"], closes_at=d["closes_at"],
                                                            prize=d["prize"],
                                                            awaits_public_value=d["awaits_public_value"])):
                messages.success(request, _("Round prepared; its commitment is published."))
                return back
        return campaign_detail(request, pk, round_form=form)
    draw_round = DrawRound.objects.filter(campaign=campaign, pk=request.POST.get("round") or 0).first()
    if draw_round is None:
        from django.http import Http404

        raise Http404
    form = DayNoteForm()  # carries a refusal
    if action == "close":
        done = run_service(form, lambda: draw.round_close(draw_round))
    elif action == "draw":
        done = run_service(form, lambda: draw.round_draw(actor=request.actor, draw_round=draw_round,
                                                         public_value=request.POST.get("public", "")))
    elif action == "replace":
        done = run_service(form, lambda: draw.winner_replace(actor=request.actor, draw_round=draw_round,
                                                             reason=request.POST.get("reason", "")))
    else:
        raise PermissionDenied
    if done is None:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        notice = {"close": _("Round %(n)s: the entry list is frozen and its digest published."),
                  "draw": _("Round %(n)s drawn: the seed and the winner are published."),
                  "replace": _("Round %(n)s: the rule's next draw is the new winner.")}[action]
        messages.success(request, notice % {"n": draw_round.number})
    return back


@staff_view("campaigns.fulfil")
def prizes(request: HttpRequest) -> HttpResponse:
    """Customer service's list of draw winners: contact them, arrange the pickup with the rental
    partner, record the return with the usage report."""
    from autodcc.campaigns import draw
    from autodcc.campaigns.models import DrawPrize

    if request.method == "POST":
        prize = DrawPrize.objects.filter(pk=request.POST.get("prize") or 0).first()
        if prize is None:
            from django.http import Http404

            raise Http404
        form = PrizeStepForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            values = {k: v for k, v in d.items() if k != "step"}
            if run_service(form, lambda: draw.prize_step(actor=request.actor, prize=prize, step=d["step"], **values)):
                messages.success(request, _("Prize updated."))
                return redirect("console:prizes")
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("console:prizes")
    if wants_export(request):
        from autodcc.console import exports

        return export_list(request, "prizes", selectors.prizes_to_follow(limit=exports.MAX_ROWS + 1))
    return render(request, "console/campaigns/prizes.html", {"prizes": selectors.prizes_to_follow()})


# --- call scripts -----------------------------------------------------------------------------------


@staff_view(VIEW)
def scripts(request: HttpRequest) -> HttpResponse:
    q, situation = request.GET.get("q", ""), request.GET.get("situation", "")
    found = outreach.scripts_search(request.actor, q=q, situation=situation if situation in Situation.values else "")
    if wants_export(request):
        return export_list(request, "scripts", found)
    return render(request, "console/campaigns/scripts.html", {
        "scripts": found, "q": q, "situation": situation, "situations": Situation.choices,
        "can_edit": request.actor.can("campaigns.manage"), "qs": querystring_without_page(request)})


@staff_view("campaigns.manage")
def script_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    script = get_for_actor(CallScript.objects.select_related("dealer"), request.actor, pk=pk) if pk else None
    initial = {"situation": script.situation, "title": script.title, "body": script.body} if script else {}
    form = ScriptForm(request.POST or None, actor=request.actor, editing=script is not None, initial=initial)
    if request.method == "POST":
        if request.POST.get("action") == "delete" and script is not None:
            def delete() -> bool:
                outreach.script_delete(actor=request.actor, script=script)
                return True

            if run_service(form, delete):
                messages.success(request, _("Script deleted (its versions stay in the history)."))
                return redirect("console:scripts")
        elif form.is_valid():
            d = form.cleaned_data
            saved = run_service(form, lambda: outreach.script_save(
                actor=request.actor, title=d["title"], body=d["body"], situation=d["situation"],
                dealer=d.get("dealer"), previous=script))
            if saved is not None:
                messages.success(request, _("Script saved as version %(v)s.") % {"v": saved.version})
                return redirect("console:script_edit", pk=saved.pk)
    history = list(CallScript.objects.filter(family=script.family).order_by("-version")) if script else []
    return render(request, "console/campaigns/script.html", {"script": script, "form": form, "history": history})


def _chart(spec: dict[str, Any]) -> str:
    import json

    return json.dumps(spec, ensure_ascii=False)


def _metric_labels() -> list[tuple[str, str]]:
    return [("leads", _("Leads")), ("valid", _("Valid leads")), ("arrivals", _("Arrivals")),
            ("test_drives", _("Test drives")), ("orders", _("Deals")), ("deliveries", _("Deliveries"))]


def _summary_xlsx(request: HttpRequest, campaign: Campaign, summary: services.Summary) -> HttpResponse:
    figures = [[label, summary.counts[m], summary.targets.get(m) or ""] for m, label in _metric_labels()]
    money = [[_("Budget"), summary.budget], [_("Spent"), summary.spent], [_("Manufacturer support"), summary.support],
             [_("Cost per lead"), summary.per_lead or ""], [_("Cost per arrival"), summary.per_arrival or ""],
             [_("Cost per deal"), summary.per_deal or ""]]
    days = [[d["day"], d["leads"], d["arrivals"], d["test_drives"], d["orders"], d["note"]] for d in summary.days]
    data = tabular.xlsx_book([
        (_("Summary"), [_("Metric"), _("Actual"), _("Target")], figures),
        (_("Spend"), [_("Metric"), _("Amount (CNY)")], money),
        (_("Daily progress"), [_("Day"), _("Leads"), _("Arrivals"), _("Test drives"), _("Deals"), _("Note")], days),
    ])
    return xlsx_download(request, data, f"{campaign.code}-{campaign.name}.xlsx", what="campaigns.summary",
                         dealer_id=campaign.dealer_id)


@require_POST
@staff_view(VIEW)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not services.may_manage(request.actor, campaign):
        raise PermissionDenied
    form = CampaignForm(request.POST, instance=campaign, actor=request.actor)
    if form.is_valid():
        changed = form.save(commit=False)
        if run_service(form, lambda: services.campaign_save(actor=request.actor, campaign=changed,
                                                            reason=form.cleaned_data.get("reason", ""))):
            messages.success(request, _("Changes saved."))
            return redirect("console:campaign_detail", pk=pk)
    return campaign_detail(request, pk, form=form)


@require_POST
@staff_view(VIEW)
def campaign_part(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """Add a budget line, a task or the day's note (POST)."""
    campaign = _campaign(request, pk)
    if not services.may_manage(request.actor, campaign):
        raise PermissionDenied
    if part == "line":
        form: Any = BudgetLineForm(request.POST, prefix="line", instance=BudgetLine(campaign=campaign))
        run = lambda: services.part_save(actor=request.actor, obj=form.save(commit=False),  # noqa: E731
                                         reason=form.cleaned_data.get("reason", ""))
        key, notice = "line_form", _("Budget line added.")
    elif part == "task":
        form = TaskForm(request.POST, prefix="task", campaign=campaign, instance=Task(campaign=campaign))
        run = lambda: services.part_save(actor=request.actor, obj=form.save(commit=False))  # noqa: E731
        key, notice = "task_form", _("Task added.")
    elif part == "note":
        form = DayNoteForm(request.POST, prefix="note")
        run = lambda: services.day_note(actor=request.actor, campaign=campaign,  # noqa: E731
                                        day=form.cleaned_data["day"], note=form.cleaned_data["note"])
        key, notice = "note_form", _("Note saved.")
    else:
        raise PermissionDenied
    if form.is_valid() and run_service(form, run):
        messages.success(request, notice)
        return redirect(reverse("console:campaign_detail", args=[pk]) + f"#{part}s")
    return campaign_detail(request, pk, **{key: form})


@require_POST
@staff_view(VIEW)
def line_spent(request: HttpRequest, pk: int) -> HttpResponse:
    """What a budget line actually cost, entered after the fact (no approval needed: it is a fact)."""
    line = selectors.line_for(request.actor, pk)
    if line is None:
        from django.http import Http404

        raise Http404
    if not services.may_manage(request.actor, line.campaign):
        raise PermissionDenied
    form = SpentForm(request.POST)
    if form.is_valid():
        line.spent = form.cleaned_data["spent"]
        if run_service(form, lambda: services.part_save(actor=request.actor, obj=line)):
            messages.success(request, _("Spend saved."))
            return redirect(reverse("console:campaign_detail", args=[line.campaign_id]) + "#lines")
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(reverse("console:campaign_detail", args=[line.campaign_id]) + "#lines")


@require_POST
@staff_view(VIEW)
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_for(request.actor, pk)
    if task is None:
        from django.http import Http404

        raise Http404
    form = DayNoteForm()  # only carries a refusal
    run_service(form, lambda: services.task_done(actor=request.actor, task=task, done=request.POST.get("done") != "0"))
    return redirect(reverse("console:campaign_detail", args=[task.campaign_id]) + "#tasks")


@staff_view("campaigns.manage")
def channel_costs(request: HttpRequest) -> HttpResponse:
    """Platform fees and ad spend per channel and month, and what a lead and a deal cost per channel."""
    actor = request.actor
    form = ChannelCostForm(request.POST if request.method == "POST" and "file" not in request.FILES else None,
                           actor=actor)
    import_form = ChannelCostImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "file" in request.FILES:
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            n = run_service(import_form, lambda: services.channel_costs_import(actor=actor, upload=upload,
                                                                               filename=upload.name))
            if n is not None:
                messages.success(request, _("%(n)s monthly costs imported.") % {"n": n})
                return redirect("console:channel_costs")
    elif request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            if run_service(form, lambda: services.channel_cost_set(actor=actor, dealer=d["dealer"], channel=d["channel"],
                                                                    month=d["month"], amount=d["amount"], note=d["note"])):
                messages.success(request, _("Cost saved."))
                return redirect("console:channel_costs")
    rows = selectors.channel_cost_rows(actor)
    if request.method == "GET" and wants_export(request):
        return export_list(request, "channel_costs", rows)
    return render(request, "console/campaigns/costs.html", {"form": form, "rows": rows, "can_enter": True,
                                                            "import_form": import_form})
