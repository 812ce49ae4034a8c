"""Remote fields, the /v1/field-mappings API, its refusals, and rule precedence."""

from __future__ import annotations

import pytest

from switchboard.mappings.models import FieldMapping
from tests.conftest import make_client
from tests.switchboard.mappings.conftest import HEADERS, make_connection

YEARS = {"model": "genericContact", "key": "yearsOfExperience", "customFieldTitle": "Years of experience"}


def _customfield_list_calls(sandbox):
    return sum(1 for r in sandbox.requests if r["endpoint"] == "customField.list")


# -- remote fields --------------------------------------------------------------------------------

def test_fields_include_the_accounts_custom_fields(client, cf):
    resp = client.get("/v1/models/genericContact/fields")
    assert resp.status_code == 200, resp.content
    fields = resp.json()["data"]
    standard = [f for f in fields if not f["isCustom"]]
    custom = {f["name"]: f for f in fields if f["isCustom"]}
    assert "firstName" in {f["key"] for f in standard}
    years = custom["Years of experience"]
    assert years["key"] == cf["Years of experience"]["id"]
    assert years["type"] == "number"
    assert years["remote"] == {"id": cf["Years of experience"]["id"], "title": "Years of experience",
                               "fieldType": "Number", "isPrivate": False}
    assert custom["Seniority"]["type"] == "enum" and custom["Seniority"]["options"][0]["label"] == "Junior"
    assert custom["Current salary"]["remote"]["isPrivate"] is True
    assert "Legacy score" not in custom  # archived
    assert "Referral bonus eligible" not in custom  # an Application field
    assert {f["remote"]["fieldType"] for f in custom.values()} >= {
        "String", "Number", "Boolean", "Date", "ValueSelect", "MultiValueSelect", "Currency", "NumberRange",
        "CompensationRange", "LongText", "Url", "Email", "Phone"}


def test_is_custom_filter(client):
    only_custom = client.get("/v1/models/genericContact/fields?isCustom=true").json()["data"]
    assert only_custom and all(f["isCustom"] for f in only_custom)
    only_standard = client.get("/v1/models/genericContact/fields?isCustom=false").json()["data"]
    assert only_standard and not any(f["isCustom"] for f in only_standard)


def test_remote_fields_are_cached_and_refreshed_on_demand(client, sandbox):
    client.get("/v1/models/genericContact/fields")
    client.get("/v1/models/genericContact/fields")
    assert _customfield_list_calls(sandbox) == 1
    client.get("/v1/models/genericContact/fields?refresh=true")
    assert _customfield_list_calls(sandbox) == 2


def test_cache_is_per_connection(client, tenant, sandbox, tenant_keys):
    make_connection(tenant, owner_id="other")
    client.get("/v1/models/genericContact/fields")
    _, public, secret = tenant_keys
    other = make_client(public, secret, HTTP_X_CONNECTOR_ID="ashby", HTTP_X_OWNER_ID="other")
    other.get("/v1/models/genericContact/fields")
    assert _customfield_list_calls(sandbox) == 2


def test_mapped_key_is_listed_with_its_mapping(client, plain, connection, cf):
    created = plain.post("/v1/field-mappings", YEARS, format="json", **HEADERS)
    assert created.status_code == 201, created.content
    fields = client.get("/v1/models/genericContact/fields?isCustom=true").json()["data"]
    by_key = {f["key"]: f for f in fields}
    years = by_key["yearsOfExperience"]
    assert years["type"] == "number" and years["isValueReadOnly"] is False
    assert years["mapping"] == {"id": created.json()["id"], "direction": "both", "scope": "tenant"}
    assert years["remote"]["id"] == cf["Years of experience"]["id"]
    assert cf["Years of experience"]["id"] not in by_key  # listed once, under its mapped key


# -- the API ---------------------------------------------------------------------------------------

def test_create_tenant_mapping_checked_against_a_connection(plain, connection, cf):
    resp = plain.post("/v1/field-mappings", YEARS, format="json", **HEADERS)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["object"] == "fieldMapping" and body["connection"] is None
    assert body["remoteFieldType"] == "Number" and body["direction"] == "both" and body["selectBy"] == "label"
    assert plain.get(f"/v1/field-mappings/{body['id']}").json() == body
    listed = plain.get("/v1/field-mappings?model=genericContact").json()
    assert [m["id"] for m in listed["data"]] == [body["id"]] and listed["next"] is None


def test_tenant_mapping_without_a_connection_is_checked_structurally(plain, connection):
    resp = plain.post("/v1/field-mappings", {**YEARS, "customFieldTitle": "Whatever"}, format="json")
    assert resp.status_code == 201  # resolved per connection when read
    assert resp.json()["remoteFieldType"] is None


def test_connection_override_is_checked_against_its_account(plain, connection):
    resp = plain.post("/v1/field-mappings", {**YEARS, "connection": {"connectorId": "ashby", "ownerId": "demo"}},
                      format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["connection"] == {"connectorId": "ashby", "ownerId": "demo"}
    missing = plain.post("/v1/field-mappings", {**YEARS, "key": "x", "customFieldTitle": "Shoe size",
                                                "connectorId": "ashby", "ownerId": "demo"}, format="json")
    assert missing.status_code == 422
    assert missing.json()["error"] == "MORPH::FIELD_MAPPING::REMOTE_FIELD_NOT_FOUND"
    assert "Shoe size" in missing.json()["message"] and "Years of experience" in missing.json()["message"]
    assert missing.json()["field"] == "customFieldTitle"


@pytest.mark.parametrize(("body", "status", "code", "field"), [
    ({**YEARS, "key": "email"}, 422, "MORPH::FIELD_MAPPING::COLLISION", "key"),
    ({**YEARS, "key": "firstName", "overrideStandard": True}, 422, "MORPH::FIELD_MAPPING::COLLISION", "key"),
    ({**YEARS, "key": "owner", "overrideStandard": True}, 422, "MORPH::FIELD_MAPPING::COLLISION", "key"),
    ({**YEARS, "type": "object"}, 422, "MORPH::FIELD_MAPPING::INCOMPATIBLE_TYPE", "type"),
    ({**YEARS, "key": "title", "overrideStandard": True}, 422, "MORPH::FIELD_MAPPING::INCOMPATIBLE_TYPE", "type"),
    ({**YEARS, "customFieldTitle": None, "customFieldId": "no-such-id"}, 422,
     "MORPH::FIELD_MAPPING::REMOTE_FIELD_NOT_FOUND", "customFieldId"),
    ({**YEARS, "customFieldTitle": None, "path": "position", "direction": "both"}, 422, "MORPH::FIELD_MAPPING::NOT_WRITABLE",
     "direction"),
    ({**YEARS, "model": "genericUser", "direction": "both"}, 422, "MORPH::FIELD_MAPPING::NOT_WRITABLE", "direction"),
    ({**YEARS, "model": "nope"}, 400, "CONNECTOR::RESOURCE_MODEL::NOT_FOUND", "model"),
    ({**YEARS, "key": "years of experience"}, 400, "MORPH::BAD_REQUEST", "key"),
    ({**YEARS, "direction": "sideways"}, 400, "MORPH::BAD_REQUEST", "direction"),
    ({**YEARS, "path": "x"}, 400, "MORPH::BAD_REQUEST", "path"),
    ({"model": "genericContact", "key": "k"}, 400, "MORPH::BAD_REQUEST", "customFieldTitle"),
    ({**YEARS, "customFieldTitle": "Current salary", "type": "number", "key": "salary"}, 422,
     "MORPH::FIELD_MAPPING::INCOMPATIBLE_TYPE", "currency"),
])
def test_bad_mappings_are_refused_naming_the_problem(plain, connection, body, status, code, field):
    resp = plain.post("/v1/field-mappings", body, format="json", **HEADERS)
    assert resp.status_code == status, resp.content
    assert resp.json()["error"] == code
    assert resp.json().get("field") == field
    assert not FieldMapping.objects.exists()


def test_override_of_an_optional_standard_field_is_allowed_when_asked(plain, client, connection, sandbox):
    resp = plain.post("/v1/field-mappings", {"model": "genericContact", "key": "title", "overrideStandard": True,
                                             "customFieldTitle": "Current title"}, format="json", **HEADERS)
    assert resp.status_code == 201, resp.content
    cid = sandbox.info()["sample"]["candidateId"]
    updated = client.patch(f"/v1/resources/genericContact/{cid}?returnResource=true",
                           {"fields": {"title": "Principal Engineer"}}, format="json")
    assert updated.status_code == 200, updated.content
    assert updated.json()["fields"]["title"] == "Principal Engineer"
    assert client.get(f"/v1/resources/genericContact/{cid}").json()["fields"]["title"] == "Principal Engineer"


def test_duplicate_key_in_the_same_scope_is_a_conflict(plain, connection):
    assert plain.post("/v1/field-mappings", YEARS, format="json", **HEADERS).status_code == 201
    again = plain.post("/v1/field-mappings", YEARS, format="json", **HEADERS)
    assert again.status_code == 409 and again.json()["error"] == "MORPH::FIELD_MAPPING::DUPLICATE"
    # The same key as a connection override is fine: that is what overrides are.
    override = plain.post("/v1/field-mappings", {**YEARS, "connectorId": "ashby", "ownerId": "demo"}, format="json")
    assert override.status_code == 201


def test_patch_and_delete(plain, connection):
    created = plain.post("/v1/field-mappings", YEARS, format="json", **HEADERS).json()
    patched = plain.patch(f"/v1/field-mappings/{created['id']}", {"direction": "read", "name": "Experience"},
                          format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["direction"] == "read" and patched.json()["name"] == "Experience"
    bad = plain.patch(f"/v1/field-mappings/{created['id']}", {"type": "boolean"}, format="json", **HEADERS)
    assert bad.status_code == 422
    assert plain.get(f"/v1/field-mappings/{created['id']}").json()["type"] is None  # unchanged
    assert plain.patch(f"/v1/field-mappings/{created['id']}", {"connectorId": "ashby"},
                       format="json").status_code == 400
    assert plain.delete(f"/v1/field-mappings/{created['id']}").status_code == 204
    assert plain.get(f"/v1/field-mappings/{created['id']}").status_code == 404
    assert plain.get("/v1/field-mappings/not-a-uuid").status_code == 404


def test_other_tenants_mappings_are_not_found(plain, other_api, connection):
    created = plain.post("/v1/field-mappings", YEARS, format="json").json()
    assert other_api.get(f"/v1/field-mappings/{created['id']}").status_code == 404
    assert other_api.delete(f"/v1/field-mappings/{created['id']}").status_code == 404
    assert other_api.get("/v1/field-mappings").json()["data"] == []
    # Nor can another tenant scope a mapping to this tenant's connection.
    resp = other_api.post("/v1/field-mappings", {**YEARS, "connectorId": "ashby", "ownerId": "demo"}, format="json")
    assert resp.status_code == 404


# -- precedence -------------------------------------------------------------------------------------

def test_connection_override_wins_over_the_tenant_default(plain, tenant, tenant_keys, sandbox, connection):
    other = make_connection(tenant, owner_id="other")
    assert plain.post("/v1/field-mappings", YEARS, format="json").status_code == 201
    override = plain.post("/v1/field-mappings", {**YEARS, "customFieldTitle": "Expected notice (weeks)",
                                                 "connectorId": "ashby", "ownerId": "other"}, format="json")
    assert override.status_code == 201, override.content
    cid = sandbox.info()["sample"]["candidateId"]
    _, public, secret = tenant_keys
    demo = make_client(public, secret, **HEADERS)
    alt = make_client(public, secret, HTTP_X_CONNECTOR_ID="ashby", HTTP_X_OWNER_ID="other")
    assert demo.patch(f"/v1/resources/genericContact/{cid}", {"fields": {"yearsOfExperience": 12}},
                      format="json").status_code == 200
    assert alt.patch(f"/v1/resources/genericContact/{cid}", {"fields": {"yearsOfExperience": 4}},
                     format="json").status_code == 200
    # Both connections read the same Ashby account: the default wrote years, the override notice.
    assert demo.get(f"/v1/resources/genericContact/{cid}").json()["fields"]["yearsOfExperience"] == 12
    assert alt.get(f"/v1/resources/genericContact/{cid}").json()["fields"]["yearsOfExperience"] == 4
    effective = plain.get("/v1/field-mappings?connectorId=ashby&ownerId=other&model=genericContact").json()
    assert [m["customFieldTitle"] for m in effective["data"]] == ["Expected notice (weeks)"]
    assert other.pk != connection.pk


def test_inactive_override_switches_a_default_off(plain, client, sandbox, connection):
    plain.post("/v1/field-mappings", YEARS, format="json")
    plain.post("/v1/field-mappings", {**YEARS, "isActive": False, "connectorId": "ashby", "ownerId": "demo"},
               format="json")
    cid = sandbox.info()["sample"]["candidateId"]
    assert "yearsOfExperience" not in client.get(f"/v1/resources/genericContact/{cid}").json()["fields"]


def test_changing_the_target_forgets_the_old_remote_type(plain, connection):
    created = plain.post("/v1/field-mappings", YEARS, format="json", **HEADERS).json()
    assert created["remoteFieldType"] == "Number"
    moved = plain.patch(f"/v1/field-mappings/{created['id']}", {"customFieldTitle": "Current title"}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["remoteFieldType"] is None  # not checked against an account this time
    checked = plain.patch(f"/v1/field-mappings/{created['id']}", {"customFieldTitle": "Current title"},
                          format="json", **HEADERS)
    assert checked.json()["remoteFieldType"] == "String"


def test_reads_survive_unreadable_definitions(plain, client, connection, sandbox, monkeypatch):
    """customField.list failing (e.g. no hiringProcessMetadataRead) must not fail candidate reads:
    values, titles and select labels are in the record itself."""
    from connectors.ashby.client import AshbyClient
    from connectors.errors import InsufficientPermissions

    plain.post("/v1/field-mappings", {**YEARS}, format="json", **HEADERS)
    plain.post("/v1/field-mappings", {"model": "genericContact", "key": "seniority", "customFieldTitle": "Seniority"},
               format="json", **HEADERS)
    from django.core.cache import cache

    cache.clear()

    def refuse(self, model):
        raise InsufficientPermissions("The Ashby API key lacks hiringProcessMetadataRead.")

    monkeypatch.setattr(AshbyClient, "list_custom_fields", refuse)
    page = client.get("/v1/resources/genericContact?limit=10")
    assert page.status_code == 200, page.content
    data = page.json()["data"]
    assert all(isinstance(r["fields"]["yearsOfExperience"], int) for r in data)
    assert {r["fields"]["seniority"] for r in data} - {None} <= {"Junior", "Mid", "Senior", "Staff", "Principal"}
    assert all(any(w["code"] == "customFieldsUnavailable" for w in r["warnings"]) for r in data)
