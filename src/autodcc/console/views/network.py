from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from autodcc.console.downloads import xlsx_download
from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.common import ImportForm
from autodcc.console.forms.network import (
    AuditFilterForm,
    DealerFilterForm,
    DealerForm,
    LeaveForm,
    RegionForm,
    StaffFilterForm,
    StaffForm,
)
from autodcc.console.navigation import landing_for
from autodcc.console.views.base import paginate, querystring_without_page, render_list, staff_view
from autodcc.core import phone, tabular
from autodcc.core.errors import DomainError, add_to_form
from autodcc.core.models import ImportJob
from autodcc.core.selectors import history_of
from autodcc.core.tenancy import get_for_actor
from autodcc.network import importing, selectors, services
from autodcc.network.models import Dealer, LeavePeriod, Region, Staff

# --- home ------------------------------------------------------------------------------------


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    """Where a person lands after login: their role's list of the day's work."""
    landing = landing_for(request.actor)
    if landing is not None:
        return redirect(landing)
    return overview(request)


@staff_view()
def overview(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    dealers = Dealer.objects.visible_to(actor)
    stats = dealers.aggregate(total=Count("pk"), active=Count("pk", filter=Q(is_active=True)),
                              key=Count("pk", filter=Q(is_key=True)))
    context = {
        "stats": stats,
        "staff_count": Staff.objects.visible_to(actor).count() if actor.can("network.view_staff") else None,
        "my_dealers": dealers.filter(pk__in=sorted(actor.dealer_ids)) if actor.dealer_ids else [],
        "grants": request.user.staff.grants.select_related("dealer", "region") if hasattr(request.user, "staff") else [],
    }
    return render(request, "console/home.html", context)


# --- dealers ---------------------------------------------------------------------------------


@staff_view("network.view_dealers")
def dealer_list(request: HttpRequest) -> HttpResponse:
    form = DealerFilterForm(request.GET or None, actor=request.actor)
    if wants_export(request):
        return export_list(request, "dealers", selectors.dealer_list(actor=request.actor, filters=form.filters())
                           .select_related("region", "city"))
    page = paginate(request, selectors.dealer_list(actor=request.actor, filters=form.filters()))
    return render_list(request, "console/dealers/list.html",
                       {"form": form, "page": page, "qs": querystring_without_page(request)})


@staff_view("network.view_dealers")
def dealer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dealer = get_for_actor(Dealer.objects.select_related("region", "city__province"), request.actor, pk=pk)
    staff = selectors.staff_list(actor=request.actor, filters={"dealer": dealer}) \
        if request.actor.can("network.view_staff", dealer=dealer) else None
    return render(request, "console/dealers/detail.html", {
        "dealer": dealer, "staff": staff,
        "history": history_of(dealer) if request.actor.can("audit.view", dealer=dealer) else None,
        "can_edit": request.actor.can("network.edit_dealer", dealer=dealer),
        "can_flag": request.actor.can("network.flag_key_dealer", dealer=dealer),
    })


@staff_view("network.create_dealer")
def dealer_create(request: HttpRequest) -> HttpResponse:
    form = DealerForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        try:
            dealer = services.dealer_create(actor=request.actor, **form.values())
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Dealer %(name)s created.") % {"name": dealer})
            return redirect("console:dealer_detail", pk=dealer.pk)
    return render(request, "console/dealers/form.html", {"form": form, "dealer": None})


@staff_view("network.view_dealers")
def dealer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dealer = get_for_actor(Dealer.objects.select_related("city"), request.actor, pk=pk)
    if not request.actor.can("network.edit_dealer", dealer=dealer):
        raise PermissionDenied
    form = DealerForm(request.POST or None, actor=request.actor, dealer=dealer)
    if request.method == "POST" and form.is_valid():
        try:
            services.dealer_update(actor=request.actor, dealer=dealer, **form.values())
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("console:dealer_detail", pk=dealer.pk)
    return render(request, "console/dealers/form.html", {"form": form, "dealer": dealer})


@require_POST
@staff_view("network.view_dealers")
def dealer_key_flag(request: HttpRequest, pk: int) -> HttpResponse:
    dealer = get_for_actor(Dealer, request.actor, pk=pk)
    if not request.actor.can("network.flag_key_dealer", dealer=dealer):
        raise PermissionDenied
    dealer = services.dealer_set_key(actor=request.actor, dealer=dealer, is_key=request.POST.get("is_key") == "1")
    if request.htmx:
        return render(request, "console/dealers/_key_flag.html", {"dealer": dealer, "can_flag": True})
    return redirect("console:dealer_detail", pk=dealer.pk)


@staff_view("network.import_dealers")
def dealer_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = importing.dealers_import(actor=request.actor, upload=upload, filename=upload.name)
        return redirect("console:import_detail", pk=job.pk)
    jobs = ImportJob.objects.filter(kind=importing.KIND)[:10]
    return render(request, "console/dealers/import.html", {"form": form, "jobs": jobs})


@staff_view("network.import_dealers")
def dealer_import_template(request: HttpRequest) -> HttpResponse:
    example = ["GZ-099", "广州示例汽车销售服务有限公司", "广州示例店", "SOUTH", "广州市", "天河区黄埔大道西 100 号",
               "", "", "020-38880000", "08:30", "18:00", "1234567", "否", "是"]
    data = tabular.xlsx_bytes(_("Dealers"), importing.template_header(), [example])
    return xlsx_download(request, data, _("Dealer import template") + ".xlsx", what="network.import_template")


@staff_view("network.import_dealers")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, kind=importing.KIND)
    if request.GET.get("format") == "xlsx":
        return xlsx_download(request, importing.error_report_xlsx(job), _("Dealer import errors") + f"-{job.pk}.xlsx",
                             what="network.import_errors", details={"job": job.pk})
    return render(request, "console/dealers/import_detail.html", {"job": job})




# --- staff -----------------------------------------------------------------------------------


@staff_view("network.view_staff")
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None, actor=request.actor)
    if wants_export(request):
        return export_list(request, "staff", selectors.staff_list(actor=request.actor, filters=form.filters())
                           .prefetch_related("grants__dealer", "grants__region"))
    page = paginate(request, selectors.staff_list(actor=request.actor, filters=form.filters()))
    return render_list(request, "console/staff/list.html", {
        "form": form, "page": page, "qs": querystring_without_page(request),
        "can_create": request.actor.can("network.manage_staff"),
    })


def _staff_for(request: HttpRequest, pk: int) -> Staff:
    return get_for_actor(Staff.objects.select_related("user").prefetch_related("grants__dealer", "grants__region"),
                         request.actor, pk=pk)


def _can_on_staff(request: HttpRequest, staff: Staff, capability: str) -> bool:
    if request.actor.is_hq:
        return request.actor.can(capability)
    return any(request.actor.can(capability, dealer=d) for d in selectors.staff_dealers(staff))


@staff_view("network.view_staff")
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff_for(request, pk)
    return render(request, "console/staff/detail.html", {
        "person": staff,
        "leaves": staff.leaves.all()[:20],
        "leave_form": LeaveForm(),
        "history": history_of(staff) if request.actor.can("audit.view") else None,
        "can_manage": _can_on_staff(request, staff, "network.manage_staff"),
        "can_duty": _can_on_staff(request, staff, "network.manage_duty"),
    })


@staff_view("network.manage_staff")
def staff_create(request: HttpRequest) -> HttpResponse:
    form = StaffForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            staff = services.staff_create(
                actor=request.actor, username=d["username"], password=d["password"] or None, name=d["name"],
                mobile=d["mobile"], employee_no=d["employee_no"], capacity=d["capacity"], grants=form.grants(),
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Staff member %(name)s created.") % {"name": staff})
            return redirect("console:staff_detail", pk=staff.pk)
    return render(request, "console/staff/form.html", {"form": form, "person": None})


@staff_view("network.view_staff")
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff_for(request, pk)
    if not _can_on_staff(request, staff, "network.manage_staff"):
        raise PermissionDenied
    grants = list(staff.grants.all())
    initial = {
        "name": staff.name, "mobile": phone.national(staff.phone), "employee_no": staff.employee_no,
        "capacity": staff.capacity, "is_active": staff.user.is_active, "roles": [g.role for g in grants],
        "dealer": next((g.dealer_id for g in grants if g.dealer_id), None),
        "region": next((g.region_id for g in grants if g.region_id), None),
    }
    form = StaffForm(request.POST or None, actor=request.actor, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            staff = services.staff_update(actor=request.actor, staff=staff, name=d["name"], mobile=d["mobile"],
                                          employee_no=d["employee_no"], capacity=d["capacity"],
                                          is_active=d["is_active"], grants=form.grants())
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            moved = getattr(staff, "leads_moved", 0)
            if moved:
                messages.success(request, ngettext(
                    "Changes saved. %(count)s open lead moved to colleagues.",
                    "Changes saved. %(count)s open leads moved to colleagues.", moved) % {"count": moved})
            else:
                messages.success(request, _("Changes saved."))
            return redirect("console:staff_detail", pk=staff.pk)
    return render(request, "console/staff/form.html", {"form": form, "person": staff})


@require_POST
@staff_view("network.view_staff")
def staff_duty(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff_for(request, pk)
    if not _can_on_staff(request, staff, "network.manage_duty"):
        raise PermissionDenied
    staff = services.staff_set_duty(actor=request.actor, staff=staff, on_duty=request.POST.get("on_duty") == "1")
    if request.htmx:
        return render(request, "console/staff/_duty.html", {"person": staff, "can_duty": True})
    return redirect("console:staff_detail", pk=staff.pk)


@require_POST
@staff_view("network.view_staff")
def staff_leave_add(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff_for(request, pk)
    if not _can_on_staff(request, staff, "network.manage_duty"):
        raise PermissionDenied
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            services.leave_add(actor=request.actor, staff=staff, **form.cleaned_data)
        except DomainError as exc:
            add_to_form(form, exc)
    context = {"person": staff, "leaves": staff.leaves.all()[:20], "can_duty": True,
               "leave_form": form if form.errors else LeaveForm()}
    if request.htmx:
        return render(request, "console/staff/detail.html#leaves", context)
    if not form.errors:
        return redirect("console:staff_detail", pk=staff.pk)
    return render(request, "console/staff/detail.html", {**context, "history": None,
                                                         "can_manage": _can_on_staff(request, staff, "network.manage_staff")})


@require_POST
@staff_view("network.view_staff")
def leave_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    leave = get_for_actor(LeavePeriod.objects.select_related("staff").distinct(), request.actor, pk=pk)
    staff = leave.staff
    if not _can_on_staff(request, staff, "network.manage_duty"):
        raise PermissionDenied
    services.leave_cancel(actor=request.actor, leave=leave)
    if request.htmx:
        return render(request, "console/staff/detail.html#leaves",
                      {"person": staff, "leaves": staff.leaves.all()[:20], "can_duty": True, "leave_form": LeaveForm()})
    return redirect("console:staff_detail", pk=staff.pk)


# --- regions and audit -----------------------------------------------------------------------


@staff_view("network.view_regions")
def region_list(request: HttpRequest) -> HttpResponse:
    may_edit = request.actor.can("network.create_dealer")
    return render(request, "console/regions/list.html", {"regions": selectors.region_list(actor=request.actor),
                                                          "may_edit": may_edit})


@staff_view("network.create_dealer")
def region_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new region, or one renamed, recoded or closed (HQ), through the audited service."""
    region = get_object_or_404(Region, pk=pk) if pk is not None else None
    initial = {"code": region.code, "name": region.name, "is_active": region.is_active} if region else None
    form = RegionForm(request.POST or None, initial=initial, auto_id="region-%s")
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.region_save(actor=request.actor, region=region, **form.cleaned_data)
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Region %(name)s saved.") % {"name": saved.name})
            return redirect("console:region_list")
    status = 400 if form.is_bound else 200
    return render(request, "console/regions/form.html", {"form": form, "region": region}, status=status)


@staff_view("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, actor=request.actor)
    if wants_export(request):
        return export_list(request, "audit", selectors.audit_list(actor=request.actor, filters=form.filters()))
    page = paginate(request, selectors.audit_list(actor=request.actor, filters=form.filters()))
    return render_list(request, "console/audit_list.html", {"form": form, "page": page,
                                                             "qs": querystring_without_page(request)})
