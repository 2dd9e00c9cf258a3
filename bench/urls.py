"""autodcc's URLs plus two baseline views: a trivial JSON response and a one-row insert."""

from django.urls import path

from autodcc.urls import urlpatterns as autodcc_urlpatterns
from bench.benchapp import views

urlpatterns = [
    path("bench/json/", views.bench_json),
    path("bench/insert/", views.bench_insert),
    *autodcc_urlpatterns,
]
