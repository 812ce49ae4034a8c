"""The documented demo over real HTTP: a developer's client -> Switchboard (live server) -> the
Ashby sandbox. One POST maps "Years of experience"; one POST defines a model listing departments."""

from __future__ import annotations

import pytest
import requests

from connectors.ashby.connector import OPERATION_SPECS
from tests.switchboard.mappings.conftest import KEY

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_demo(live_server, sandbox, tenant_keys):
    _, public, secret = tenant_keys
    http = requests.Session()
    http.headers.update({"x-api-key": public, "x-api-secret": secret, "x-connector-id": "ashby",
                         "x-owner-id": "demo"})
    base = f"{live_server.url}/v1"
    assert http.post(f"{base}/connections/ashby/demo", json={"operations": list(OPERATION_SPECS)}).ok
    auth = http.post(f"{base}/connections/ashby/demo/authorization", json={"settings": {"apiKey": KEY}})
    assert auth.json()["status"] == "authorized", auth.text

    mapping = http.post(f"{base}/field-mappings", json={
        "model": "genericContact", "key": "yearsOfExperience", "customFieldTitle": "Years of experience"})
    assert mapping.status_code == 201, mapping.text
    page = http.get(f"{base}/resources/genericContact", params={"limit": 3}).json()
    assert all(isinstance(r["fields"]["yearsOfExperience"], int) for r in page["data"])
    cid = page["data"][0]["id"]
    assert http.patch(f"{base}/resources/genericContact/{cid}", json={"fields": {"yearsOfExperience": 21}}).ok
    assert http.get(f"{base}/resources/genericContact/{cid}").json()["fields"]["yearsOfExperience"] == 21

    model = http.post(f"{base}/custom-models", json={
        "name": "atsDepartment", "source": {"list": {"endpoint": "department.list"}},
        "fields": [{"key": "name", "type": "string", "path": "name"},
                   {"key": "parent", "type": "ref", "ref": "atsDepartment", "path": "parentId"}]})
    assert model.status_code == 201, model.text
    departments = http.get(f"{base}/resources/atsDepartment", params={"limit": 3}).json()
    assert len(departments["data"]) == 3 and departments["next"]
    assert "Engineering" in {d["fields"]["name"] for d in departments["data"]}
