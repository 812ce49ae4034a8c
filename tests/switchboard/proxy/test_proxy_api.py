"""POST /v1/proxy: Ashby's status and body, the key injected, nothing but the base URL reachable."""

from __future__ import annotations

import pytest
import responses

from tests.connectors.ashby.fake import BASE, FakeAshby, err
from tests.switchboard.resources.conftest import HEADERS, make_connection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ashby_base_url(settings):
    settings.ASHBY_BASE_URL = BASE


@pytest.fixture(autouse=True)
def fresh_budget(db):
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def fake():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeAshby(mock)


@pytest.fixture
def client(tenant_keys):
    from tests.conftest import make_client

    tenant, public, secret = tenant_keys
    make_connection(tenant, operations=["atsJob::list"])
    return make_client(public, secret, **HEADERS)


def test_proxy_returns_ashby_answer(client, fake):
    response = client.post("/v1/proxy", {"method": "POST", "path": "/job.info", "data": {"id": "j1"}}, format="json")
    assert response.status_code == 200
    assert response.json()["results"]["id"] == "j1"
    assert response["x-ashby-request-id"] == "01REQ"
    assert fake.rsps.calls[-1].request.headers["Authorization"].startswith("Basic ")


def test_proxy_passes_ashby_errors_through(client, fake):
    fake.fail("job.info", 429, err("rate_limit_exceeded"), headers={"X-RateLimit-Reset": "1"})
    response = client.post("/v1/proxy", {"path": "/job.info", "data": {}}, format="json")
    assert response.status_code == 429 and response.json()["errorInfo"]["code"] == "rate_limit_exceeded"
    fake.fail("job.info", 503, "<html>down</html>", headers={"Content-Type": "text/html"})
    response = client.post("/v1/proxy", {"path": "/job.info"}, format="json")
    assert response.status_code == 503 and response.content == b"<html>down</html>"
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("body", [
    {"path": "https://evil.test/job.info"}, {"path": "//evil.test/x"}, {"path": "/../admin"},
    {"path": "/job.info", "headers": {"Authorization": "Basic eDo="}}, {"path": "/job.info", "method": "TRACE"},
    {"path": ""}, {"method": "POST"}, {"path": "/job.info", "surprise": 1}, {"path": "/x", "query": {"a": {"b": 1}}},
    [1],
])
def test_proxy_refusals(client, fake, body):
    response = client.post("/v1/proxy", body, format="json")
    assert response.status_code == 400, response.content
    assert fake.calls == []


def test_proxy_needs_a_connection(tenant_keys, fake):
    from tests.conftest import make_client

    _, public, secret = tenant_keys
    assert make_client(public, secret).post("/v1/proxy", {"path": "/job.info"}, format="json").status_code == 400
    other = make_client(public, secret, HTTP_X_CONNECTOR_ID="ashby", HTTP_X_OWNER_ID="ghost")
    assert other.post("/v1/proxy", {"path": "/job.info"}, format="json").status_code == 404
    assert fake.calls == []


def test_proxy_is_logged(client, fake):
    from switchboard.logs.models import RequestLog, UpstreamCallLog

    client.post("/v1/proxy", {"path": "/job.info", "data": {"id": "j1"}}, format="json")
    assert RequestLog.objects.filter(path="/v1/proxy", status=200).exists()
    assert UpstreamCallLog.objects.filter(status=200).exists()
