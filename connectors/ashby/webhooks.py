"""Ashby webhooks: signature check, which Ashby webhook types feed which unified events, and the
translation of one delivery into unified events.

Ashby signs with `Ashby-Signature: sha256=<hex HMAC-SHA256(secretToken, raw body)>`. A delivery is
`{webhookActionId, action, data}`; `webhookActionId` is the idempotency key (same across retries).
Records that the payload carries in full are returned so the caller can build the resource
without another call; otherwise the record is None and the caller retrieves it (or, for deletions,
needs nothing but the id).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from connectors.ashby.models.schedule import event_id, flatten

# Types `webhook.create` accepts (Ashby spec).
ACCEPTED_TYPES = ("applicationSubmit", "applicationUpdate", "candidateHire", "candidateStageChange",
                  "candidateDelete", "candidateMerge", "interviewPlanTransition", "interviewScheduleCreate",
                  "interviewScheduleUpdate", "jobPostingUpdate", "jobPostingPublish", "jobPostingUnpublish",
                  "offerCreate", "offerUpdate", "offerDelete", "pushToHRIS", "surveySubmit")

# unified event -> Ashby webhook types that produce it. Events missing here come from polling.
EVENT_SOURCES: dict[str, tuple[str, ...]] = {
    "genericContact::deleted": ("candidateDelete", "candidateMerge"),
    "genericContact::updated": ("candidateMerge",),
    "atsApplication::created": ("applicationSubmit",),
    "atsApplication::updated": ("applicationUpdate", "candidateStageChange", "candidateHire", "pushToHRIS"),
    "atsJob::updated": ("jobPostingUpdate", "jobPostingPublish", "jobPostingUnpublish", "interviewPlanTransition"),
    "atsOffer::created": ("offerCreate",),
    "atsOffer::updated": ("offerUpdate", "candidateHire"),
    "atsOffer::deleted": ("offerDelete",),
    "scheduleEvent::created": ("interviewScheduleCreate",),
    "scheduleEvent::updated": ("interviewScheduleUpdate",),
    "scheduleEvent::deleted": ("interviewScheduleUpdate",),
}

# What the poller must cover (Ashby pushes nothing for these): DESIGN.md section 7.
POLLED_EVENTS = (
    "genericContact::created", "genericContact::updated", "genericUser::created", "genericUser::updated",
    "genericUser::deleted", "genericWorkspace::created", "genericWorkspace::updated", "genericWorkspace::deleted",
    "scheduleCalendar::created", "scheduleCalendar::updated", "scheduleCalendar::deleted",
    "scheduleEventType::created", "scheduleEventType::updated", "scheduleEventType::deleted",
    "atsJob::created", "atsJob::updated", "atsJob::deleted",
    "atsApplicationStage::created", "atsApplicationStage::updated", "atsApplicationStage::deleted",
)


def verify_signature(raw_body: bytes, header_value: str | None, secret: str) -> bool:
    """Constant-time check of `Ashby-Signature: sha256=<hex>` against the raw body bytes."""
    if not header_value or not secret or not isinstance(raw_body, bytes | bytearray):
        return False
    algo, _, given = header_value.strip().partition("=")
    if algo.strip().lower() != "sha256" or not given:
        return False
    expected = hmac.new(secret.encode(), bytes(raw_body), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def sign(raw_body: bytes, secret: str) -> str:
    """The header value Ashby would send (for tests and the sandbox)."""
    return "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


def webhook_types_for(items: Iterable[str]) -> list[str]:
    """Ashby webhook types to register for models (`atsJob`) or events (`atsJob::updated`)."""
    wanted: dict[str, None] = {}
    for item in items:
        for event, types in EVENT_SOURCES.items():
            model = event.split("::")[0]
            if item == event or item == model:
                for t in types:
                    wanted.setdefault(t, None)
    return [t for t in ACCEPTED_TYPES if t in wanted]


def _dict(value: Any) -> dict | None:
    return value if isinstance(value, dict) else None


def _app_events(data: dict, trigger: str) -> list[tuple]:
    app = _dict(data.get("application"))
    if app and app.get("id"):
        return [("atsApplication", trigger, app, app["id"])]
    return []


def map_webhook_event(payload: dict) -> list[tuple[str, str, dict | None, str]]:
    """One Ashby delivery -> [(model, trigger, remote_record_or_None, id)]. Unknown actions and
    ones with no unified meaning (ping, surveySubmit, openingCreate) map to []."""
    if not isinstance(payload, dict):
        return []
    action = payload.get("action")
    data = _dict(payload.get("data")) or {}
    out: list[tuple[str, str, dict | None, str]] = []

    if action == "applicationSubmit":
        out += _app_events(data, "created")
    elif action in ("applicationUpdate", "candidateStageChange", "pushToHRIS"):
        out += _app_events(data, "updated")
    elif action == "candidateHire":
        out += _app_events(data, "updated")
        offer = _dict(data.get("offer"))
        if offer and offer.get("id"):
            out.append(("atsOffer", "updated", offer, offer["id"]))
    elif action == "candidateDelete":
        cid = (_dict(data.get("candidate")) or {}).get("id")
        if cid:
            out.append(("genericContact", "deleted", None, cid))
    elif action == "candidateMerge":
        gone = (_dict(data.get("deletedCandidate")) or {}).get("id")
        kept = (_dict(data.get("mergedCandidate")) or {}).get("id")
        if gone:
            out.append(("genericContact", "deleted", None, gone))
        if kept:
            out.append(("genericContact", "updated", None, kept))
    elif action in ("interviewScheduleCreate", "interviewScheduleUpdate"):
        schedule = _dict(data.get("interviewSchedule"))
        if schedule and schedule.get("id"):
            if action == "interviewScheduleCreate":
                trigger = "created"
            elif schedule.get("status") == "Cancelled":
                trigger = "deleted"
            else:
                trigger = "updated"
            for rec in flatten([schedule]):
                out.append(("scheduleEvent", trigger, rec, event_id(rec["schedule"], rec["event"])))
    elif action in ("jobCreate", "jobUpdate"):
        job = _dict(data.get("job"))
        if job and job.get("id"):
            out.append(("atsJob", "created" if action == "jobCreate" else "updated", job, job["id"]))
    elif action in ("jobPostingUpdate", "jobPostingPublish", "jobPostingUnpublish"):
        job_id = (_dict(data.get("jobPosting")) or {}).get("jobId")
        if job_id:
            out.append(("atsJob", "updated", None, job_id))
    elif action == "interviewPlanTransition":
        if data.get("jobId"):
            out.append(("atsJob", "updated", None, data["jobId"]))
    elif action in ("offerCreate", "offerUpdate"):
        offer = _dict(data.get("offer"))
        if offer and offer.get("id"):
            out.append(("atsOffer", "created" if action == "offerCreate" else "updated", offer, offer["id"]))
    elif action == "offerDelete":
        oid = (_dict(data.get("offer")) or {}).get("id")
        if oid:
            out.append(("atsOffer", "deleted", None, oid))
    elif action == "signatureRequestUpdate":
        if data.get("offerId"):
            out.append(("atsOffer", "updated", None, data["offerId"]))
        elif data.get("applicationId"):
            out.append(("atsApplication", "updated", None, data["applicationId"]))
    return out
