"""atsJob, atsApplication, atsApplicationStage (interview plan stages), atsOffer."""

from __future__ import annotations

from typing import Any

from connectors import errors
from connectors.ashby.models.base import PAGE, Handler, as_list
from connectors.mapping import FieldMap, Mapping, get_path
from connectors.pagination import CursorPagination

JOB_STATUS = {"Draft": "draft", "Open": "open", "Closed": "closed", "Archived": "archived"}
EMPLOYMENT = {"FullTime": "fullTime", "PartTime": "partTime", "Intern": "intern", "Contract": "contract",
              "Temporary": "temporary"}


def hiring_team(value: Any) -> list[dict]:
    out = []
    for member in as_list(value):
        if isinstance(member, dict) and member.get("userId"):
            out.append({"user": {"object": "resourceRef", "model": "genericUser", "id": member["userId"]},
                        "role": member.get("role")})
    return out


class JobHandler(Handler):
    model = "atsJob"
    list_endpoint = "job.list"
    # Ashby hides drafts unless asked: a unified list shows every job, whatever its status.
    list_params = {"status": list(JOB_STATUS)}
    info_endpoint = "job.info"
    info_key = "id"
    supports_sync = True
    custom_field_object = "Job"
    list_omits = {"description": None}  # the posting's text: jobPosting.info per job
    mapping = Mapping("atsJob", [
        FieldMap("title", "title", write_key="title"),
        # Ashby keeps a job's description on its posting only (see `_with_posting`).
        FieldMap("description", None, read=lambda r: get_path(r, "_posting.descriptionPlain")
                 or get_path(r, "description") or get_path(r, "descriptionPlain")),
        FieldMap("department", "departmentId", write_key="teamId"),
        FieldMap("location", "locationId", write_key="locationId"),
        FieldMap("status", "status", enum=JOB_STATUS, filter_key="status", filter=lambda v: [
            next((k for k, u in JOB_STATUS.items() if u == v), v)]),
        FieldMap("employmentType", "employmentType", enum=EMPLOYMENT),
        FieldMap("confidential", "confidential"),
        FieldMap("hiringTeam", "hiringTeam", read=hiring_team, default=[]),
        FieldMap("requisitionId", "customRequisitionId", write_key="customRequisitionId"),
        FieldMap("interviewPlanId", "defaultInterviewPlanId", write_key="defaultInterviewPlanId"),
        FieldMap("openedAt", "openedAt"),
        FieldMap("closedAt", "closedAt"),
    ])

    def search(self, q: str) -> list[dict]:
        q = q.strip()
        if not q:
            raise errors.BadRequest("q must not be empty.", field="q")
        return as_list(self.api.results("job.search", {"title": q}))

    def retrieve_record(self, id: str) -> dict:
        return self._with_posting(super().retrieve_record(id))

    def enrich(self, records: list[dict], only: set[str] | None) -> list[dict]:
        # One jobPosting.info per job: a list pays for descriptions only when it asks for them
        # (fields=description); a retrieve always does.
        if only is not None and "description" in only:
            return [self._with_posting(r) for r in records]
        return records

    def _with_posting(self, record: dict) -> dict:
        """The job with its first posting under `_posting`: job.info has no description, the
        posting (jobPosting.info, same jobsRead permission) does. Drafts have no posting."""
        posting_id = next((p for p in as_list(record.get("jobPostingIds")) if isinstance(p, str) and p), None)
        if posting_id is None:
            return record
        try:
            posting = self.api.results("jobPosting.info", {"jobPostingId": posting_id})
        except errors.NotFound:  # unpublished and removed since: the job itself is still there
            return record
        return {**record, "_posting": posting} if isinstance(posting, dict) else record

    def _set_status(self, job_id: str, status: str) -> dict:
        remote = self.mapping.by_key["status"].reverse_enum(status)
        return self.api.results("job.setStatus", {"jobId": job_id, "status": remote}, write=True)

    def create(self, fields: dict) -> dict:
        body = self.mapping.write(fields, keys={"title", "department", "location", "interviewPlanId"})
        record = self.api.results("job.create", body, write=True)
        job_id = record.get("id") if isinstance(record, dict) else None
        if job_id and fields.get("requisitionId"):
            record = self.api.results("job.update", {"jobId": job_id,
                                                     "customRequisitionId": fields["requisitionId"]}, write=True)
        if job_id and fields.get("status") and fields["status"] != "draft":  # new jobs start as Draft
            record = self._set_status(job_id, fields["status"])
        return record

    def update(self, id: str, fields: dict) -> dict:
        body = self.mapping.write(fields, keys={"title", "department", "location", "requisitionId",
                                                "interviewPlanId"})
        record = None
        if body:
            record = self.api.results("job.update", {"jobId": id, **body}, write=True)
        if fields.get("status"):
            record = self._set_status(id, fields["status"])
        return record if isinstance(record, dict) else self.retrieve_record(id)


APP_STATUS = {"Active": "active", "Hired": "hired", "Archived": "archived", "Lead": "lead"}


def recruiter_id(team: Any) -> str | None:
    for member in as_list(team):
        if isinstance(member, dict) and str(member.get("role", "")).lower() == "recruiter":
            return member.get("userId") or get_path(member, "user.id")
    return None


class ApplicationHandler(Handler):
    model = "atsApplication"
    list_endpoint = "application.list"
    info_endpoint = "application.info"
    info_key = "applicationId"
    supports_sync = True
    custom_field_object = "Application"
    mapping = Mapping("atsApplication", [
        FieldMap("candidate", "candidate.id", ref="genericContact", write_key="candidateId"),
        FieldMap("job", "job.id", ref="atsJob", write_key="jobId", filter_key="jobId"),
        FieldMap("recruiter", "hiringTeam", read=recruiter_id, ref="genericUser"),
        FieldMap("stage", "currentInterviewStage.id", ref="atsApplicationStage", write_key="interviewStageId"),
        FieldMap("appliedDate", "createdAt", write_key="createdAt"),
        FieldMap("status", "status", enum=APP_STATUS, filter_key="status"),
        FieldMap("source", "source.title"),
        FieldMap("sourceId", "source.id", write_key="sourceId"),
        FieldMap("creditedTo", "creditedToUser.id", ref="genericUser", write_key="creditedToUserId"),
        FieldMap("archivedAt", "archivedAt"),
        FieldMap("archiveReason", "archiveReason.text"),
        FieldMap("archiveReasonId", "archiveReason.id", write_key="archiveReasonId"),
    ])

    def create(self, fields: dict) -> dict:
        body = self.mapping.write(fields, keys={"candidate", "job", "stage", "appliedDate", "sourceId",
                                                "creditedTo"})
        return self.api.results("application.create", body, write=True)

    def update(self, id: str, fields: dict) -> dict:
        for key in ("candidate", "job"):
            if key in fields:
                raise errors.ValidationFailed(f"Field '{key}': an application's {key} cannot change in Ashby "
                                              "(transfer the application instead).", field=key)
        record = None
        body = self.mapping.write(fields, keys={"creditedTo", "appliedDate"})
        if body:
            record = self.api.results("application.update", {"applicationId": id, **body}, write=True)
        if "sourceId" in fields:
            record = self.api.results("application.changeSource", {"applicationId": id,
                                                                   "sourceId": fields["sourceId"]}, write=True)
        if fields.get("stage"):
            change = {"applicationId": id, "interviewStageId": fields["stage"]}
            if fields.get("archiveReasonId"):
                change["archiveReasonId"] = fields["archiveReasonId"]
            record = self.api.results("application.changeStage", change, write=True)
        elif "archiveReasonId" in fields:
            raise errors.ValidationFailed("Field 'archiveReasonId': only meaningful together with 'stage'.",
                                          field="archiveReasonId")
        return record if isinstance(record, dict) else self.retrieve_record(id)


STAGE_TYPE = {"Lead": "lead", "PreInterviewScreen": "screen", "Active": "active", "Offer": "offer",
              "Hired": "hired", "Archived": "archived"}


class StageHandler(Handler):
    """Stages live inside interview plans: listing walks interviewPlan.list, then
    interviewStage.list per plan. Records carry the plan (`_plan`) and job (`_jobId`) they came from."""

    model = "atsApplicationStage"
    list_endpoint = "interviewPlan.list"
    info_endpoint = "interviewStage.info"
    info_key = "interviewStageId"
    mapping = Mapping("atsApplicationStage", [
        FieldMap("name", "title"),
        FieldMap("order", "orderInInterviewPlan"),
        FieldMap("type", "type", enum=STAGE_TYPE),
        FieldMap("isActive", "_plan", read=lambda p: None if not isinstance(p, dict) or p.get("isArchived") is None
                 else not p["isArchived"]),
        FieldMap("interviewPlanId", None, read=lambda r: r.get("interviewPlanId") or get_path(r, "_plan.id")),
        FieldMap("job", "_jobId", ref="atsJob"),
    ], created_path=None, updated_path=None)

    def _stages(self, plan: dict, job_id: str | None = None) -> list[dict]:
        stages = as_list(self.api.results("interviewStage.list", {"interviewPlanId": plan["id"]}))
        stages = sorted((s for s in stages if isinstance(s, dict)),
                        key=lambda s: s.get("orderInInterviewPlan") if isinstance(
                            s.get("orderInInterviewPlan"), int | float) else 0)
        return [{**s, "_plan": plan, **({"_jobId": job_id} if job_id else {})} for s in stages]

    def _plans_for(self, filters: dict) -> tuple[list[dict], str | None] | None:
        filters = dict(filters or {})
        plan_id, job_id = filters.pop("interviewPlanId", None), filters.pop("job", None)
        if filters:
            raise errors.BadRequest(f"Cannot filter atsApplicationStage by {', '.join(sorted(filters))}; "
                                    "supported: job, interviewPlanId.", field="filter")
        if plan_id:
            return [{"id": plan_id}], job_id
        if job_id:
            job = self.api.results("job.info", {"id": job_id})
            if not isinstance(job, dict):
                raise errors.NotFound(f"No atsJob with id {job_id} in Ashby.")
            ids = [job.get("defaultInterviewPlanId")] + as_list(job.get("interviewPlanIds"))
            seen = list(dict.fromkeys(i for i in ids if isinstance(i, str) and i))
            return [{"id": i} for i in seen], job_id
        return None

    def list_page(self, *, limit, state, filters, q, only):
        if q is not None:
            raise errors.BadRequest("atsApplicationStage cannot be searched with q.", field="q")
        fixed = self._plans_for(filters)
        plan_index, offset = int(state.get("i", 0)), int(state.get("o", 0))
        if fixed is not None:
            plans, job_id = fixed
            cursor, more, next_cursor = None, False, None
        else:
            page = self.api.page("interviewPlan.list", {"limit": PAGE, "includeArchived": True}, state.get("c"))
            plans, job_id = [p for p in page.items if isinstance(p, dict) and p.get("id")], None
            cursor, more, next_cursor = state.get("c"), page.more, page.next_cursor
        out: list[dict] = []
        while plan_index < len(plans):
            stages = self._stages(plans[plan_index], job_id)
            take = stages[offset: offset + (limit - len(out))]
            out.extend(take)
            if offset + len(take) < len(stages):
                return out, {"c": cursor, "i": plan_index, "o": offset + len(take)}
            plan_index, offset = plan_index + 1, 0
            if len(out) >= limit and plan_index < len(plans):
                return out, {"c": cursor, "i": plan_index, "o": 0}
        if more:
            return out, {"c": next_cursor, "i": 0, "o": 0}
        return out, None

    def retrieve_record(self, id: str) -> dict:
        """interviewStage.info names the plan but not whether it is archived (isActive): find the
        plan in interviewPlan.list (plans are few; cached for the client's lifetime)."""
        record = super().retrieve_record(id)
        plan_id = record.get("interviewPlanId")
        if not isinstance(plan_id, str) or not plan_id:
            return record
        plans = self.client.cache.setdefault("plans", {})
        if plan_id not in plans:
            paginator = CursorPagination(max_pages=20)
            for plan in paginator.items(lambda c: self.api.page(
                    "interviewPlan.list", {"limit": PAGE, "includeArchived": True}, c)):
                if isinstance(plan, dict) and plan.get("id"):
                    plans[plan["id"]] = plan
                if plan_id in plans:
                    break
        return {**record, "_plan": plans.get(plan_id, {"id": plan_id})}

    def sync_pages(self, sync_token, result):
        # Stages have no sync token: always a full pass over every plan.
        paginator = CursorPagination(max_pages=int(self.client.settings.get("max_pages", 10_000)))
        for page in paginator.pages(lambda c: self.api.page(
                "interviewPlan.list", {"limit": PAGE, "includeArchived": True}, c)):
            for plan in page.items:
                if isinstance(plan, dict) and plan.get("id"):
                    yield self._stages(plan)


OFFER_STATUS = {
    "WaitingOnOfferCreation": "draft", "WaitingOnApprovalStart": "draft",
    "WaitingOnApprovalDefinition": "draft", "WaitingOnOfferApproval": "pendingApproval",
    "WaitingOnCandidateResponse": "sent", "CandidateAccepted": "accepted", "CandidateRejected": "declined",
    "OfferCancelled": "canceled",
}
ACCEPTANCE_STATUS = {"Accepted": "accepted", "Declined": "declined", "Pending": "sent",
                     "WaitingOnResponse": "sent", "Created": "draft", "Cancelled": "canceled"}
APPROVAL_STATUS = {"Approved": "approved", "WaitingOnApprovals": "pending", "Declined": "declined"}


def offer_status(record: dict) -> Any:
    status = record.get("offerStatus")
    if status:
        return OFFER_STATUS.get(status, status)
    status = record.get("acceptanceStatus")
    return ACCEPTANCE_STATUS.get(status, status) if status else None


def salary(value: Any) -> dict | None:
    if not isinstance(value, dict):
        return None
    amount = value.get("value")
    return {"amount": amount, "currency": value.get("currencyCode")} if amount is not None else None


def first_version_time(record: dict) -> str | None:
    times = [v.get("createdAt") for v in as_list(record.get("versions")) if isinstance(v, dict)]
    times = [t for t in times if isinstance(t, str)]
    return min(times) if times else get_path(record, "latestVersion.createdAt")


class OfferHandler(Handler):
    model = "atsOffer"
    list_endpoint = "offer.list"
    info_endpoint = "offer.info"
    info_key = "offerId"
    supports_sync = True
    mapping = Mapping("atsOffer", [
        FieldMap("application", "applicationId", ref="atsApplication", filter_key="applicationId"),
        FieldMap("offerDate", "latestVersion.createdAt"),
        FieldMap("status", None, read=offer_status),
        FieldMap("startDate", "latestVersion.startDate",
                 read=lambda v: v[:10] if isinstance(v, str) else None),
        FieldMap("salary", "latestVersion.salary", read=salary),
        FieldMap("decidedAt", "decidedAt"),
        FieldMap("approvalStatus", "latestVersion.approvalStatus", enum=APPROVAL_STATUS),
    ], created_path="latestVersion.createdAt", updated_path="latestVersion.createdAt")

    def to_fields(self, record, only=None):
        fields, warnings = super().to_fields(record, only)
        status = fields.get("status")
        if status is not None and status not in OFFER_STATUS.values():
            warnings.append({"field": "status", "code": "unknownEnumValue", "value": status,
                             "message": f"Ashby returned an offer status this version does not know: {status!r}."})
        return fields, warnings

    def timestamps(self, record):
        return first_version_time(record), get_path(record, "latestVersion.createdAt")

    @staticmethod
    def _submissions(fields: dict, form: dict | None, current: dict | None = None) -> list[dict]:
        """Offer forms are defined per organisation; our fields go to the form fields whose path
        (or, for salary, type Currency) matches. On update, Ashby creates a new version from the
        submitted form alone, so values not being changed are carried over from the current one."""
        paths: dict[str, str] = {}
        form_fields = []
        for section in as_list(get_path(form, "sections")):
            for item in as_list(get_path(section, "fields")):
                f = get_path(item, "field") or {}
                path, kind = f.get("path"), f.get("type")
                if isinstance(path, str):
                    form_fields.append(f)
                    if path.lower() in ("startdate", "start_date"):
                        paths.setdefault("startDate", path)
                    if path.lower() == "salary" or (kind == "Currency" and "salary" not in paths):
                        paths["salary"] = path
        values: dict[str, Any] = {}
        if current:
            version = current.get("latestVersion") or {}
            if version.get("startDate"):
                values[paths.get("startDate", "startDate")] = version["startDate"][:10]
            if isinstance(version.get("salary"), dict):
                values[paths.get("salary", "salary")] = version["salary"]
            if version.get("openingId"):
                values["openingId"] = version["openingId"]
            known = {f["path"] for f in form_fields}
            for custom in as_list(version.get("customFields")):
                if isinstance(custom, dict) and custom.get("id") in known and custom.get("value") is not None:
                    values[custom["id"]] = custom["value"]
        if fields.get("startDate"):
            values[paths.get("startDate", "startDate")] = fields["startDate"]
        if fields.get("salary"):
            values[paths.get("salary", "salary")] = {"value": fields["salary"]["amount"],
                                                     "currencyCode": fields["salary"]["currency"]}
        return [{"path": path, "value": value} for path, value in values.items()]

    def create(self, fields: dict) -> dict:
        process = self.api.results("offerProcess.start", {"applicationId": fields["application"]}, write=True)
        process_id = get_path(process, "id")
        if not process_id:
            raise errors.UpstreamError("Ashby started no offer process (no id returned).")
        form = self.api.results("offer.start", {"offerProcessId": process_id}, write=True)
        form_id = get_path(form, "id")
        if not form_id:
            raise errors.UpstreamError("Ashby returned no offer form (no id returned).")
        submissions = self._submissions(fields, get_path(form, "formDefinition"))
        return self.api.results("offer.create", {"offerProcessId": process_id, "offerFormId": form_id,
                                                 "offerForm": {"fieldSubmissions": submissions}}, write=True)

    def update(self, id: str, fields: dict) -> dict:
        if "application" in fields:
            raise errors.ValidationFailed("Field 'application': an offer cannot move to another application.",
                                          field="application")
        current = self.retrieve_record(id)
        submissions = self._submissions(fields, current.get("formDefinition"), current)
        record = self.api.results("offer.update", {"offerId": id, "offerForm": {"fieldSubmissions": submissions}},
                                  write=True)
        return record if isinstance(record, dict) else self.retrieve_record(id)
