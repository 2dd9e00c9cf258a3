from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path

from autodcc.api.urls import api


def root(request: HttpRequest) -> HttpResponse:
    return redirect("console:home")


urlpatterns = [
    path("", root),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("autodcc.console.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
