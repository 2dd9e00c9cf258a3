"""The catalogue's console (HQ marketing only): series → model → trim → colours, pictures and
prices from a date on; special editions and their accessory packages; specification tables in
and out of Excel; publishing with a preview of the store page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Model, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from autodcc.catalog import offers
from autodcc.catalog import services as catalog_services
from autodcc.catalog.models import (
    AccessoryPackage,
    CarModel,
    Colour,
    Edition,
    FinanceOffer,
    Photo,
    PriceChange,
    Series,
    Trim,
)
from autodcc.console.downloads import xlsx_download
from autodcc.console.forms.catalog import (
    CarModelForm,
    ColourForm,
    EditionForm,
    FinanceOfferForm,
    PackageForm,
    PhotoForm,
    PriceChangeForm,
    SeriesForm,
    SpecImportForm,
    TrimForm,
)
from autodcc.console.views.base import run_service, staff_view
from autodcc.core.errors import DomainError

EDIT = "catalog.edit"


def _saved(request: HttpRequest, form: forms.ModelForm, to: Callable[[Model], str]) -> HttpResponse | None:
    """Save a valid model form through the catalogue's one service; the page to go to, or None
    (the form then carries the errors)."""
    if request.method != "POST" or not form.is_valid():
        return None
    obj = form.save(commit=False)
    if run_service(form, lambda: catalog_services.save(actor=request.actor, obj=obj, save_m2m=form.save_m2m)) is None:
        return None
    messages.success(request, _("Changes saved."))
    return redirect(to(obj))


@staff_view(EDIT)
def catalog(request: HttpRequest) -> HttpResponse:
    series = Series.objects.prefetch_related(
        Prefetch("models", queryset=CarModel.objects.order_by("sort", "code")),
        Prefetch("models__trims", queryset=Trim.objects.annotate(pictures=Count("photos")).order_by("sort", "code")))
    form = SpecImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        cells = run_service(form, lambda: catalog_services.specs_import(actor=request.actor, upload=upload,
                                                                         filename=upload.name))
        if cells is not None:
            messages.success(request, _("%(n)s specification values imported.") % {"n": cells})
            return redirect("console:catalog")
    return render(request, "console/catalog/index.html", {"series": series, "form": form})


@require_GET
@staff_view(EDIT)
def specs_export(request: HttpRequest) -> HttpResponse:
    """The specification table of every trim (or of one series: ``?series=<id>``) as Excel."""
    trims = Trim.objects.select_related("model").order_by("model__series__sort", "model__sort", "sort", "code")
    if request.GET.get("series", "").isdigit():
        trims = trims.filter(model__series_id=int(request.GET["series"]))
    day = timezone.localdate().isoformat()
    return xlsx_download(request, catalog_services.specs_export(trims), f"参数配置-{day}.xlsx",
                         what="catalog.specvalue", details={"trims": len(trims)})


# --- series and models ------------------------------------------------------------------------------


@staff_view(EDIT)
def series_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    series = get_object_or_404(Series, pk=pk) if pk else Series()
    form = SeriesForm(request.POST or None, request.FILES or None, instance=series)
    done = _saved(request, form, lambda s: reverse("console:series_edit", args=[s.pk]))
    if done:
        return done
    models = series.models.annotate(trim_count=Count("trims")).order_by("sort", "code") if series.pk else []
    return render(request, "console/catalog/series.html", {"series": series, "form": form, "models": models})


@staff_view(EDIT)
def model_edit(request: HttpRequest, pk: int | None = None, series: int | None = None) -> HttpResponse:
    model = get_object_or_404(CarModel.objects.select_related("series"), pk=pk) if pk else CarModel(
        series=get_object_or_404(Series, pk=series))
    form = CarModelForm(request.POST or None, instance=model)
    done = _saved(request, form, lambda m: reverse("console:model_edit", args=[m.pk]))
    if done:
        return done
    trims = model.trims.annotate(pictures=Count("photos")).order_by("sort", "code") if model.pk else []
    return render(request, "console/catalog/model.html", {"model": model, "form": form, "trims": trims})


# --- trims, colours, pictures, prices ------------------------------------------------------------------


@staff_view(EDIT)
def trim_edit(request: HttpRequest, pk: int | None = None, model: int | None = None) -> HttpResponse:
    if pk:
        trim = get_object_or_404(Trim.objects.select_related("model__series"), pk=pk)
    else:
        trim = Trim(model=get_object_or_404(CarModel.objects.select_related("series"), pk=model))
    form = TrimForm(request.POST or None, instance=trim)
    done = _saved(request, form, lambda t: reverse("console:trim_edit", args=[t.pk]))
    if done:
        return done
    return _trim_page(request, trim, form=form)


def _trim_page(request: HttpRequest, trim: Trim, **forms_: Any) -> HttpResponse:
    context: dict[str, Any] = {"trim": trim, "form": forms_.get("form") or TrimForm(instance=trim)}
    if trim.pk:
        context.update(
            photos=trim.photos.all(), colours=trim.colours.all(),
            prices=PriceChange.objects.filter(trim=trim).order_by("-effective_on"),
            valid_until=catalog_services.price_valid_until(trim),
            photo_form=forms_.get("photo_form") or PhotoForm(),
            colour_form=forms_.get("colour_form") or ColourForm(prefix="colour"),
            price_form=forms_.get("price_form") or PriceChangeForm(prefix="price", initial={
                "guide_price": trim.guide_price, "offer_price": trim.offer_price}),
            editions=trim.editions.all())
    return render(request, "console/catalog/trim.html", context, status=200)


@require_POST
@staff_view(EDIT)
def trim_photo(request: HttpRequest, pk: int) -> HttpResponse:
    trim = get_object_or_404(Trim.objects.select_related("model__series"), pk=pk)
    photo_form = PhotoForm(request.POST, request.FILES)
    if photo_form.is_valid() and run_service(photo_form, lambda: catalog_services.photo_add(
            actor=request.actor, trim=trim, image=photo_form.cleaned_data["image"],
            caption=photo_form.cleaned_data["caption"])):
        messages.success(request, _("Picture added."))
        return redirect("console:trim_edit", pk=trim.pk)
    return _trim_page(request, trim, photo_form=photo_form)


@require_POST
@staff_view(EDIT)
def trim_colour(request: HttpRequest, pk: int) -> HttpResponse:
    trim = get_object_or_404(Trim.objects.select_related("model__series"), pk=pk)
    colour_form = ColourForm(request.POST, prefix="colour", instance=Colour(trim=trim))
    if colour_form.is_valid() and run_service(colour_form, lambda: catalog_services.save(
            actor=request.actor, obj=colour_form.save(commit=False))):
        messages.success(request, _("Colour added."))
        return redirect("console:trim_edit", pk=trim.pk)
    return _trim_page(request, trim, colour_form=colour_form)


@require_POST
@staff_view(EDIT)
def trim_price(request: HttpRequest, pk: int) -> HttpResponse:
    trim = get_object_or_404(Trim.objects.select_related("model__series"), pk=pk)
    price_form = PriceChangeForm(request.POST, prefix="price", instance=PriceChange(trim=trim))
    if price_form.is_valid():
        data = price_form.cleaned_data
        change = run_service(price_form, lambda: catalog_services.price_change(
            actor=request.actor, trim=trim, guide_price=data["guide_price"], offer_price=data["offer_price"],
            effective_on=data["effective_on"], note=data["note"]))
        if change is not None:
            messages.success(request, _("Prices saved from %(day)s on.") % {"day": change.effective_on.isoformat()})
            return redirect("console:trim_edit", pk=trim.pk)
    return _trim_page(request, trim, price_form=price_form)


# --- publishing and deleting -----------------------------------------------------------------------

KINDS: dict[str, type[Model]] = {"series": Series, "model": CarModel, "trim": Trim, "colour": Colour, "photo": Photo,
                                  "edition": Edition, "package": AccessoryPackage}
PUBLISHED = {"series", "trim", "edition"}


def _after(kind: str, obj: Any, deleted: bool) -> str:
    """Where a person goes after acting on an object: its page, or its parent's once deleted."""
    if kind in ("colour", "photo"):
        return reverse("console:trim_edit", args=[obj.trim_id])
    if not deleted:
        return reverse(f"console:{kind}_edit", args=[obj.pk])
    parent = {"model": ("console:series_edit", "series_id"), "trim": ("console:model_edit", "model_id")}.get(kind)
    if parent:
        return reverse(parent[0], args=[getattr(obj, parent[1])])
    return reverse("console:editions" if kind in ("edition", "package") else "console:catalog")


@require_POST
@staff_view(EDIT)
def catalog_action(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Publish, withdraw or delete one catalogue object (POST ``action``)."""
    if kind not in KINDS:
        raise Http404
    obj = get_object_or_404(KINDS[kind], pk=pk)
    action = request.POST.get("action")
    if action not in ("publish", "withdraw", "delete") or (action != "delete" and kind not in PUBLISHED):
        raise Http404
    try:
        if action == "delete":
            catalog_services.delete(actor=request.actor, obj=obj)
            messages.success(request, _("Deleted."))
        else:
            catalog_services.publish(actor=request.actor, obj=obj, on=action == "publish")  # type: ignore[arg-type]
            messages.success(request, _("Now on sale in the store.") if action == "publish" else _("Withdrawn from the store."))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_after(kind, obj, deleted=False))
    return redirect(_after(kind, obj, deleted=action == "delete"))


# --- special editions and accessory packages ---------------------------------------------------------


@staff_view(EDIT)
def editions(request: HttpRequest) -> HttpResponse:
    return render(request, "console/catalog/editions.html", {
        "editions": Edition.objects.select_related("trim__model", "package").order_by("-starts_on", "code"),
        "packages": AccessoryPackage.objects.annotate(part_count=Count("parts")).order_by("code")})


@staff_view(EDIT)
def edition_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    edition = get_object_or_404(Edition, pk=pk) if pk else Edition(is_active=False)
    form = EditionForm(request.POST or None, instance=edition)
    done = _saved(request, form, lambda e: reverse("console:edition_edit", args=[e.pk]))
    if done:
        return done
    left = None
    if edition.pk and edition.quantity is not None:
        from autodcc.orders.services.ordering import edition_left

        left = edition_left(edition)
    return render(request, "console/catalog/edition.html", {"edition": edition, "form": form, "left": left})


@staff_view(EDIT)
def package_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    package = get_object_or_404(AccessoryPackage, pk=pk) if pk else AccessoryPackage()
    form = PackageForm(request.POST or None, instance=package,
                       initial={"parts": catalog_services.parts_text(package)})
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)

        def save() -> AccessoryPackage:
            return catalog_services.package_save(actor=request.actor, package=obj,
                                                 parts=catalog_services.parse_parts(form.cleaned_data["parts"]))

        if run_service(form, save) is not None:
            messages.success(request, _("Changes saved."))
            return redirect("console:package_edit", pk=obj.pk)
    return render(request, "console/catalog/package.html", {"package": package, "form": form})


# --- finance offers (CAT-4) -------------------------------------------------------------------------


@staff_view(EDIT)
def finance_offers(request: HttpRequest) -> HttpResponse:
    return render(request, "console/catalog/finance_offers.html", {
        "offers": offers.all_offers(), "today": timezone.localdate()})


@require_GET
@staff_view(EDIT)
def finance_offers_export(request: HttpRequest) -> HttpResponse:
    listed = offers.all_offers()
    day = timezone.localdate().isoformat()
    return xlsx_download(request, offers.offers_export(listed), f"金融方案-{day}.xlsx",
                         what="catalog.financeoffer", details={"offers": len(listed)})


@staff_view(EDIT)
def finance_offer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    offer = get_object_or_404(FinanceOffer, pk=pk) if pk else FinanceOffer()
    form = FinanceOfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        if run_service(form, lambda: catalog_services.save(actor=request.actor, obj=obj,
                                                           save_m2m=form.save_m2m)) is not None:
            messages.success(request, _("Changes saved."))
            return redirect("console:finance_offer_edit", pk=obj.pk)
    return render(request, "console/catalog/finance_offer.html", {"offer": offer, "form": form})


# --- tax and insurance rates ------------------------------------------------------------------------


@staff_view(EDIT)
def rates(request: HttpRequest) -> HttpResponse:
    """Every rate in force today and its dated history; a new value for one of them from a date
    on, with the worked examples priced before and after (``?table=``)."""
    from autodcc.catalog import rates as rate_rules
    from autodcc.console.forms.catalog import RateForm

    table = request.GET.get("table") or request.POST.get("table") or ""
    form, examples = None, None
    if table:
        if table not in rate_rules.EDITABLE:
            raise Http404
        form = RateForm(request.POST or None, table=table)
        if request.method == "POST" and form.is_valid():
            def save() -> Any:
                data = rate_rules.parse(table, form.values())
                nonlocal examples
                examples = [e for e in rate_rules.check(table, form.cleaned_data["effective_on"], data) if e.shown]
                if request.POST.get("confirm") != "1":
                    return None  # shown first: the examples before and after
                return rate_rules.rate_set(actor=request.actor, table=table, effective_on=form.cleaned_data["effective_on"],
                                           data=data, note=form.cleaned_data["note"])

            if run_service(form, save) is not None:
                messages.success(request, _("Rate saved."))
                return redirect(f"{reverse('console:rates')}?table={table}")
    current = rate_rules.current()
    tables = [(name, rate_rules.TABLE_LABELS[name], [_entry(e) for e in current.get(name, [])])
              for name in rate_rules.EDITABLE]
    return render(request, "console/catalog/rates.html", {
        "tables": tables, "table": table, "table_label": rate_rules.TABLE_LABELS.get(table, ""), "form": form,
        "examples": examples,
        "today": timezone.localdate().isoformat(),
        "can_confirm": examples is not None and form is not None and not form.errors})


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A dated rate as the page lists it: its date, its values under their labels, its source."""
    from autodcc.catalog import rates as rate_rules

    values = [(str(rate_rules.KEY_LABELS.get(k, k)), _shown(k, v)) for k, v in entry.items()
              if k not in rate_rules.META_KEYS]
    return {"from": entry.get("from", ""), "values": values, "source": entry.get("source") or entry.get("note", "")}


def _shown(key: str, value: Any) -> str:
    """A rate's value as people read it: a share also as a percentage, bands and energies in words."""
    from decimal import Decimal, InvalidOperation

    from autodcc.catalog import rates as rate_rules
    from autodcc.catalog.models import Energy

    if key == "mode":
        return str(rate_rules.MODE_LABELS.get(value, value))
    if key == "rate":
        try:
            return f"{value}（{Decimal(value) * 100:g}%）"
        except (InvalidOperation, TypeError):
            return str(value)
    if key == "bands" and isinstance(value, list):
        return "；".join(_("up to %(l)s L: %(a)s a year") % {"l": b.get("up_to_l"), "a": b.get("annual")}
                        for b in value if isinstance(b, dict))
    if isinstance(value, list):
        labels = dict(Energy.choices)
        return "、".join(str(labels.get(v, v)) for v in value) or "—"
    return str(value)
