"""A small in-memory Ashby behind `responses`, for unit and conformance tests.

Real-shaped records (from API-NOTES section 6), Ashby's envelope and error shapes, cursor
pagination with a syncToken on the last page, and fault injection per endpoint. The end-to-end
tests use the real sandbox server instead.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import responses

BASE = "https://ashby.test"
API_KEY = "test-key-abc123"

USERS = [
    {"id": "u1", "firstName": "Sarah", "lastName": "Johnson", "email": "sarah@example.com",
     "globalRole": "Elevated Access", "isEnabled": True, "updatedAt": "2026-03-11T19:58:52.973Z"},
    {"id": "u2", "firstName": "Tom", "lastName": "Lee", "email": "tom@example.com",
     "globalRole": "Limited Access", "isEnabled": True, "updatedAt": "2026-01-02T10:00:00.000Z"},
    {"id": "u3", "firstName": "Old", "lastName": "Timer", "email": None, "globalRole": "Galactic Overlord",
     "isEnabled": False, "updatedAt": "2025-01-02T10:00:00.000Z", "managerId": "u1"},
]
CANDIDATES = [
    {"id": "c1", "createdAt": "2024-02-04T21:38:12.442Z", "updatedAt": "2026-05-28T21:06:18.703Z",
     "name": "Priya Raman",
     "primaryEmailAddress": {"value": "priya@example.com", "type": "Personal", "isPrimary": True},
     "emailAddresses": [{"value": "priya@example.com", "type": "Personal", "isPrimary": True},
                        {"value": "p@work.example", "type": "Work", "isPrimary": False}],
     "primaryPhoneNumber": {"value": "+14155550123", "type": "Personal", "isPrimary": True},
     "phoneNumbers": [{"value": "+14155550123", "type": "Personal", "isPrimary": True}],
     "socialLinks": [{"type": "LinkedIn", "url": "https://linkedin.com/in/priya"}],
     "tags": [{"id": "t1", "title": "Strong candidate", "isArchived": False}],
     "position": "Senior Backend Engineer", "company": "Acme Corp", "school": "Waterloo",
     "applicationIds": ["a1"], "fileHandles": [], "customFields": [],
     "profileUrl": "https://app.ashbyhq.com/candidates/c1",
     "source": {"id": "src1", "title": "Applied", "isArchived": False},
     "creditedToUser": {"id": "u1", "firstName": "Sarah"}, "timezone": None, "fraudStatus": None,
     "location": {"id": "l1", "locationSummary": "Berlin, Germany", "locationComponents": []}},
    # A freshly created candidate: empty lists, nulls, no primaryEmailAddress key at all.
    {"id": "c2", "createdAt": "2024-03-01T00:00:00.000Z", "updatedAt": "2024-03-01T00:00:00.000Z",
     "name": "Mononym", "emailAddresses": [], "phoneNumbers": [], "socialLinks": [], "tags": [],
     "applicationIds": [], "fileHandles": [], "customFields": [], "profileUrl": "https://app.ashbyhq.com/c2",
     "source": None, "creditedToUser": None, "timezone": None},
] + [
    {"id": f"c{i}", "createdAt": "2024-04-01T00:00:00.000Z", "updatedAt": f"2025-0{(i % 9) + 1}-01T00:00:00.000Z",
     "name": f"Person {i}", "emailAddresses": [], "phoneNumbers": [], "socialLinks": [], "tags": [],
     "applicationIds": [], "customFields": [], "profileUrl": f"https://app.ashbyhq.com/c{i}",
     "extraKeyFromTheFuture": {"x": 1}}
    for i in range(3, 8)
]
BRANDS = [{"id": "b1", "name": "Acme", "hostedJobsPageSlug": "acme"},
          {"id": "b2", "name": "Acme Labs", "hostedJobsPageSlug": None}]
JOBS = [
    {"id": "j1", "title": "Senior Backend Engineer", "confidential": False, "status": "Open",
     "employmentType": "FullTime", "locationId": "l1", "departmentId": "d1", "defaultInterviewPlanId": "p1",
     "interviewPlanIds": ["p1"], "customFields": [], "jobPostingIds": [], "customRequisitionId": "REQ-1",
     "brandId": "b1", "hiringTeam": [{"userId": "u1", "firstName": "Sarah", "role": "Hiring Manager"},
                                     {"userId": "u2", "role": "Recruiter"}],
     "createdAt": "2024-02-04T08:15:58.104Z", "updatedAt": "2024-09-18T10:51:33.773Z",
     "openedAt": "2024-02-04T08:38:15.158Z", "closedAt": None},
    {"id": "j2", "title": "Designer", "confidential": True, "status": "Draft", "employmentType": "Freelance",
     "locationId": None, "departmentId": None, "hiringTeam": None, "updatedAt": "2024-09-18T10:51:33.773Z"},
]
PLANS = [{"id": "p1", "title": "Engineering", "isArchived": False},
         {"id": "p2", "title": "Old plan", "isArchived": True}]
STAGES = {
    "p1": [{"id": "s1", "title": "Lead", "type": "Lead", "orderInInterviewPlan": 0, "interviewPlanId": "p1"},
           {"id": "s2", "title": "Screen", "type": "PreInterviewScreen", "orderInInterviewPlan": 1,
            "interviewPlanId": "p1"},
           {"id": "s3", "title": "Onsite", "type": "Active", "orderInInterviewPlan": 2, "interviewPlanId": "p1"},
           {"id": "s4", "title": "Offer", "type": "Offer", "orderInInterviewPlan": 3, "interviewPlanId": "p1"},
           {"id": "s6", "title": "Archived", "type": "Archived", "orderInInterviewPlan": 5,
            "interviewPlanId": "p1"}],
    "p2": [{"id": "s5", "title": "Weird", "type": "Mystery", "orderInInterviewPlan": 0, "interviewPlanId": "p2"}],
}
APPLICATIONS = [
    {"id": "a1", "createdAt": "2024-02-05T14:13:34.127Z", "updatedAt": "2026-05-28T21:07:41.644Z",
     "candidate": {"id": "c1", "name": "Priya Raman"}, "status": "Active", "customFields": [],
     "currentInterviewStage": STAGES["p1"][2], "source": {"id": "src1", "title": "LinkedIn"},
     "creditedToUser": None, "archiveReason": None, "job": {"id": "j1", "title": "Senior Backend Engineer"},
     "hiringTeam": [{"userId": "u2", "role": "Recruiter"}]},
    {"id": "a2", "createdAt": "2024-02-05T14:13:34.127Z", "updatedAt": "2024-02-06T00:00:00.000Z",
     "candidate": {"id": "c2"}, "status": "Archived", "archivedAt": "2024-02-05T09:25:35.089Z",
     "archiveReason": {"id": "ar1", "text": "Lacks skills", "reasonType": "RejectedByOrg"},
     "currentInterviewStage": STAGES["p1"][4], "job": {"id": "j1"}, "hiringTeam": []},
]
INTERVIEWS = [
    {"id": "i1", "title": "Technical interview", "externalTitle": "Tech", "isArchived": False, "isDebrief": False,
     "isFeedbackRequired": True, "instructionsPlain": "Be kind", "jobId": None},
    {"id": "i2", "title": "Debrief", "isArchived": True, "isDebrief": True, "isFeedbackRequired": False,
     "jobId": "j1"},
]


def _event(eid, sched, start, end, interviewers):
    return {"id": eid, "interviewId": "i1", "interviewScheduleId": sched,
            "interviewerUserIds": [u["id"] for u in interviewers],
            "interviewers": [{**u, "isFeedbackRequired": True} for u in interviewers],
            "createdAt": "2026-08-10T09:00:00.000Z", "updatedAt": "2026-08-10T09:05:12.000Z",
            "startTime": start, "endTime": end, "location": "Google Meet",
            "meetingLink": "https://meet.google.com/abc", "hasSubmittedFeedback": False, "extraData": None}


SCHEDULES = [
    {"id": "sch1", "status": "Scheduled", "applicationId": "a1", "interviewStageId": "s3",
     "scheduledBy": USERS[0], "createdAt": "2026-08-10T09:00:00.000Z", "updatedAt": "2026-08-10T09:05:12.000Z",
     "interviewEvents": [_event("e1", "sch1", "2026-08-14T15:00:00.000Z", "2026-08-14T16:00:00.000Z", [USERS[1]]),
                         _event("e2", "sch1", "2026-08-14T16:00:00.000Z", "2026-08-14T16:45:00.000Z",
                                [USERS[0], USERS[1]])]},
    {"id": "sch2", "status": "Cancelled", "applicationId": "a2", "interviewStageId": "s3", "scheduledBy": None,
     "interviewEvents": [_event("e3", "sch2", "2026-08-15T15:00:00.000Z", "2026-08-15T16:00:00.000Z", [])]},
]
FORM = {"sections": [{"title": "Offer", "fields": [
    {"isRequired": True, "field": {"id": "f1", "type": "Date", "path": "startDate", "title": "Start"}},
    {"isRequired": True, "field": {"id": "f2", "type": "Currency", "path": "baseSalary", "title": "Salary"}}]}]}
OFFERS = [
    {"id": "o1", "decidedAt": None, "applicationId": "a1", "acceptanceStatus": "WaitingOnResponse",
     "offerStatus": "WaitingOnCandidateResponse",
     "latestVersion": {"id": "v1", "startDate": "2026-10-01T00:00:00.000Z",
                       "salary": {"currencyCode": "USD", "value": 185000},
                       "createdAt": "2026-08-20T16:02:11.512Z", "approvalStatus": "Approved"},
     "versions": [{"id": "v0", "createdAt": "2026-08-19T10:00:00.000Z"}], "formDefinition": FORM},
    {"id": "o2", "applicationId": "a2", "acceptanceStatus": "Declined", "offerStatus": None, "latestVersion": None},
]
CUSTOM_FIELDS = [
    {"id": "cf1", "title": "Years of experience", "objectType": "Candidate", "fieldType": "Number",
     "isPrivate": False, "isArchived": False},
    {"id": "cf2", "title": "Cost center", "objectType": "Job", "fieldType": "ValueSelect", "isPrivate": True,
     "selectableValues": [{"label": "R&D", "value": "rd", "isArchived": False}]},
]

PAGED = {  # endpoint -> collection name
    "candidate.list": "candidates", "user.list": "users", "brand.list": "brands", "job.list": "jobs",
    "interviewPlan.list": "plans", "application.list": "applications", "interview.list": "interviews",
    "interviewSchedule.list": "schedules", "offer.list": "offers", "customField.list": "customFields",
}


class FakeAshby:
    """Register with `responses`; records every call as (endpoint, body)."""

    def __init__(self, rsps: responses.RequestsMock, *, page_size: int | None = None):
        self.rsps = rsps
        self.calls: list[tuple[str, dict]] = []
        self.faults: dict[str, list[tuple[int, Any, dict]]] = {}
        self.page_size = page_size
        self.scopes = ["candidates:read", "candidates:write", "jobs:read", "jobs:write", "interviews:read",
                       "interviews:write", "organization:read", "organization:write", "offers:read",
                       "offers:write", "hiring_process_metadata:read", "api_keys:read", "api_keys:write"]
        self.denied: set[str] = set()      # endpoints that answer missing_endpoint_permission
        self.data = {"candidates": copy.deepcopy(CANDIDATES), "users": copy.deepcopy(USERS),
                     "brands": copy.deepcopy(BRANDS), "jobs": copy.deepcopy(JOBS), "plans": copy.deepcopy(PLANS),
                     "applications": copy.deepcopy(APPLICATIONS), "interviews": copy.deepcopy(INTERVIEWS),
                     "schedules": copy.deepcopy(SCHEDULES), "offers": copy.deepcopy(OFFERS),
                     "customFields": copy.deepcopy(CUSTOM_FIELDS)}
        rsps.add_callback(responses.POST, re.compile(re.escape(BASE) + r"/([A-Za-z_.]+)(\?.*)?$"), callback=self._handle)

    # -- fault injection --------------------------------------------------------------------------
    def fail(self, endpoint: str, status: int = 200, body: Any = None, headers: dict | None = None,
             times: int = 1) -> None:
        """The next `times` calls to `endpoint` ("*" = any) answer with this status/body."""
        for _ in range(times):
            self.faults.setdefault(endpoint, []).append((status, body, headers or {}))

    def error(self, endpoint: str, code: str, times: int = 1) -> None:
        self.fail(endpoint, 200, err(code), times=times)

    def endpoints(self) -> list[str]:
        return [e for e, _ in self.calls]

    # -- dispatch -----------------------------------------------------------------------------------
    def _handle(self, request):
        endpoint = request.url.rsplit("/", 1)[1].split("?")[0]
        body = json.loads(request.body or b"{}")
        self.calls.append((endpoint, body))
        headers = {"Content-Type": "application/json; charset=utf-8", "x-ashby-request-id": "01REQ",
                   "X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "998", "X-RateLimit-Reset": "1787042974"}
        auth = request.headers.get("Authorization", "")
        import base64
        if auth != "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode():
            return 401, headers, json.dumps(err("unauthenticated"))
        for key in (endpoint, "*"):
            if self.faults.get(key):
                status, fbody, fheaders = self.faults[key].pop(0)
                text = fbody if isinstance(fbody, str) else json.dumps(fbody if fbody is not None else {})
                return status, {**headers, **fheaders}, text
        if endpoint in self.denied:
            return 403, headers, json.dumps(err("missing_endpoint_permission"))
        try:
            result = self.dispatch(endpoint, body)
        except KeyError as exc:
            return 200, headers, json.dumps(err(exc.args[0]))
        return 200, headers, json.dumps(result)

    def _find(self, coll: str, id: Any, code: str) -> dict:
        for item in self.data[coll]:
            if item.get("id") == id:
                return item
        raise KeyError(code)

    def _page(self, coll: str, body: dict, items: list | None = None) -> dict:
        items = self.data[coll] if items is None else items
        limit = min(int(body.get("limit") or 100), 100)
        if self.page_size:
            limit = min(limit, self.page_size)
        start = int(body["cursor"][3:]) if body.get("cursor") else 0
        chunk = items[start:start + limit]
        out = {"success": True, "results": chunk, "moreDataAvailable": start + limit < len(items)}
        if out["moreDataAvailable"]:
            out["nextCursor"] = f"cur{start + limit}"
        else:
            out["syncToken"] = "tok-new"
        return out

    def dispatch(self, endpoint: str, body: dict) -> dict:  # noqa: C901 - one table of endpoints
        d = self.data
        ok = lambda r: {"success": True, "results": r}  # noqa: E731
        if endpoint == "apiKey.info":
            return ok({"title": "Test key", "createdAt": "2026-01-01T00:00:00Z", "scopes": self.scopes})
        if endpoint in PAGED:
            coll = PAGED[endpoint]
            items = d[coll]
            if endpoint == "application.list":
                items = [a for a in items if (not body.get("jobId") or a["job"]["id"] == body["jobId"])
                         and (not body.get("status") or a["status"] == body["status"])]
            if endpoint == "job.list" and body.get("status"):
                items = [j for j in items if j["status"] in body["status"]]
            if endpoint == "interviewSchedule.list" and body.get("applicationId"):
                items = [s for s in items if s["applicationId"] == body["applicationId"]]
            if endpoint == "offer.list" and body.get("applicationId"):
                items = [o for o in items if o["applicationId"] == body["applicationId"]]
            if endpoint == "interviewPlan.list" and not body.get("includeArchived"):
                items = [p for p in items if not p["isArchived"]]
            return self._page(coll, body, items)
        if endpoint == "candidate.info":
            return ok(self._find("candidates", body.get("id"), "candidate_not_found"))
        if endpoint == "candidate.search":
            q = body.get("email") or body.get("name")
            return ok([c for c in d["candidates"] if q in json.dumps(c)])
        if endpoint == "candidate.create":
            if not body.get("name"):
                raise KeyError("invalid_input")
            rec = {"id": f"c{len(d['candidates']) + 100}", "name": body["name"], "emailAddresses": [],
                   "phoneNumbers": [], "socialLinks": [], "tags": [], "applicationIds": [], "customFields": [],
                   "profileUrl": "https://app.ashbyhq.com/x", "createdAt": "2026-01-01T00:00:00.000Z"}
            if body.get("email"):
                rec["primaryEmailAddress"] = {"value": body["email"], "type": "Personal", "isPrimary": True}
            d["candidates"].append(rec)
            return ok(rec)
        if endpoint in ("candidate.update", "candidate.anonymize"):
            rec = self._find("candidates", body.get("candidateId"), "candidate_not_found")
            if "name" in body:
                rec["name"] = body["name"]
            if "email" in body:
                rec["primaryEmailAddress"] = {"value": body["email"], "type": "Personal", "isPrimary": True}
            if "socialLinks" in body:
                rec["socialLinks"] = body["socialLinks"]
            return ok(rec)
        if endpoint == "user.info":
            return ok(self._find("users", body.get("userId"), "user_not_found"))
        if endpoint == "user.search":
            return ok([u for u in d["users"] if u.get("email") == body.get("email")])
        if endpoint == "user.interviewerSettings":
            self._find("users", body.get("userId"), "user_not_found")
            return ok({"id": body["userId"], "dailyLimit": 3, "weeklyLimit": {"limit": 10}})
        if endpoint == "user.updateInterviewerSettings":
            self._find("users", body.get("userId"), "user_not_found")
            return ok({"id": body["userId"], "dailyLimit": body.get("dailyLimit"),
                       "weeklyLimit": body.get("weeklyLimit")})
        if endpoint == "interview.info":
            return ok(self._find("interviews", body.get("id"), "interview_not_found"))
        if endpoint == "interviewStage.list":
            if body.get("interviewPlanId") not in STAGES:
                raise KeyError("interview_plan_not_found")
            return {"success": True, "results": STAGES[body["interviewPlanId"]], "moreDataAvailable": False}
        if endpoint == "interviewStage.info":
            for stages in STAGES.values():
                for s in stages:
                    if s["id"] == body.get("interviewStageId"):
                        return ok(s)
            raise KeyError("interview_stage_not_found")
        if endpoint == "interviewSchedule.create":
            self._find("applications", body.get("applicationId"), "application_not_found")
            sched = {"id": "sch9", "status": "Scheduled", "applicationId": body["applicationId"],
                     "interviewStageId": "s3", "scheduledBy": None,
                     "interviewEvents": [
                         _event("e9", "sch9", ev["startTime"], ev["endTime"],
                                [u for u in d["users"] if u["email"] in [i["email"] for i in ev["interviewers"]]])
                         for ev in body["interviewEvents"]]}
            d["schedules"].append(sched)
            return ok(sched)
        if endpoint == "interviewSchedule.update":
            sched = self._find("schedules", body.get("interviewScheduleId"), "interview_schedule_not_found")
            if body.get("interviewEventIdToCancel"):
                sched["interviewEvents"] = [e for e in sched["interviewEvents"]
                                            if e["id"] != body["interviewEventIdToCancel"]]
            if body.get("interviewEvent"):
                change = body["interviewEvent"]
                for e in sched["interviewEvents"]:
                    if e["id"] == change.get("interviewEventId"):
                        e["startTime"], e["endTime"] = change["startTime"], change["endTime"]
            return ok(sched)
        if endpoint == "job.info":
            return ok(self._find("jobs", body.get("id"), "job_not_found"))
        if endpoint == "job.search":
            return ok([j for j in d["jobs"] if body.get("title", "").lower() in j["title"].lower()])
        if endpoint == "job.create":
            for key in ("title", "teamId", "locationId"):
                if not body.get(key):
                    raise KeyError("invalid_input")
            rec = {"id": "j9", "title": body["title"], "status": "Draft", "departmentId": body["teamId"],
                   "locationId": body["locationId"], "employmentType": "FullTime", "confidential": False,
                   "hiringTeam": [], "updatedAt": "2026-01-01T00:00:00.000Z"}
            d["jobs"].append(rec)
            return ok(rec)
        if endpoint in ("job.update", "job.setStatus"):
            rec = self._find("jobs", body.get("jobId"), "job_not_found")
            if "title" in body:
                rec["title"] = body["title"]
            if "status" in body:
                rec["status"] = body["status"]
            if "customRequisitionId" in body:
                rec["customRequisitionId"] = body["customRequisitionId"]
            return ok(rec)
        if endpoint == "application.info":
            return ok(self._find("applications", body.get("applicationId"), "application_not_found"))
        if endpoint == "application.create":
            self._find("candidates", body.get("candidateId"), "candidate_not_found")
            self._find("jobs", body.get("jobId"), "job_not_found")
            rec = {"id": "a9", "status": "Lead", "candidate": {"id": body["candidateId"]},
                   "job": {"id": body["jobId"]}, "currentInterviewStage": STAGES["p1"][0], "hiringTeam": [],
                   "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"}
            d["applications"].append(rec)
            return ok(rec)
        if endpoint in ("application.update", "application.changeSource", "application.changeStage"):
            rec = self._find("applications", body.get("applicationId"), "application_not_found")
            if "interviewStageId" in body:
                stage = next((s for s in STAGES["p1"] if s["id"] == body["interviewStageId"]), None)
                if stage is None:
                    raise KeyError("interview_stage_not_found")
                rec["currentInterviewStage"] = stage
            return ok(rec)
        if endpoint == "offer.info":
            return ok(self._find("offers", body.get("offerId"), "offer_not_found"))
        if endpoint == "offerProcess.start":
            self._find("applications", body.get("applicationId"), "application_not_found")
            return ok({"id": "op1", "applicationId": body["applicationId"], "status": "WaitingOnOfferCreation"})
        if endpoint == "offer.start":
            return ok({"id": "form1", "formDefinition": FORM})
        if endpoint == "offer.create":
            subs = {s["path"]: s["value"] for s in body["offerForm"]["fieldSubmissions"]}
            rec = {"id": "o9", "applicationId": "a1", "acceptanceStatus": "Created",
                   "offerStatus": "WaitingOnApprovalStart",
                   "latestVersion": {"id": "v9", "createdAt": "2026-09-01T00:00:00.000Z",
                                     "startDate": subs.get("startDate"), "salary": subs.get("baseSalary")}}
            d["offers"].append(rec)
            return ok(rec)
        if endpoint == "offer.update":
            return ok(self._find("offers", body.get("offerId"), "offer_not_found"))
        if endpoint == "customField.setValues":
            return ok([{"id": v["fieldId"], "value": v["fieldValue"]} for v in body["values"]])
        if endpoint == "webhook.create":
            return ok({"id": "wh1", "enabled": True, "requestUrl": body["requestUrl"],
                       "webhookType": body["webhookType"], "secretToken": body["secretToken"]})
        if endpoint == "webhook.delete":
            if body.get("webhookId") != "wh1":
                raise KeyError("webhook_not_found")
            return ok({"webhookId": "wh1"})
        if endpoint == "source.list":
            return {"success": True, "results": [], "moreDataAvailable": False}
        return None  # pragma: no cover


def err(code: str, message: str = "Something is wrong") -> dict:
    return {"success": False, "errors": [code], "errorInfo": {"code": code, "message": message,
                                                              "requestId": "01ERR"}}
