"""Browsing: home, series, trim, comparison, pictures, the privacy notice."""

from __future__ import annotations

import mimetypes
from collections import OrderedDict

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db.models import Min, Prefetch, Q, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from autodcc.catalog.models import Edition, Photo, Series, SpecValue, Trim
from autodcc.catalog.selectors import CompareRow, compare, landed_price_for, trim_page, trims_on_sale
from autodcc.catalog.services import price_valid_until
from autodcc.orders.services.ordering import edition_left
from autodcc.storefront.forms import PRIVACY_NOTICE_UPDATED
from autodcc.storefront.templatetags.storefront import yuan
from autodcc.storefront.views.common import editions_on_sale, on_sale_editions, page, trim_choices

COMPARE_MIN, COMPARE_MAX = 2, 4
PICTURE_TYPES = {".png", ".jpg", ".jpeg", ".webp", ".gif"}


def _series_on_sale():
    """Series with at least one trim on sale, with the lowest offer and guide price of those trims.
    (``catalog.selectors.series_on_sale`` also counts trims that are off sale.)"""
    on_sale = Q(models__trims__is_active=True)
    return (Series.objects.filter(is_active=True)
            .annotate(from_price=Min("models__trims__offer_price", filter=on_sale),
                      guide_from=Min("models__trims__guide_price", filter=on_sale))
            .filter(from_price__isnull=False).order_by("sort", "code"))


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    editions = list(Edition.objects.filter(editions_on_sale(), trim__is_active=True,
                                           trim__model__series__is_active=True)
                    .select_related("trim").order_by("offer_price"))
    return page(request, "home.html",
                {"nav": "models", "series_list": list(_series_on_sale()), "editions": editions})


def previewing(request: HttpRequest) -> bool:
    """HQ marketing sees a series or trim as the store will show it, before it is published."""
    return request.GET.get("preview") == "1" and request.actor.can("catalog.edit")


@require_GET
def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    preview = previewing(request)
    series = get_object_or_404(Series, slug=slug, **({} if preview else {"is_active": True}))
    trims = list(trims_on_sale(preview=preview).filter(model__series=series)
                 .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("sort", "id")))
                 .order_by("model__sort", "sort", "code"))
    if not trims:
        raise Http404
    models: OrderedDict[int, tuple[object, list[Trim]]] = OrderedDict()
    for trim in trims:
        models.setdefault(trim.model_id, (trim.model, []))[1].append(trim)
    return page(request, "series.html", {
        "nav": "models", "preview": preview and not (series.is_active and all(t.is_active for t in trims)),
        "series": series, "trims": trims, "models": list(models.values()),
        "from_price": min(t.offer_price for t in trims), "guide_from": min(t.guide_price for t in trims),
    })


def _spec_groups(specs: list[SpecValue]) -> list[tuple[str, list[SpecValue]]]:
    groups: OrderedDict[str, list[SpecValue]] = OrderedDict()
    for spec in specs:
        groups.setdefault(spec.group, []).append(spec)
    return list(groups.items())


@require_GET
def trim_detail(request: HttpRequest, slug: str) -> HttpResponse:
    preview = previewing(request)
    trim = trim_page(slug, preview=preview)
    if trim is None:
        raise Http404
    editions = on_sale_editions(trim)
    if editions:
        # the parts are public (numbered, named); the package's internal price never leaves the server
        prefetch_related_objects(editions, "package__parts")
        for edition in editions:  # a limited edition says how many cars are left
            edition.left = edition_left(edition)
    landed = landed_price_for(trim, day=timezone.localdate())
    photos = list(trim.photos.all())
    return page(request, "trim.html", {
        "nav": "models", "preview": preview and not (trim.is_active and trim.model.series.is_active),
        "valid_until": price_valid_until(trim),
        "trim": trim, "series": trim.model.series, "photos": photos, "colours": list(trim.colours.all()),
        "spec_groups": _spec_groups(list(trim.specs.all())), "features": list(trim.features.all()),
        "editions": editions, "landed": landed, "today": timezone.localdate(),
        "highlights": [h.strip() for h in trim.highlights.replace("·", "\n").splitlines() if h.strip()],
    })


@require_GET
def compare_trims(request: HttpRequest) -> HttpResponse:
    choices = list(trim_choices())
    by_slug = {t.slug: t for t in choices}
    wanted: list[str] = []
    for slug in request.GET.getlist("trims"):
        if slug in by_slug and slug not in wanted:
            wanted.append(slug)
    problem = ""
    if len(wanted) > COMPARE_MAX:
        problem = _("You can compare up to %(n)s trims at once; the first %(n)s are shown.") % {
            "n": COMPARE_MAX}
        wanted = wanted[:COMPARE_MAX]
    elif request.GET.getlist("trims") and len(wanted) < COMPARE_MIN:
        problem = _("Choose at least %(n)s trims to compare.") % {"n": COMPARE_MIN}
    diff_only = request.GET.get("diff") == "1"
    selected = [by_slug[s] for s in wanted]
    groups: list[tuple[str, list[CompareRow], bool]] = []
    hidden = 0
    if len(selected) >= COMPARE_MIN:
        prefetch_related_objects(selected,
                                 Prefetch("specs", queryset=SpecValue.objects.order_by("sort", "id")))
        price_group = _("Price")
        rows = [
            CompareRow(price_group, _("Offer price"), [f"¥{yuan(t.offer_price)}" for t in selected]),
            CompareRow(price_group, _("Guide price"), [f"¥{yuan(t.guide_price)}" for t in selected]),
            *compare(selected),
        ]
        shown = [r for r in rows if r.differs] if diff_only else rows
        hidden = len(rows) - len(shown)
        grouped: OrderedDict[str, list[CompareRow]] = OrderedDict()
        for row in shown:
            grouped.setdefault(row.group, []).append(row)
        groups = [(name, group_rows, any(r.differs for r in group_rows))
                  for name, group_rows in grouped.items()]
    series_choices: OrderedDict[int, tuple[Series, list[Trim]]] = OrderedDict()
    for trim in choices:
        series_choices.setdefault(trim.model.series_id, (trim.model.series, []))[1].append(trim)
    return page(request, "compare.html", {
        "nav": "compare",
        "choices": list(series_choices.values()), "selected": selected, "wanted": wanted, "groups": groups,
        "diff_only": diff_only, "hidden": hidden, "problem": problem,
        "compare_min": COMPARE_MIN, "compare_max": COMPARE_MAX,
    })


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return page(request, "privacy.html", {"updated": PRIVACY_NOTICE_UPDATED})


@require_GET
def picture(request: HttpRequest, name: str) -> HttpResponse:
    """A catalogue picture (series and trim photos), served from the media storage: the store's
    pages only link pictures through here, and nothing outside ``catalog/`` is reachable."""
    parts = name.split("/")
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if parts[0] != "catalog" or ".." in parts or "" in parts or suffix not in PICTURE_TYPES:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, SuspiciousFileOperation, IsADirectoryError):
        raise Http404 from None
    response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
    response["Cache-Control"] = "public, max-age=86400"
    return response
