"""Guards over every /v1 route, found from the URL map (so new endpoints are covered too): each
one demands credentials and answers in the JSON error shape, and each is documented in OpenAPI."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC = {"/v1/schema", "/v1/docs"}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _v1_routes():
    routes = []
    for route, callback in _walk(get_resolver().url_patterns):
        if not route.startswith("v1/"):
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: f"x-{m.group(1)}", route).rstrip("$").lstrip("^")
        methods = [m.upper() for m in getattr(getattr(callback, "cls", None), "http_method_names", ["get"])
                   if m not in ("options", "head", "trace") and hasattr(callback.cls, m)] if hasattr(
            callback, "cls") else ["GET"]
        routes.append((path, methods))
    return routes


ROUTES = _v1_routes()


def test_routes_were_found():
    paths = {p for p, _ in ROUTES}
    assert "/v1/connectors" in paths and len(paths) > 10


@pytest.mark.parametrize("path,methods", ROUTES, ids=[p for p, _ in ROUTES])
def test_every_endpoint_requires_credentials(client, path, methods):
    if path in PUBLIC:
        return
    for method in methods:
        response = client.generic(method, path, data="{}", content_type="application/json")
        assert response.status_code == 401, (method, path, response.status_code, response.content[:200])
        body = response.json()
        assert body["error"].startswith("MORPH::") and body["message"], (method, path, body)


def test_every_endpoint_is_documented(client):
    spec = client.get("/v1/schema?format=json").json()
    documented = {re.sub(r"\{(\w+)\}", r"x-\1", p) for p in spec["paths"]}
    missing = [p for p, _ in ROUTES if p not in PUBLIC and p not in documented]
    assert not missing, f"routes missing from the OpenAPI document: {missing}"
