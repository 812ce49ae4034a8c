"""URL map. API routes live under /v1; apps that exist only once their part has landed are
included when installed (see apps_optional)."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from switchboard.core import views as core_views

# The admin sits behind allauth's login (with MFA) instead of its own form.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "Switchboard operations"

api = [
    path("", include("switchboard.connections.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularRedocView.as_view(url_name="schema"), name="docs"),
]
root = []
for app_label, module in (("resources", "switchboard.resources.urls"), ("proxy", "switchboard.proxy.urls"),
                          ("connect", "switchboard.connect.api_urls"), ("webhooks", "switchboard.webhooks.api_urls"),
                          ("mappings", "switchboard.mappings.urls")):
    if apps.is_installed(f"switchboard.{app_label}"):
        api.append(path("", include(module)))
for app_label, module in (("connect", "switchboard.connect.urls"), ("webhooks", "switchboard.webhooks.urls")):
    if apps.is_installed(f"switchboard.{app_label}"):
        root.append(path("", include(module)))

urlpatterns = [
    path("v1/", include(api)),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    *root,
]
