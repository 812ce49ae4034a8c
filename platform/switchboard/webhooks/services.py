"""Business logic of events and webhooks, in plain functions (views and tasks stay thin).

- `emit_event` records a unified event and one delivery row per matching subscription, then
  queues them once the transaction commits (the sweeper catches anything the broker loses).
- The connection hooks the connections app calls: `emit_connection_event`,
  `connection_authorized`, `connection_deleted`.
- `sync_remote_webhooks` keeps the provider webhooks a connection needs registered (and only those).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from connectors.errors import ConnectorError
from switchboard.connections.models import Connection
from switchboard.webhooks import catalog, conf
from switchboard.webhooks.models import (
    Delivery,
    Event,
    InboundEndpoint,
    RemoteWebhook,
    Subscription,
)

logger = logging.getLogger("switchboard.webhooks")


def new_signing_secret() -> str:
    # Standard Webhooks secrets: "whsec_" + base64 of 24-64 random bytes.
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def fingerprint(resource: dict, list_omits: dict | None = None) -> str:
    """Hash of what a developer sees of a record in a list. Timestamps are left out so a touch that
    changes nothing in the unified fields is not an event; no personal data is stored, only the
    hash. Fields a list leaves out (`list_omits`, the connector's `list_omitted_fields`) count at
    the value a list shows, so a complete record hashes like the listed one."""
    fields = resource.get("fields", resource)
    if list_omits and isinstance(fields, dict):
        fields = {**fields, **{k: v for k, v in list_omits.items() if k in fields}}
    return _hash(fields)


def _hash(value) -> str:
    payload = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def compare(stored: str | None, resource: dict, list_omits: dict | None, *, complete: bool) -> tuple[str, str]:
    """("new" | "changed" | "same", the fingerprint to store) for a record seen again.

    A stored fingerprint is the list hash, then `+` and a hash of the omitted fields once a complete
    record was seen (a retrieve, a completed push). The poller sees lists: it compares the first
    part and keeps the second. A complete record compares both; the first time one is seen, its
    omitted fields are news unless they equal what a list shows: whether the text just changed
    cannot be told, and a push means Ashby says something did. After that, only real changes."""
    listed = fingerprint(resource, list_omits)
    omitted = None
    if complete and list_omits:
        fields = resource.get("fields", resource)
        omitted = _hash({k: fields.get(k) for k in sorted(list_omits)}) if isinstance(fields, dict) else None
    if stored is None:
        return "new", listed + (f"+{omitted}" if omitted else "")
    stored_listed, _, stored_omitted = stored.partition("+")
    changed = listed != stored_listed
    if omitted is not None:
        baseline = stored_omitted or _hash({k: list_omits[k] for k in sorted(list_omits)})
        changed = changed or omitted != baseline
    keep = omitted or stored_omitted
    return ("changed" if changed else "same"), listed + (f"+{keep}" if keep else "")


def list_omits(connection: Connection, model: str) -> dict:
    """The connector's `list_omitted_fields(model)` (empty for custom models and other connectors)."""
    from switchboard.connections.services import connector_or_404

    describe = getattr(connector_or_404(connection.connector_id), "list_omitted_fields", None)
    return describe(model) if describe is not None else {}


def complete(client, connection: Connection, model: str, resources: list[dict]) -> tuple[list[dict], str | None]:
    """Resources (read with their `remote`) with what lists leave out filled in by the connector,
    for event payloads. If the provider calls fail, the resources come back as they were, with a
    sentence for the sync log: an event with list data beats no event."""
    if not resources or not list_omits(connection, model) or not hasattr(client, "complete"):
        return resources, None
    try:
        return client.complete(model, resources), None
    except ConnectorError as exc:
        return resources, f"{model}: could not complete {len(resources)} record(s) for events ({exc.message})"


def render(connection: Connection, model: str, resources: list[dict]) -> list[dict]:
    """Post-process resources exactly as the resources API does (field mappings live there)."""
    try:
        from switchboard.resources.services import render_resources
    except ImportError:
        return resources
    return render_resources(connection, model, resources)


def connection_models(connection: Connection) -> set[str]:
    """Models the connection was granted an operation on: events of other models would show the
    developer data the connection was never allowed to read."""
    return {op.split("::", 1)[0] for op in connection.operations
            if op.endswith("::list") or op.endswith("::retrieve")}


# -- subscriptions --------------------------------------------------------------------------------

def subscriptions_for(tenant_id: int, connector_id: str | None, owner_id: str | None,
                      *, active_only: bool = True) -> list[Subscription]:
    qs = Subscription.objects.filter(tenant_id=tenant_id)
    if active_only:
        qs = qs.filter(is_active=True)
    # JSON "contains" is not portable to SQLite, and a tenant has few subscriptions: match here.
    return [s for s in qs if s.applies_to(connector_id, owner_id)]


def interested_events(connection: Connection) -> set[str]:
    """Model events some active subscription wants from this connection (only granted models)."""
    wanted: set[str] = set()
    for sub in subscriptions_for(connection.tenant_id, connection.connector_id, connection.owner_id):
        wanted |= catalog.expand(sub.events, connection.tenant_id)
    # Custom models are the tenant's own read-only views; like the resources API, they need an
    # authorized connection but no operation.
    allowed = connection_models(connection) | catalog.custom_models(connection.tenant_id)
    return {e for e in wanted if e.split("::", 1)[0] in allowed}


def affected_connections(sub: Subscription) -> Iterable[Connection]:
    qs = Connection.objects.filter(tenant_id=sub.tenant_id)
    if sub.connector_id:
        qs = qs.filter(connector_id=sub.connector_id, owner_id=sub.owner_id)
    return qs.only("pk")


def subscriptions_changed(sub: Subscription) -> None:
    """After a subscription is created, changed or deleted: provider webhooks follow, in workers."""
    from switchboard.webhooks import tasks

    for connection in affected_connections(sub):
        queue(tasks.sync_remote_webhooks, connection.pk)


# -- events ---------------------------------------------------------------------------------------

def queue(task, *args) -> None:
    """Queue after commit. If the broker is down the rows are still in the database and the
    sweeper queues them later, so a failed send is logged, not raised into the caller."""

    def send():
        try:
            task.delay(*args)
        except Exception:
            logger.warning("could not queue %s%r; the sweeper will retry", task.name, args, exc_info=True)

    transaction.on_commit(send)


def emit_event(*, tenant_id: int, connection: Connection | None, connector_id: str, owner_id: str,
               event_type: str, data, record_id: str = "", source: str, sync_run=None) -> Event:
    from switchboard.webhooks import tasks

    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.create(tenant_id=tenant_id, connection=connection, connector_id=connector_id,
                                     owner_id=owner_id, type=event_type, data=data, record_id=record_id or "",
                                     source=source, sync_run=sync_run, created_at=now)
        subs = [s for s in subscriptions_for(tenant_id, connector_id, owner_id) if catalog.matches(s.events, event_type)]
        deliveries = Delivery.objects.bulk_create([
            Delivery(event=event, subscription=s, next_attempt_at=now, queued_at=now) for s in subs])
        for delivery in deliveries:
            queue(tasks.deliver, delivery.pk)
    return event


def emit_for_connection(connection: Connection, event_type: str, data, *, record_id: str = "", source: str,
                        sync_run=None) -> Event:
    return emit_event(tenant_id=connection.tenant_id, connection=connection, connector_id=connection.connector_id,
                      owner_id=connection.owner_id, event_type=event_type, data=data, record_id=record_id,
                      source=source, sync_run=sync_run)


def replay(event: Event) -> int:
    """Deliver an event again to every active subscription that matches it now."""
    from switchboard.webhooks import tasks

    now = timezone.now()
    queued = 0
    with transaction.atomic():
        for sub in subscriptions_for(event.tenant_id, event.connector_id, event.owner_id):
            if not catalog.matches(sub.events, event.type):
                continue
            delivery, created = Delivery.objects.get_or_create(
                event=event, subscription=sub, defaults={"next_attempt_at": now, "queued_at": now})
            if created:
                queue(tasks.deliver, delivery.pk)
            else:
                replay_delivery(delivery)
            queued += 1
    return queued


def replay_delivery(delivery: Delivery) -> None:
    """Send one delivery again with a fresh retry budget (attempt numbers keep counting up in the
    log, so earlier attempts stay visible)."""
    from switchboard.webhooks import tasks

    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, next_attempt_at=now, queued_at=now, locked_until=None,
        replays=delivery.replays + 1, retry_base=delivery.attempts, updated_at=now)
    queue(tasks.deliver, delivery.pk)


# -- connection hooks (called by switchboard.connections) --------------------------------------

def emit_connection_event(connection: Connection, trigger: str) -> Event | None:
    if trigger not in catalog.CONNECTION_TRIGGERS:
        logger.warning("unknown connection trigger %r", trigger)
        return None
    event = emit_for_connection(connection, f"connection::{trigger}", connection.to_json(),
                                record_id=f"{connection.connector_id}/{connection.owner_id}",
                                source=Event.Source.CONNECTION)
    if trigger == "permissionsChanged":
        # A key that just gained apiKeysWrite can now carry the provider webhooks it could not before.
        connection_authorized(connection)
    return event


def connection_authorized(connection: Connection) -> None:
    """Register the provider webhooks this connection's subscriptions need (in a worker)."""
    from switchboard.webhooks import tasks

    if subscriptions_for(connection.tenant_id, connection.connector_id, connection.owner_id):
        queue(tasks.sync_remote_webhooks, connection.pk)


def connection_deleted(connection: Connection) -> None:
    """Remove our webhooks at the provider now, while the credentials still exist."""
    remove_remote_webhooks(connection)


# -- writes made through Switchboard ------------------------------------------------------------

def resource_written(connection: Connection, model: str, trigger: str, resource: dict | str) -> Event | None:
    """For the resources API, after a successful create/update/delete through Switchboard: the
    event goes out now instead of when the poller next looks, and the record's fingerprint is
    updated so neither the poller nor Ashby's own webhook reports the same change twice.
    `resource` is the resource as returned to the caller (or the id, for a delete)."""
    from switchboard.webhooks.inbound import connection_lock, record_change

    if model not in connection_models(connection) or trigger not in catalog.TRIGGERS:
        return None
    if isinstance(resource, str) or trigger == "deleted":
        rid = resource if isinstance(resource, str) else str(resource.get("id"))
        data = unified_ref(model, rid)
    else:
        data = render(connection, model, [resource])[0]
        rid = str(data.get("id"))
    with connection_lock(connection.pk):
        trigger = record_change(connection, model, trigger, rid, data)
        if trigger == "unchanged":
            return None
        return emit_for_connection(connection, f"{model}::{trigger}", data, record_id=rid,
                                   source=Event.Source.API)


def unified_ref(model: str, rid: str) -> dict:
    from connectors import unified

    return unified.resource_ref(model, rid)


# -- provider webhooks ------------------------------------------------------------------------

def inbound_url(connection: Connection, endpoint: InboundEndpoint) -> str:
    return f"{conf.public_base_url()}/hooks/{connection.connector_id}/{endpoint.token}"


def needed_webhook_types(connection: Connection) -> list[str]:
    if connection.status != Connection.Status.AUTHORIZED or not connection.credentials:
        return []
    return catalog.webhook_types_for(connection.connector_id, interested_events(connection))


def _client(connection: Connection, *, patient: bool = False):
    """A background client: it yields to live API calls (they keep a reserve of the budget).
    `patient` clients (polling passes of up to thousands of pages) wait out an exhausted budget
    window instead of failing, since a pass that dies at page 700 of 1,000 would start over and
    never finish on a large account."""
    from switchboard.connections.services import connector_context, connector_or_404

    connector = connector_or_404(connection.connector_id)
    ctx = connector_context(connection, background=True)
    if patient and hasattr(ctx.rate_limiter, "max_wait"):
        ctx.rate_limiter.max_wait = 65.0
    return connector.client(ctx)


def sync_remote_webhooks(connection: Connection) -> dict:
    """Register missing provider webhooks, delete unneeded ones. Idempotent: run it any time.

    Returns {"registered": [...], "removed": [...], "failed": {type: message}}."""
    needed = set(needed_webhook_types(connection))
    existing = {rw.webhook_type: rw for rw in connection.remote_webhooks.all()}
    report: dict = {"registered": [], "removed": [], "failed": {}}
    if not needed and not existing:
        return report
    endpoint = None
    if needed:
        endpoint, _ = InboundEndpoint.objects.get_or_create(
            connection=connection, defaults={"secret": secrets.token_urlsafe(32)})
    client = _client(connection)
    url = inbound_url(connection, endpoint) if endpoint else ""
    for webhook_type, rw in existing.items():
        stale_url = rw.registered and rw.request_url != url
        if webhook_type in needed and not stale_url:
            continue
        if rw.registered:
            try:
                client.delete_webhook(rw.remote_id)
            except ConnectorError as exc:
                rw.last_error = f"Could not delete the webhook at the provider: {exc.message}"
                rw.save(update_fields=["last_error", "updated_at"])
                report["failed"][webhook_type] = rw.last_error
                continue
        rw.delete()
        report["removed"].append(webhook_type)
    current = {rw.webhook_type: rw for rw in connection.remote_webhooks.all()}
    for webhook_type in sorted(needed):
        rw = current.get(webhook_type)
        if rw is not None and rw.registered:
            continue
        try:
            remote_id = client.register_webhook(webhook_type, url, endpoint.secret)
        except ConnectorError as exc:
            message = f"Could not register the {webhook_type} webhook: {exc.message}"
            RemoteWebhook.objects.update_or_create(
                connection=connection, webhook_type=webhook_type,
                defaults={"remote_id": "", "request_url": url, "last_error": message})
            report["failed"][webhook_type] = message
            continue
        RemoteWebhook.objects.update_or_create(
            connection=connection, webhook_type=webhook_type,
            defaults={"remote_id": remote_id, "request_url": url, "last_error": ""})
        report["registered"].append(webhook_type)
    return report


def remove_remote_webhooks(connection: Connection) -> None:
    remote = [rw for rw in connection.remote_webhooks.all() if rw.registered]
    if not remote:
        return
    try:
        client = _client(connection)
    except ConnectorError:
        logger.warning("cannot remove provider webhooks of %s: no working client", connection)
        return
    for rw in remote:
        try:
            client.delete_webhook(rw.remote_id)
            rw.delete()
        except ConnectorError as exc:
            logger.warning("could not delete provider webhook %s of %s: %s", rw.remote_id, connection, exc.message)


def pushed_events(connection: Connection) -> set[str]:
    """Events the provider pushes for this connection through webhooks registered right now."""
    types = set(connection.remote_webhooks.exclude(remote_id="").values_list("webhook_type", flat=True))
    return catalog.pushed_by(connection.connector_id, types)
