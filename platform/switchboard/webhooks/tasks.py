"""Celery tasks. Each takes ids, is idempotent, and leaves its record in the database (delivery
attempts, inbound events, sync runs), so running one twice or after a crash is harmless."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from switchboard.webhooks import conf


@shared_task(ignore_result=True)
def deliver(delivery_id: str) -> str:
    from switchboard.webhooks.delivery import attempt

    return attempt(delivery_id)


@shared_task(ignore_result=True)
def process_inbound(inbound_id: int) -> str:
    from switchboard.webhooks.inbound import process

    return process(inbound_id)


@shared_task(ignore_result=True)
def sync_remote_webhooks(connection_id: int) -> dict:
    from switchboard.connections.models import Connection
    from switchboard.webhooks.services import sync_remote_webhooks as sync

    connection = Connection.objects.filter(pk=connection_id).first()
    return sync(connection) if connection else {}


@shared_task(ignore_result=True)
def poll_model(connection_id: int, model: str, full: bool = False) -> int | None:
    from switchboard.connections.models import Connection
    from switchboard.webhooks.polling import run_sync

    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        return None
    run = run_sync(connection, model, full=full)
    return run.pk if run else None


@shared_task(ignore_result=True)
def schedule_polls() -> int:
    """Beat: queue every due (connection, model) pass."""
    from switchboard.webhooks.models import RemoteWebhook
    from switchboard.webhooks.polling import schedule

    due = schedule()
    for connection_id, model, full in due:
        poll_model.delay(connection_id, model, full)
    # Registrations that failed (e.g. a key without apiKeysWrite) are tried again hourly; polling
    # covers their events meanwhile.
    stale = timezone.now() - timedelta(hours=1)
    retry = set(RemoteWebhook.objects.filter(remote_id="", updated_at__lt=stale).values_list("connection_id", flat=True))
    for connection_id in retry:
        RemoteWebhook.objects.filter(connection_id=connection_id, remote_id="").update(updated_at=timezone.now())
        sync_remote_webhooks.delay(connection_id)
    return len(due)


@shared_task(ignore_result=True)
def sweep() -> dict:
    """Beat: re-queue due deliveries and inbound events the broker lost."""
    from switchboard.webhooks.delivery import sweep as run

    return run()


@shared_task(ignore_result=True)
def prune() -> dict:
    """Beat: drop events, deliveries and inbound payloads older than WEBHOOKS_RETENTION_DAYS.
    Pending deliveries are kept whatever their age: they are still owed."""
    from switchboard.webhooks.models import Delivery, Event, InboundEvent, SyncRun

    cutoff = timezone.now() - timedelta(days=conf.get("WEBHOOKS_RETENTION_DAYS"))
    owed = Delivery.objects.filter(status=Delivery.Status.PENDING).values("event_id")
    events = Event.objects.filter(created_at__lt=cutoff).exclude(seq__in=owed).delete()[0]
    inbound = InboundEvent.objects.filter(received_at__lt=cutoff).exclude(
        status=InboundEvent.Status.RECEIVED).delete()[0]
    runs = SyncRun.objects.filter(started_at__lt=cutoff).delete()[0]
    return {"events": events, "inbound": inbound, "runs": runs}
