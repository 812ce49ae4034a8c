"""The ten unified models (DESIGN.md section 5): the one declaration that validation, the fields
endpoint and the OpenAPI components derive from. Field names are the public contract."""

from __future__ import annotations

from connectors.unified.schema import Field, Model


def S(key, **kw):  # noqa: N802 - short builders keep the declarations readable
    return Field(key, "string", **kw)


def N(key, **kw):  # noqa: N802
    return Field(key, "number", **kw)


def B(key, **kw):  # noqa: N802
    return Field(key, "boolean", **kw)


def DT(key, **kw):  # noqa: N802
    return Field(key, "datetime", **kw)


def E(key, options, **kw):  # noqa: N802
    return Field(key, "enum", options=tuple(options), **kw)


def R(key, ref, **kw):  # noqa: N802
    return Field(key, "ref", ref=ref, **kw)


def OBJ_LIST(key, props, **kw):  # noqa: N802
    return Field(key, "array", items="object", properties=tuple(props), **kw)


CONTACT_INFO = (S("value", required=True), E("type", ("personal", "work", "other")))

MODELS: tuple[Model, ...] = (
    Model("genericContact", "Contact", (
        S("firstName", required=True, description="Ashby stores one name; first and last are split on the "
                                                  "first space."),
        S("lastName"),
        S("email", format="email", description="Primary email address."),
        S("phone", description="Primary phone number."),
        OBJ_LIST("emails", CONTACT_INFO, read_only=True),
        OBJ_LIST("phones", CONTACT_INFO, read_only=True),
        S("company", read_only=True),
        S("title", read_only=True, description="Current position."),
        S("school", read_only=True),
        S("location", read_only=True, description="Location summary, e.g. 'Berlin, Germany'."),
        OBJ_LIST("socialLinks", (S("type", required=True), S("url", required=True, format="uri"))),
        Field("tags", "array", items="string", read_only=True),
        S("source", read_only=True, description="Source title."),
        S("sourceId", description="Ashby source id (write to change the source)."),
        R("owner", "genericUser", description="The user credited with this candidate."),
        R("applications", "atsApplication", many=True, read_only=True),
        S("profileUrl", read_only=True, format="uri"),
        S("timezone", read_only=True),
    ), description="An Ashby candidate."),
    Model("genericUser", "User", (
        S("firstName", read_only=True),
        S("lastName", read_only=True),
        S("email", read_only=True, format="email"),
        E("role", ("organizationAdmin", "elevatedAccess", "limitedAccess", "externalRecruiter"), read_only=True),
        B("isActive", read_only=True),
        R("manager", "genericUser", read_only=True),
    ), description="An Ashby user (a member of the hiring organisation)."),
    Model("genericWorkspace", "Workspace", (
        S("name", read_only=True),
        S("slug", read_only=True, description="Hosted jobs page slug."),
    ), description="An Ashby brand."),
    Model("scheduleCalendar", "Calendar", (
        S("name", read_only=True),
        R("owner", "genericUser", read_only=True),
        S("timezone", read_only=True),
        N("dailyLimit", description="Maximum interviews a day."),
        N("weeklyLimit", description="Maximum interviews a week."),
    ), description="A user's interviewer calendar (id = the user's id)."),
    Model("scheduleEventType", "Event type", (
        S("name", read_only=True),
        S("description", read_only=True),
        E("status", ("active", "inactive"), read_only=True),
        R("job", "atsJob", read_only=True),
        B("isDebrief", read_only=True),
        B("feedbackRequired", read_only=True),
    ), description="An Ashby interview (a kind of interview event)."),
    Model("scheduleEvent", "Event", (
        R("eventType", "scheduleEventType", description="The Ashby interview; default: the organisation's "
                                                        "default interview."),
        R("calendar", "scheduleCalendar", read_only=True),
        S("title", read_only=True),
        S("description", read_only=True),
        E("status", ("planned", "completed", "canceled"), read_only=True),
        DT("startTime", required=True),
        DT("endTime", required=True),
        N("duration", read_only=True, description="Minutes."),
        S("location", read_only=True),
        S("meetingUrl", read_only=True, format="uri"),
        R("attendees", "genericUser", many=True, required=True, description="Interviewers."),
        OBJ_LIST("externalAttendees", (S("firstName"), S("lastName"), S("email", format="email")),
                 read_only=True, description="The candidate (from the application): retrieve fills it; "
                                             "lists when asked with fields=externalAttendees (one extra "
                                             "Ashby call per application); needs candidatesRead."),
        R("organizer", "genericUser", read_only=True),
        R("application", "atsApplication", required=True),
    ), description="One interview event inside an Ashby interview schedule (id = scheduleId:eventId)."),
    Model("atsJob", "Job", (
        S("title", required=True),
        S("description", read_only=True,
          description="Plain text of the job's first posting (Ashby keeps descriptions on postings): "
                      "retrieve fills it; lists fill it when asked with fields=description (one extra "
                      "Ashby call per job); null for jobs without a posting (drafts)."),
        S("department", required=True, description="Ashby department (team) id."),
        S("location", required=True, description="Ashby location id."),
        E("status", ("draft", "open", "closed", "archived"), description="Writes use Ashby job.setStatus."),
        E("employmentType", ("fullTime", "partTime", "intern", "contract", "temporary"), read_only=True),
        B("confidential", read_only=True),
        OBJ_LIST("hiringTeam", (R("user", "genericUser"), S("role")), read_only=True),
        S("requisitionId"),
        S("interviewPlanId", description="Default interview plan id."),
        DT("openedAt", read_only=True),
        DT("closedAt", read_only=True),
    ), description="An Ashby job."),
    Model("atsApplication", "Application", (
        R("candidate", "genericContact", required=True),
        R("job", "atsJob", required=True),
        R("recruiter", "genericUser", read_only=True),
        R("stage", "atsApplicationStage", description="Writes move the application (application.changeStage)."),
        DT("appliedDate"),
        E("status", ("active", "hired", "archived", "lead"), read_only=True),
        S("source", read_only=True, description="Source title."),
        S("sourceId", description="Ashby source id (write to change the source)."),
        R("creditedTo", "genericUser"),
        DT("archivedAt", read_only=True),
        S("archiveReason", read_only=True),
        S("archiveReasonId", description="Required when moving to an archived stage."),
    ), description="An Ashby application (a candidate considered for a job)."),
    Model("atsApplicationStage", "Application stage", (
        S("name", read_only=True),
        N("order", read_only=True),
        E("type", ("lead", "screen", "active", "offer", "hired", "archived"), read_only=True),
        B("isActive", read_only=True),
        S("interviewPlanId", read_only=True),
        R("job", "atsJob", read_only=True),
    ), description="An interview stage of an Ashby interview plan."),
    Model("atsOffer", "Offer", (
        R("application", "atsApplication", required=True),
        DT("offerDate", read_only=True),
        E("status", ("draft", "pendingApproval", "sent", "accepted", "declined", "canceled"), read_only=True),
        Field("startDate", "date"),
        Field("salary", "object", properties=(N("amount", required=True), S("currency", required=True))),
        DT("decidedAt", read_only=True),
        E("approvalStatus", ("approved", "pending", "declined"), read_only=True),
    ), description="An Ashby offer (its latest version)."),
)
