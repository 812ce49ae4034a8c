"""Events and webhooks: developer subscriptions, unified events and their deliveries, provider
webhooks in (registrations, inbound events) and change detection (sync state, fingerprints, runs).

Public ids are prefixed random strings (`wh_...`, `evt_...`, `dlv_...`) so they reveal no counts;
events also keep an auto-increment primary key that orders them for cursor pagination.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import models
from django.utils import timezone

from switchboard.connections.models import Connection
from switchboard.core.fields import EncryptedTextField
from switchboard.tenants.models import Tenant


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def new_subscription_id() -> str:
    return _id("wh")


def new_event_id() -> str:
    return _id("evt")


def new_delivery_id() -> str:
    return _id("dlv")


def new_inbound_token() -> str:
    return secrets.token_urlsafe(24)


def iso(dt) -> str | None:
    return dt.isoformat().replace("+00:00", "Z") if dt else None


class Subscription(models.Model):
    """A developer's endpoint. Scoped to the tenant, or to one connection by (connectorId, ownerId):
    kept as strings, not a foreign key, so the subscription outlives a deleted connection and still
    receives its `connection::deleted` event."""

    id = models.CharField(primary_key=True, max_length=40, default=new_subscription_id, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    connector_id = models.CharField(max_length=64, blank=True, default="")
    owner_id = models.CharField(max_length=255, blank=True, default="")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    secret = EncryptedTextField(editable=False, help_text="Standard Webhooks signing secret (whsec_...).")
    # After a rotation the old secret keeps signing too (a second signature in the same header)
    # until this time, so receivers can switch secrets without rejecting a single delivery.
    previous_secret = EncryptedTextField(editable=False, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.TextField(blank=True, default="")
    disabled_at = models.DateTimeField(null=True, blank=True)
    failure_streak = models.PositiveIntegerField(default=0, help_text="Failed attempts since the last success.")
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "is_active"])]

    def __str__(self) -> str:
        return f"{self.id} -> {self.url}"

    @property
    def scope(self) -> str:
        return f"{self.connector_id}/{self.owner_id}" if self.connector_id else "all connections"

    def applies_to(self, connector_id: str | None, owner_id: str | None) -> bool:
        return not self.connector_id or (self.connector_id == connector_id and self.owner_id == owner_id)

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets deliveries are signed with: the current one, and the previous one while
        its grace period after a rotation lasts."""
        now = now or timezone.now()
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            return [self.secret, self.previous_secret]
        return [self.secret]

    def rotate_secret(self, new_secret: str, grace_seconds: int) -> None:
        now = timezone.now()
        if grace_seconds > 0:
            self.previous_secret = self.secret
            self.previous_secret_expires_at = now + timedelta(seconds=grace_seconds)
        else:
            self.previous_secret, self.previous_secret_expires_at = "", None
        self.secret = new_secret
        self.secret_rotated_at = now

    def to_json(self, *, with_secret: bool = False) -> dict:
        body = {
            "object": "webhook",
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "connectorId": self.connector_id or None,
            "ownerId": self.owner_id or None,
            "active": self.is_active,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
        }
        if not self.is_active and self.disabled_reason:
            body["disabledReason"] = self.disabled_reason
        if self.secret_rotated_at:
            body["secretRotatedAt"] = iso(self.secret_rotated_at)
            live = self.previous_secret_expires_at and self.previous_secret_expires_at > timezone.now()
            body["previousSecretExpiresAt"] = iso(self.previous_secret_expires_at) if live else None
        if with_secret:
            body["secret"] = self.secret
        return body


class Event(models.Model):
    class Source(models.TextChoices):
        WEBHOOK = "webhook", "Provider webhook"
        POLL = "poll", "Polling"
        CONNECTION = "connection", "Connection"
        API = "api", "Write through Switchboard"

    seq = models.BigAutoField(primary_key=True)
    id = models.CharField(max_length=40, unique=True, default=new_event_id, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="events")
    connection = models.ForeignKey(Connection, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="events")
    connector_id = models.CharField(max_length=64)
    owner_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=255, blank=True, default="")
    data = models.JSONField(default=dict)
    source = models.CharField(max_length=16, choices=Source.choices)
    sync_run = models.ForeignKey("SyncRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["tenant", "type", "seq"]),
                   models.Index(fields=["tenant", "connector_id", "owner_id", "seq"])]

    def __str__(self) -> str:
        return f"{self.type} {self.record_id} ({self.id})"

    def to_json(self) -> dict:
        return {"id": self.id, "type": self.type, "connectorId": self.connector_id, "ownerId": self.owner_id,
                "createdAt": iso(self.created_at), "data": self.data}


class Delivery(models.Model):
    """One event to one subscription, with every attempt recorded. Due deliveries are found by the
    sweeper from the database, never only from the broker: that is what makes delivery
    at-least-once when a broker or worker dies between commit and send."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        DEAD = "dead", "Dead (retries exhausted)"
        CANCELLED = "cancelled", "Cancelled (subscription gone or disabled)"

    id = models.CharField(primary_key=True, max_length=40, default=new_delivery_id, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="Last time it was handed to the broker.")
    locked_until = models.DateTimeField(null=True, blank=True, help_text="A worker is sending it until then.")
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    replays = models.PositiveIntegerField(default=0)
    retry_base = models.PositiveIntegerField(default=0, help_text="Attempts made before the last replay.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["event", "subscription"], name="unique_delivery")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    def to_json(self, *, attempts: bool = False) -> dict:
        body = {"object": "delivery", "id": self.id, "eventId": self.event.id, "webhookId": self.subscription_id,
                "status": self.status, "attempts": self.attempts, "nextAttemptAt": iso(self.next_attempt_at),
                "lastStatusCode": self.last_status_code, "lastError": self.last_error or None,
                "deliveredAt": iso(self.delivered_at), "createdAt": iso(self.created_at)}
        if attempts:
            body["attemptLog"] = [a.to_json() for a in self.attempt_log.all()]
        return body


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.FloatField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    remote_ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"

    def to_json(self) -> dict:
        return {"number": self.number, "startedAt": iso(self.started_at), "statusCode": self.status_code,
                "latencyMs": self.latency_ms, "responseExcerpt": self.response_excerpt, "error": self.error or None,
                "succeeded": self.succeeded}


class InboundEndpoint(models.Model):
    """Where a provider sends this connection's webhooks: `/hooks/{connectorId}/{token}`, with a
    signing secret unique to the connection."""

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="inbound_endpoint")
    token = models.CharField(max_length=64, unique=True, default=new_inbound_token, editable=False)
    secret = EncryptedTextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_received_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"inbound endpoint of {self.connection}"


class RemoteWebhook(models.Model):
    """A webhook we registered at the provider (Ashby `webhook.create`), to delete it later."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="remote_webhooks")
    webhook_type = models.CharField(max_length=64)
    remote_id = models.CharField(max_length=255, blank=True, default="")
    request_url = models.CharField(max_length=2000, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "webhook_type"], name="unique_remote_webhook")]

    def __str__(self) -> str:
        return f"{self.webhook_type} on {self.connection}"

    @property
    def registered(self) -> bool:
        return bool(self.remote_id)


class InboundEvent(models.Model):
    """A provider delivery, stored before we answer 200. `action_id` (Ashby `webhookActionId`) makes
    retries and duplicate deliveries one row. The payload is dropped once processed and old."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"
        IGNORED = "ignored", "Ignored (no unified meaning)"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="inbound_events")
    action_id = models.CharField(max_length=255)
    action = models.CharField(max_length=64)
    payload = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    duplicates = models.PositiveIntegerField(default=0, help_text="Further deliveries of the same action.")
    received_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    sync_run = models.ForeignKey("SyncRun", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="inbound_events")

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["connection", "action_id"], name="unique_inbound_action")]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.action_id}"


class SyncState(models.Model):
    """Change detection state per connection and model."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_states")
    model = models.CharField(max_length=64)
    sync_token = models.CharField(max_length=512, blank=True, default="")
    baseline_at = models.DateTimeField(null=True, blank=True, help_text="First complete pass (emits nothing).")
    last_full_at = models.DateTimeField(null=True, blank=True)
    last_incremental_at = models.DateTimeField(null=True, blank=True)
    next_incremental_at = models.DateTimeField(null=True, blank=True)
    next_full_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    unsupported = models.BooleanField(default=False, help_text="The connector cannot list this model.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "model"], name="unique_sync_state")]

    def __str__(self) -> str:
        return f"{self.model} on {self.connection}"


class RecordFingerprint(models.Model):
    """A hash of the unified resource as last seen; decides created / updated / unchanged without
    keeping a copy of anyone's personal data."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=64)
    record_id = models.CharField(max_length=255)
    # sha256 of the record as a list shows it, then "+" and a sha256 of what lists omit once a
    # complete record was seen (switchboard.webhooks.services.compare).
    fingerprint = models.CharField(max_length=140)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "model", "record_id"],
                                               name="unique_fingerprint")]

    def __str__(self) -> str:
        return f"{self.model} {self.record_id}"


class SyncRun(models.Model):
    """One polling pass or one inbound webhook batch: the sync log operators browse."""

    class Mode(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"
        WEBHOOK = "webhook", "Inbound webhook"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_runs")
    model = models.CharField(max_length=64)
    mode = models.CharField(max_length=16, choices=Mode.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    baseline = models.BooleanField(default=False, help_text="First pass: sets fingerprints, emits nothing.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["connection", "model", "started_at"])]

    def __str__(self) -> str:
        return f"{self.mode} {self.model} on {self.connection} ({self.status})"

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None
