"""A connection is one end user's account at a provider, owned by a tenant: (tenant, connector,
ownerId) is unique. Credentials are encrypted at rest."""

from __future__ import annotations

from django.db import models

from switchboard.core.fields import EncryptedJSONField, EncryptedTextField
from switchboard.tenants.models import Tenant


class Connection(models.Model):
    class Status(models.TextChoices):
        UNAUTHORIZED = "unauthorized", "Unauthorized"
        AUTHORIZED = "authorized", "Authorized"
        ERROR = "error", "Error"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="connections")
    connector_id = models.CharField(max_length=64)
    owner_id = models.CharField(max_length=255)
    operations = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNAUTHORIZED)
    credentials = EncryptedJSONField(null=True, blank=True, editable=False)
    granted_permissions = models.JSONField(default=list, blank=True)
    missing_operations = models.JSONField(default=list, blank=True)
    credential_info = models.JSONField(default=dict, blank=True, help_text="Non-secret facts about the credentials.")
    last_error = models.TextField(blank=True, default="")
    authorized_at = models.DateTimeField(null=True, blank=True)
    permissions_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "connector_id", "owner_id"],
                                               name="unique_connection")]
        indexes = [models.Index(fields=["connector_id", "status"])]

    def __str__(self) -> str:
        return f"{self.connector_id}/{self.owner_id} ({self.tenant})"

    def to_json(self) -> dict:
        body = {
            "object": "connection",
            "connectorId": self.connector_id,
            "ownerId": self.owner_id,
            "status": self.status,
            "operations": list(self.operations),
            "createdAt": self.created_at.isoformat().replace("+00:00", "Z"),
            "updatedAt": self.updated_at.isoformat().replace("+00:00", "Z"),
        }
        if self.status != self.Status.UNAUTHORIZED or self.missing_operations:
            body["missingOperations"] = list(self.missing_operations)
            body["grantedPermissions"] = list(self.granted_permissions)
        if self.last_error:
            body["error"] = self.last_error
        return body


class ConnectorConfig(models.Model):
    """Per tenant and connector: whitelabel OAuth client and connect-page branding."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="connector_configs")
    connector_id = models.CharField(max_length=64)
    oauth_client_id = models.CharField(max_length=255, blank=True, default="")
    oauth_client_secret = EncryptedTextField(blank=True, default="")
    brand_name = models.CharField(max_length=100, blank=True, default="")
    brand_logo_url = models.URLField(blank=True, default="")
    brand_color = models.CharField(max_length=7, blank=True, default="", help_text="Hex colour, e.g. #4f46e5")
    settings = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "connector_id"], name="unique_connector_config")]

    def __str__(self) -> str:
        return f"{self.connector_id} config for {self.tenant}"
