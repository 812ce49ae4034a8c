"""Resources (list, paging, retrieve, create, update, delete), model fields and the proxy."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from switchboard_sdk import (
    NotSupportedError,
    ProxyResponse,
    Resource,
    ResourceRef,
    SwitchboardError,
    ValidationError,
)

BASE = "http://switchboard.test"
JOBS = f"{BASE}/v1/resources/atsJob"


def job(n: int, **extra) -> dict:
    return {
        "object": "resource",
        "model": "atsJob",
        "id": f"job-{n}",
        "fields": {"title": f"Job {n}", "status": "open"},
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-02T00:00:00Z",
        **extra,
    }


@pytest.fixture
def jobs(client):
    return client.connections(connector_id="ashby", owner_id="demo").resources("atsJob")


def test_list_sends_connection_headers_and_every_param(jobs, rsps, sent):
    rsps.get(JOBS, json={"data": [job(1)], "next": "c2"})
    page = jobs.list(
        limit=10,
        cursor="c1",
        filters={"job": "j1", "status": "active"},
        q="engineer",
        fields=["title", "status"],
        include_remote=True,
        updated_after=datetime(2026, 1, 1, tzinfo=timezone.utc),  # noqa: UP017
    )
    method, path, query, headers, body = sent(rsps.calls[0])
    assert (method, path, body) == ("GET", "/v1/resources/atsJob", None)
    assert query == {
        "limit": "10",
        "cursor": "c1",
        "filter[job]": "j1",
        "filter[status]": "active",
        "q": "engineer",
        "fields": "title,status",
        "include": "remote",
        "updatedAfter": "2026-01-01T00:00:00+00:00",
    }
    assert headers["x-connector-id"] == "ashby"
    assert headers["x-owner-id"] == "demo"
    assert headers["x-api-secret"] == "sk_test"
    assert page.next == "c2"
    assert page.has_more
    assert len(page) == 1


def test_list_without_params_sends_no_query(jobs, rsps, sent):
    rsps.get(JOBS, json={"data": [], "next": None})
    page = jobs.list()
    assert sent(rsps.calls[0])[2] == {}
    assert page.data == [] and page.next is None and not page.has_more


def test_resource_parsing_keeps_everything(jobs, rsps):
    remote = {"id": "job-1", "title": "Job 1", "customFields": []}
    rsps.get(JOBS, json={"data": [job(1, remote=remote, warnings=[{"field": "status", "message": "odd"}],
                                      extraKey=1)], "next": None})
    resource = jobs.list(include_remote=True).data[0]
    assert isinstance(resource, Resource)
    assert (resource.model, resource.id) == ("atsJob", "job-1")
    assert resource.fields == {"title": "Job 1", "status": "open"}
    assert resource.created_at == datetime(2026, 1, 1, tzinfo=timezone.utc)  # noqa: UP017
    assert resource.remote == remote
    assert resource.warnings == [{"field": "status", "message": "odd"}]
    assert resource.raw["extraKey"] == 1


def test_iter_all_follows_cursors_lazily(jobs, rsps, sent):
    rsps.get(JOBS, json={"data": [job(1), job(2)], "next": "p2"})
    rsps.get(JOBS, json={"data": [job(3)], "next": "p3"})
    rsps.get(JOBS, json={"data": [job(4)], "next": None})
    iterator = jobs.iter_all(limit=2, filters={"status": "open"})
    assert len(rsps.calls) == 0  # nothing fetched before the first item is asked for
    assert next(iterator).id == "job-1"
    assert len(rsps.calls) == 1
    assert [r.id for r in iterator] == ["job-2", "job-3", "job-4"]
    queries = [sent(c)[2] for c in rsps.calls]
    assert queries[0] == {"limit": "2", "filter[status]": "open"}
    assert queries[1] == {"limit": "2", "filter[status]": "open", "cursor": "p2"}
    assert queries[2]["cursor"] == "p3"


def test_iter_all_stops_on_a_repeated_cursor(jobs, rsps):
    rsps.get(JOBS, json={"data": [job(1)], "next": "same"})
    rsps.get(JOBS, json={"data": [job(2)], "next": "same"})
    with pytest.raises(SwitchboardError) as info:
        list(jobs.iter_all())
    assert info.value.code == "SDK::PAGINATION::LOOP"


def test_retrieve_with_expand_and_relations(jobs, rsps, sent):
    app = {
        "object": "resource", "model": "atsApplication", "id": "app-1",
        "fields": {
            "candidate": {"object": "resource", "model": "genericContact", "id": "c-1", "fields": {"firstName": "A"}},
            "job": {"object": "resourceRef", "model": "atsJob", "id": "job-1"},
            "tags": "x",
        },
    }
    rsps.get(f"{BASE}/v1/resources/atsJob/app-1", json=app)
    resource = jobs.retrieve("app-1", expand=["candidate", "recruiter"], include_remote=True)
    assert sent(rsps.calls[0])[2] == {"expand": "candidate,recruiter", "include": "remote"}
    candidate = resource.ref("candidate")
    assert isinstance(candidate, Resource) and candidate.fields["firstName"] == "A"
    ref = resource.ref("job")
    assert isinstance(ref, ResourceRef) and (ref.model, ref.id) == ("atsJob", "job-1")
    assert resource.ref("tags") is None
    assert resource.ref("missing") is None


def test_create_returns_ref_or_resource(client, rsps, sent):
    contacts = client.connections(connector_id="ashby", owner_id="demo").resources("genericContact")
    rsps.post(f"{BASE}/v1/resources/genericContact",
              json={"object": "resourceRef", "model": "genericContact", "id": "c-9"}, status=201)
    rsps.post(f"{BASE}/v1/resources/genericContact",
              json={"object": "resource", "model": "genericContact", "id": "c-10",
                    "fields": {"firstName": "Ada"}}, status=201)
    ref = contacts.create({"firstName": "Ada", "email": "ada@example.com"})
    method, path, query, headers, body = sent(rsps.calls[0])
    assert (method, path, query) == ("POST", "/v1/resources/genericContact", {})
    assert body == {"fields": {"firstName": "Ada", "email": "ada@example.com"}}
    assert headers["content-type"] == "application/json"
    assert isinstance(ref, ResourceRef) and ref.id == "c-9"

    full = contacts.create({"firstName": "Ada"}, return_resource=True)
    assert sent(rsps.calls[1])[2] == {"returnResource": "true"}
    assert isinstance(full, Resource) and full.fields == {"firstName": "Ada"}


def test_update_and_delete(jobs, rsps, sent):
    rsps.patch(f"{JOBS}/job-1", json={"object": "resourceRef", "model": "atsJob", "id": "job-1"})
    rsps.patch(f"{JOBS}/job-1", json=job(1))
    rsps.delete(f"{JOBS}/job-1", status=204)
    ref = jobs.update("job-1", {"status": "closed"})
    method, path, query, headers, body = sent(rsps.calls[0])
    assert (method, path, query, body) == ("PATCH", "/v1/resources/atsJob/job-1", {}, {"fields": {"status": "closed"}})
    assert headers["x-owner-id"] == "demo"
    assert isinstance(ref, ResourceRef)
    assert isinstance(jobs.update("job-1", {"status": "closed"}, return_resource=True), Resource)
    assert sent(rsps.calls[1])[2] == {"returnResource": "true"}
    assert jobs.delete("job-1") is None
    assert sent(rsps.calls[2])[:2] == ("DELETE", "/v1/resources/atsJob/job-1")


def test_unsupported_operation_is_typed(jobs, rsps):
    rsps.delete(f"{JOBS}/job-1", status=501,
                json={"error": "CONNECTOR::OPERATION::NOT_SUPPORTED", "message": "Ashby cannot delete jobs."})
    with pytest.raises(NotSupportedError) as info:
        jobs.delete("job-1")
    assert info.value.code == "CONNECTOR::OPERATION::NOT_SUPPORTED"


def test_validation_error_on_create_keeps_the_body(client, rsps):
    rsps.post(f"{BASE}/v1/resources/genericContact", status=422,
              json={"error": "CONNECTOR::OPERATION::BAD_REQUEST", "message": "email: not an email", "field": "email"})
    with pytest.raises(ValidationError) as info:
        client.connections(connector_id="ashby", owner_id="demo").resources("genericContact").create({"email": "x"})
    assert info.value.body["field"] == "email"
    assert info.value.status == 422


def test_model_fields(client, rsps, sent):
    rsps.get(f"{BASE}/v1/models/genericContact/fields", json={"data": [
        {"key": "firstName", "name": "First name", "type": "text", "isCustom": False, "isRequired": True,
         "isValueReadOnly": False},
        {"key": "yearsOfExperience", "name": "Years of experience", "type": "number", "isCustom": True,
         "isRequired": False, "isValueReadOnly": False, "remote": {"id": "cf-1"}, "options": None},
    ]})
    rsps.get(f"{BASE}/v1/models/genericContact/fields", json=[{"key": "yearsOfExperience", "isCustom": True}])
    models = client.connections(connector_id="ashby", owner_id="demo").models("genericContact")
    fields = models.fields()
    method, path, query, headers, _ = sent(rsps.calls[0])
    assert (method, path, query) == ("GET", "/v1/models/genericContact/fields", {})
    assert headers["x-connector-id"] == "ashby"
    assert [f.key for f in fields] == ["firstName", "yearsOfExperience"]
    assert fields[0].is_required and not fields[0].is_custom
    assert fields[1].is_custom and fields[1].remote == {"id": "cf-1"}
    # A bare array is accepted too.
    custom = models.fields(is_custom=True)
    assert sent(rsps.calls[1])[2] == {"isCustom": "true"}
    assert custom[0].key == "yearsOfExperience"


def test_proxy_envelope_and_passthrough(client, rsps, sent):
    connection = client.connections(connector_id="ashby", owner_id="demo")
    rsps.post(f"{BASE}/v1/proxy", json={"status": 200, "body": {"success": True, "results": {"id": "c-1"}},
                                        "headers": {"content-type": "application/json"}})
    rsps.post(f"{BASE}/v1/proxy", json={"success": True, "results": []}, status=200)
    result = connection.proxy("post", "/candidate.info", data={"id": "c-1"}, query={"a": "1"},
                              headers={"x-extra": "1"})
    method, path, _, headers, body = sent(rsps.calls[0])
    assert (method, path) == ("POST", "/v1/proxy")
    assert body == {"method": "POST", "path": "/candidate.info", "query": {"a": "1"}, "data": {"id": "c-1"},
                    "headers": {"x-extra": "1"}}
    assert headers["x-connector-id"] == "ashby" and headers["x-owner-id"] == "demo"
    assert isinstance(result, ProxyResponse)
    assert result.status == 200
    assert result.body["results"]["id"] == "c-1"
    assert result.headers == {"content-type": "application/json"}

    passthrough = connection.proxy("POST", "/job.list")
    assert sent(rsps.calls[1])[4] == {"method": "POST", "path": "/job.list"}
    assert passthrough.status == 200
    assert passthrough.body == {"success": True, "results": []}
