"""The foundation's and the connect app's routes only (see the `_urlconf` fixture)."""

from django.urls import include, path

urlpatterns = [
    path("v1/", include("switchboard.connections.urls")),
    path("v1/", include("switchboard.connect.api_urls")),
    path("", include("switchboard.connect.urls")),
]
