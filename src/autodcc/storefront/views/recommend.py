"""Recommendation (CAT-6): stated needs → trims ranked, each with its reasons."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from autodcc.catalog.models import Feature
from autodcc.catalog.recommend import Needs
from autodcc.catalog.selectors import recommendations
from autodcc.storefront.forms import RecommendForm
from autodcc.storefront.views.common import page, trim_choices

LIMIT = 6


@require_GET
def recommend(request: HttpRequest) -> HttpResponse:
    features = list(Feature.objects.order_by("name"))
    asked = any(name in request.GET for name in RecommendForm.base_fields)
    form = RecommendForm(request.GET if asked else None, features=features)
    results = []
    if asked and form.is_valid():
        data = form.cleaned_data
        needs = Needs(budget=data["budget"], seats=data["seats"], energy=data["energy"] or "any",
                      use=data["use"] or "", must_have=frozenset(data["must_have"]))
        ranked = recommendations(needs, limit=LIMIT)
        trims = {t.pk: t for t in trim_choices().filter(pk__in=[r.trim.id for r in ranked])}
        results = [(r, trims[r.trim.id]) for r in ranked if r.trim.id in trims]
    fitting = [trim.slug for r, trim in results if r.recommended][:4]
    if len(fitting) < 2:
        fitting = [trim.slug for r, trim in results if r.fits][:4]
    return page(request, "recommend.html", {
        "nav": "recommend", "form": form, "asked": asked, "results": results,
        "compare_slugs": fitting if len(fitting) >= 2 else [],
    })
