"""Field mappings and custom models, both owned by a tenant.

A `FieldMapping` with no connection is the tenant-wide default for its (model, key); one with a
connection overrides it for that connection only. A `CustomModel` stores a definition that
`connectors.custommodels` parses and evaluates; the row only adds ownership and bookkeeping.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from switchboard.connections.models import Connection
from switchboard.tenants.models import Tenant


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


class FieldMapping(models.Model):
    class Direction(models.TextChoices):
        READ = "read", "Read"
        WRITE = "write", "Write"
        BOTH = "both", "Read and write"

    class Source(models.TextChoices):
        CUSTOM_FIELD = "customField", "Ashby custom field"
        PATH = "path", "Path in the raw record"

    class SelectBy(models.TextChoices):
        LABEL = "label", "Label"
        VALUE = "value", "Value"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="field_mappings")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="field_mappings",
                                   help_text="Empty: the tenant-wide default. Set: an override for one connection.")
    model = models.CharField(max_length=64, help_text="Unified model, e.g. genericContact.")
    key = models.CharField(max_length=64, help_text="Unified key the value appears under, e.g. yearsOfExperience.")
    name = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.CUSTOM_FIELD)
    custom_field_id = models.CharField(max_length=64, blank=True, default="")
    custom_field_title = models.CharField(max_length=255, blank=True, default="",
                                          help_text="Resolved per connection when no id is given.")
    path = models.CharField(max_length=300, blank=True, default="", help_text="Dotted path in the raw record.")
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.BOTH)
    type = models.CharField(max_length=16, blank=True, default="",
                            help_text="Unified type; empty: the natural type of the remote field.")
    select_by = models.CharField(max_length=8, choices=SelectBy.choices, default=SelectBy.LABEL)
    currency = models.CharField(max_length=3, blank=True, default="",
                                help_text="Currency code used when a number is written to a Currency field.")
    override_standard = models.BooleanField(default=False,
                                            help_text="Allowed to replace an optional standard field of the model.")
    is_active = models.BooleanField(default=True,
                                    help_text="An inactive connection override switches a tenant default off.")
    remote_field_type = models.CharField(max_length=32, blank=True, default="", editable=False,
                                         help_text="The Ashby fieldType seen when the mapping was last checked.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model", "key", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "model", "key"], condition=Q(connection__isnull=True),
                                    name="unique_tenant_field_mapping"),
            models.UniqueConstraint(fields=["tenant", "connection", "model", "key"],
                                    condition=Q(connection__isnull=False), name="unique_connection_field_mapping"),
        ]
        indexes = [models.Index(fields=["tenant", "model"])]

    def __str__(self) -> str:
        scope = f" ({self.connection.owner_id})" if self.connection_id else ""
        return f"{self.model}.{self.key}{scope}"

    @property
    def reads(self) -> bool:
        return self.direction in (self.Direction.READ, self.Direction.BOTH)

    @property
    def writes(self) -> bool:
        return self.direction in (self.Direction.WRITE, self.Direction.BOTH)

    @property
    def remote_label(self) -> str:
        if self.source == self.Source.PATH:
            return f"path {self.path!r}"
        return f"custom field {self.custom_field_id or self.custom_field_title!r}"

    def to_json(self) -> dict:
        conn = self.connection
        return {
            "object": "fieldMapping",
            "id": str(self.id),
            "model": self.model,
            "key": self.key,
            "name": self.name or None,
            "description": self.description or None,
            "connection": {"connectorId": conn.connector_id, "ownerId": conn.owner_id} if conn else None,
            "source": self.source,
            "customFieldId": self.custom_field_id or None,
            "customFieldTitle": self.custom_field_title or None,
            "path": self.path or None,
            "direction": self.direction,
            "type": self.type or None,
            "selectBy": self.select_by,
            "currency": self.currency or None,
            "overrideStandard": self.override_standard,
            "isActive": self.is_active,
            "remoteFieldType": self.remote_field_type or None,
            "createdAt": _iso(self.created_at),
            "updatedAt": _iso(self.updated_at),
        }


class CustomModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="custom_models")
    connector_id = models.CharField(max_length=64, default="ashby")
    name = models.CharField(max_length=64, help_text="Served at /v1/resources/<name>.")
    title = models.CharField(max_length=200, blank=True, default="")
    definition = models.JSONField(help_text="See docs/field-mapping.md: source endpoints, idPath, fields, filters.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="unique_custom_model_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.tenant})"

    def parsed(self):
        from connectors.custommodels import parse_definition

        return parse_definition(self.definition)

    def to_json(self) -> dict:
        definition = dict(self.definition or {})
        return {
            "object": "customModel",
            "id": str(self.id),
            **definition,
            "name": self.name,
            "title": self.title or definition.get("title") or self.name,
            "connectorId": self.connector_id,
            "isActive": self.is_active,
            "createdAt": _iso(self.created_at),
            "updatedAt": _iso(self.updated_at),
        }
