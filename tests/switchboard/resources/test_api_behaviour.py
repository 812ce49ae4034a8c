"""Resources API behaviour beyond the per-operation matrix: parameters, cursors, expand rules,
connection naming, tenant isolation, sessions, the fields endpoint, logs and the OpenAPI schema."""

from __future__ import annotations

import pytest

from tests.conftest import make_client
from tests.switchboard.resources.conftest import make_connection

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query,field", [("limit=101", "limit"), ("limit=0", "limit"), ("limit=ten", "limit"),
                                         ("include=everything", "include"), ("filter=x", "filter")])
def test_bad_list_params_are_400(client, fake, query, field):
    response = client.get(f"/v1/resources/atsJob?{query}")
    assert response.status_code == 400 and response.json()["error"] == "MORPH::BAD_REQUEST"
    assert fake.calls == []


def test_limit_100_is_fine(client, fake):
    assert client.get("/v1/resources/atsJob?limit=100").status_code == 200
    assert fake.calls[-1][1]["limit"] == 100


def test_tampered_cursor_is_400(client, fake):
    page = client.get("/v1/resources/genericContact?limit=2").json()
    response = client.get(f"/v1/resources/genericContact?limit=2&cursor={page['next'][:-4]}AAAA")
    assert response.status_code == 400 and response.json()["field"] == "cursor"
    other = client.get(f"/v1/resources/atsJob?cursor={page['next']}")
    assert other.status_code == 400


def test_filters_q_fields_include_updated_after(client, fake):
    apps = client.get("/v1/resources/atsApplication?filter[job]=j1&filter[status]=archived").json()
    assert [a["id"] for a in apps["data"]] == ["a2"]
    found = client.get("/v1/resources/genericContact?q=priya@example.com&fields=firstName,email").json()
    assert found["data"][0]["fields"] == {"firstName": "Priya", "email": "priya@example.com"}
    remote = client.get("/v1/resources/atsJob/j1?include=remote").json()
    assert remote["remote"]["customRequisitionId"] == "REQ-1"
    recent = client.get("/v1/resources/genericContact?updatedAfter=2026-01-01T00:00:00Z").json()
    assert [c["id"] for c in recent["data"]] == ["c1"]


def test_expand(client, fake):
    res = client.get("/v1/resources/atsApplication/a1?expand=candidate,job").json()
    assert res["fields"]["candidate"]["object"] == "resource"
    assert res["fields"]["job"]["fields"]["title"] == "Senior Backend Engineer"
    listed = client.get("/v1/resources/atsApplication?expand=job").json()
    assert all(a["fields"]["job"]["object"] == "resource" for a in listed["data"])
    bad = client.get("/v1/resources/atsApplication/a1?expand=status")
    assert bad.status_code == 400


def test_expand_needs_the_related_retrieve_operation(tenant_keys, fake):
    tenant, public, secret = tenant_keys
    make_connection(tenant, operations=["atsApplication::retrieve"], owner_id="narrow")
    narrow = make_client(public, secret, HTTP_X_CONNECTOR_ID="ashby", HTTP_X_OWNER_ID="narrow")
    assert narrow.get("/v1/resources/atsApplication/a1").status_code == 200
    fake.calls.clear()
    response = narrow.get("/v1/resources/atsApplication/a1?expand=candidate")
    assert response.status_code == 403 and "genericContact::retrieve" in response.json()["message"]
    assert fake.calls == []


def test_flat_body_and_bad_bodies(client, fake):
    flat = client.post("/v1/resources/genericContact", {"firstName": "Flat"}, format="json")
    assert flat.status_code == 201
    for body in ([1], {"fields": [1]}, {"fields": {"firstName": "A"}, "extra": 1}):
        response = client.post("/v1/resources/genericContact", body, format="json")
        assert response.status_code == 422, body


def test_unknown_model_and_connection(client, tenant_keys, fake):
    response = client.get("/v1/resources/atsCandidate")
    assert response.status_code == 404 and response.json()["error"] == "CONNECTOR::RESOURCE_MODEL::NOT_FOUND"
    _, public, secret = tenant_keys
    nobody = make_client(public, secret, HTTP_X_CONNECTOR_ID="ashby", HTTP_X_OWNER_ID="nobody")
    assert nobody.get("/v1/resources/atsJob").json()["error"] == "MORPH::CONNECTION::NOT_FOUND"
    unnamed = make_client(public, secret)
    assert unnamed.get("/v1/resources/atsJob").status_code == 400
    assert make_client(None, None).get("/v1/resources/atsJob").status_code == 401
    assert fake.calls == []


def test_other_tenant_cannot_reach_the_connection(other_tenant_keys, client, fake):
    _, public, secret = other_tenant_keys
    other = make_client(public, secret, HTTP_X_CONNECTOR_ID="ashby", HTTP_X_OWNER_ID="demo")
    response = other.get("/v1/resources/atsJob")
    assert response.status_code == 404 and response.json()["error"] == "MORPH::CONNECTION::NOT_FOUND"
    assert fake.calls == []


def test_unauthorized_connection_is_refused(tenant_keys, fake):
    from switchboard.connections.models import Connection

    tenant, public, secret = tenant_keys
    conn = make_connection(tenant, owner_id="new")
    Connection.objects.filter(pk=conn.pk).update(status=Connection.Status.UNAUTHORIZED)
    c = make_client(public, secret, HTTP_X_CONNECTOR_ID="ashby", HTTP_X_OWNER_ID="new")
    response = c.get("/v1/resources/atsJob")
    assert response.status_code == 401 and response.json()["error"] == "MORPH::CONNECTION::NOT_AUTHORIZED"
    assert fake.calls == []


def test_invalid_key_marks_connection(client, connection, fake):
    from switchboard.connections.models import Connection

    fake.fail("*", 401, {"success": False, "errors": ["unauthenticated"]})
    response = client.get("/v1/resources/atsJob")
    assert response.status_code == 401 and response.json()["error"] == "MORPH::CONNECTION::NOT_AUTHORIZED"
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ERROR


def test_session_routes(tenant_keys, connection, fake):
    from switchboard.connect.services import create_session

    _, public, _ = tenant_keys
    _, token = create_session(connection)
    browser = make_client(public, None, HTTP_X_SESSION_TOKEN=token)
    assert browser.get("/v1/s/resources/atsJob").status_code == 200
    assert browser.get("/v1/s/resources/atsJob/j1").json()["id"] == "j1"
    assert browser.get("/v1/s/models/atsJob/fields").status_code == 200
    assert browser.post("/v1/s/resources/genericContact", {"fields": {"firstName": "S"}},
                        format="json").status_code == 201
    # The secret-key routes do not take session tokens, and the session routes refuse secrets.
    assert browser.get("/v1/resources/atsJob").status_code == 401


def test_session_limited_operations(tenant_keys, connection, fake):
    from switchboard.connect.models import Session
    from switchboard.connect.services import create_session

    _, public, _ = tenant_keys
    session, token = create_session(connection)
    Session.objects.filter(pk=session.pk).update(operations=["atsJob::list"])
    browser = make_client(public, None, HTTP_X_SESSION_TOKEN=token)
    assert browser.get("/v1/s/resources/atsJob").status_code == 200
    fake.calls.clear()
    response = browser.get("/v1/s/resources/atsJob/j1")
    assert response.status_code == 403 and response.json()["error"] == "CONNECTOR::OPERATION::NOT_FOUND"
    assert fake.calls == []


def test_model_fields(client, fake, tenant_keys):
    data = client.get("/v1/models/atsJob/fields?isCustom=false").json()["data"]
    keys = [f["key"] for f in data]
    assert keys[:3] == ["title", "description", "department"]
    status = next(f for f in data if f["key"] == "status")
    assert status["type"] == "enum" and status["isCustom"] is False
    _, public, secret = tenant_keys
    anonymous = make_client(public, secret)  # no connection named: the standard fields
    assert [f["key"] for f in anonymous.get("/v1/models/atsJob/fields").json()["data"]] == keys
    assert anonymous.get("/v1/models/nope/fields").status_code == 404


def test_model_fields_include_ashby_custom_fields(client, fake):
    data = client.get("/v1/models/genericContact/fields?isCustom=true").json()["data"]
    assert any(f.get("isCustom") for f in data)


def test_calls_are_logged(client, connection, fake):
    from switchboard.logs.models import RequestLog, UpstreamCallLog

    client.get("/v1/resources/atsJob/j1", HTTP_X_REQUEST_ID="req-abc-123")
    log = RequestLog.objects.filter(path="/v1/resources/atsJob/j1").get()
    assert log.status == 200 and log.connection_id == connection.pk
    upstream = UpstreamCallLog.objects.filter(connection=connection).last()
    assert upstream is not None and upstream.status == 200


def test_openapi_schema_documents_resources(client):
    response = client.get("/v1/schema", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    import json

    schema = json.loads(response.content) if response.content.startswith(b"{") else None
    if schema is None:
        import yaml  # drf-spectacular answers YAML unless JSON is negotiated

        schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    assert "/v1/resources/{model}" in paths and "/v1/resources/{model}/{resource_id}" in paths
    assert "/v1/proxy" in paths and "/v1/models/{model}/fields" in paths
    comps = schema["components"]["schemas"]
    assert "AtsJobResource" in comps and "GenericContactWriteFields" in comps
    params = {p["name"] for p in paths["/v1/resources/{model}"]["get"]["parameters"]}
    assert {"limit", "cursor", "q", "fields", "include", "expand", "updatedAfter"} <= params
