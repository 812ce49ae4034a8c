"""One row per unified API call and per upstream (provider) call. No bodies, no secrets: method,
path, status, timing, ids and the error code are what operators need to answer "what happened?"."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import models
from django.utils import timezone

# When the call happened, not when the row reached the database: rows are written in batches a
# moment later (switchboard.logs.capture), so the time is set when the row is built.


class RequestLog(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    tenant = models.ForeignKey("tenants.Tenant", null=True, blank=True, on_delete=models.SET_NULL)
    connection = models.ForeignKey("connections.Connection", null=True, blank=True, on_delete=models.SET_NULL)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    query = models.CharField(max_length=500, blank=True, default="")
    status = models.PositiveSmallIntegerField()
    duration_ms = models.FloatField()
    request_id = models.CharField(max_length=128, db_index=True)
    error_code = models.CharField(max_length=100, blank=True, default="")
    auth = models.CharField(max_length=16, blank=True, default="", help_text="secret, session or none")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class UpstreamCallLog(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    connection = models.ForeignKey("connections.Connection", null=True, blank=True, on_delete=models.SET_NULL)
    method = models.CharField(max_length=8)
    host = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.FloatField()
    attempt = models.PositiveSmallIntegerField(default=1)
    error_code = models.CharField(max_length=100, blank=True, default="")
    request_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    upstream_request_id = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.method} {self.host}{self.path} {self.status}"

    @classmethod
    def record(cls, connection, call, request_id: str | None) -> None:
        from switchboard.logs import capture

        # Inside an API request the row is built and written after the answer has left.
        at = timezone.now()
        if not capture.defer(lambda: cls.from_call(connection, call, request_id, at=at)):
            cls.from_call(connection, call, request_id, at=at).save()

    @classmethod
    def from_call(cls, connection, call, request_id: str | None, *, at=None) -> UpstreamCallLog:
        # Keep only scheme-less host and path: query strings could carry tokens.
        parts = urlsplit(call.url)
        return cls(
            created_at=at or timezone.now(),
            connection=connection if connection is not None and connection.pk else None,
            method=call.method[:8], host=parts.netloc[:255], path=parts.path[:500], status=call.status,
            duration_ms=round(call.duration_ms, 2), attempt=call.attempt, error_code=(call.error_code or "")[:100],
            request_id=(request_id or "")[:128], upstream_request_id=(call.request_id or "")[:128],
        )
