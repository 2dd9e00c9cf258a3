from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import include, path

from autodcc.api import payments, sms
from autodcc.api.urls import api
from autodcc.storefront.sitemaps import SITEMAPS


def root(request: HttpRequest) -> HttpResponse:
    return redirect("console:home")


def favicon(request: HttpRequest) -> HttpResponse:
    """Pages name their icon themselves; this answers browsers and bookmarks that ask the old place."""
    return redirect(static("core/favicon.svg"), permanent=True)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A missing page in the consumer's words on the store, in staff's words elsewhere."""
    if request.path.startswith("/store/"):
        from autodcc.storefront.views.common import page

        return page(request, "404.html", {}, status=404)
    return render(request, "404.html", status=404)


handler404 = "autodcc.urls.not_found"


urlpatterns = [
    path("", root),
    path("favicon.ico", favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("autodcc.console.urls")),
    path("store/", include("autodcc.storefront.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/", api.urls),
    path("channels/", include("autodcc.channels.urls")),
    path("pay/notify/<str:provider>/", payments.notify, name="payment_notify"),
    path("pay/sandbox/<str:out_trade_no>/", payments.sandbox_checkout, name="sandbox_checkout"),
    path("hooks/sms/replies/", sms.replies, name="sms_replies"),
    path("admin/", admin.site.urls),
]
