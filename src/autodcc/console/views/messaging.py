from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.messaging import MessageFilterForm, OptOutForm, TemplateForm
from autodcc.console.views.base import paginate, querystring_without_page, render_list, staff_view
from autodcc.core.errors import DomainError, add_to_form
from autodcc.core.tenancy import get_for_actor
from autodcc.messaging import services
from autodcc.messaging.models import EVENT_VARIABLES, VARIABLE_LABELS, Event, Message, MessageTemplate, OptOut


@staff_view("messaging.view_outbox")
def message_list(request: HttpRequest) -> HttpResponse:
    form = MessageFilterForm(request.GET or None)
    qs = Message.objects.visible_to(request.actor).select_related("dealer")
    for key, value in form.filters().items():
        qs = qs.filter(**{key: value})
    if wants_export(request):
        return export_list(request, "messages", qs)
    return render_list(request, "console/messaging/message_list.html",
                       {"form": form, "page": paginate(request, qs), "qs": querystring_without_page(request)})


@staff_view("messaging.view_outbox")
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_for_actor(Message.objects.select_related("dealer", "template"), request.actor, pk=pk)
    return render(request, "console/messaging/message_detail.html", {"message": message})


@staff_view("messaging.edit_templates")
def template_list(request: HttpRequest) -> HttpResponse:
    if wants_export(request):
        return export_list(request, "templates", MessageTemplate.objects.all())
    return render(request, "console/messaging/template_list.html", {"templates": MessageTemplate.objects.all()})


@staff_view("messaging.edit_templates")
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    template = get_object_or_404(MessageTemplate, pk=pk) if pk else None
    initial = None
    if template is not None:
        initial = {"event": template.event, "channel": template.channel, "body": template.body,
                   "wechat_template_id": template.wechat_template_id, "is_active": template.is_active}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(actor=request.actor, template=template, **form.cleaned_data)
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("console:template_list")
    return render(request, "console/messaging/template_form.html",
                  {"form": form, "template": template, "variables": [
                      (Event(event).label, [(name, VARIABLE_LABELS.get(name, "")) for name in names])
                      for event, names in EVENT_VARIABLES.items()]})


@staff_view("messaging.manage_optouts")
def optout_list(request: HttpRequest) -> HttpResponse:
    form = OptOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.optout_add(actor=request.actor, raw_phone=d["phone"], scope=d["scope"], source="console",
                                note=d["note"])
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Opt-out recorded."))
            return redirect("console:optout_list")
    if request.method == "GET" and wants_export(request):
        return export_list(request, "optouts", OptOut.objects.all())
    return render(request, "console/messaging/optout_list.html",
                  {"form": form, "page": paginate(request, OptOut.objects.all())})


@require_POST
@staff_view("messaging.manage_optouts")
def optout_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.optout_remove(actor=request.actor, opt_out=get_object_or_404(OptOut, pk=pk))
    messages.success(request, _("Opt-out removed."))
    return redirect("console:optout_list")
