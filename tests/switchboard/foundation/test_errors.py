"""Every error under /v1 is {"error", "message"} JSON with the matching status."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def _assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"error", "message"}
    assert body["message"]
    if code:
        assert body["error"] == code
    return body


def test_unknown_path_is_json_404(api):
    _assert_error(api.get("/v1/does-not-exist"), 404, "MORPH::NOT_FOUND")


def test_method_not_allowed_is_json_405(api):
    _assert_error(api.delete("/v1/connectors"), 405, "MORPH::METHOD_NOT_ALLOWED")


def test_unsupported_media_type_is_json_415(api, fake_connector):
    response = api.post("/v1/connections/fake/u1", data="operations=x", content_type="text/plain")
    _assert_error(response, 415, "MORPH::UNSUPPORTED_MEDIA_TYPE")


def test_malformed_json_is_json_400(api, fake_connector):
    response = api.post("/v1/connections/fake/u1", data="{not json", content_type="application/json")
    _assert_error(response, 400, "MORPH::BAD_REQUEST")


def test_unhandled_exception_is_json_500(api, monkeypatch):
    from switchboard.connections import views

    def boom(*a, **k):
        raise RuntimeError("secret detail that must not leak")

    monkeypatch.setattr(views, "all_connectors", boom)
    body = _assert_error(api.get("/v1/connectors"), 500, "MORPH::INTERNAL_SERVER_ERROR")
    assert "secret detail" not in body["message"]


def test_throttling_is_json_429_with_retry_after(api, monkeypatch):
    from django.conf import settings
    from django.core.cache import cache
    from rest_framework.settings import api_settings

    from switchboard.core import counters

    # One fixed window throughout: a window boundary between the calls would reset the count.
    monkeypatch.setattr(counters, "now", lambda: 1_800_000_030.0)
    cache.clear()
    rates = {"DEFAULT_THROTTLE_RATES": {"tenant": "2/min"}}
    try:
        with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, **rates}):
            codes = [api.get("/v1/connectors").status_code for _ in range(2)]
            assert codes == [200, 200]
            response = api.get("/v1/connectors")
            body = _assert_error(response, 429, "MORPH::RATE_LIMIT_EXCEEDED")
            assert response["Retry-After"] == "30"  # the rest of the window
            assert "retry" in body["message"].lower()
    finally:
        cache.clear()
    # DRF reloads its settings when the override ends: later tests get the suite's rate back.
    assert api_settings.DEFAULT_THROTTLE_RATES["tenant"] != "2/min"


def test_request_id_is_generated_and_echoed(api):
    generated = api.get("/v1/connectors")["x-request-id"]
    assert len(generated) >= 16
    echoed = api.get("/v1/connectors", HTTP_X_REQUEST_ID="my-trace-123")["x-request-id"]
    assert echoed == "my-trace-123"
    # A hostile id (header injection, absurd length) is replaced, not echoed.
    replaced = api.get("/v1/connectors", HTTP_X_REQUEST_ID="bad id\r\nx: y" + "a" * 300)["x-request-id"]
    assert replaced != "bad id" and " " not in replaced
