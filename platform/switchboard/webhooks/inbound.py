"""Provider webhooks in: verify, store, answer; then (in a worker) turn them into unified events.

The receiver does the least that makes the delivery safe: check the signature over the raw body,
store the payload under its idempotency key, answer 200. Everything that can be slow or fail
(fetching records, rendering, fan-out) happens in `process`, which may run more than once.
"""

from __future__ import annotations

import hashlib
import logging
import time
from contextlib import contextmanager
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from connectors import errors as cerr
from connectors import unified
from switchboard.webhooks import catalog, services
from switchboard.webhooks.models import (
    Event,
    InboundEndpoint,
    InboundEvent,
    RecordFingerprint,
    SyncRun,
)

logger = logging.getLogger("switchboard.webhooks.inbound")
MAX_PROCESS_ATTEMPTS = 8
LEASE_SECONDS = 300


class Rejected(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def signature_header(connector_id: str) -> str:
    module = catalog.provider_module(connector_id)
    return getattr(module, "SIGNATURE_HEADER", "Ashby-Signature")


def receive(connector_id: str, token: str, raw_body: bytes, headers) -> dict:
    """Store one delivery. Returns the JSON to answer with 200; raises Rejected otherwise."""
    endpoint = (InboundEndpoint.objects.select_related("connection")
                .filter(token=token, connection__connector_id=connector_id).first())
    if endpoint is None:
        raise Rejected(404, "Unknown webhook endpoint.")
    module = catalog.provider_module(connector_id)
    verify = getattr(module, "verify_signature", None)
    if verify is None:
        raise Rejected(404, f"The {connector_id} connector does not receive webhooks.")
    if not verify(raw_body, headers.get(signature_header(connector_id)), endpoint.secret):
        raise Rejected(401, "Missing or invalid signature.")
    try:
        import json

        payload = json.loads(raw_body)
    except ValueError:
        raise Rejected(400, "The body is not JSON.") from None
    if not isinstance(payload, dict):
        raise Rejected(400, "The body is not a JSON object.")
    action = str(payload.get("action") or "")
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    if action == "ping" or data.get("webhookActionType") == "ping":
        # Ashby pings while `webhook.create` is still running; answering without a write keeps
        # the registration's transaction free of contention.
        return {"ok": True, "ping": True}
    # Ashby repeats webhookActionId across retries and across webhooks fired by one action; a
    # body hash stands in for providers (or payloads) that have none.
    action_id = str(payload.get("webhookActionId") or "sha256:" + hashlib.sha256(raw_body).hexdigest())[:255]
    connection = endpoint.connection
    try:
        with transaction.atomic():
            inbound = InboundEvent.objects.create(connection=connection, action_id=action_id, action=action[:64],
                                                  payload=payload, queued_at=timezone.now())
            from switchboard.webhooks import tasks

            services.queue(tasks.process_inbound, inbound.pk)
    except IntegrityError:
        InboundEvent.objects.filter(connection=connection, action_id=action_id).update(duplicates=F("duplicates") + 1)
        return {"ok": True, "duplicate": True}
    InboundEndpoint.objects.filter(pk=endpoint.pk).update(last_received_at=timezone.now())
    return {"ok": True}


def _claim(inbound_id: int) -> bool:
    now = timezone.now()
    return bool(InboundEvent.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now), pk=inbound_id, status=InboundEvent.Status.RECEIVED,
    ).update(locked_until=now + timedelta(seconds=LEASE_SECONDS), attempts=F("attempts") + 1))


def process(inbound_id: int) -> str:
    """Map one stored delivery to unified events. Idempotent: a processed row is left alone, and
    a claim keeps two workers from doing the same row at once."""
    if not _claim(inbound_id):
        return "skipped"
    inbound = InboundEvent.objects.select_related("connection", "connection__tenant").get(pk=inbound_id)
    connection = inbound.connection
    module = catalog.provider_module(connection.connector_id)
    mapped = module.map_webhook_event(inbound.payload or {}) if module else []
    allowed = services.connection_models(connection)
    mapped = [m for m in mapped if m[0] in allowed]
    if not mapped:
        InboundEvent.objects.filter(pk=inbound.pk).update(status=InboundEvent.Status.IGNORED,
                                                          processed_at=timezone.now(), locked_until=None)
        return "ignored"

    # Remote calls first, outside any transaction: a slow provider must not hold database locks.
    try:
        prepared, problems = _prepare(connection, mapped)
    except cerr.ConnectorError as exc:
        failed = inbound.attempts >= MAX_PROCESS_ATTEMPTS
        InboundEvent.objects.filter(pk=inbound.pk).update(
            error=f"{type(exc).__name__}: {exc.message}"[:2000], locked_until=None,
            status=InboundEvent.Status.FAILED if failed else InboundEvent.Status.RECEIVED,
            # Retried by the sweeper once REQUEUE_AFTER has passed since this attempt.
            queued_at=timezone.now())
        return "failed" if failed else "retry"

    models = sorted({m for m, *_ in mapped})
    try:
        with connection_lock(connection.pk):
            return _write(inbound, connection, models, prepared, problems)
    except cerr.UpstreamTimeout as exc:
        InboundEvent.objects.filter(pk=inbound.pk).update(error=exc.message, locked_until=None,
                                                          queued_at=timezone.now())
        return "retry"


def _write(inbound, connection, models, prepared, problems) -> str:
    with transaction.atomic():
        run = SyncRun.objects.create(connection=connection, model=",".join(models)[:64],
                                     mode=SyncRun.Mode.WEBHOOK, seen=len(prepared), pages=1, errors=problems)
        for model, trigger, rid, data, complete in prepared:
            trigger = record_change(connection, model, trigger, rid, data, complete=complete)
            if trigger == "unchanged":
                run.unchanged += 1
                continue
            setattr(run, trigger, getattr(run, trigger) + 1)
            services.emit_for_connection(connection, f"{model}::{trigger}", data, record_id=rid,
                                         source=Event.Source.WEBHOOK, sync_run=run)
        run.status = SyncRun.Status.SUCCEEDED
        run.finished_at = timezone.now()
        run.save()
        InboundEvent.objects.filter(pk=inbound.pk).update(status=InboundEvent.Status.PROCESSED, sync_run=run,
                                                          processed_at=timezone.now(), locked_until=None, error="")
    return "processed"


def _prepare(connection, mapped) -> tuple[list[tuple], list[str]]:
    client = services._client(connection)
    prepared, problems = [], []
    for model, trigger, record, rid in mapped:
        if trigger == "deleted":
            prepared.append((model, trigger, rid, unified.resource_ref(model, rid), False))
            continue
        try:
            # The raw record rides along so field mappings can read it; render() drops it again.
            if record:
                # A pushed record is list-shaped: add what lists omit (a job's description).
                resource = client.to_resource(model, record, include_remote=True)
                [resource], problem = services.complete(client, connection, model, [resource])
                complete = problem is None
                if problem:
                    problems.append(problem)
            else:
                resource, complete = client.retrieve(model, rid, include_remote=True), True
        except (cerr.NotFound, cerr.InsufficientPermissions, cerr.NotSupported, cerr.BadRequest) as exc:
            # Not worth retrying: say so in the sync log and send what we know (the reference).
            problems.append(f"{model} {rid}: {exc.message}")
            ref = unified.resource_ref(model, rid)
            ref["warnings"] = [{"code": "notRetrieved", "message": exc.message}]
            prepared.append((model, trigger, rid, ref, False))
            continue
        prepared.append((model, trigger, rid, services.render(connection, model, [resource])[0], complete))
    return prepared, problems


def record_change(connection, model: str, trigger: str, rid: str, data: dict, *, complete: bool = False) -> str:
    """Keep fingerprints in step with pushed changes, so one change is one event whichever
    source reports it first: Ashby fires applicationUpdate *and* candidateStageChange for one
    stage move, and the poller may see the same change too. Returns the trigger to emit, or
    "unchanged". `complete`: `data` has what lists omit (a retrieve, a completed push), so a
    change there (a job posting's text) counts too."""
    if trigger == "deleted":
        RecordFingerprint.objects.filter(connection=connection, model=model, record_id=rid).delete()
        return trigger
    if data.get("object") != "resource":
        return trigger
    row = RecordFingerprint.objects.filter(connection=connection, model=model, record_id=rid).first()
    seen, fp = services.compare(row.fingerprint if row else None, data, services.list_omits(connection, model),
                                complete=complete)
    if row is None:
        RecordFingerprint.objects.create(connection=connection, model=model, record_id=rid, fingerprint=fp)
        return trigger
    if seen == "same":
        if fp != row.fingerprint:  # first complete sighting of what lists omit: remember it quietly
            RecordFingerprint.objects.filter(pk=row.pk).update(fingerprint=fp)
        return "unchanged"
    row.fingerprint = fp
    row.save(update_fields=["fingerprint", "updated_at"])
    return "updated" if trigger == "created" else trigger  # already known, so what is new is a change


@contextmanager
def connection_lock(connection_id: int, wait: float = 30.0):
    """Serialise the write step per connection across workers (the lock lives in the shared
    cache), so two deliveries about the same record cannot both decide they are news."""
    key = f"webhooks:inbound:{connection_id}"
    deadline = time.monotonic() + wait
    while not cache.add(key, 1, timeout=120):
        if time.monotonic() > deadline:
            raise cerr.UpstreamTimeout("Another worker is still processing this connection's webhooks.")
        time.sleep(0.05)
    try:
        yield
    finally:
        cache.delete(key)
