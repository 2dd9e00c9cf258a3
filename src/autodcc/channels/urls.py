from django.urls import path

from autodcc.channels import views

app_name = "channels"

urlpatterns = [
    path("<str:connector>/push/", views.push, name="push"),
]
