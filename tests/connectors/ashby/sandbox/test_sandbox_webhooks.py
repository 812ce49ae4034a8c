"""Webhooks: registration rules, ping, signed deliveries of API mutations, retries, control emit."""

from __future__ import annotations

import hashlib
import hmac

import pytest

pytestmark = pytest.mark.e2e

SECRET = "s3cret-token"


def _register(ashby, receiver, wtype, path="/hooks"):
    return ashby.ok("webhook.create", {"webhookType": wtype, "requestUrl": receiver.url + path,
                                       "secretToken": SECRET})


def _verify(delivery):
    expected = "sha256=" + hmac.new(SECRET.encode(), delivery["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(delivery["headers"]["Ashby-Signature"], expected)


def test_create_pings_with_valid_signature(ashby, receiver):
    hook = _register(ashby, receiver, "applicationUpdate")
    assert hook == {"id": hook["id"], "enabled": True, "requestUrl": receiver.url + "/hooks",
                    "secretToken": SECRET, "webhookType": "applicationUpdate"}
    [ping] = receiver.wait_for(lambda r: r["json"]["action"] == "ping")
    _verify(ping)
    assert ping["json"]["data"] == {"webhookActionType": "ping"}
    assert list(ping["json"]) == ["webhookActionId", "action", "data"]
    assert ping["headers"]["Content-Type"] == "application/json"
    info = ashby.ok("webhook.info", {"webhookId": hook["id"]})
    assert "secretToken" not in info and info["enabled"] is True


def test_duplicate_and_invalid_webhooks(ashby, receiver):
    _register(ashby, receiver, "candidateHire")
    resp = ashby("webhook.create", {"webhookType": "candidateHire", "requestUrl": receiver.url + "/hooks",
                                    "secretToken": "other"})
    assert resp["success"] is False and "Duplicate webhook" in resp["errorInfo"]["message"]
    assert ashby.error("webhook.create", {"webhookType": "nope", "requestUrl": receiver.url,
                                          "secretToken": "x"}) == "invalid_input"
    assert ashby.error("webhook.create", {"webhookType": "candidateHire", "requestUrl": receiver.url}) == \
        "invalid_input"
    assert ashby.error("webhook.info", {"webhookId": "missing"}) == "webhook_not_found"


def test_update_repings_and_delete(ashby, receiver):
    hook = _register(ashby, receiver, "offerCreate")
    receiver.wait_for(lambda r: r["json"]["action"] == "ping")
    ashby.ok("webhook.update", {"webhookId": hook["id"], "requestUrl": receiver.url + "/v2"})
    receiver.wait_for(lambda r: r["json"]["action"] == "ping" and r["path"] == "/v2")
    assert ashby.error("webhook.update", {"webhookId": hook["id"]}) == "invalid_input"
    assert ashby.ok("webhook.delete", {"webhookId": hook["id"]}) == {"webhookId": hook["id"]}
    assert ashby.error("webhook.delete", {"webhookId": hook["id"]}) == "webhook_not_found"


def test_failed_ping_disables_the_webhook(sbx, ashby, receiver):
    receiver.statuses = [500]
    hook = _register(ashby, receiver, "applicationSubmit")
    receiver.wait_for(lambda r: r["json"]["action"] == "ping")
    assert sbx.webhooks.wait_idle()
    assert ashby.ok("webhook.info", {"webhookId": hook["id"]})["enabled"] is False


def test_stage_change_emits_companion_events(sbx, ashby, receiver):
    for wtype in ("candidateStageChange", "applicationUpdate", "candidateHire"):
        _register(ashby, receiver, wtype)
    receiver.wait_for(lambda r: r["json"]["action"] == "ping", count=3)
    app = ashby.ok("application.list", {"status": "Active"})[0]
    stages = ashby.ok("interviewStage.list", {"interviewPlanId": app["currentInterviewStage"]["interviewPlanId"]})
    hired = next(s for s in stages if s["type"] == "Hired")
    ashby.ok("application.changeStage", {"applicationId": app["id"], "interviewStageId": hired["id"]})
    got = receiver.wait_for(lambda r: r["json"]["action"] != "ping", count=3)
    assert sorted(r["json"]["action"] for r in got) == ["applicationUpdate", "candidateHire", "candidateStageChange"]
    for r in got:
        _verify(r)
        assert r["json"]["data"]["application"]["id"] == app["id"]
        assert r["json"]["data"]["application"]["status"] == "Hired"
    hire = next(r for r in got if r["json"]["action"] == "candidateHire")
    assert "offer" in hire["json"]["data"]


def test_mutations_emit_their_webhooks(sbx, ashby, receiver):
    types = ["applicationSubmit", "interviewScheduleCreate", "interviewScheduleUpdate", "offerCreate",
             "offerUpdate", "jobCreate", "jobUpdate"]
    for wtype in types:
        _register(ashby, receiver, wtype)
    receiver.wait_for(lambda r: r["json"]["action"] == "ping", count=len(types))
    cand = ashby.ok("candidate.create", {"name": "Hook Person"})
    job = ashby.ok("job.list")[0]
    app = ashby.ok("application.create", {"candidateId": cand["id"], "jobId": job["id"],
                                          "interviewStageId": "FirstPreInterviewScreen"})
    user = ashby.ok("user.list")[1]
    sched = ashby.ok("interviewSchedule.create", {"applicationId": app["id"], "interviewEvents": [
        {"startTime": "2026-12-01T15:00:00Z", "endTime": "2026-12-01T16:00:00Z",
         "interviewers": [{"email": user["email"]}]}]})
    ashby.ok("interviewSchedule.cancel", {"id": sched["id"]})
    proc = ashby.ok("offerProcess.start", {"applicationId": app["id"]})
    form = ashby.ok("offer.start", {"offerProcessId": proc["id"]})
    submissions = {"fieldSubmissions": [{"path": "startDate", "value": "2027-01-04"},
                                        {"path": "salary", "value": {"currencyCode": "USD", "value": 1}}]}
    offer = ashby.ok("offer.create", {"offerProcessId": proc["id"], "offerFormId": form["id"],
                                      "offerForm": submissions})
    ashby.ok("offer.update", {"offerId": offer["id"], "offerForm": submissions})
    ashby.ok("job.update", {"jobId": job["id"], "title": "Hooked Title"})
    expected = ["applicationSubmit", "interviewScheduleCreate", "interviewScheduleUpdate",
                "interviewScheduleUpdate", "offerCreate", "offerUpdate", "jobUpdate"]
    got = receiver.wait_for(lambda r: r["json"]["action"] != "ping", count=len(expected))
    assert sorted(r["json"]["action"] for r in got) == sorted(expected)
    updates = [r["json"]["data"]["interviewSchedule"] for r in got if r["json"]["action"] == "interviewScheduleUpdate"]
    assert all(u["candidateId"] == cand["id"] for u in updates)
    assert {u["status"] for u in updates} == {"Scheduled", "Cancelled"}
    offer_payload = next(r for r in got if r["json"]["action"] == "offerCreate")["json"]["data"]["offer"]
    assert offer_payload["versions"] and offer_payload["formDefinition"]


def test_retries_until_success_with_same_action_id(sbx, ashby, receiver):
    _register(ashby, receiver, "applicationUpdate")
    receiver.wait_for(lambda r: r["json"]["action"] == "ping")
    receiver.statuses = [503, 500]
    result = ashby.control("POST", "webhooks/emit", {"action": "applicationUpdate"})
    got = receiver.wait_for(lambda r: r["json"]["action"] == "applicationUpdate", count=3)
    assert [r["answered"] for r in got] == [503, 500, 200]
    assert {r["json"]["webhookActionId"] for r in got} == {result["webhookActionId"]}
    assert ashby.control("POST", "webhooks/wait", {"timeoutSeconds": 5})["idle"] is True
    log = ashby.control("GET", "webhooks/deliveries?action=applicationUpdate")["deliveries"]
    assert [d["outcome"] for d in log] == ["retrying", "retrying", "delivered"]


def test_no_retry_on_410(sbx, ashby, receiver):
    _register(ashby, receiver, "candidateDelete")
    receiver.wait_for(lambda r: r["json"]["action"] == "ping")
    receiver.statuses = [410]
    cand = ashby.ok("candidate.list", {"limit": 1})[0]
    ashby.control("POST", "candidates/delete", {"candidateId": cand["id"]})
    [got] = receiver.wait_for(lambda r: r["json"]["action"] == "candidateDelete")
    assert got["json"]["data"] == {"candidate": {"id": cand["id"]}}
    assert sbx.webhooks.wait_idle()
    assert [d["outcome"] for d in sbx.webhooks.log if d["action"] == "candidateDelete"] == ["failed"]
    assert ashby.error("candidate.info", {"id": cand["id"]}) == "candidate_not_found"


def test_control_emit_with_custom_data(ashby, receiver):
    _register(ashby, receiver, "candidateMerge")
    receiver.wait_for(lambda r: r["json"]["action"] == "ping")
    data = {"deletedCandidate": {"id": "a"}, "mergedCandidate": {"id": "b"}}
    res = ashby.control("POST", "webhooks/emit", {"action": "candidateMerge", "data": data,
                                                  "webhookActionId": "fixed-id"})
    assert res == {"webhookActionId": "fixed-id", "queued": 1}
    [got] = receiver.wait_for(lambda r: r["json"]["action"] == "candidateMerge")
    assert got["json"] == {"webhookActionId": "fixed-id", "action": "candidateMerge", "data": data}
    assert ashby.control("GET", "webhooks")["webhooks"][0]["webhookType"] == "candidateMerge"


def test_webhook_permissions(ashby, receiver):
    ashby.control("POST", "keys", {"apiKey": "reader", "permissions": ["apiKeysRead"]})
    resp = ashby.raw("webhook.create", {"webhookType": "candidateHire", "requestUrl": receiver.url,
                                        "secretToken": "x"}, key="reader")
    assert resp.status_code == 403 and resp.json()["errorInfo"]["code"] == "missing_endpoint_permission"
