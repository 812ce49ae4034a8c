"""scheduleCalendar (user + interviewer settings), scheduleEventType (interview), scheduleEvent
(one interview event inside an interview schedule)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors import errors
from connectors.ashby.models.base import PAGE, Handler, as_list, parse_time
from connectors.ashby.models.generic import split_name
from connectors.mapping import FieldMap, Mapping, get_path
from connectors.pagination import CursorPagination


def limit_value(value: Any) -> Any:
    """Interviewer limits are numbers; tolerate an object wrapping one."""
    if isinstance(value, dict):
        for key in ("limit", "value", "max"):
            if isinstance(value.get(key), int | float):
                return value[key]
        return None
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def full_name(user: Any) -> str | None:
    if not isinstance(user, dict):
        return None
    name = " ".join(p for p in (user.get("firstName"), user.get("lastName")) if isinstance(p, str) and p)
    return name or user.get("email")


def candidate_attendees(candidate: Any) -> list[dict]:
    """The candidate is the interview's external attendee (from application.info's `candidate`)."""
    if not isinstance(candidate, dict):
        return []
    first, last = split_name(candidate.get("name"))
    email = get_path(candidate, "primaryEmailAddress.value")
    if not (first or email):
        return []
    return [{"firstName": first, "lastName": last, "email": email}]


class CalendarHandler(Handler):
    """A calendar is a user (id = user id) plus their interviewer settings (daily/weekly limits)."""

    model = "scheduleCalendar"
    list_endpoint = "user.list"
    list_params = {"includeDeactivated": True}
    supports_sync = True
    mapping = Mapping("scheduleCalendar", [
        FieldMap("name", "user", read=full_name),
        FieldMap("owner", "user.id", ref="genericUser"),
        FieldMap("timezone", "user.timezone"),
        FieldMap("dailyLimit", "settings.dailyLimit", read=limit_value),
        FieldMap("weeklyLimit", "settings.weeklyLimit", read=limit_value),
    ], id_path="user.id", created_path="user.createdAt", updated_path="user.updatedAt")
    LIMIT_FIELDS = {"dailyLimit", "weeklyLimit"}

    def _settings(self, user_id: str) -> dict | None:
        settings = self.api.results("user.interviewerSettings", {"userId": user_id})
        return settings if isinstance(settings, dict) else None

    def list_page(self, **kw):
        users, next_state = super().list_page(**kw)
        return [{"user": u, "settings": None} for u in users if isinstance(u, dict)], next_state

    def enrich(self, records: list[dict], only: set[str] | None) -> list[dict]:
        # One settings call per user: skipped when the caller did not ask for the limits.
        if only is not None and not (only & self.LIMIT_FIELDS):
            return records
        for rec in records:
            if rec.get("settings") is None and get_path(rec, "user.id"):
                rec["settings"] = self._settings(rec["user"]["id"])
        return records

    def retrieve_record(self, id: str) -> dict:
        user = self.api.results("user.info", {"userId": id})
        if not isinstance(user, dict):
            raise errors.NotFound(f"No scheduleCalendar with id {id} in Ashby.")
        return {"user": user, "settings": self._settings(id)}

    def sync_pages(self, sync_token, result) -> Iterator[list[dict]]:
        for users in super().sync_pages(sync_token, result):
            yield self.enrich([{"user": u, "settings": None} for u in users if isinstance(u, dict)], None)

    def update(self, id: str, fields: dict) -> dict:
        body = {"userId": id}
        for key in ("dailyLimit", "weeklyLimit"):
            if key in fields:
                body[key] = fields[key]
        settings = self.api.results("user.updateInterviewerSettings", body, write=True)
        user = self.api.results("user.info", {"userId": id})
        return {"user": user, "settings": settings if isinstance(settings, dict) else self._settings(id)}


class EventTypeHandler(Handler):
    model = "scheduleEventType"
    list_endpoint = "interview.list"
    # Archived interviews are listed (status inactive) so archiving is visible as a change.
    list_params = {"includeArchived": True, "includeNonSharedInterviews": True}
    info_endpoint = "interview.info"
    info_key = "id"
    supports_sync = True
    mapping = Mapping("scheduleEventType", [
        FieldMap("name", "title"),
        FieldMap("description", None, read=lambda r: r.get("instructionsPlain") or r.get("externalTitle")),
        FieldMap("status", "isArchived",
                 read=lambda v: None if v is None else ("inactive" if v else "active")),
        FieldMap("job", "jobId", ref="atsJob"),
        FieldMap("isDebrief", "isDebrief"),
        FieldMap("feedbackRequired", "isFeedbackRequired"),
    ])


SCHEDULE_STATUS = {
    "NeedsScheduling": "planned", "WaitingOnCandidateBooking": "planned",
    "WaitingOnCandidateAvailability": "planned", "CandidateAvailabilitySubmitted": "planned",
    "Scheduled": "planned", "OnHold": "planned", "Unknown": "planned",
    "WaitingOnFeedback": "completed", "Complete": "completed", "Cancelled": "canceled",
}


def event_id(schedule: dict, event: dict) -> str:
    """Ashby has no interviewEvent.info: our id carries what a retrieve needs to find the event
    (application -> its schedules -> the event) in one call."""
    return f"{schedule.get('applicationId')}:{schedule.get('id')}:{event.get('id')}"


def parse_event_id(id: str) -> tuple[str, str, str]:
    parts = id.split(":") if isinstance(id, str) else []
    if len(parts) != 3 or not all(parts):
        raise errors.NotFound(f"No scheduleEvent with id {id}: ids look like <applicationId>:<scheduleId>:<eventId>.")
    return parts[0], parts[1], parts[2]


def duration_minutes(event: dict) -> float | None:
    start, end = parse_time(event.get("startTime")), parse_time(event.get("endTime"))
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 2)


def interviewer_ids(event: dict) -> list[str]:
    ids = [i.get("id") for i in as_list(event.get("interviewers")) if isinstance(i, dict) and i.get("id")]
    return ids or [i for i in as_list(event.get("interviewerUserIds")) if isinstance(i, str)]


def flatten(schedules: list[dict]) -> list[dict]:
    out = []
    for schedule in schedules:
        if not isinstance(schedule, dict):
            continue
        for event in as_list(schedule.get("interviewEvents")):
            if isinstance(event, dict) and event.get("id"):
                out.append({"schedule": {k: v for k, v in schedule.items() if k != "interviewEvents"},
                            "event": event})
    return out


class EventHandler(Handler):
    model = "scheduleEvent"
    list_endpoint = "interviewSchedule.list"
    supports_sync = True
    list_omits = {"externalAttendees": []}  # the candidate: application.info per application
    mapping = Mapping("scheduleEvent", [
        FieldMap("eventType", "event.interviewId", ref="scheduleEventType"),
        FieldMap("calendar", "event", read=lambda e: (interviewer_ids(e) or [None])[0], ref="scheduleCalendar"),
        FieldMap("title", None, read=lambda r: get_path(r, "event.interview.title")
                 or get_path(r, "interview.title")),
        FieldMap("description", None, read=lambda r: get_path(r, "event.interview.instructionsPlain")
                 or get_path(r, "interview.instructionsPlain")),
        FieldMap("status", "schedule.status", enum=SCHEDULE_STATUS),
        FieldMap("startTime", "event.startTime"),
        FieldMap("endTime", "event.endTime"),
        FieldMap("duration", "event", read=duration_minutes),
        FieldMap("location", "event.location"),
        FieldMap("meetingUrl", "event.meetingLink"),
        FieldMap("attendees", "event", read=interviewer_ids, ref="genericUser", default=[]),
        FieldMap("externalAttendees", "_candidate", read=candidate_attendees, default=[]),
        FieldMap("organizer", "schedule.scheduledBy.id", ref="genericUser"),
        FieldMap("application", "schedule.applicationId", ref="atsApplication"),
    ], id_path="event.id", created_path="event.createdAt", updated_path="event.updatedAt")

    def record_id(self, record: dict) -> str | None:
        return event_id(record["schedule"], record["event"])

    def enrich(self, records: list[dict], only: set[str] | None) -> list[dict]:
        """Title and description come from the event's interview: one interview.info per distinct
        interview (cached for the client's lifetime), only when those fields are wanted."""
        if only is not None and "externalAttendees" in only:
            self._with_candidates(records)
        if only is not None and not (only & {"title", "description"}):
            return records
        cache = self.client.cache.setdefault("interviews", {})
        for rec in records:
            iid = get_path(rec, "event.interviewId")
            if not iid or get_path(rec, "event.interview") or "interview" in rec:
                continue
            if iid not in cache:
                try:
                    cache[iid] = self.api.results("interview.info", {"id": iid})
                except errors.ConnectorError:
                    cache[iid] = None  # a missing permission must not fail the listing
            rec["interview"] = cache[iid]
        return records

    def _with_candidates(self, records: list[dict]) -> list[dict]:
        """The candidate of each event's application under `_candidate`: one application.info per
        distinct application (cached for the client's lifetime). Retrieves always pay it; lists
        only when asked with fields=externalAttendees. A key without candidatesRead gets []."""
        cache = self.client.cache.setdefault("applications", {})
        for rec in records:
            app_id = get_path(rec, "schedule.applicationId")
            if not app_id:
                continue
            if app_id not in cache:
                try:
                    application = self.api.results("application.info", {"applicationId": app_id})
                except (errors.NotFound, errors.InsufficientPermissions):
                    application = None
                cache[app_id] = application.get("candidate") if isinstance(application, dict) else None
            rec["_candidate"] = cache[app_id]
        return records

    def list_body(self, filters):
        filters = dict(filters or {})
        body = dict(self.list_params)
        if "application" in filters:
            body["applicationId"] = filters.pop("application")
        if "stage" in filters:
            body["interviewStageId"] = filters.pop("stage")
        if filters:
            raise errors.BadRequest(f"Cannot filter scheduleEvent by {', '.join(sorted(filters))}; "
                                    "supported: application, stage.", field="filter")
        return body

    def list_page(self, *, limit, state, filters, q, only):
        """A schedule holds several events: a page of ours is `limit` events, so the state keeps
        Ashby's cursor for the schedule page being read plus our offset inside it."""
        if q is not None:
            raise errors.BadRequest("scheduleEvent cannot be searched with q.", field="q")
        body = {**self.list_body(filters), "limit": limit}
        cursor, offset = state.get("c"), int(state.get("o", 0))
        out: list[dict] = []
        for _ in range(50):  # bounded: each round consumes one Ashby page
            page = self.api.page(self.list_endpoint, body, cursor)
            events = flatten(page.items)
            take = events[offset: offset + (limit - len(out))]
            out.extend(take)
            if offset + len(take) < len(events):
                return out, {"c": cursor, "o": offset + len(take)}
            if not page.more:
                return out, None
            cursor, offset = page.next_cursor, 0
            if len(out) >= limit:
                return out, {"c": cursor, "o": 0}
        return out, {"c": cursor, "o": 0}

    def retrieve_record(self, id: str) -> dict:
        application_id, schedule_id, ev_id = parse_event_id(id)
        paginator = CursorPagination(max_pages=50)
        for schedule in paginator.items(lambda c: self.api.page(
                "interviewSchedule.list", {"applicationId": application_id, "limit": PAGE}, c)):
            if isinstance(schedule, dict) and schedule.get("id") == schedule_id:
                for rec in flatten([schedule]):
                    if rec["event"]["id"] == ev_id:
                        return self._with_candidates(self.enrich([rec], None))[0]
        raise errors.NotFound(f"No scheduleEvent with id {id} in Ashby.")

    def sync_pages(self, sync_token, result):
        for schedules in super().sync_pages(sync_token, result):
            yield self.enrich(flatten(schedules), None)

    # -- writes ---------------------------------------------------------------------------------
    def _interviewers(self, user_ids: list[str]) -> list[dict]:
        people = []
        for uid in user_ids:
            user = self.api.results("user.info", {"userId": uid})
            email = user.get("email") if isinstance(user, dict) else None
            if not email:
                raise errors.ValidationFailed(f"Field 'attendees': user {uid} has no email in Ashby.",
                                              field="attendees")
            people.append({"email": email, "feedbackRequired": True})
        return people

    def create(self, fields: dict) -> dict:
        event: dict[str, Any] = {"startTime": fields["startTime"], "endTime": fields["endTime"],
                                 "interviewers": self._interviewers(fields.get("attendees") or [])}
        if fields.get("eventType"):
            event["interviewId"] = fields["eventType"]
        schedule = self.api.results("interviewSchedule.create",
                                    {"applicationId": fields["application"], "interviewEvents": [event]},
                                    write=True)
        if isinstance(schedule, dict):
            schedule.setdefault("applicationId", fields["application"])
        events = flatten([schedule]) if isinstance(schedule, dict) else []
        if not events:
            raise errors.UpstreamError("Ashby created the schedule but returned no interview event.")
        return events[-1]

    def update(self, id: str, fields: dict) -> dict:
        if "application" in fields:
            raise errors.ValidationFailed("Field 'application': an event cannot move to another application.",
                                          field="application")
        current = self.retrieve_record(id)
        ev = current["event"]
        interviewers = ([{"email": i["email"], "feedbackRequired": bool(i.get("isFeedbackRequired", True))}
                         for i in as_list(ev.get("interviewers")) if isinstance(i, dict) and i.get("email")])
        if "attendees" in fields:
            interviewers = self._interviewers(fields["attendees"] or [])
        change = {"interviewEventId": ev["id"], "startTime": fields.get("startTime", ev.get("startTime")),
                  "endTime": fields.get("endTime", ev.get("endTime")), "interviewers": interviewers}
        if fields.get("eventType") or ev.get("interviewId"):
            change["interviewId"] = fields.get("eventType") or ev.get("interviewId")
        schedule = self.api.results("interviewSchedule.update",
                                    {"interviewScheduleId": current["schedule"]["id"], "interviewEvent": change},
                                    write=True)
        if isinstance(schedule, dict):
            schedule.setdefault("applicationId", current["schedule"].get("applicationId"))
            for rec in flatten([schedule]):
                if rec["event"]["id"] == ev["id"]:
                    return rec
        return self.retrieve_record(id)

    def delete(self, id: str) -> None:
        _, schedule_id, ev_id = parse_event_id(id)
        self.api.results("interviewSchedule.update",
                         {"interviewScheduleId": schedule_id, "interviewEventIdToCancel": ev_id}, write=True)
