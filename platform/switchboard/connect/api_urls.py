"""/v1 routes of the connect app: session creation and the session-scoped `/v1/s/...` routes.

`/v1/s/resources/...` and `/v1/s/models/...` are the resources app's own routes, re-mounted with
session-token authentication: each view class is subclassed with only `authentication_classes`
changed, so the two surfaces cannot drift apart and new resource routes get a session twin
automatically. If the resources app is not installed yet there is simply nothing to mount.
"""

from __future__ import annotations

from django.apps import apps
from django.urls import URLPattern, path, re_path
from django.urls.resolvers import RegexPattern, RoutePattern

from switchboard.connect import views
from switchboard.connect.authentication import SessionTokenAuthentication

SESSION_PREFIXES = ("resources", "models/")


def session_twins(patterns) -> list[URLPattern]:
    """Session-authenticated copies (under `s/`) of the resource and model-field routes."""
    out: list[URLPattern] = []
    for pattern in patterns:
        if not isinstance(pattern, URLPattern):
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is None:
            continue
        if isinstance(pattern.pattern, RoutePattern):
            route, make = str(pattern.pattern._route), path
            prefixed = "s/" + route
        elif isinstance(pattern.pattern, RegexPattern):
            route, make = pattern.pattern._regex.lstrip("^"), re_path
            prefixed = "^s/" + route
        else:  # pragma: no cover - Django has only these two
            continue
        if not route.startswith(SESSION_PREFIXES):
            continue
        twin = type(f"Session{view_class.__name__}", (view_class,),
                    {"authentication_classes": [SessionTokenAuthentication], "__module__": __name__,
                     "__doc__": view_class.__doc__})
        initkwargs = getattr(pattern.callback, "view_initkwargs", {}) or {}
        out.append(make(prefixed, twin.as_view(**initkwargs),
                        name=f"session-{pattern.name}" if pattern.name else None))
    return out


def _resource_session_routes() -> list[URLPattern]:
    if not apps.is_installed("switchboard.resources"):
        return []
    try:
        from switchboard.resources import urls as resource_urls
    except ImportError:
        return []
    return session_twins(getattr(resource_urls, "urlpatterns", []))


urlpatterns = [
    path("connections/<str:connector_id>/<str:owner_id>/sessions", views.SessionCreateView.as_view(),
         name="connection-sessions"),
    path("s/connection", views.SessionConnectionView.as_view(), name="session-connection"),
    path("s/connection/authorization", views.SessionAuthorizationView.as_view(), name="session-authorization"),
    path("s/connector", views.SessionConnectorView.as_view(), name="session-connector"),
    *_resource_session_routes(),
]
