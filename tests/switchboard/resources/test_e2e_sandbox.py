"""End to end over real HTTP: a developer's client -> Switchboard (live server thread) -> the Ashby
sandbox. Every model is listed and retrieved, and every write Ashby allows goes through."""

from __future__ import annotations

import pytest
import requests

from connectors.ashby.connector import OPERATION_SPECS
from connectors.ashby.sandbox import ALL_PERMISSIONS, SandboxServer
from connectors.unified import model_names

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KEY = "e2e-platform-key"


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(port=0, api_keys={KEY: list(ALL_PERMISSIONS), "reads-only": ["candidatesRead"]},
                       candidates=40, seed=11) as server:
        yield server


@pytest.fixture
def api(live_server, sandbox, settings, tenant_keys):
    settings.ASHBY_BASE_URL = sandbox.base_url
    sandbox.reset()
    _, public, secret = tenant_keys
    session = requests.Session()
    session.headers.update({"x-api-key": public, "x-api-secret": secret, "x-connector-id": "ashby",
                            "x-owner-id": "e2e"})
    base = f"{live_server.url}/v1"
    created = session.post(f"{base}/connections/ashby/e2e", json={"operations": list(OPERATION_SPECS)})
    assert created.status_code in (200, 201), created.text
    auth = session.post(f"{base}/connections/ashby/e2e/authorization", json={"settings": {"apiKey": KEY}})
    assert auth.status_code == 200 and auth.json()["status"] == "authorized", auth.text
    session.base = base
    return session


@pytest.mark.parametrize("model", model_names())
def test_list_page_and_retrieve(api, model):
    first = api.get(f"{api.base}/resources/{model}", params={"limit": 3})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["data"]
    if body["next"]:
        second = api.get(f"{api.base}/resources/{model}", params={"limit": 3, "cursor": body["next"]}).json()
        assert not {r["id"] for r in second["data"]} & {r["id"] for r in body["data"]}
    one = body["data"][0]
    got = api.get(f"{api.base}/resources/{model}/{one['id']}")
    assert got.status_code == 200 and got.json()["id"] == one["id"]


def test_writes_through_the_api(api, sandbox):
    sample = sandbox.info()["sample"]
    contact = api.post(f"{api.base}/resources/genericContact", params={"returnResource": "true"},
                       json={"fields": {"firstName": "Grace", "lastName": "Hopper", "email": "grace@example.com"}})
    assert contact.status_code == 201, contact.text
    cid = contact.json()["id"]
    patched = api.patch(f"{api.base}/resources/genericContact/{cid}", json={"fields": {"lastName": "Murray"}})
    assert patched.status_code == 200 and patched.json() == {"object": "resourceRef", "model": "genericContact",
                                                             "id": cid}
    assert api.get(f"{api.base}/resources/genericContact/{cid}").json()["fields"]["lastName"] == "Murray"
    job = api.post(f"{api.base}/resources/atsJob", json={"fields": {
        "title": "Compiler Engineer", "department": sample["departmentIds"][0],
        "location": sample["locationIds"][0]}})
    assert job.status_code == 201, job.text
    app = api.post(f"{api.base}/resources/atsApplication", params={"returnResource": "true"},
                   json={"fields": {"candidate": cid, "job": sample["jobIds"][0]}})
    assert app.status_code == 201, app.text
    assert app.json()["fields"]["candidate"]["id"] == cid
    nope = api.delete(f"{api.base}/resources/atsJob/{job.json()['id']}")
    assert nope.status_code == 501 and nope.json()["error"] == "CONNECTOR::OPERATION::NOT_SUPPORTED"


def test_errors_over_http(api, sandbox):
    missing = api.get(f"{api.base}/resources/atsJob/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"] == "CONNECTOR::OPERATION::RESOURCE_NOT_FOUND"
    sandbox.set_faults(rateLimitNext=1)
    limited = api.get(f"{api.base}/resources/atsJob")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    # Ashby said 0 requests remain: the shared budget now holds calls until its reset. Forget it.
    from switchboard.core import counters
    counters.clear()
    sandbox.set_faults(failNext=10, failStatus=503)
    down = api.get(f"{api.base}/resources/atsJob")
    assert down.status_code == 502
    sandbox.clear_faults()


def test_missing_permission_over_http(api, sandbox):
    api.post(f"{api.base}/connections/ashby/limited", json={"operations": ["atsJob::list", "genericContact::list"]})
    auth = api.post(f"{api.base}/connections/ashby/limited/authorization", json={"settings": {"apiKey": "reads-only"}})
    assert auth.status_code == 200
    assert "atsJob::list" in auth.json()["connection"].get("missingOperations", [])
    headers = {"x-owner-id": "limited"}
    assert api.get(f"{api.base}/resources/genericContact", headers=headers).status_code == 200
    denied = api.get(f"{api.base}/resources/atsJob", headers=headers)
    assert denied.status_code == 403 and denied.json()["error"] == "CONNECTOR::OPERATION::INSUFFICIENT_PERMISSIONS"


def test_proxy_over_http(api):
    response = api.post(f"{api.base}/proxy", json={"method": "POST", "path": "/apiKey.info"})
    assert response.status_code == 200 and response.json()["success"] is True
    refused = api.post(f"{api.base}/proxy", json={"path": "/apiKey.info", "headers": {"authorization": "x"}})
    assert refused.status_code == 400
