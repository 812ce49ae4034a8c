"""Ashby response shapes, built from internal records at read time.

Internal records hold references (candidateId, stageId, ...); rendering resolves them so a renamed
candidate shows up inside every application that embeds it. Key order, nulls and omissions follow
API-NOTES sections 4 and 6 (e.g. `primaryEmailAddress` is omitted, not null, when there is none;
`archivedAt` is omitted on active applications; `creditedToUser`/`timezone` are null).
"""

from __future__ import annotations

from .seed import FEEDBACK_FORM_DEFINITION, OFFER_FORM_DEFINITION

PROFILE_URL = "https://app.ashbyhq.com/candidate-searches/new/right-side/candidates/{}"
FEEDBACK_URL = "https://app.ashbyhq.com/interview-briefings/{}/feedback"


def public(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if not k.startswith("_")}


class Renderer:
    def __init__(self, state):
        self.state = state

    def _get(self, kind, rid):
        return self.state.get(kind, rid) if rid else None

    # -- organisation
    def user(self, u: dict | None) -> dict | None:
        if u is None:
            return None
        return {"id": u["id"], "firstName": u["firstName"], "lastName": u["lastName"], "email": u["email"],
                "globalRole": u["globalRole"], "isEnabled": u["isEnabled"], "updatedAt": u["updatedAt"]}

    def user_by_id(self, uid):
        return self.user(self._get("user", uid))

    def source(self, s: dict | None) -> dict | None:
        if s is None:
            return None
        st = next((t for t in self.state.data.source_types if t["id"] == s["sourceTypeId"]), None)
        return {"id": s["id"], "title": s["title"], "isArchived": s["isArchived"],
                "sourceType": dict(st) if st else None}

    def archive_reason(self, r: dict | None, with_custom_fields=False) -> dict | None:
        if r is None:
            return None
        out = public(r)
        if with_custom_fields:
            out["customFields"] = []
        return out

    def tag(self, t):
        return public(t)

    def custom_field_values(self, values: dict) -> list[dict]:
        out = []
        for fid, value in values.items():
            f = self._get("customField", fid)
            if f is None or f["isArchived"]:
                continue
            item = {"id": f["id"], "isPrivate": f["isPrivate"], "title": f["title"], "value": value}
            if f["fieldType"] == "ValueSelect":
                label = next((v["label"] for v in f.get("selectableValues", []) if v["value"] == value), None)
                item["valueLabel"] = label
            out.append(item)
        return out

    def custom_field_value(self, field: dict, value) -> dict:
        return self.custom_field_values({field["id"]: value})[0] if not field["isArchived"] else {
            "id": field["id"], "isPrivate": field["isPrivate"], "title": field["title"], "value": value}

    # -- candidates
    @staticmethod
    def _primary(items):
        return next((dict(x) for x in items if x.get("isPrimary")), None)

    def candidate(self, c: dict) -> dict:
        out = {"id": c["id"], "createdAt": c["createdAt"], "updatedAt": c["updatedAt"], "name": c["name"]}
        pe = self._primary(c["emailAddresses"])
        if pe:
            out["primaryEmailAddress"] = pe
        out["emailAddresses"] = [dict(e) for e in c["emailAddresses"]]
        pp = self._primary(c["phoneNumbers"])
        if pp:
            out["primaryPhoneNumber"] = pp
        out["phoneNumbers"] = [dict(p) for p in c["phoneNumbers"]]
        out["socialLinks"] = [dict(s) for s in c["socialLinks"]]
        out["tags"] = [self.tag(t) for t in (self._get("tag", tid) for tid in c["tagIds"]) if t]
        for key in ("position", "company", "school"):
            if c.get(key) is not None:
                out[key] = c[key]
        out["applicationIds"] = self.state.application_ids_for_candidate(c)
        if c.get("resumeFileHandle"):
            out["resumeFileHandle"] = dict(c["resumeFileHandle"])
        out["fileHandles"] = [dict(f) for f in c["fileHandles"]]
        out["customFields"] = self.custom_field_values(c["customFieldValues"])
        out["profileUrl"] = PROFILE_URL.format(c["id"])
        out["source"] = self.source(self._get("source", c["sourceId"]))
        out["creditedToUser"] = self.user_by_id(c["creditedToUserId"])
        out["timezone"] = c["timezone"]
        if c.get("location"):
            out["location"] = c["location"]
        out["fraudStatus"] = c["fraudStatus"]
        return out

    def candidate_summary(self, c: dict | None, cid: str) -> dict:
        if c is None:
            return {"id": cid, "name": "Deleted Candidate"}
        out = {"id": c["id"], "name": c["name"]}
        pe, pp = self._primary(c["emailAddresses"]), self._primary(c["phoneNumbers"])
        if pe:
            out["primaryEmailAddress"] = pe
        if pp:
            out["primaryPhoneNumber"] = pp
        return out

    # -- jobs
    def stage(self, s: dict | None) -> dict | None:
        if s is None:
            return None
        return {"id": s["id"], "title": s["title"], "type": s["type"],
                "orderInInterviewPlan": s["orderInInterviewPlan"],
                "interviewStageGroupId": s["interviewStageGroupId"], "interviewPlanId": s["interviewPlanId"]}

    def plan(self, p):
        return public(p)

    def location(self, loc):
        return public(loc) if loc else None

    def job(self, j: dict, expand=()) -> dict:
        team = []
        for m in j["hiringTeam"]:
            u = self._get("user", m["userId"])
            if u:
                team.append({"userId": u["id"], "firstName": u["firstName"], "lastName": u["lastName"],
                             "email": u["email"], "role": m["role"]})
        out = {
            "id": j["id"], "title": j["title"], "confidential": j["confidential"], "status": j["status"],
            "employmentType": j["employmentType"], "locationId": j["locationId"], "departmentId": j["departmentId"],
            "defaultInterviewPlanId": j["defaultInterviewPlanId"], "interviewPlanIds": list(j["interviewPlanIds"]),
            "customFields": self.custom_field_values(j["customFieldValues"]),
            "jobPostingIds": list(j["jobPostingIds"]), "customRequisitionId": j["customRequisitionId"],
            "brandId": j["brandId"], "hiringTeam": team, "author": self.user_by_id(j["authorId"]),
            "createdAt": j["createdAt"], "updatedAt": j["updatedAt"], "openedAt": j["openedAt"],
            "closedAt": j["closedAt"],
        }
        if "location" in expand:
            out["location"] = self.location(self._get("location", j["locationId"]))
        if "openings" in expand:
            out["openings"] = []
        return out

    def job_posting(self, pid: str, j: dict) -> dict:
        """JobPostingDetail: the posting's own copy of the job, with the description Ashby keeps
        only here (job.info has none). Derived from the job, so it follows job updates."""
        dept = self._get("department", j["departmentId"]) or {}
        loc = self._get("location", j["locationId"]) or {}
        team, place = dept.get("name", "our"), loc.get("name", "a hybrid office")
        plain = (f"As {j['title']} you will join the {team} team in {place}.\n\n"
                 f"REQUIREMENTS\n\n - Experience in a similar role\n - Clear written communication\n\n"
                 f"ABOUT THE TEAM\n\nThe {team} team works on the problems our customers care about most.")
        html = (f"<p>As {j['title']} you will join the {team} team in {place}.</p><h1>Requirements</h1>"
                f"<ul><li><p>Experience in a similar role</p></li><li><p>Clear written communication</p></li></ul>"
                f"<h1>About the Team</h1><p>The {team} team works on the problems our customers care about most.</p>")
        return {
            "id": pid, "title": j["title"], "jobId": j["id"], "descriptionPlain": plain, "descriptionHtml": html,
            "descriptionSocial": plain[:200], "departmentName": dept.get("name"), "teamName": dept.get("name"),
            "locationName": loc.get("name"), "employmentType": j["employmentType"],
            "isListed": j["status"] == "Open", "publishedDate": j["openedAt"], "applicationDeadline": None,
            "externalLink": None, "applyLink": f"https://jobs.ashbyhq.com/sandbox/{pid}",
            "updatedAt": j["updatedAt"],
        }

    # -- applications
    def application(self, a: dict, info=False) -> dict:
        cand = self._get("candidate", a["candidateId"])
        job = self._get("job", a["jobId"])
        out = {
            "id": a["id"], "createdAt": a["createdAt"], "updatedAt": a["updatedAt"],
            "candidate": self.candidate_summary(cand, a["candidateId"]),
            "status": a["status"],
            "customFields": self.custom_field_values(a["customFieldValues"]),
            "currentInterviewStage": self.stage(self._get("interviewStage", a["stageId"])),
            "source": self.source(self._get("source", a["sourceId"])),
            "creditedToUser": self.user_by_id(a["creditedToUserId"]),
            "archiveReason": self.archive_reason(self._get("archiveReason", a["archiveReasonId"]), True),
        }
        if a.get("archivedAt"):
            out["archivedAt"] = a["archivedAt"]
        out["job"] = ({"id": job["id"], "title": job["title"], "locationId": job["locationId"],
                       "departmentId": job["departmentId"], "brandId": job["brandId"]} if job else None)
        out["hiringTeam"] = []
        out["appliedViaJobPostingId"] = a["appliedViaJobPostingId"]
        out["submitterClientIp"] = None
        out["submitterUserAgent"] = None
        if info:
            out["applicationHistory"] = [dict(h) for h in a["history"]]
            if cand and cand.get("resumeFileHandle"):
                out["resumeFileHandle"] = dict(cand["resumeFileHandle"])
        return out

    # -- interviews
    def interview(self, i):
        return public(i)

    def interview_event(self, e: dict, schedule_id: str, expand_interview=False) -> dict:
        interviewers = []
        for iv in e["interviewers"]:
            u = self.user_by_id(iv["userId"])
            if u:
                u.update({"trainingRole": None, "interviewerPool": None,
                          "isFeedbackRequired": iv["isFeedbackRequired"]})
                interviewers.append(u)
        out = {
            "id": e["id"], "interviewId": e["interviewId"], "interviewScheduleId": schedule_id,
            "interviewerUserIds": [iv["userId"] for iv in e["interviewers"]], "interviewers": interviewers,
            "createdAt": e["createdAt"], "updatedAt": e["updatedAt"], "startTime": e["startTime"],
            "endTime": e["endTime"], "feedbackLink": FEEDBACK_URL.format(e["id"]), "location": e["location"],
            "meetingLink": e["meetingLink"], "interviewerCalendarEventId": e["interviewerCalendarEventId"],
            "hasSubmittedFeedback": e["hasSubmittedFeedback"], "notetakerTranscriptId": e["notetakerTranscriptId"],
            "extraData": e["extraData"],
        }
        if expand_interview:
            out["interview"] = self.interview(self._get("interview", e["interviewId"])) if e["interviewId"] else None
        return out

    def interview_schedule(self, s: dict, with_candidate=False) -> dict:
        out = {"id": s["id"], "status": s["status"], "applicationId": s["applicationId"],
               "interviewStageId": s["interviewStageId"], "scheduledBy": self.user_by_id(s["scheduledById"]),
               "createdAt": s["createdAt"], "updatedAt": s["updatedAt"],
               "interviewEvents": [self.interview_event(e, s["id"]) for e in s["events"]]}
        if with_candidate:
            out["candidateId"] = s["_candidateId"]
        return out

    # -- offers
    def offer_version(self, v: dict) -> dict:
        return {"id": v["id"], "startDate": v["startDate"], "salary": v["salary"], "createdAt": v["createdAt"],
                "openingId": v["openingId"], "customFields": list(v["customFields"]),
                "fileHandles": list(v["fileHandles"]), "author": self.user_by_id(v["authorId"]),
                "approvalStatus": v["approvalStatus"]}

    def offer(self, o: dict, full=False) -> dict:
        out = {"id": o["id"], "decidedAt": o["decidedAt"], "applicationId": o["applicationId"],
               "acceptanceStatus": o["acceptanceStatus"], "offerStatus": o["offerStatus"],
               "latestVersion": self.offer_version(o["versions"][-1])}
        if full:
            out["versions"] = [self.offer_version(v) for v in o["versions"]]
            out["formDefinition"] = OFFER_FORM_DEFINITION
        return out

    def feedback(self, f: dict) -> dict:
        return {"id": f["id"], "formDefinition": FEEDBACK_FORM_DEFINITION,
                "submittedValues": dict(f["submittedValues"]),
                "submittedByUser": self.user_by_id(f["submittedByUserId"]),
                "interviewId": f["interviewId"], "interviewEventId": f["interviewEventId"],
                "feedbackFormDefinitionId": f["feedbackFormDefinitionId"],
                "applicationHistoryId": f["applicationHistoryId"], "applicationId": f["applicationId"],
                "submittedAt": f["submittedAt"]}
