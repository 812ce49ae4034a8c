"""Writes: request bodies Ashby receives, multi-step flows, and what comes back."""

from __future__ import annotations

import pytest

from connectors import errors


def test_create_contact(client, fake):
    res = client.create("genericContact", {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
                                           "owner": "u1", "socialLinks": [{"type": "LinkedIn", "url": "https://l/a"},
                                                                          {"type": "Twitter", "url": "https://t/a"}]})
    create = fake.calls[0]
    assert create == ("candidate.create", {"name": "Ada Lovelace", "email": "ada@example.com",
                                           "creditedToUserId": "u1", "linkedInUrl": "https://l/a"})
    assert fake.calls[1][0] == "candidate.update"  # Twitter needs the update endpoint
    assert res["fields"]["firstName"] == "Ada" and res["fields"]["email"] == "ada@example.com"


def test_update_contact_last_name_keeps_first(client, fake):
    res = client.update("genericContact", "c1", {"lastName": "King"})
    assert fake.calls[-1] == ("candidate.update", {"candidateId": "c1", "name": "Priya King"})
    assert res["fields"]["lastName"] == "King"


def test_create_job_then_open(client, fake):
    res = client.create("atsJob", {"title": "SRE", "department": "d1", "location": "l1", "status": "open",
                                   "requisitionId": "R-9"})
    assert fake.calls[0] == ("job.create", {"title": "SRE", "teamId": "d1", "locationId": "l1"})
    assert fake.calls[1] == ("job.update", {"jobId": "j9", "customRequisitionId": "R-9"})
    assert fake.calls[2] == ("job.setStatus", {"jobId": "j9", "status": "Open"})
    assert res["fields"]["status"] == "open"


def test_archive_job_via_status(client, fake):
    res = client.update("atsJob", "j1", {"status": "closed"})
    assert fake.endpoints() == ["job.setStatus"] and res["fields"]["status"] == "closed"


def test_application_create_and_update(client, fake):
    res = client.create("atsApplication", {"candidate": {"object": "resourceRef", "model": "genericContact",
                                                         "id": "c2"}, "job": "j1", "stage": "s1"})
    assert fake.calls[0] == ("application.create", {"candidateId": "c2", "jobId": "j1", "interviewStageId": "s1"})
    assert res["id"] == "a9"
    fake.calls.clear()
    client.update("atsApplication", "a2", {"stage": "s6", "archiveReasonId": "ar1", "sourceId": "src2",
                                           "creditedTo": "u1"})
    assert fake.endpoints() == ["application.update", "application.changeSource", "application.changeStage"]
    assert fake.calls[-1][1] == {"applicationId": "a2", "interviewStageId": "s6", "archiveReasonId": "ar1"}
    with pytest.raises(errors.ValidationFailed):
        client.update("atsApplication", "a2", {"job": "j2"})


def test_offer_creation_is_three_steps(client, fake):
    res = client.create("atsOffer", {"application": "a1", "startDate": "2026-10-01",
                                     "salary": {"amount": 150000, "currency": "EUR"}})
    assert fake.endpoints() == ["offerProcess.start", "offer.start", "offer.create"]
    submit = fake.calls[2][1]
    assert submit["offerProcessId"] == "op1" and submit["offerFormId"] == "form1"
    # The organisation's form calls salary "baseSalary": the Currency field is found by type.
    assert submit["offerForm"]["fieldSubmissions"] == [
        {"path": "startDate", "value": "2026-10-01"},
        {"path": "baseSalary", "value": {"value": 150000, "currencyCode": "EUR"}}]
    assert res["fields"]["salary"] == {"amount": 150000, "currency": "EUR"} and res["fields"]["status"] == "draft"


def test_schedule_event_create_update_cancel(client, fake):
    res = client.create("scheduleEvent", {"application": "a1", "startTime": "2026-09-01T10:00:00Z",
                                          "endTime": "2026-09-01T11:00:00Z", "attendees": ["u2"],
                                          "eventType": "i1"})
    assert res["id"] == "a1:sch9:e9"
    create = [c for c in fake.calls if c[0] == "interviewSchedule.create"][0][1]
    assert create["interviewEvents"][0]["interviewers"] == [{"email": "tom@example.com", "feedbackRequired": True}]
    assert create["interviewEvents"][0]["interviewId"] == "i1"
    fake.calls.clear()
    upd = client.update("scheduleEvent", "a1:sch1:e1", {"startTime": "2026-08-14T17:00:00Z",
                                                       "endTime": "2026-08-14T18:00:00Z"})
    body = fake.calls[-1][1]
    assert body["interviewScheduleId"] == "sch1" and body["interviewEvent"]["interviewEventId"] == "e1"
    assert body["interviewEvent"]["interviewers"] == [{"email": "tom@example.com", "feedbackRequired": True}]
    assert upd["fields"]["startTime"] == "2026-08-14T17:00:00Z"
    client.delete("scheduleEvent", "a1:sch1:e1")
    assert fake.calls[-1] == ("interviewSchedule.update", {"interviewScheduleId": "sch1",
                                                           "interviewEventIdToCancel": "e1"})


def test_attendee_without_email_is_422(client):
    with pytest.raises(errors.ValidationFailed) as exc:
        client.create("scheduleEvent", {"application": "a1", "startTime": "2026-09-01T10:00:00Z",
                                        "endTime": "2026-09-01T11:00:00Z", "attendees": ["u3"]})
    assert exc.value.field == "attendees"


def test_calendar_update(client, fake):
    res = client.update("scheduleCalendar", "u2", {"dailyLimit": 2, "weeklyLimit": 8})
    assert fake.calls[0] == ("user.updateInterviewerSettings", {"userId": "u2", "dailyLimit": 2, "weeklyLimit": 8})
    assert res["fields"]["dailyLimit"] == 2 and res["fields"]["weeklyLimit"] == 8


def test_anonymize_when_opted_in(ctx, fake):
    from connectors.ashby import AshbyConnector
    ctx.settings["allow_anonymize"] = True
    AshbyConnector().client(ctx).delete("genericContact", "c1")
    assert fake.calls == [("candidate.anonymize", {"candidateId": "c1"})]


def test_custom_fields(client, fake):
    fields = client.list_custom_fields("genericContact")
    assert [f["id"] for f in fields] == ["cf1"] and fields[0]["fieldType"] == "Number"
    assert client.list_custom_fields("atsJob")[0]["selectableValues"][0]["value"] == "rd"
    assert client.list_custom_fields("genericWorkspace") == []
    out = client.set_custom_field_values("genericContact", "c1", [{"fieldId": "cf1", "value": 8}])
    assert fake.calls[-1] == ("customField.setValues", {"objectId": "c1", "objectType": "Candidate",
                                                        "values": [{"fieldId": "cf1", "fieldValue": 8}]})
    assert out == [{"id": "cf1", "value": 8}]
    with pytest.raises(errors.NotSupported):
        client.set_custom_field_values("genericUser", "u1", [{"fieldId": "x", "value": 1}])
    with pytest.raises(errors.BadRequest):
        client.set_custom_field_values("genericContact", "c1", [{"value": 1}])
