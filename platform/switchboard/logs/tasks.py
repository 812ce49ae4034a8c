from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task
def prune_request_logs() -> int:
    """Delete request and upstream logs older than REQUEST_LOG_RETENTION_DAYS; idempotent."""
    from switchboard.logs.models import RequestLog, UpstreamCallLog

    cutoff = timezone.now() - timedelta(days=settings.REQUEST_LOG_RETENTION_DAYS)
    deleted = RequestLog.objects.filter(created_at__lt=cutoff).delete()[0]
    deleted += UpstreamCallLog.objects.filter(created_at__lt=cutoff).delete()[0]
    return deleted
