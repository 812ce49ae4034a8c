"""Custom models end to end: defined with one POST, served at /v1/resources/{name} from the
sandbox over real HTTP, described at /v1/models/{name}/fields, polled via iter_custom_model_records."""

from __future__ import annotations

import copy

import pytest
from django.core.management import call_command

from connectors.ashby.sandbox.seed import DEPARTMENTS
from switchboard.mappings.examples import ATS_DEPARTMENT, ATS_INTERVIEW_FEEDBACK
from switchboard.mappings.models import CustomModel
from switchboard.mappings.services import custom_model_events, custom_model_for, iter_custom_model_records

MINIMAL = {"name": "atsDepartment", "source": {"list": {"endpoint": "department.list"}},
           "fields": [{"key": "name", "type": "string", "path": "name"}]}


def test_one_post_defines_a_model_that_lists_departments(plain, client):
    created = plain.post("/v1/custom-models", MINIMAL, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["object"] == "customModel" and body["name"] == "atsDepartment" and body["connectorId"] == "ashby"
    listed = client.get("/v1/resources/atsDepartment")
    assert listed.status_code == 200, listed.content
    names = {r["fields"]["name"] for r in listed.json()["data"]}
    assert names == {name for name, _, archived in DEPARTMENTS if not archived}
    first = listed.json()["data"][0]
    assert first["object"] == "resource" and first["model"] == "atsDepartment" and first["createdAt"]


def test_example_department_model_pages_filters_and_retrieves(plain, client, sandbox):
    assert plain.post("/v1/custom-models", ATS_DEPARTMENT, format="json").status_code == 201
    seen, cursor, pages = [], None, 0
    while True:
        resp = client.get("/v1/resources/atsDepartment", {"limit": 3, **({"cursor": cursor} if cursor else {})})
        assert resp.status_code == 200, resp.content
        seen += resp.json()["data"]
        pages += 1
        cursor = resp.json()["next"]
        if not cursor:
            break
    assert pages == 3 and len(seen) == len(DEPARTMENTS) == len({r["id"] for r in seen})
    platform = next(r for r in seen if r["fields"]["name"] == "Platform")
    engineering = next(r for r in seen if r["fields"]["name"] == "Engineering")
    assert platform["fields"]["parent"] == {"object": "resourceRef", "model": "atsDepartment",
                                            "id": engineering["id"]}
    active = client.get("/v1/resources/atsDepartment", {"filter[isArchived]": "false", "limit": 100}).json()
    assert {r["fields"]["name"] for r in active["data"]} == {n for n, _, a in DEPARTMENTS if not a}
    children = client.get("/v1/resources/atsDepartment", {"filter[parent]": engineering["id"]}).json()
    assert [r["fields"]["name"] for r in children["data"]] == ["Platform"]

    one = client.get(f"/v1/resources/atsDepartment/{platform['id']}")
    assert one.status_code == 200 and one.json()["fields"] == platform["fields"]
    assert client.get(f"/v1/resources/atsDepartment/{platform['id']}?include=remote").json()["remote"]["name"] \
        == "Platform"
    missing = client.get("/v1/resources/atsDepartment/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert client.get("/v1/resources/atsDepartment", {"filter[colour]": "red"}).status_code == 400
    assert client.get("/v1/resources/atsDepartment", {"q": "Eng"}).status_code == 400
    assert client.get("/v1/resources/atsDepartment", {"fields": "name"}).json()["data"][0]["fields"].keys() == {"name"}
    # A cursor is bound to its filters.
    first = client.get("/v1/resources/atsDepartment", {"limit": 2}).json()
    assert client.get("/v1/resources/atsDepartment", {"limit": 2, "cursor": first["next"],
                                                      "filter[isArchived]": "true"}).status_code == 400
    # Read-only: writes are refused before any call to Ashby.
    assert client.post("/v1/resources/atsDepartment", {"fields": {"name": "X"}}, format="json").status_code == 501
    assert client.delete(f"/v1/resources/atsDepartment/{platform['id']}").status_code == 501


def test_feedback_example_with_server_side_filter(plain, client, sandbox):
    assert plain.post("/v1/custom-models", ATS_INTERVIEW_FEEDBACK, format="json").status_code == 201
    page = client.get("/v1/resources/atsInterviewFeedback", {"limit": 5})
    assert page.status_code == 200, page.content
    data = page.json()["data"]
    assert data, "the sandbox seeds feedback for completed interviews"
    one = data[0]["fields"]
    assert one["recommendation"] in ("strongNo", "no", "yes", "strongYes")
    assert one["application"]["model"] == "atsApplication"
    assert one["interviewer"]["model"] == "genericUser"
    assert one["formFields"] == ["Overall Recommendation", "Feedback"]
    assert isinstance(one["values"], dict) and one["feedback"]
    app_id = one["application"]["id"]
    for_app = client.get("/v1/resources/atsInterviewFeedback", {"filter[application]": app_id}).json()["data"]
    assert for_app and all(r["fields"]["application"]["id"] == app_id for r in for_app)
    sent = [r["body"] for r in sandbox.requests if r["endpoint"] == "applicationFeedback.list"]
    assert any(b.get("applicationId") == app_id for b in sent)  # filtered by Ashby, not locally
    got = client.get(f"/v1/resources/atsInterviewFeedback/{data[0]['id']}")
    assert got.status_code == 200 and got.json()["id"] == data[0]["id"]


def test_fields_of_a_custom_model(plain, client):
    plain.post("/v1/custom-models", ATS_DEPARTMENT, format="json")
    fields = client.get("/v1/models/atsDepartment/fields")
    assert fields.status_code == 200, fields.content
    by_key = {f["key"]: f for f in fields.json()["data"]}
    assert set(by_key) == {"name", "externalName", "isArchived", "parent"}
    assert by_key["parent"]["type"] == "ref" and by_key["parent"]["model"] == "atsDepartment"
    assert by_key["name"]["isCustom"] is True and by_key["name"]["remote"] == {"path": "name"}


def test_iter_custom_model_records_for_polling(plain, connection):
    plain.post("/v1/custom-models", ATS_DEPARTMENT, format="json")
    records = list(iter_custom_model_records(connection, "atsDepartment"))
    assert len(records) == len(DEPARTMENTS)
    assert all(r["object"] == "resource" and "remote" not in r for r in records)
    served = custom_model_for(connection.tenant, "atsDepartment")
    assert [r["id"] for r in iter_custom_model_records(connection, served)] == [r["id"] for r in records]
    assert custom_model_events(connection.tenant) == [
        "atsDepartment::created", "atsDepartment::updated", "atsDepartment::deleted"]


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d.update(name="genericContact"), "name"),
    (lambda d: d.update(name="has space"), "name"),
    (lambda d: d["source"]["list"].update(endpoint="candidate.anonymize"), "source.list.endpoint"),
    (lambda d: d["source"]["list"].update(endpoint="department.create"), "source.list.endpoint"),
    (lambda d: d["source"]["list"].update(body={"cursor": "x"}), "source.list.body.cursor"),
    (lambda d: d["fields"].append({"key": "name", "path": "x"}), "fields[1].key"),
    (lambda d: d["fields"].append({"key": "x", "type": "colour"}), "fields[1].type"),
    (lambda d: d["fields"].append({"key": "x", "transform": "shout"}), "fields[1].transform"),
    (lambda d: d["fields"].append({"key": "x", "type": "ref", "ref": "nowhere"}), "fields[1].ref"),
    (lambda d: d["fields"].append({"key": "x", "path": "a..b/c"}), "fields[1].path"),
    (lambda d: d.update(fields=[]), "fields"),
    (lambda d: d.update(filters=[{"key": "a"}]), "filters[0]"),
    (lambda d: d.update(where=[{"path": "a", "like": 1}]), "where[0]"),
    (lambda d: d.update(color="red"), "color"),
])
def test_bad_definitions_are_refused_naming_the_key(plain, change, field):
    definition = copy.deepcopy(MINIMAL)
    change(definition)
    resp = plain.post("/v1/custom-models", definition, format="json")
    assert resp.status_code == 422, resp.content
    assert resp.json()["error"] == "MORPH::CUSTOM_MODEL::INVALID"
    assert resp.json()["field"] == field
    assert not CustomModel.objects.exists()


def test_crud_and_isolation(plain, other_api, client, tenant_keys):
    assert plain.post("/v1/custom-models", MINIMAL, format="json").status_code == 201
    assert plain.post("/v1/custom-models", MINIMAL, format="json").status_code == 409
    assert [m["name"] for m in plain.get("/v1/custom-models").json()["data"]] == ["atsDepartment"]
    patched = plain.patch("/v1/custom-models/atsDepartment", {"title": "Team"}, format="json")
    assert patched.status_code == 200 and patched.json()["title"] == "Team"
    assert plain.patch("/v1/custom-models/atsDepartment", {"name": "other"}, format="json").status_code == 400
    replaced = plain.put("/v1/custom-models/atsDepartment", {**MINIMAL, "fields": [{"key": "label", "path": "name"}]},
                         format="json")
    assert replaced.status_code == 200 and replaced.json()["fields"] == [{"key": "label", "path": "name"}]
    assert "label" in client.get("/v1/resources/atsDepartment?limit=1").json()["data"][0]["fields"]
    # Another tenant sees nothing: not the definition, not the served model.
    assert other_api.get("/v1/custom-models/atsDepartment").status_code == 404
    assert other_api.get("/v1/custom-models").json()["data"] == []
    inactive = plain.patch("/v1/custom-models/atsDepartment", {"isActive": False}, format="json")
    assert inactive.status_code == 200 and inactive.json()["isActive"] is False
    assert client.get("/v1/resources/atsDepartment").status_code == 404
    assert plain.delete("/v1/custom-models/atsDepartment").status_code == 204
    assert plain.get("/v1/custom-models/atsDepartment").status_code == 404


def test_install_example_models_command(tenant, client):
    call_command("install_example_models", tenant.slug)
    assert set(CustomModel.objects.filter(tenant=tenant).values_list("name", flat=True)) == {
        "atsDepartment", "atsInterviewFeedback"}
    call_command("install_example_models", "--all")  # idempotent
    assert CustomModel.objects.filter(tenant=tenant).count() == 2
    assert client.get("/v1/resources/atsDepartment").status_code == 200


def test_unauthorized_connection_is_refused(plain, client, connection):
    plain.post("/v1/custom-models", MINIMAL, format="json")
    connection.status = connection.Status.UNAUTHORIZED
    connection.save()
    assert client.get("/v1/resources/atsDepartment").status_code == 401


def test_missing_permission_is_an_honest_403(plain, tenant, tenant_keys):
    from tests.conftest import make_client
    from tests.switchboard.mappings.conftest import make_connection

    make_connection(tenant, owner_id="limited", api_key="no-metadata")
    plain.post("/v1/custom-models", MINIMAL, format="json")
    _, public, secret = tenant_keys
    limited = make_client(public, secret, HTTP_X_CONNECTOR_ID="ashby", HTTP_X_OWNER_ID="limited")
    resp = limited.get("/v1/resources/atsDepartment")
    assert resp.status_code == 403, resp.content
    assert resp.json()["error"] == "CONNECTOR::OPERATION::INSUFFICIENT_PERMISSIONS"
