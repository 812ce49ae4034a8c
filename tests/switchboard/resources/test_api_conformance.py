"""The resources API, generated per (model, operation) from the connector's operation specs:
happy path, pagination, not found, not supported, not granted, missing Ashby permission, rate
limit, upstream 5xx and timeouts, malformed upstream body, bad input — through HTTP and Django."""

from __future__ import annotations

import time

import pytest
import requests

from connectors.ashby.api import ENDPOINT_PERMISSIONS
from connectors.ashby.connector import OPERATION_SPECS
from connectors.unified import get_model
from tests.conftest import make_client
from tests.connectors.ashby import test_conformance as cc
from tests.connectors.ashby.fake import err
from tests.switchboard.resources.conftest import make_connection

pytestmark = pytest.mark.django_db

SCENARIOS = cc.SCENARIOS
SUPPORTED = [s for s in OPERATION_SPECS.values() if s.supported]
UNSUPPORTED = [s for s in OPERATION_SPECS.values() if not s.supported]
READS = [s for s in SUPPORTED if s.operation in ("list", "retrieve")]
WRITES = [s for s in SUPPORTED if s.operation in ("create", "update", "delete")]
ids = cc.ids


@pytest.fixture
def anonymize(tenant_keys):
    from switchboard.connections.models import ConnectorConfig

    ConnectorConfig.objects.filter(tenant=tenant_keys[0]).update(settings={"retry_backoff": 0,
                                                                           "allow_anonymize": True})


def call(client, spec, *, missing=False, body=None, query=""):
    sc = SCENARIOS[spec.model]
    target = sc["missing"] if missing else sc["id"]
    base = f"/v1/resources/{spec.model}"
    if spec.operation == "list":
        return client.get(f"{base}{query or ''}")
    if spec.operation == "retrieve":
        return client.get(f"{base}/{target}{query}")
    if spec.operation == "create":
        return client.post(f"{base}{query}", {"fields": body if body is not None else sc["create"]}, format="json")
    if spec.operation == "update":
        return client.patch(f"{base}/{target}{query}", {"fields": body if body is not None else sc["update"]},
                            format="json")
    return client.delete(f"{base}/{target}")


def error_of(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code and body["message"]
    return body


def assert_resource(res, model):
    assert res["object"] == "resource" and res["model"] == model and res["id"]
    assert set(res["fields"]) == set(get_model(model).keys())
    assert "createdAt" in res and "updatedAt" in res and "remote" not in res


@pytest.mark.parametrize("spec", SUPPORTED, ids=ids)
def test_happy_path(client, fake, spec, anonymize):
    response = call(client, spec)
    if spec.operation == "list":
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"data", "next"} and body["data"]
        for res in body["data"]:
            assert_resource(res, spec.model)
    elif spec.operation == "retrieve":
        assert response.status_code == 200
        assert_resource(response.json(), spec.model)
    elif spec.operation == "delete":
        assert response.status_code == 204 and response.content == b""
    else:
        assert response.status_code == (201 if spec.operation == "create" else 200), response.content
        body = response.json()
        assert body["object"] == "resourceRef" and body["model"] == spec.model and body["id"]
        full = call(client, spec, query="?returnResource=true")
        assert full.status_code in (200, 201)
        assert_resource(full.json(), spec.model)


@pytest.mark.parametrize("spec", [s for s in SUPPORTED if s.operation == "list"], ids=ids)
def test_pagination(client, fake, spec):
    fake.page_size = 1
    seen, url = [], f"/v1/resources/{spec.model}?limit=2"
    for _ in range(20):
        body = client.get(url).json()
        seen += [r["id"] for r in body["data"]]
        if not body["next"]:
            break
        url = f"/v1/resources/{spec.model}?limit=2&cursor={body['next']}"
    assert len(seen) == len(set(seen)) == SCENARIOS[spec.model]["total"]


@pytest.mark.parametrize("spec", [s for s in SUPPORTED if s.operation in ("retrieve", "update", "delete")], ids=ids)
def test_not_found(client, fake, spec, anonymize):
    error_of(call(client, spec, missing=True), 404, "CONNECTOR::OPERATION::RESOURCE_NOT_FOUND")


@pytest.mark.parametrize("spec", UNSUPPORTED, ids=ids)
def test_not_supported(client, fake, spec):
    body = error_of(call(client, spec, body={"x": 1}), 501, "CONNECTOR::OPERATION::NOT_SUPPORTED")
    assert body["message"] == spec.note
    assert fake.calls == []


@pytest.mark.parametrize("spec", SUPPORTED, ids=ids)
def test_not_granted_is_refused_before_ashby(tenant_keys, fake, spec, anonymize):
    tenant, public, secret = tenant_keys
    others = [op for op in OPERATION_SPECS if op != spec.name]
    make_connection(tenant, operations=others, owner_id="narrow")
    narrow = make_client(public, secret, HTTP_X_CONNECTOR_ID="ashby", HTTP_X_OWNER_ID="narrow")
    body = error_of(call(narrow, spec), 403, "CONNECTOR::OPERATION::NOT_FOUND")
    assert spec.name in body["message"]
    assert fake.calls == []


@pytest.mark.parametrize("spec", SUPPORTED, ids=ids)
def test_missing_ashby_permission(client, fake, spec, anonymize):
    fake.denied = set(ENDPOINT_PERMISSIONS)
    body = error_of(call(client, spec), 403, "CONNECTOR::OPERATION::INSUFFICIENT_PERMISSIONS")
    assert any(p in body["message"] for p in spec.permissions)


@pytest.mark.parametrize("spec", SUPPORTED, ids=ids)
def test_rate_limit_has_retry_after(client, fake, spec, anonymize):
    fake.fail("*", 429, err("rate_limit_exceeded"), headers={"X-RateLimit-Reset": str(int(time.time()) + 20)})
    response = call(client, spec)
    error_of(response, 429, "MORPH::CONNECTION::PROXY::RATE_LIMIT_EXCEEDED")
    assert 15 <= int(response["Retry-After"]) <= 21


@pytest.mark.parametrize("spec", READS, ids=ids)
def test_reads_survive_one_5xx(client, fake, spec):
    fake.fail("*", 503, "down")
    assert call(client, spec).status_code == 200


@pytest.mark.parametrize("spec", SUPPORTED, ids=ids)
def test_ashby_down_is_502(client, fake, spec, anonymize):
    fake.fail("*", 500, {}, times=10)
    error_of(call(client, spec), 502, "CONNECTOR::OPERATION::SERVER_ERROR")
    if spec.operation in ("create", "update", "delete"):
        write = SCENARIOS[spec.model]["writes"][spec.operation]
        assert fake.endpoints().count(write) <= 1  # a write is never retried blindly


@pytest.mark.parametrize("spec", READS, ids=ids)
def test_ashby_timeout_is_504(client, rsps, spec):
    import re
    rsps.add(rsps.POST, re.compile(r"https://ashby\.test/.*"), body=requests.exceptions.ReadTimeout("slow"))
    error_of(call(client, spec), 504, "CONNECTOR::OPERATION::SERVER_ERROR")


@pytest.mark.parametrize("spec", SUPPORTED, ids=ids)
def test_malformed_upstream_body_is_502(client, fake, spec, anonymize):
    fake.fail("*", 200, "<html>")
    error_of(call(client, spec), 502, "CONNECTOR::OPERATION::SERVER_ERROR")


@pytest.mark.parametrize("spec", [s for s in SUPPORTED if s.operation in ("create", "update")], ids=ids)
def test_bad_input_is_422_naming_the_field(client, fake, spec):
    body = error_of(call(client, spec, body={**SCENARIOS[spec.model][spec.operation], "nope": 1}), 422,
                    "CONNECTOR::OPERATION::BAD_REQUEST")
    assert body["field"] == "nope"
    assert fake.calls == []


@pytest.mark.parametrize("spec", [s for s in SUPPORTED if s.operation == "list"], ids=ids)
def test_unknown_filter_is_400(client, fake, spec):
    body = error_of(client.get(f"/v1/resources/{spec.model}?filter[bogus]=1"), 400,
                    "CONNECTOR::OPERATION::BAD_REQUEST")
    assert "bogus" in body["message"]
