"""Mapped fields through /v1/resources against the sandbox: every Ashby field type written and
read back, yearsOfExperience on list/retrieve/create/update, refusals before any write, and an
honest partial failure."""

from __future__ import annotations

import pytest

from connectors import errors
from connectors.ashby.client import AshbyClient
from tests.switchboard.mappings.conftest import HEADERS, custom_value

YEARS = {"model": "genericContact", "key": "yearsOfExperience", "customFieldTitle": "Years of experience"}

# (Ashby title, unified key, unified value written, value Ashby stores, value read back)
EVERY_TYPE = [
    ("Current title", "currentTitle", "Staff Engineer", "Staff Engineer", "Staff Engineer"),
    ("Years of experience", "yearsOfExperience", 9, 9, 9),
    ("Open to relocation", "openToRelocation", True, True, True),
    ("Available from", "availableFrom", "2026-12-01", "2026-12-01T00:00:00.000Z", "2026-12-01"),
    ("Seniority", "seniority", "senior", "Senior", "Senior"),
    ("Languages", "languages", ["English", "German"], ["English", "German"], ["English", "German"]),
    ("Current salary", "currentSalary", {"amount": 150000, "currency": "eur"},
     {"value": 150000, "currencyCode": "EUR"}, {"amount": 150000, "currency": "EUR"}),
    ("Team size managed", "teamSize", {"min": 3, "max": 8},
     {"type": "number-range", "minValue": 3, "maxValue": 8}, {"min": 3, "max": 8}),
    ("Desired compensation", "desiredCompensation", {"min": 100000, "max": 130000, "currency": "USD"},
     {"type": "compensation-range", "minValue": 100000, "maxValue": 130000, "currencyCode": "USD",
      "interval": "1 YEAR"},
     {"min": 100000, "max": 130000, "currency": "USD", "interval": "1 YEAR"}),
    ("Recruiter notes", "recruiterNotes", "Great call.\nFollow up in May.", "Great call.\nFollow up in May.",
     "Great call.\nFollow up in May."),
    ("Portfolio", "portfolio", "https://example.com/work", "https://example.com/work", "https://example.com/work"),
    ("Personal email", "personalEmail", "me@example.com", "me@example.com", "me@example.com"),
    ("Alternate phone", "alternatePhone", "+44 20 7946 0000", "+44 20 7946 0000", "+44 20 7946 0000"),
]


@pytest.fixture
def years(plain, connection):
    resp = plain.post("/v1/field-mappings", YEARS, format="json", **HEADERS)
    assert resp.status_code == 201, resp.content
    return resp.json()


@pytest.fixture
def candidate_id(sandbox):
    return sandbox.info()["sample"]["candidateId"]


def test_every_ashby_type_both_directions(plain, client, connection, sandbox, candidate_id):
    for title, key, *_ in EVERY_TYPE:
        resp = plain.post("/v1/field-mappings", {"model": "genericContact", "key": key, "customFieldTitle": title},
                          format="json", **HEADERS)
        assert resp.status_code == 201, (title, resp.content)
    body = {key: written for _, key, written, _, _ in EVERY_TYPE}
    updated = client.patch(f"/v1/resources/genericContact/{candidate_id}?returnResource=true", {"fields": body},
                           format="json")
    assert updated.status_code == 200, updated.content
    for title, key, _, stored, read in EVERY_TYPE:
        assert custom_value(sandbox, candidate_id, title) == stored, title
        assert updated.json()["fields"][key] == read, key
    got = client.get(f"/v1/resources/genericContact/{candidate_id}").json()
    for _, key, _, _, read in EVERY_TYPE:
        assert got["fields"][key] == read, key
    # Null clears a value.
    assert client.patch(f"/v1/resources/genericContact/{candidate_id}", {"fields": {"seniority": None}},
                        format="json").status_code == 200
    assert custom_value(sandbox, candidate_id, "Seniority") is None
    assert client.get(f"/v1/resources/genericContact/{candidate_id}").json()["fields"]["seniority"] is None


def test_list_and_retrieve_carry_years_of_experience(client, years, sandbox):
    page = client.get("/v1/resources/genericContact?limit=5")
    assert page.status_code == 200, page.content
    data = page.json()["data"]
    assert len(data) == 5
    for res in data:
        assert res["fields"]["yearsOfExperience"] == custom_value(sandbox, res["id"], "Years of experience")
        assert isinstance(res["fields"]["yearsOfExperience"], int)
        assert "remote" not in res  # fetched for the mapping, stripped again
    one = client.get(f"/v1/resources/genericContact/{data[0]['id']}").json()
    assert one["fields"]["yearsOfExperience"] == data[0]["fields"]["yearsOfExperience"]
    assert "remote" not in one
    with_remote = client.get(f"/v1/resources/genericContact/{data[0]['id']}?include=remote").json()
    assert with_remote["remote"]["customFields"]
    only = client.get(f"/v1/resources/genericContact/{data[0]['id']}?fields=yearsOfExperience")
    assert only.status_code == 200, only.content
    assert only.json()["fields"]["yearsOfExperience"] == data[0]["fields"]["yearsOfExperience"]


def test_update_and_create_carry_years_of_experience(client, years, sandbox, candidate_id):
    resp = client.patch(f"/v1/resources/genericContact/{candidate_id}", {"fields": {"yearsOfExperience": 17}},
                        format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"object": "resourceRef", "model": "genericContact", "id": candidate_id}
    assert custom_value(sandbox, candidate_id, "Years of experience") == 17
    assert client.get(f"/v1/resources/genericContact/{candidate_id}").json()["fields"]["yearsOfExperience"] == 17

    created = client.post("/v1/resources/genericContact?returnResource=true",
                          {"fields": {"firstName": "Ada", "lastName": "Lovelace", "yearsOfExperience": 3}},
                          format="json")
    assert created.status_code == 201, created.content
    new_id = created.json()["id"]
    assert created.json()["fields"]["yearsOfExperience"] == 3
    assert custom_value(sandbox, new_id, "Years of experience") == 3


def test_a_bad_mapped_value_is_refused_before_anything_is_written(client, years, sandbox, candidate_id):
    before = len(sandbox.requests)
    resp = client.patch(f"/v1/resources/genericContact/{candidate_id}",
                        {"fields": {"firstName": "Changed", "yearsOfExperience": "lots"}}, format="json")
    assert resp.status_code == 422, resp.content
    assert resp.json()["field"] == "yearsOfExperience" and "number" in resp.json()["message"]
    writes = [r for r in list(sandbox.requests)[before:] if r["endpoint"] in ("candidate.update",
                                                                                 "customField.setValues")]
    assert writes == []


def test_read_only_mapping_refuses_writes(plain, client, connection, candidate_id):
    plain.post("/v1/field-mappings", {**YEARS, "direction": "read"}, format="json", **HEADERS)
    resp = client.patch(f"/v1/resources/genericContact/{candidate_id}", {"fields": {"yearsOfExperience": 1}},
                        format="json")
    assert resp.status_code == 422 and resp.json()["field"] == "yearsOfExperience"


def test_path_mapping_reads_from_the_raw_record(plain, client, connection, sandbox, candidate_id):
    resp = plain.post("/v1/field-mappings", {"model": "genericContact", "key": "ashbyProfileSource",
                                             "path": "source.sourceType.title"}, format="json")
    assert resp.status_code == 201, resp.content
    got = client.get(f"/v1/resources/genericContact/{candidate_id}?include=remote").json()
    assert got["fields"]["ashbyProfileSource"] == got["remote"]["source"]["sourceType"]["title"]


def test_partial_failure_is_reported_not_hidden(client, years, sandbox, candidate_id, monkeypatch):
    def fail(self, model, id, values):
        raise errors.UpstreamError("Ashby failed (HTTP 500).", remote_code="http_500")

    monkeypatch.setattr(AshbyClient, "set_custom_field_values", fail)
    resp = client.patch(f"/v1/resources/genericContact/{candidate_id}",
                        {"fields": {"lastName": "Partial", "yearsOfExperience": 5}}, format="json")
    assert resp.status_code == 207, resp.content
    body = resp.json()
    assert body["id"] == candidate_id
    assert body["error"] == "MORPH::FIELD_MAPPING::PARTIAL_WRITE"
    assert body["failedFields"] == ["yearsOfExperience"]
    assert body["warnings"][0]["field"] == "yearsOfExperience"
    assert "was saved" in body["message"]
    # Updating only mapped fields: nothing was saved, so it is a plain error, not a 207.
    only_custom = client.patch(f"/v1/resources/genericContact/{candidate_id}",
                               {"fields": {"yearsOfExperience": 5}}, format="json")
    assert only_custom.status_code == 502


def test_title_mapping_that_does_not_resolve_warns_on_read(plain, client, connection, candidate_id):
    plain.post("/v1/field-mappings", {**YEARS, "customFieldTitle": "Shoe size"}, format="json")
    got = client.get(f"/v1/resources/genericContact/{candidate_id}").json()
    assert got["fields"]["yearsOfExperience"] is None
    assert any(w.get("field") == "yearsOfExperience" and w["code"] == "remoteFieldMissing"
               for w in got["warnings"])
    resp = client.patch(f"/v1/resources/genericContact/{candidate_id}", {"fields": {"yearsOfExperience": 2}},
                        format="json")
    assert resp.status_code == 422 and "Shoe size" in resp.json()["message"]


def test_webhook_event_data_carry_mapped_fields(years, connection, sandbox, candidate_id):
    """Event data are rendered by render_resources from connector resources that keep `remote`."""
    from switchboard.connections.services import client_for
    from switchboard.resources.services import render_resources

    client = client_for(connection)
    record = client.retrieve("genericContact", candidate_id, include_remote=True)
    resource = client.to_resource("genericContact", record["remote"])
    [rendered] = render_resources(connection, "genericContact", [resource])
    assert rendered["fields"]["yearsOfExperience"] == custom_value(sandbox, candidate_id, "Years of experience")
    assert "remote" not in rendered


def test_job_and_application_custom_fields(plain, client, connection, sandbox):
    for body in ({"model": "atsJob", "key": "costCenter", "customFieldTitle": "Cost center"},
                 {"model": "atsApplication", "key": "referralBonus", "customFieldTitle": "Referral bonus eligible",
                  "direction": "read"}):
        resp = plain.post("/v1/field-mappings", body, format="json", **HEADERS)
        assert resp.status_code == 201, resp.content
    # A Candidate field is not an atsJob field.
    wrong = plain.post("/v1/field-mappings", {"model": "atsJob", "key": "years", "customFieldTitle":
                                              "Years of experience"}, format="json", **HEADERS)
    assert wrong.status_code == 422
    jobs = client.get("/v1/resources/atsJob?limit=3").json()["data"]
    assert all(j["fields"]["costCenter"].startswith("CC-") for j in jobs)
    job_id = jobs[0]["id"]
    resp = client.patch(f"/v1/resources/atsJob/{job_id}", {"fields": {"costCenter": "CC-999"}}, format="json")
    assert resp.status_code == 200, resp.content
    assert client.get(f"/v1/resources/atsJob/{job_id}").json()["fields"]["costCenter"] == "CC-999"
    apps = client.get("/v1/resources/atsApplication?limit=20").json()["data"]
    assert all(a["fields"]["referralBonus"] in (None, True, False) for a in apps)
