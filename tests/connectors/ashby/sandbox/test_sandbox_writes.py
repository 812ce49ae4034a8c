"""Object shapes and write endpoints behave like Ashby's (validation, not-found codes, side effects)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

CANDIDATE_KEYS = ["id", "createdAt", "updatedAt", "name", "emailAddresses", "phoneNumbers", "socialLinks", "tags",
                  "applicationIds", "fileHandles", "customFields", "profileUrl", "source", "creditedToUser",
                  "timezone", "fraudStatus"]


def test_fresh_candidate_shape_matches_recording(ashby):
    c = ashby.ok("candidate.create", {"name": "Only A Name"})
    assert list(c) == ["id", "createdAt", "updatedAt", "name", "emailAddresses", "phoneNumbers", "socialLinks",
                       "tags", "applicationIds", "fileHandles", "customFields", "profileUrl", "source",
                       "creditedToUser", "timezone", "fraudStatus"]
    assert c["emailAddresses"] == c["phoneNumbers"] == c["applicationIds"] == c["customFields"] == []
    assert c["source"] is None and c["creditedToUser"] is None and c["timezone"] is None
    assert c["profileUrl"].endswith(c["id"])


def test_seeded_candidates_carry_custom_fields(ashby):
    cands, _ = ashby.all_pages("candidate.list")
    for c in cands:
        assert all(k in c for k in CANDIDATE_KEYS)
        years = [f for f in c["customFields"] if f["title"] == "Years of experience"]
        assert len(years) == 1 and isinstance(years[0]["value"], int)
        assert ("primaryEmailAddress" in c) == bool(c["emailAddresses"])
    types = {f["fieldType"] for f in ashby.ok("customField.list")}
    assert {"String", "Number", "Boolean", "Date", "ValueSelect", "MultiValueSelect", "Currency", "NumberRange",
            "CompensationRange", "LongText", "Url", "Email", "Phone"} <= types


def test_candidate_create_update_search_tag(ashby):
    c = ashby.ok("candidate.create", {"name": "Ada Lovelace", "email": "ada@example.com", "phoneNumber": "+4420",
                                      "linkedInUrl": "https://linkedin.com/in/ada",
                                      "location": {"city": "London", "country": "GB"}})
    assert c["primaryEmailAddress"] == {"value": "ada@example.com", "type": "Personal", "isPrimary": True}
    assert c["socialLinks"] == [{"type": "LinkedIn", "url": "https://linkedin.com/in/ada"}]
    assert c["location"]["locationSummary"] == "London, GB"
    u = ashby.ok("candidate.update", {"candidateId": c["id"], "name": "Ada King",
                                      "socialLinks": [{"type": "GitHub", "url": "https://github.com/ada"}]})
    assert u["name"] == "Ada King" and u["socialLinks"] == [{"type": "GitHub", "url": "https://github.com/ada"}]
    assert [x["id"] for x in ashby.ok("candidate.search", {"email": "ada@example.com"})] == [c["id"]]
    assert [x["id"] for x in ashby.ok("candidate.search", {"name": "ada king"})] == [c["id"]]
    tag = ashby.ok("candidateTag.list")[0]
    assert ashby.ok("candidate.addTag", {"candidateId": c["id"], "tagId": tag["id"]})["tags"] == [tag]
    assert ashby.error("candidate.update", {"candidateId": "00000000-0000-4000-8000-000000000000"}) == \
        "candidate_not_found"
    assert ashby.error("candidate.create", {}) == "invalid_input"
    assert ashby.error("candidate.addTag", {"candidateId": c["id"], "tagId": c["id"]}) == "tag_not_found"


def test_seeded_candidate_search_by_email(ashby):
    cands, _ = ashby.all_pages("candidate.list")
    target = next(c for c in cands if "primaryEmailAddress" in c)
    assert [x["id"] for x in ashby.ok("candidate.search", {"email": target["primaryEmailAddress"]["value"]})] == [
        target["id"]]


def test_custom_field_set_value_validates_types(ashby):
    cand = ashby.ok("candidate.list", {"limit": 1})[0]
    fields = {f["title"]: f for f in ashby.ok("customField.list")}
    good = {
        "Years of experience": 9, "Current title": "CTO", "Open to relocation": True,
        "Available from": "2026-09-01T00:00:00.000Z", "Seniority": "Staff", "Languages": ["English", "German"],
        "Current salary": {"value": 100000, "currencyCode": "EUR"},
        "Team size managed": {"minValue": 3, "maxValue": 8},
        "Desired compensation": {"minValue": 1, "maxValue": 2, "currencyCode": "USD", "interval": "1 YEAR"},
        "Recruiter notes": "Long\ntext", "Portfolio": "https://ada.dev", "Personal email": "a@b.c",
        "Alternate phone": "+1555",
    }
    for title, value in good.items():
        res = ashby.ok("customField.setValue", {"objectId": cand["id"], "objectType": "Candidate",
                                                "fieldId": fields[title]["id"], "fieldValue": value})
        assert res["id"] == fields[title]["id"] and res["title"] == title
    assert res and ashby.ok("customField.setValue", {"objectId": cand["id"], "objectType": "Candidate",
                                                     "fieldId": fields["Seniority"]["id"],
                                                     "fieldValue": "Staff"})["valueLabel"] == "Staff"
    bad = {"Years of experience": "nine", "Open to relocation": "yes", "Seniority": "Wizard",
           "Available from": "soon", "Portfolio": "ftp://x", "Current salary": 5}
    for title, value in bad.items():
        assert ashby.error("customField.setValue", {"objectId": cand["id"], "objectType": "Candidate",
                                                    "fieldId": fields[title]["id"], "fieldValue": value}) == \
            "invalid_input", title
    after = ashby.ok("candidate.info", {"id": cand["id"]})
    values = {f["title"]: f["value"] for f in after["customFields"]}
    assert values["Years of experience"] == 9 and values["Team size managed"]["type"] == "number-range"
    many = ashby.ok("customField.setValues", {"objectId": cand["id"], "objectType": "Candidate", "values": [
        {"fieldId": fields["Years of experience"]["id"], "fieldValue": 10},
        {"fieldId": fields["Current title"]["id"], "fieldValue": "CEO"}]})
    assert [v["value"] for v in many] == [10, "CEO"]
    assert ashby.error("customField.setValue", {"objectId": cand["id"], "objectType": "Candidate",
                                                "fieldId": cand["id"], "fieldValue": 1}) == "custom_field_not_found"


def test_application_lifecycle(ashby):
    cand = ashby.ok("candidate.create", {"name": "Grace Hopper"})
    job = next(j for j in ashby.ok("job.list") if j["status"] == "Open")
    app = ashby.ok("application.create", {"candidateId": cand["id"], "jobId": job["id"]})
    assert app["status"] == "Lead" and app["currentInterviewStage"]["type"] == "Lead"
    assert "archivedAt" not in app and app["archiveReason"] is None
    assert ashby.ok("candidate.info", {"id": cand["id"]})["applicationIds"] == [app["id"]]
    assert ashby.error("application.create", {"candidateId": cand["id"], "jobId": job["id"]}) == "invalid_input"
    stages = ashby.ok("interviewStage.list", {"interviewPlanId": job["defaultInterviewPlanId"]})
    assert [s["orderInInterviewPlan"] for s in stages] == list(range(8))
    assert [s["type"] for s in stages] == ["Lead", "PreInterviewScreen", "Active", "Active", "Active", "Offer",
                                           "Hired", "Archived"]
    archived = stages[-1]
    assert ashby.error("application.changeStage", {"applicationId": app["id"],
                                                   "interviewStageId": archived["id"]}) == "invalid_input"
    reason = ashby.ok("archiveReason.list")[0]
    assert ashby.error("application.changeStage", {"applicationId": app["id"], "interviewStageId": archived["id"],
                                                   "archiveReasonId": app["id"]}) == "archive_reason_not_found"
    done = ashby.ok("application.changeStage", {"applicationId": app["id"], "interviewStageId": archived["id"],
                                                "archiveReasonId": reason["id"]})
    assert done["status"] == "Archived" and done["archiveReason"]["id"] == reason["id"] and done["archivedAt"]
    assert ashby.error("application.changeStage", {"applicationId": app["id"],
                                                   "interviewStageId": app["id"]}) == "interview_stage_not_found"
    assert ashby.error("application.info", {"applicationId": cand["id"]}) == "application_not_found"
    info = ashby.ok("application.info", {"applicationId": app["id"]})
    assert [h["title"] for h in info["applicationHistory"]] == ["New Lead", "Archived"]
    assert info["applicationHistory"][0]["leftStageAt"] == info["applicationHistory"][1]["enteredStageAt"]
    user = ashby.ok("user.list")[1]
    upd = ashby.ok("application.update", {"applicationId": app["id"], "creditedToUserId": user["id"]})
    assert upd["creditedToUser"]["id"] == user["id"]
    assert ashby.ok("application.changeSource", {"applicationId": app["id"], "sourceId": None})["source"] is None


def test_first_pre_interview_screen(ashby):
    cand = ashby.ok("candidate.create", {"name": "Screened"})
    job = ashby.ok("job.list")[0]
    app = ashby.ok("application.create", {"candidateId": cand["id"], "jobId": job["id"],
                                          "interviewStageId": "FirstPreInterviewScreen"})
    assert app["currentInterviewStage"]["type"] == "PreInterviewScreen" and app["status"] == "Active"


def test_job_create_update_and_status_transitions(ashby):
    dept = ashby.ok("department.list")[0]
    loc = ashby.ok("location.list")[0]
    job = ashby.ok("job.create", {"title": "Sandbox Engineer", "teamId": dept["id"], "locationId": loc["id"]})
    assert job["status"] == "Draft" and job["openedAt"] is None and job["defaultInterviewPlanId"] is None
    assert ashby.error("job.setStatus", {"jobId": job["id"], "status": "Open"}) == "invalid_input"  # no plan
    plan = ashby.ok("interviewPlan.list")[0]
    job = ashby.ok("job.update", {"jobId": job["id"], "defaultInterviewPlanId": plan["id"], "title": "Renamed"})
    assert job["title"] == "Renamed"
    opened = ashby.ok("job.setStatus", {"jobId": job["id"], "status": "Open"})
    assert opened["status"] == "Open" and opened["openedAt"]
    assert ashby.error("job.setStatus", {"jobId": job["id"], "status": "Draft"}) == "invalid_input"
    assert ashby.ok("job.setStatus", {"jobId": job["id"], "status": "Closed"})["closedAt"]
    assert ashby.error("job.create", {"title": "x", "teamId": loc["id"], "locationId": loc["id"]}) == \
        "department_not_found"
    found = ashby.ok("job.search", {"title": "renamed"})
    assert [j["id"] for j in found] == [job["id"]]
    assert ashby.ok("job.info", {"id": job["id"], "expand": ["location"]})["location"]["id"] == loc["id"]


def test_interview_schedule_create_update_cancel(ashby):
    app = ashby.ok("application.list", {"status": "Active"})[0]
    users = ashby.ok("user.list")
    sched = ashby.ok("interviewSchedule.create", {"applicationId": app["id"], "interviewEvents": [
        {"startTime": "2026-12-01T15:00:00.000Z", "endTime": "2026-12-01T16:00:00.000Z",
         "interviewers": [{"email": users[1]["email"], "feedbackRequired": True}]}]})
    assert sched["status"] == "Scheduled" and sched["applicationId"] == app["id"]
    event = sched["interviewEvents"][0]
    assert event["interviewerUserIds"] == [users[1]["id"]] and event["interviewers"][0]["isFeedbackRequired"]
    updated = ashby.ok("interviewSchedule.update", {"interviewScheduleId": sched["id"], "interviewEvent": {
        "interviewEventId": event["id"], "startTime": "2026-12-02T15:00:00.000Z",
        "endTime": "2026-12-02T16:00:00.000Z"}})
    assert updated["interviewEvents"][0]["startTime"] == "2026-12-02T15:00:00.000Z"
    added = ashby.ok("interviewSchedule.update", {"interviewScheduleId": sched["id"], "interviewEvent": {
        "startTime": "2026-12-03T15:00:00.000Z", "endTime": "2026-12-03T16:00:00.000Z",
        "interviewers": [{"email": users[2]["email"]}]}})
    assert len(added["interviewEvents"]) == 2
    events = ashby.ok("interviewEvent.list", {"interviewScheduleId": sched["id"], "expand": ["interview"]})
    assert len(events) == 2 and events[0]["interview"]["id"] == events[0]["interviewId"]
    listed = ashby.ok("interviewSchedule.list", {"applicationId": app["id"]})
    assert sched["id"] in [s["id"] for s in listed]
    cancelled = ashby.ok("interviewSchedule.cancel", {"id": sched["id"]})
    assert cancelled["status"] == "Cancelled"
    assert ashby.error("interviewSchedule.create", {"applicationId": app["id"], "interviewEvents": [
        {"startTime": "2026-12-01T15:00:00Z", "endTime": "2026-12-01T16:00:00Z",
         "interviewers": [{"email": "nobody@example.com"}]}]}) == "user_not_found"
    seeded = ashby.ok("interviewSchedule.list")[0]
    assert ashby.error("interviewSchedule.update", {"interviewScheduleId": seeded["id"],
                                                    "interviewEventIdToCancel": "x"}) == "invalid_input"


def test_offer_flow(ashby):
    app = ashby.ok("application.list", {"status": "Active"})[0]
    proc = ashby.ok("offerProcess.start", {"applicationId": app["id"]})
    assert proc["status"] == "WaitingOnOfferCreation"
    form = ashby.ok("offer.start", {"offerProcessId": proc["id"]})
    assert {f["field"]["path"] for s in form["formDefinition"]["sections"] for f in s["fields"]} >= {"startDate",
                                                                                                     "salary"}
    assert ashby.error("offer.create", {"offerProcessId": proc["id"], "offerFormId": form["id"],
                                        "offerForm": {"fieldSubmissions": []}}) == "invalid_input"
    offer = ashby.ok("offer.create", {"offerProcessId": proc["id"], "offerFormId": form["id"], "offerForm": {
        "fieldSubmissions": [{"path": "startDate", "value": "2027-01-04"},
                             {"path": "salary", "value": {"currencyCode": "USD", "value": 150000}}]}})
    assert offer["applicationId"] == app["id"] and offer["latestVersion"]["salary"]["value"] == 150000
    assert offer["formDefinition"] and len(offer["versions"]) == 1
    updated = ashby.ok("offer.update", {"offerId": offer["id"], "offerForm": {"fieldSubmissions": [
        {"path": "startDate", "value": "2027-02-01"}, {"path": "salary", "value": {"currencyCode": "USD",
                                                                                   "value": 160000}}]}})
    assert len(updated["versions"]) == 2 and updated["latestVersion"]["salary"]["value"] == 160000
    listed = ashby.ok("offer.list", {"applicationId": app["id"]})
    assert [o["id"] for o in listed][-1] == offer["id"] and "versions" not in listed[-1]
    assert ashby.error("offer.info", {"offerId": app["id"]}) == "offer_not_found"


def test_users_interviewer_settings_and_metadata(ashby):
    users = ashby.ok("user.list")
    assert all(u["isEnabled"] for u in users)
    everyone, _ = ashby.all_pages("user.list", {"includeDeactivated": True})
    assert len(everyone) > len(users)
    u = users[1]
    assert ashby.ok("user.search", {"email": u["email"].upper()})[0]["id"] == u["id"]
    assert ashby.ok("user.info", {"userId": u["id"]}) == u
    settings = ashby.ok("user.updateInterviewerSettings", {"userId": u["id"], "dailyLimit": 3, "weeklyLimit": 9})
    assert settings == {"id": u["id"], "dailyLimit": 3, "weeklyLimit": 9}
    assert ashby.ok("user.interviewerSettings", {"userId": u["id"]}) == settings
    assert ashby.error("user.info", {"userId": "x"}) == "user_not_found"
    interviews = ashby.ok("interview.list")
    assert all(i["jobId"] is None and not i["isArchived"] for i in interviews)
    assert ashby.ok("interview.info", {"id": interviews[0]["id"]}) == interviews[0]
    assert len(ashby.ok("interview.list", {"includeNonSharedInterviews": True})) > len(interviews)
    feedback = ashby.ok("applicationFeedback.list")
    assert feedback and feedback[0]["submittedByUser"]["id"]
    one = ashby.ok("applicationFeedback.list", {"applicationId": feedback[0]["applicationId"]})
    assert [f["id"] for f in one] == [feedback[0]["id"]]
    stage = ashby.ok("interviewStage.info", {"interviewStageId": ashby.ok("application.list")[0][
        "currentInterviewStage"]["id"]})
    assert set(stage) == {"id", "title", "type", "orderInInterviewPlan", "interviewStageGroupId", "interviewPlanId"}
    locs = ashby.ok("location.list")
    assert {"id", "name", "isArchived", "address", "workplaceType"} <= set(locs[0])


def test_anonymize_requires_closed_applications(ashby):
    apps, _ = ashby.all_pages("application.list")
    active = next(a for a in apps if a["status"] == "Active")
    assert ashby.error("candidate.anonymize", {"candidateId": active["candidate"]["id"]}) == "invalid_input"
    c = ashby.ok("candidate.create", {"name": "Forget Me", "email": "forget@example.com"})
    anon = ashby.ok("candidate.anonymize", {"candidateId": c["id"]})
    assert anon["emailAddresses"] == [] and "primaryEmailAddress" not in anon
