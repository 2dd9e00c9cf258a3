"""sitemap.xml: the store's public pages, every series and every trim on sale."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from autodcc.catalog.models import Series, Trim


class StorePages(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> list[str]:
        return ["store:home", "store:compare", "store:calculator", "store:recommend", "store:booking",
                "store:enquiry"]

    def location(self, item: str) -> str:
        return reverse(item)


class SeriesPages(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> Any:
        return (Series.objects.filter(is_active=True, models__trims__is_active=True).distinct()
                .order_by("sort", "code"))

    def location(self, item: Series) -> str:
        return reverse("store:series", args=[item.slug])


class TrimPages(Sitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self) -> Any:
        return (Trim.objects.filter(is_active=True, model__series__is_active=True)
                .order_by("model__series__sort", "model__sort", "sort", "code"))

    def location(self, item: Trim) -> str:
        return reverse("store:trim", args=[item.slug])

    def lastmod(self, item: Trim) -> Any:
        return item.updated_at


SITEMAPS = {"store": StorePages, "series": SeriesPages, "trims": TrimPages}
