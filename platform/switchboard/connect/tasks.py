"""Periodic work: re-check stored credentials' permissions before a developer's call fails, and
prune dead sessions. Tasks take ids and are idempotent (beat may fire twice; a worker may retry)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from switchboard.env import env_int

logger = logging.getLogger("switchboard.connect.tasks")


def recheck_interval() -> timedelta:
    hours = getattr(settings, "PERMISSION_RECHECK_HOURS", None) or env_int("PERMISSION_RECHECK_HOURS", 24)
    return timedelta(hours=hours)


@shared_task
def recheck_due_permissions(limit: int = 500) -> int:
    """Queue a re-check for each authorized (or failing) connection not checked within the interval.
    Oldest first, a bounded batch per run, so a big install spreads the provider calls out."""
    from switchboard.connections.models import Connection
    from switchboard.core.tasks import enqueue

    cutoff = timezone.now() - recheck_interval()
    due = (Connection.objects
           .filter(status__in=[Connection.Status.AUTHORIZED, Connection.Status.ERROR], credentials__isnull=False)
           .filter(Q(permissions_checked_at__isnull=True) | Q(permissions_checked_at__lt=cutoff))
           .order_by("permissions_checked_at")
           .values_list("pk", flat=True)[:limit])
    ids = list(due)
    for pk in ids:
        enqueue(recheck_connection_permissions, pk)
    return len(ids)


@shared_task
def recheck_connection_permissions(connection_id: int) -> str:
    """Re-check one connection. A provider outage leaves the record as it was (checked next run)."""
    from connectors.errors import ConnectorError, InvalidCredentials
    from connectors.registry import get_connector
    from switchboard.connect import oauth
    from switchboard.connections.models import Connection
    from switchboard.connections.services import recheck_permissions

    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None or not connection.credentials:
        return "skipped"
    connector = get_connector(connection.connector_id)
    if connector is None:
        return "skipped"
    try:
        if oauth.is_oauth(connector):
            # A revoked grant shows up here, before a developer's call: the refresh fails and
            # fresh_credentials marks the connection `error` with the reason.
            oauth.fresh_credentials(connection)
        recheck_permissions(connection)
    except InvalidCredentials:
        return Connection.Status.ERROR
    except NotImplementedError:
        return connection.status  # an OAuth connector without a check: its scopes are the record
    except ConnectorError as exc:
        logger.warning("permission re-check of connection %s failed: %s", connection_id, exc.code)
        return "failed"
    return connection.status


@shared_task
def prune_sessions(days: int = 7) -> int:
    """Delete sessions and OAuth attempts that expired more than `days` ago."""
    from switchboard.connect.models import OAuthAttempt, Session

    cutoff = timezone.now() - timedelta(days=days)
    deleted = Session.objects.filter(expires_at__lt=cutoff).delete()[0]
    deleted += OAuthAttempt.objects.filter(expires_at__lt=cutoff).delete()[0]
    return deleted
