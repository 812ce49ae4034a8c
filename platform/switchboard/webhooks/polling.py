"""Change detection by polling, for what the provider does not push.

One pass = one SyncRun. Incremental passes send the stored sync token and see only changed
records; full passes see everything, which is the only way to learn about deletions. A record's
fingerprint (a hash of its unified fields) decides created / updated / unchanged; the first
complete pass only records fingerprints (the baseline) and emits nothing. Work is done page by
page, so memory stays flat apart from the set of ids seen in a full pass.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from connectors import errors as cerr
from connectors import unified
from switchboard.api.errors import ApiError
from switchboard.connections.models import Connection
from switchboard.webhooks import catalog, conf, services
from switchboard.webhooks.models import Event, RecordFingerprint, SyncRun, SyncState

logger = logging.getLogger("switchboard.webhooks.polling")
LOCK_SECONDS = 6 * 3600


def models_to_poll(connection: Connection) -> list[str]:
    """Models with an event some subscription wants that no registered provider webhook pushes."""
    if connection.status != Connection.Status.AUTHORIZED or not connection.credentials:
        return []
    wanted = services.interested_events(connection) - services.pushed_events(connection)
    models = {e.split("::", 1)[0] for e in wanted}
    missing = set(connection.missing_operations or [])
    custom = catalog.custom_models(connection.tenant_id)
    models = {m for m in models
              if m in custom or (f"{m}::list" in connection.operations and f"{m}::list" not in missing)}
    only = conf.get("WEBHOOKS_POLL_MODELS")
    if only:
        models &= set(only)
    return sorted(models)


def schedule(now=None) -> list[tuple[int, str, bool]]:
    """Which (connection, model, full) passes are due; marks them scheduled so the next beat
    tick does not queue them again while they wait in the broker."""
    now = now or timezone.now()
    due = []
    incremental = timedelta(seconds=conf.get("WEBHOOKS_POLL_INTERVAL_SECONDS"))
    for connection in Connection.objects.filter(status=Connection.Status.AUTHORIZED):
        for model in models_to_poll(connection):
            state, _ = SyncState.objects.get_or_create(connection=connection, model=model)
            if state.unsupported:
                continue
            if state.next_incremental_at is not None and state.next_incremental_at > now:
                continue  # not due, or queued and waiting for a worker
            full = state.baseline_at is None or (state.next_full_at is not None and state.next_full_at <= now)
            SyncState.objects.filter(pk=state.pk).update(next_incremental_at=now + incremental)
            due.append((connection.pk, model, full))
    return due


class Pass:
    """The bookkeeping of one pass over one model."""

    def __init__(self, connection: Connection, model: str, run: SyncRun, *, baseline: bool,
                 progress: Callable[[SyncRun], None] | None):
        self.connection, self.model, self.run = connection, model, run
        self.baseline = baseline
        self.progress = progress
        self.seen: set[str] | None = None
        self.client = None  # set for connector models: completes event payloads (services.complete)
        self.list_omits = services.list_omits(connection, model)

    def page(self, resources: list[dict]) -> None:
        conn, model, run = self.connection, self.model, self.run
        # The raw records, before render() drops them: events get what lists omit from them.
        remote = {str(r["id"]): r.get("remote") for r in resources if r.get("id")} if self.list_omits else {}
        resources = services.render(conn, model, resources)
        by_id: dict[str, dict] = {}
        for resource in resources:
            rid = resource.get("id")
            if rid:
                by_id[str(rid)] = resource
        if self.seen is not None:
            self.seen.update(by_id)
        existing = {rid: (pk, fp) for rid, pk, fp in RecordFingerprint.objects.filter(
            connection=conn, model=model, record_id__in=list(by_id)).values_list("record_id", "pk", "fingerprint")}
        new_rows, changed_rows, events = [], [], []
        for rid, resource in by_id.items():
            known = existing.get(rid)
            # Lists are compared as lists: what they omit keeps its last complete sighting.
            seen, fp = services.compare(known[1] if known else None, resource, self.list_omits, complete=False)
            if seen == "new":
                new_rows.append(RecordFingerprint(connection=conn, model=model, record_id=rid, fingerprint=fp))
                run.created += 0 if self.baseline else 1
                if not self.baseline:
                    events.append(("created", rid, resource))
            elif seen == "changed":
                changed_rows.append(RecordFingerprint(pk=known[0], fingerprint=fp))
                run.updated += 0 if self.baseline else 1
                if not self.baseline:
                    events.append(("updated", rid, resource))
            else:
                run.unchanged += 1
        if events and remote and self.client is not None:
            events = self._complete(events, remote)
        run.seen += len(by_id)
        run.pages += 1
        with transaction.atomic():
            RecordFingerprint.objects.bulk_create(new_rows, batch_size=500, ignore_conflicts=True)
            RecordFingerprint.objects.bulk_update(changed_rows, ["fingerprint"], batch_size=500)
            for trigger, rid, resource in events:
                services.emit_for_connection(conn, f"{model}::{trigger}", resource, record_id=rid,
                                             source=Event.Source.POLL, sync_run=run)
            run.save(update_fields=["seen", "created", "updated", "unchanged", "pages"])
        if self.progress:
            self.progress(run)

    def _complete(self, events: list[tuple], remote: dict) -> list[tuple]:
        """Event payloads as a retrieve would show them (a job's description, an event's
        candidate): provider calls for the changed records only, never for the whole pass."""
        stubs = [{"id": rid, "remote": remote.get(rid)} for _, rid, _ in events]
        if not all(isinstance(s["remote"], dict) for s in stubs):
            return events
        completed, problem = services.complete(self.client, self.connection, self.model, stubs)
        if problem:
            self.run.errors.append(problem)
            return events
        rendered = services.render(self.connection, self.model, completed)
        return [(trigger, rid, full) for (trigger, rid, _), full in zip(events, rendered, strict=True)]

    def deletions(self) -> None:
        """After a complete full pass: every known record not seen is gone."""
        conn, model, run = self.connection, self.model, self.run
        seen = self.seen or set()
        known = RecordFingerprint.objects.filter(connection=conn, model=model).values_list("record_id", flat=True)
        gone = [rid for rid in known.iterator(chunk_size=5000) if rid not in seen]
        if not gone:
            return
        if not seen:
            # An empty answer where we knew records is far more often a lost permission or a
            # provider hiccup than a real mass deletion; do not announce one on that evidence.
            run.errors.append(f"The provider listed no {model} records but {len(gone)} were known; "
                              f"not treating them all as deleted.")
            return
        for start in range(0, len(gone), 500):
            chunk = gone[start:start + 500]
            with transaction.atomic():
                RecordFingerprint.objects.filter(connection=conn, model=model, record_id__in=chunk).delete()
                if not self.baseline:
                    for rid in chunk:
                        services.emit_for_connection(conn, f"{model}::deleted", unified.resource_ref(model, rid),
                                                     record_id=rid, source=Event.Source.POLL, sync_run=run)
        run.deleted += 0 if self.baseline else len(gone)


def _pages(result):
    """Pages with the raw record kept when the connector can (field mappings read it; render()
    drops it before anything leaves), so polled and pushed resources fingerprint alike."""
    try:
        accepts = "include_remote" in inspect.signature(result.pages).parameters
    except (TypeError, ValueError):
        accepts = False
    return result.pages(include_remote=True) if accepts else result.pages()


class CustomModelPass:
    """A tenant's custom model (the mappings app) seen like a connector sync result: always a
    full pass (custom models have no sync token), in pages of 100."""

    incremental = False
    sync_token = None

    def __init__(self, connection: Connection, model: str):
        self.connection, self.model = connection, model

    def pages(self, include_remote: bool = False):
        from switchboard.mappings.services import iter_custom_model_records

        page: list[dict] = []
        for resource in iter_custom_model_records(self.connection, self.model, include_remote=include_remote):
            page.append(resource)
            if len(page) == 100:
                yield page
                page = []
        if page:
            yield page


def _run_pass(client, p: Pass, token: str | None) -> str | None:
    if p.model in catalog.custom_models(p.connection.tenant_id):
        result = CustomModelPass(p.connection, p.model)
        p.list_omits = {}
    else:
        result = client.sync(p.model, sync_token=token)
        p.client = client
    incremental = bool(getattr(result, "incremental", bool(token)))
    p.run.mode = SyncRun.Mode.INCREMENTAL if incremental else SyncRun.Mode.FULL
    p.seen = None if incremental else set()
    for page in _pages(result):
        p.page(page)
    if not incremental:
        p.deletions()
    return getattr(result, "sync_token", None)


def run_sync(connection: Connection, model: str, *, full: bool = False,
             progress: Callable[[SyncRun], None] | None = None) -> SyncRun | None:
    """One polling pass. Returns its SyncRun, or None when another pass of the same connection
    and model is already running (a shared lock, so any number of workers can run beat tasks)."""
    lock = f"webhooks:sync:{connection.pk}:{model}"
    if not cache.add(lock, 1, timeout=LOCK_SECONDS):
        return None
    try:
        return _run_sync(connection, model, full=full, progress=progress)
    finally:
        cache.delete(lock)


def _run_sync(connection, model, *, full, progress) -> SyncRun:
    state, _ = SyncState.objects.get_or_create(connection=connection, model=model)
    baseline = state.baseline_at is None
    token = None if (full or baseline) else (state.sync_token or None)
    run = SyncRun.objects.create(connection=connection, model=model, baseline=baseline,
                                 mode=SyncRun.Mode.INCREMENTAL if token else SyncRun.Mode.FULL)
    p = Pass(connection, model, run, baseline=baseline, progress=progress)
    now = timezone.now()
    try:
        client = services._client(connection, patient=True)
        try:
            new_token = _run_pass(client, p, token)
        except cerr.SyncTokenExpired as exc:
            # Ashby: sync_token_expired / sync_token_invalid / incremental_sync_too_large. Drop the
            # token and look at everything; fingerprints keep records already reported unchanged.
            run.errors.append(f"Incremental pass refused ({exc.remote_code or exc.message}); "
                              f"fell back to a full pass.")
            state.sync_token = ""
            new_token = _run_pass(client, p, None)
        finished = timezone.now()
        state.sync_token = new_token or ""
        state.last_error = ""
        if run.mode == SyncRun.Mode.FULL:
            state.last_full_at = finished
            state.next_full_at = finished + timedelta(seconds=conf.get("WEBHOOKS_FULL_SYNC_INTERVAL_SECONDS"))
            if baseline:
                state.baseline_at = finished
        else:
            state.last_incremental_at = finished
        state.next_incremental_at = finished + timedelta(seconds=conf.get("WEBHOOKS_POLL_INTERVAL_SECONDS"))
        run.status = SyncRun.Status.SUCCEEDED
    except (cerr.ConnectorError, ApiError) as exc:
        run.status = SyncRun.Status.FAILED
        run.errors.append(f"{type(exc).__name__}: {exc.message}")
        state.last_error = exc.message[:2000]
        if isinstance(exc, cerr.NotSupported):
            state.unsupported = True
        # Back off until the next incremental slot; a rate limit says how long itself.
        wait = getattr(exc, "retry_after", None) or conf.get("WEBHOOKS_POLL_INTERVAL_SECONDS")
        state.next_incremental_at = now + timedelta(seconds=wait)
    except Exception as exc:
        run.status = SyncRun.Status.FAILED
        run.errors.append(f"Internal error: {type(exc).__name__}: {exc}"[:2000])
        logger.exception("polling %s of %s failed", model, connection)
        raise
    finally:
        run.finished_at = timezone.now()
        run.save()
        state.save()
    return run

