from django.contrib.auth import views as auth_views
from django.urls import path

from autodcc.console.views import messaging, network

app_name = "console"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="console/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", network.home, name="home"),
    path("dealers/", network.dealer_list, name="dealer_list"),
    path("dealers/new/", network.dealer_create, name="dealer_create"),
    path("dealers/import/", network.dealer_import, name="dealer_import"),
    path("dealers/import/template.xlsx", network.dealer_import_template, name="dealer_import_template"),
    path("imports/<int:pk>/", network.import_detail, name="import_detail"),
    path("dealers/<int:pk>/", network.dealer_detail, name="dealer_detail"),
    path("dealers/<int:pk>/edit/", network.dealer_edit, name="dealer_edit"),
    path("dealers/<int:pk>/key/", network.dealer_key_flag, name="dealer_key_flag"),
    path("staff/", network.staff_list, name="staff_list"),
    path("staff/new/", network.staff_create, name="staff_create"),
    path("staff/<int:pk>/", network.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", network.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/duty/", network.staff_duty, name="staff_duty"),
    path("staff/<int:pk>/leaves/", network.staff_leave_add, name="staff_leave_add"),
    path("leaves/<int:pk>/cancel/", network.leave_cancel, name="leave_cancel"),
    path("regions/", network.region_list, name="region_list"),
    path("audit/", network.audit_list, name="audit_list"),
    path("messages/", messaging.message_list, name="message_list"),
    path("messages/<int:pk>/", messaging.message_detail, name="message_detail"),
    path("templates/", messaging.template_list, name="template_list"),
    path("templates/new/", messaging.template_edit, name="template_create"),
    path("templates/<int:pk>/", messaging.template_edit, name="template_edit"),
    path("optouts/", messaging.optout_list, name="optout_list"),
    path("optouts/<int:pk>/remove/", messaging.optout_remove, name="optout_remove"),
]
