from __future__ import annotations

import copy
import json

import pytest

from connectors import errors
from connectors.ashby.webhooks import (
    ACCEPTED_TYPES,
    EVENT_SOURCES,
    map_webhook_event,
    sign,
    verify_signature,
    webhook_types_for,
)
from tests.connectors.ashby.fake import APPLICATIONS, JOBS, OFFERS, SCHEDULES

SECRET = "whsec-ashby"


def test_signature_roundtrip():
    body = b'{"action":"ping","data":{}}'
    header = sign(body, SECRET)
    assert header.startswith("sha256=") and verify_signature(body, header, SECRET)
    assert verify_signature(body, header.upper().replace("SHA256=", "sha256="), SECRET)  # hex case


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha1=abcd", "deadbeef", "sha256=00"])
def test_signature_rejects(header):
    assert not verify_signature(b"{}", header, SECRET)


def test_signature_rejects_other_body_or_secret():
    header = sign(b"{}", SECRET)
    assert not verify_signature(b"{} ", header, SECRET)
    assert not verify_signature(b"{}", header, "other")
    assert not verify_signature(b"{}", header, "")


def payload(action, data):
    return {"webhookActionId": "wa-1", "action": action, "data": data}


APP = APPLICATIONS[0]
SCHED = SCHEDULES[0]
CASES = {
    "applicationSubmit": ({"application": APP}, [("atsApplication", "created", "a1")]),
    "applicationUpdate": ({"application": APP}, [("atsApplication", "updated", "a1")]),
    "candidateStageChange": ({"application": APP}, [("atsApplication", "updated", "a1")]),
    "pushToHRIS": ({"application": APP}, [("atsApplication", "updated", "a1")]),
    "candidateHire": ({"application": APP, "offer": OFFERS[0]},
                      [("atsApplication", "updated", "a1"), ("atsOffer", "updated", "o1")]),
    "candidateDelete": ({"candidate": {"id": "c1"}}, [("genericContact", "deleted", "c1")]),
    "candidateMerge": ({"deletedCandidate": {"id": "c2"}, "mergedCandidate": {"id": "c1"}},
                       [("genericContact", "deleted", "c2"), ("genericContact", "updated", "c1")]),
    "interviewPlanTransition": ({"jobId": "j1", "fromInterviewPlan": {"id": "p1"}, "toInterviewPlan": {"id": "p2"}},
                                [("atsJob", "updated", "j1")]),
    "interviewScheduleCreate": ({"interviewSchedule": SCHED},
                                [("scheduleEvent", "created", "a1:sch1:e1"), ("scheduleEvent", "created", "a1:sch1:e2")]),
    "interviewScheduleUpdate": ({"interviewSchedule": SCHED, "candidateId": "c1"},
                                [("scheduleEvent", "updated", "a1:sch1:e1"), ("scheduleEvent", "updated", "a1:sch1:e2")]),
    "jobPostingUpdate": ({"jobPosting": {"id": "jp1", "jobId": "j1"}}, [("atsJob", "updated", "j1")]),
    "jobPostingPublish": ({"jobPosting": {"id": "jp1", "jobId": "j1"}}, [("atsJob", "updated", "j1")]),
    "jobPostingUnpublish": ({"jobPosting": {"id": "jp1", "jobId": "j1"}}, [("atsJob", "updated", "j1")]),
    "jobCreate": ({"job": JOBS[0]}, [("atsJob", "created", "j1")]),
    "jobUpdate": ({"job": JOBS[0]}, [("atsJob", "updated", "j1")]),
    "offerCreate": ({"offer": OFFERS[0]}, [("atsOffer", "created", "o1")]),
    "offerUpdate": ({"offer": OFFERS[0]}, [("atsOffer", "updated", "o1")]),
    "offerDelete": ({"offer": {"id": "o1", "applicationId": "a1"}}, [("atsOffer", "deleted", "o1")]),
    "signatureRequestUpdate": ({"relatedEntityType": "offer", "offerId": "o1", "eventType": "sent"},
                               [("atsOffer", "updated", "o1")]),
    "openingCreate": ({"opening": {"id": "op1"}}, []),
    "surveySubmit": ({"surveySubmission": {"id": "s"}}, []),
    "ping": ({"webhookActionType": "ping"}, []),
}


def test_every_documented_action_is_covered():
    documented = set(ACCEPTED_TYPES) | {"jobCreate", "jobUpdate", "openingCreate", "signatureRequestUpdate", "ping"}
    assert documented == set(CASES)


@pytest.mark.parametrize("action", sorted(CASES))
def test_action_mapping(action, client):
    data, expected = CASES[action]
    events = map_webhook_event(payload(action, copy.deepcopy(data)))
    assert [(m, t, i) for m, t, _, i in events] == expected
    for model, trigger, record, id in events:
        if record is not None:  # the payload's record becomes the same resource the API returns
            res = client.to_resource(model, record)
            assert res["id"] == id and res["model"] == model
        else:
            assert trigger == "deleted" or model in ("atsJob", "genericContact", "atsOffer", "atsApplication")


def test_cancelled_schedule_deletes_its_events():
    sched = {**SCHEDULES[1]}
    events = map_webhook_event(payload("interviewScheduleUpdate", {"interviewSchedule": sched}))
    assert [(m, t, i) for m, t, _, i in events] == [("scheduleEvent", "deleted", "a2:sch2:e3")]


@pytest.mark.parametrize("junk", [None, [], {}, {"action": "applicationUpdate"},
                                  {"action": "applicationUpdate", "data": {"application": None}},
                                  {"action": "interviewScheduleCreate", "data": {"interviewSchedule": {"id": "x"}}},
                                  {"action": "somethingNew", "data": {}}])
def test_junk_payloads_map_to_nothing(junk):
    assert map_webhook_event(junk) == []


def test_webhook_types_for():
    assert webhook_types_for(["atsApplication"]) == ["applicationSubmit", "applicationUpdate", "candidateHire",
                                                     "candidateStageChange", "pushToHRIS"]
    assert webhook_types_for(["genericContact::deleted"]) == ["candidateDelete", "candidateMerge"]
    assert sorted(webhook_types_for(["scheduleEvent::created", "atsOffer"])) == sorted(
        ["interviewScheduleCreate", "offerCreate", "offerUpdate", "offerDelete", "candidateHire"])
    assert webhook_types_for(["genericUser"]) == []  # polled, Ashby pushes nothing
    for types in EVENT_SOURCES.values():
        assert set(types) <= set(ACCEPTED_TYPES)


def test_register_and_delete_webhook(client, fake):
    assert client.register_webhook("candidateHire", "https://sb.test/hooks/ashby/t", "sekret") == "wh1"
    assert fake.calls[-1] == ("webhook.create", {"webhookType": "candidateHire",
                                                 "requestUrl": "https://sb.test/hooks/ashby/t", "secretToken": "sekret"})
    client.delete_webhook("wh1")
    client.delete_webhook("gone")  # already deleted: not an error
    with pytest.raises(errors.BadRequest):
        client.register_webhook("jobCreate", "https://x", "s")


def test_descriptor_webhook_capabilities():
    from connectors.ashby import AshbyConnector
    caps = AshbyConnector().webhooks
    assert caps["events"]["atsApplication::updated"] == ["webhook"]
    assert caps["events"]["genericContact::updated"] == ["poll", "webhook"]
    assert caps["events"]["genericUser::created"] == ["poll"]
    json.dumps(AshbyConnector().describe())
