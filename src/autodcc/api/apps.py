from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "autodcc.api"
    label = "api"
    verbose_name = "API"
