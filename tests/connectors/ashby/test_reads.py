"""Reading real-shaped Ashby data: nulls, missing keys, empty lists, unknown enums, extra keys;
filters, search, fields, include=remote, expand, updatedAfter."""

from __future__ import annotations

import pytest

from connectors import errors


def test_contact_mapping_full_record(client):
    res = client.retrieve("genericContact", "c1")
    f = res["fields"]
    assert (f["firstName"], f["lastName"], f["email"], f["phone"]) == ("Priya", "Raman", "priya@example.com",
                                                                        "+14155550123")
    assert f["emails"] == [{"value": "priya@example.com", "type": "personal"},
                           {"value": "p@work.example", "type": "work"}]
    assert f["tags"] == ["Strong candidate"] and f["title"] == "Senior Backend Engineer"
    assert f["location"] == "Berlin, Germany" and f["source"] == "Applied" and f["sourceId"] == "src1"
    assert f["owner"] == {"object": "resourceRef", "model": "genericUser", "id": "u1"}
    assert f["applications"] == [{"object": "resourceRef", "model": "atsApplication", "id": "a1"}]
    assert res["createdAt"] == "2024-02-04T21:38:12.442Z" and res["updatedAt"] == "2026-05-28T21:06:18.703Z"
    assert "remote" not in res and "warnings" not in res


def test_contact_minimal_record_survives(client):
    res = client.retrieve("genericContact", "c2")
    f = res["fields"]
    assert f["firstName"] == "Mononym" and f["lastName"] is None and f["email"] is None
    assert f["emails"] == [] and f["applications"] == [] and f["owner"] is None and f["source"] is None
    assert "warnings" not in res


def test_extra_keys_are_ignored_but_kept_in_remote(client):
    res = client.retrieve("genericContact", "c3", include_remote=True)
    assert res["remote"]["extraKeyFromTheFuture"] == {"x": 1}
    assert "extraKeyFromTheFuture" not in res["fields"]


def test_unknown_enum_kept_with_warning(client):
    user = client.retrieve("genericUser", "u3")
    assert user["fields"]["role"] == "Galactic Overlord"
    assert user["warnings"][0]["field"] == "role" and user["warnings"][0]["code"] == "unknownEnumValue"
    assert user["fields"]["manager"]["id"] == "u1" and user["fields"]["isActive"] is False
    stage = client.retrieve("atsApplicationStage", "s5")
    assert stage["fields"]["type"] == "Mystery" and stage["warnings"][0]["value"] == "Mystery"
    job = client.retrieve("atsJob", "j2")
    assert job["fields"]["employmentType"] == "Freelance" and job["fields"]["hiringTeam"] == []
    assert job["fields"]["status"] == "draft" and job["fields"]["confidential"] is True


def test_every_field_null_or_missing_survives(client, fake):
    fake.data["jobs"].append({"id": "jx", "title": None, "status": None, "hiringTeam": [None, 3, {"role": "x"}],
                              "employmentType": None})
    res = client.retrieve("atsJob", "jx")
    assert res["fields"]["title"] is None and res["fields"]["hiringTeam"] == []
    fake.data["offers"].append({"id": "ox", "applicationId": None, "latestVersion": {"salary": "lots"}})
    offer = client.retrieve("atsOffer", "ox")
    assert offer["fields"]["salary"] is None and offer["fields"]["status"] is None


def test_unreadable_field_becomes_warning_not_500(client, fake):
    fake.data["candidates"].append({"id": "cz", "name": ["not", "a", "string"], "emailAddresses": "oops",
                                    "tags": {"a": 1}, "location": "Berlin"})
    res = client.retrieve("genericContact", "cz")
    assert res["fields"]["firstName"] is None and res["fields"]["emails"] == []
    assert res["fields"]["location"] is None


def test_enums(client):
    assert client.retrieve("atsJob", "j1")["fields"]["status"] == "open"
    assert client.retrieve("atsApplication", "a1")["fields"]["status"] == "active"
    assert client.retrieve("atsApplicationStage", "s2")["fields"]["type"] == "screen"
    assert client.retrieve("genericUser", "u1")["fields"]["role"] == "elevatedAccess"
    offer = client.retrieve("atsOffer", "o1")["fields"]
    assert offer["status"] == "sent" and offer["approvalStatus"] == "approved"
    assert offer["salary"] == {"amount": 185000, "currency": "USD"} and offer["startDate"] == "2026-10-01"
    assert client.retrieve("atsOffer", "o2")["fields"]["status"] == "declined"


def test_application_fields(client):
    f = client.retrieve("atsApplication", "a2")["fields"]
    assert f["status"] == "archived" and f["archiveReason"] == "Lacks skills" and f["archiveReasonId"] == "ar1"
    assert f["archivedAt"] == "2024-02-05T09:25:35.089Z" and f["recruiter"] is None
    a1 = client.retrieve("atsApplication", "a1")["fields"]
    assert a1["recruiter"]["id"] == "u2" and a1["stage"]["id"] == "s3" and a1["source"] == "LinkedIn"


def test_schedule_event_shape(client):
    res = client.retrieve("scheduleEvent", "a1:sch1:e2")
    f = res["fields"]
    assert res["id"] == "a1:sch1:e2"
    assert [a["id"] for a in f["attendees"]] == ["u1", "u2"] and f["calendar"]["id"] == "u1"
    assert f["duration"] == 45 and f["status"] == "planned" and f["meetingUrl"].startswith("https://meet")
    assert f["organizer"]["id"] == "u1" and f["application"]["id"] == "a1" and f["eventType"]["id"] == "i1"
    cancelled = client.retrieve("scheduleEvent", "a2:sch2:e3")
    assert cancelled["fields"]["status"] == "canceled" and cancelled["fields"]["attendees"] == []
    with pytest.raises(errors.NotFound):
        client.retrieve("scheduleEvent", "e1")


def test_calendar_is_user_plus_settings(client, fake):
    res = client.retrieve("scheduleCalendar", "u1")
    assert res["fields"]["dailyLimit"] == 3 and res["fields"]["weeklyLimit"] == 10
    assert res["fields"]["owner"]["id"] == "u1" and res["fields"]["name"] == "Sarah Johnson"
    fake.calls.clear()
    page = client.list("scheduleCalendar", fields=["name"])
    assert fake.endpoints() == ["user.list"]  # limits not asked for: no settings call per user
    assert set(page["data"][0]["fields"]) == {"name"}


def test_fields_param_limits_keys(client):
    res = client.retrieve("genericContact", "c1", fields=["firstName", "email"])
    assert res["fields"] == {"firstName": "Priya", "email": "priya@example.com"}
    page = client.list("genericContact", fields="firstName,lastName", limit=2)
    assert set(page["data"][0]["fields"]) == {"firstName", "lastName"}
    with pytest.raises(errors.BadRequest) as exc:
        client.list("genericContact", fields=["firstName", "favouriteColour"])
    assert "favouriteColour" in exc.value.message


def test_expand_replaces_ref_with_resource(client, fake):
    res = client.retrieve("atsApplication", "a1", expand=["candidate", "job"])
    assert res["fields"]["candidate"]["object"] == "resource"
    assert res["fields"]["candidate"]["fields"]["firstName"] == "Priya"
    assert res["fields"]["job"]["fields"]["title"] == "Senior Backend Engineer"
    many = client.retrieve("scheduleEvent", "a1:sch1:e2", expand=["attendees"])
    assert [a["object"] for a in many["fields"]["attendees"]] == ["resource", "resource"]
    fake.calls.clear()
    page = client.list("atsApplication", expand=["job"])
    assert fake.endpoints().count("job.info") == 1  # one fetch per distinct related record
    assert all(r["fields"]["job"]["object"] == "resource" for r in page["data"])


def test_expand_failure_is_a_warning(client, fake):
    fake.denied = {"user.info"}
    res = client.retrieve("genericContact", "c1", expand=["owner"])
    assert res["fields"]["owner"]["object"] == "resourceRef"
    assert res["warnings"][0]["code"] == "expandFailed"


def test_expand_non_relation_is_400(client, fake):
    with pytest.raises(errors.BadRequest):
        client.retrieve("genericContact", "c1", expand=["email"])
    assert client.expand_targets("atsApplication", ["candidate", "stage"]) == ["genericContact",
                                                                               "atsApplicationStage"]


def test_filters(client, fake):
    apps = client.list("atsApplication", filters={"job": "j1", "status": "archived"})
    assert [r["id"] for r in apps["data"]] == ["a2"]
    assert fake.calls[-1] == ("application.list", {"jobId": "j1", "status": "Archived", "limit": 50})
    jobs = client.list("atsJob", filters={"status": "draft"})
    assert [r["id"] for r in jobs["data"]] == ["j2"]
    events = client.list("scheduleEvent", filters={"application": "a2"})
    assert [r["id"] for r in events["data"]] == ["a2:sch2:e3"]
    offers = client.list("atsOffer", filters={"application": "a2"})
    assert [r["id"] for r in offers["data"]] == ["o2"]


def test_jobs_list_includes_drafts_by_default(client, fake):
    client.list("atsJob")
    assert fake.calls[-1][1]["status"] == ["Draft", "Open", "Closed", "Archived"]


def test_stages_by_job_and_plan(client, fake):
    by_job = client.list("atsApplicationStage", filters={"job": "j1"})
    assert [r["id"] for r in by_job["data"]] == ["s1", "s2", "s3", "s4", "s6"]
    assert all(r["fields"]["job"]["id"] == "j1" for r in by_job["data"])
    by_plan = client.list("atsApplicationStage", filters={"interviewPlanId": "p2"})
    assert [r["id"] for r in by_plan["data"]] == ["s5"]
    everything = client.list("atsApplicationStage", limit=100)
    assert len(everything["data"]) == 6 and everything["next"] is None
    inactive = [r for r in everything["data"] if r["fields"]["isActive"] is False]
    assert [r["id"] for r in inactive] == ["s5"]  # its plan is archived


def test_search(client, fake):
    assert [r["id"] for r in client.list("genericContact", q="priya@example.com")["data"]] == ["c1"]
    assert fake.calls[-1] == ("candidate.search", {"email": "priya@example.com"})
    client.list("genericContact", q="Priya Raman")
    assert fake.calls[-1] == ("candidate.search", {"name": "Priya Raman"})
    assert [r["id"] for r in client.list("genericUser", q="tom@example.com")["data"]] == ["u2"]
    assert [r["id"] for r in client.list("atsJob", q="designer")["data"]] == ["j2"]
    with pytest.raises(errors.BadRequest):
        client.list("atsOffer", q="x")
    with pytest.raises(errors.BadRequest):
        client.list("atsJob", q="x", filters={"status": "open"})


def test_updated_after(client):
    page = client.list("genericContact", updated_after="2026-01-01T00:00:00Z")
    assert [r["id"] for r in page["data"]] == ["c1"]
    with pytest.raises(errors.BadRequest):
        client.list("genericContact", updated_after="yesterday")


@pytest.mark.parametrize("limit", [0, 101, -1, "10", True])
def test_limit_bounds(client, limit):
    with pytest.raises(errors.BadRequest):
        client.list("genericContact", limit=limit)


def test_cursor_reuse_with_other_filters_is_400(client):
    page = client.list("atsApplication", limit=1, filters={"job": "j1"})
    with pytest.raises(errors.InvalidCursor):
        client.list("atsApplication", limit=1, cursor=page["next"], filters={"job": "j2"})
    with pytest.raises(errors.InvalidCursor):
        client.list("atsJob", limit=1, cursor=page["next"])
    with pytest.raises(errors.InvalidCursor):
        client.list("atsApplication", cursor=page["next"][:-3] + "abc", filters={"job": "j1"})


def test_ashby_expired_cursor_is_400(client, fake):
    page = client.list("genericContact", limit=2)
    fake.error("candidate.list", "next_cursor_expired")
    with pytest.raises(errors.InvalidCursor) as exc:
        client.list("genericContact", limit=2, cursor=page["next"])
    assert exc.value.status == 400


def test_schedule_events_page_inside_an_ashby_page(client, fake):
    ids, cursor = [], None
    for _ in range(5):
        page = client.list("scheduleEvent", limit=1, cursor=cursor)
        ids += [r["id"] for r in page["data"]]
        cursor = page["next"]
        if not cursor:
            break
    assert ids == ["a1:sch1:e1", "a1:sch1:e2", "a2:sch2:e3"]


def test_upstream_calls_are_reported(client, calls, budget):
    client.retrieve("atsJob", "j1")
    assert calls[-1].url.endswith("/job.info") and calls[-1].status == 200
    assert calls[-1].request_id == "01REQ"
    assert budget.updates[-1] == (998, 1787042974.0)


def test_job_description_from_its_posting_and_a_gone_posting_is_not_an_error(client, fake):
    fake.data["jobs"].append({"id": "jp", "title": "Designer", "status": "Open", "jobPostingIds": ["post1"]})
    fake.fail("jobPosting.info", 200, {"success": True, "results": {"id": "post1", "descriptionPlain": "Design."}})
    res = client.retrieve("atsJob", "jp", include_remote=True)
    assert res["fields"]["description"] == "Design."
    assert ("jobPosting.info", {"jobPostingId": "post1"}) in fake.calls
    assert res["remote"]["_posting"]["id"] == "post1"
    fake.error("jobPosting.info", "job_posting_not_found")
    assert client.retrieve("atsJob", "jp")["fields"]["description"] is None
    fake.fail("jobPosting.info", 503, "down", times=4)
    with pytest.raises(errors.UpstreamError):  # a real failure is not hidden as a missing description
        client.retrieve("atsJob", "jp")
