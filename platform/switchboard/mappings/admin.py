"""Operators manage mappings and custom models in the admin with the same checks as the API."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from switchboard.api.errors import ApiError
from switchboard.mappings import services
from switchboard.mappings.models import CustomModel, FieldMapping


class FieldMappingForm(forms.ModelForm):
    class Meta:
        model = FieldMapping
        fields = ["tenant", "connection", "model", "key", "name", "description", "source", "custom_field_id",
                  "custom_field_title", "path", "direction", "type", "select_by", "currency", "override_standard",
                  "is_active"]

    def clean(self):
        cleaned = super().clean()
        tenant = cleaned.get("tenant")
        if tenant is None:
            return cleaned
        connection = cleaned.get("connection")
        if connection is not None and connection.tenant_id != tenant.pk:
            raise forms.ValidationError({"connection": "This connection belongs to another tenant."})
        source = cleaned.get("source")
        data = {"model": cleaned.get("model") or "", "key": cleaned.get("key") or "",
                "name": cleaned.get("name") or "", "description": cleaned.get("description") or "",
                "direction": cleaned.get("direction") or "both", "type": cleaned.get("type") or None,
                "selectBy": cleaned.get("select_by") or "label", "currency": cleaned.get("currency") or None,
                "overrideStandard": bool(cleaned.get("override_standard")),
                "isActive": bool(cleaned.get("is_active"))}
        if source == FieldMapping.Source.PATH:
            data["path"] = cleaned.get("path") or ""
        elif cleaned.get("custom_field_id"):
            data["customFieldId"] = cleaned["custom_field_id"]
        else:
            data["customFieldTitle"] = cleaned.get("custom_field_title") or ""
        # Validate on a copy so a refused form leaves the instance untouched.
        probe = FieldMapping(pk=self.instance.pk, tenant=tenant, connection=connection,
                             created_at=self.instance.created_at)
        try:
            checked = services.validate_mapping(tenant, data, instance=None if self.instance._state.adding else probe,
                                                scope_connection=connection)
        except ApiError as exc:
            raise forms.ValidationError(f"{exc.message} ({exc.code})") from None
        self.instance.remote_field_type = checked.remote_field_type
        cleaned["override_standard"] = checked.override_standard
        return cleaned


@admin.register(FieldMapping)
class FieldMappingAdmin(admin.ModelAdmin):
    form = FieldMappingForm
    list_display = ["model", "key", "tenant", "scope", "source", "remote", "direction", "is_active", "updated_at"]
    list_filter = ["model", "direction", "source", "is_active", "tenant"]
    search_fields = ["key", "custom_field_title", "custom_field_id", "path", "tenant__name",
                     "connection__owner_id"]
    readonly_fields = ["remote_field_type", "created_at", "updated_at"]
    raw_id_fields = ["connection"]

    @admin.display(description="scope")
    def scope(self, obj):
        return f"connection {obj.connection.owner_id}" if obj.connection_id else "tenant default"

    @admin.display(description="maps to")
    def remote(self, obj):
        return obj.remote_label


class CustomModelForm(forms.ModelForm):
    class Meta:
        model = CustomModel
        fields = ["tenant", "connector_id", "definition", "is_active"]

    def clean(self):
        cleaned = super().clean()
        tenant = cleaned.get("tenant")
        if tenant is None or "definition" not in cleaned:
            return cleaned
        try:
            parsed = services.validate_custom_model(tenant, cleaned["definition"],
                                                    instance=None if self.instance._state.adding else self.instance)
        except ApiError as exc:
            raise forms.ValidationError({"definition": exc.message}) from None
        if not self.instance._state.adding and parsed.name != self.instance.name:
            raise forms.ValidationError({"definition": "A custom model cannot be renamed; create a new one."})
        self.instance.name, self.instance.title = parsed.name, parsed.title
        return cleaned


@admin.register(CustomModel)
class CustomModelAdmin(admin.ModelAdmin):
    form = CustomModelForm
    list_display = ["name", "title", "tenant", "connector_id", "endpoints", "is_active", "updated_at"]
    list_filter = ["is_active", "connector_id", "tenant"]
    search_fields = ["name", "title", "tenant__name"]
    readonly_fields = ["name", "title", "created_at", "updated_at"]

    @admin.display(description="Ashby endpoints")
    def endpoints(self, obj):
        try:
            return ", ".join(obj.parsed().endpoints())
        except Exception:
            return "(invalid definition)"
