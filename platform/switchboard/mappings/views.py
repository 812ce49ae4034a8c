"""`/v1/field-mappings` and `/v1/custom-models`: tenant-scoped CRUD.

Scope of a field mapping: `connection: {connectorId, ownerId}` (or top-level `connectorId` and
`ownerId`) in the body makes it an override for that connection; without them it is the
tenant-wide default. For a tenant-wide mapping, `x-connector-id`/`x-owner-id` headers name an
account to check the remote field against (nothing is scoped by the headers).
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from switchboard.api.errors import ApiError
from switchboard.api.views import TenantAPIView
from switchboard.connections.services import find_connection
from switchboard.mappings import services
from switchboard.mappings.models import CustomModel, FieldMapping

_ConnectionRef = inline_serializer("FieldMappingConnection", {
    "connectorId": serializers.CharField(), "ownerId": serializers.CharField()})

_FieldMappingSchema = inline_serializer("FieldMapping", {
    "object": serializers.CharField(default="fieldMapping"), "id": serializers.UUIDField(),
    "model": serializers.CharField(help_text="Unified model, e.g. genericContact."),
    "key": serializers.CharField(help_text="Unified key, e.g. yearsOfExperience."),
    "name": serializers.CharField(allow_null=True), "description": serializers.CharField(allow_null=True),
    "connection": _ConnectionRef.__class__(allow_null=True, help_text="null: tenant-wide default."),
    "source": serializers.ChoiceField(FieldMapping.Source.values),
    "customFieldId": serializers.CharField(allow_null=True), "customFieldTitle": serializers.CharField(allow_null=True),
    "path": serializers.CharField(allow_null=True), "direction": serializers.ChoiceField(FieldMapping.Direction.values),
    "type": serializers.CharField(allow_null=True), "selectBy": serializers.ChoiceField(["label", "value"]),
    "currency": serializers.CharField(allow_null=True), "overrideStandard": serializers.BooleanField(),
    "isActive": serializers.BooleanField(), "remoteFieldType": serializers.CharField(allow_null=True),
    "createdAt": serializers.DateTimeField(), "updatedAt": serializers.DateTimeField(),
})
_FieldMappingInput = inline_serializer("FieldMappingInput", {
    "model": serializers.CharField(), "key": serializers.CharField(),
    "customFieldId": serializers.CharField(required=False), "customFieldTitle": serializers.CharField(required=False),
    "path": serializers.CharField(required=False, help_text="Dotted path in the raw Ashby record (read only)."),
    "direction": serializers.ChoiceField(FieldMapping.Direction.values, required=False),
    "type": serializers.ChoiceField(["string", "number", "boolean", "date", "datetime", "enum", "array", "object"],
                                    required=False),
    "selectBy": serializers.ChoiceField(["label", "value"], required=False),
    "currency": serializers.CharField(required=False), "overrideStandard": serializers.BooleanField(required=False),
    "isActive": serializers.BooleanField(required=False), "name": serializers.CharField(required=False),
    "description": serializers.CharField(required=False),
    "connection": _ConnectionRef.__class__(required=False, help_text="Omit for a tenant-wide default."),
})
_FieldMappingList = inline_serializer("FieldMappingList", {
    "data": _FieldMappingSchema.__class__(many=True), "next": serializers.CharField(allow_null=True)})

_CustomModelSchema = inline_serializer("CustomModel", {
    "object": serializers.CharField(default="customModel"), "id": serializers.UUIDField(),
    "name": serializers.CharField(), "title": serializers.CharField(), "description": serializers.CharField(required=False),
    "connectorId": serializers.CharField(), "source": serializers.DictField(),
    "idPath": serializers.CharField(required=False), "createdAtPath": serializers.CharField(required=False),
    "updatedAtPath": serializers.CharField(required=False),
    "fields": serializers.ListField(child=serializers.DictField()),
    "filters": serializers.ListField(child=serializers.DictField(), required=False),
    "where": serializers.ListField(child=serializers.DictField(), required=False),
    "isActive": serializers.BooleanField(), "createdAt": serializers.DateTimeField(),
    "updatedAt": serializers.DateTimeField(),
})
_CustomModelInput = inline_serializer("CustomModelInput", {
    "name": serializers.CharField(), "title": serializers.CharField(required=False),
    "description": serializers.CharField(required=False),
    "source": serializers.DictField(help_text="{list: {endpoint, body?, pagination?}, retrieve?: {endpoint, idParam}}"),
    "idPath": serializers.CharField(required=False), "createdAtPath": serializers.CharField(required=False),
    "updatedAtPath": serializers.CharField(required=False),
    "fields": serializers.ListField(child=serializers.DictField(), help_text="[{key, type, path, transform?}]"),
    "filters": serializers.ListField(child=serializers.DictField(), required=False),
    "where": serializers.ListField(child=serializers.DictField(), required=False),
    "connectorId": serializers.CharField(required=False), "isActive": serializers.BooleanField(required=False),
})
_CustomModelList = inline_serializer("CustomModelList", {
    "data": _CustomModelSchema.__class__(many=True), "next": serializers.CharField(allow_null=True)})
_Error = inline_serializer("MappingError", {"error": serializers.CharField(), "message": serializers.CharField(),
                                            "field": serializers.CharField(required=False)})


def _body(request) -> dict:
    data = request.data
    if not isinstance(data, dict):
        raise ApiError("MORPH::BAD_REQUEST", "The request body must be a JSON object.", 400)
    return data


def _page(request, items: list[dict]) -> dict:
    """Offset pagination for short tenant-owned lists: `limit` (max 100) and an opaque `cursor`."""
    try:
        limit = int(request.query_params.get("limit", 50))
        offset = int(request.query_params.get("cursor") or 0)
    except ValueError:
        raise ApiError("MORPH::BAD_REQUEST", "limit and cursor must come from this API.", 400) from None
    if not 1 <= limit <= 100 or offset < 0:
        raise ApiError("MORPH::BAD_REQUEST", "limit must be between 1 and 100.", 400)
    chunk = items[offset:offset + limit]
    return {"data": chunk, "next": str(offset + limit) if offset + limit < len(items) else None}


class _MappingScope:
    def scope_connection(self, body: dict):
        ref = body.get("connection")
        connector_id, owner_id = body.get("connectorId"), body.get("ownerId")
        if isinstance(ref, dict):
            connector_id, owner_id = ref.get("connectorId"), ref.get("ownerId")
        elif ref is not None:
            raise ApiError("MORPH::BAD_REQUEST", "connection must be {connectorId, ownerId} or null.", 400,
                           field="connection")
        if connector_id is None and owner_id is None:
            return None
        if not isinstance(connector_id, str) or not isinstance(owner_id, str):
            raise ApiError("MORPH::BAD_REQUEST", "A connection is named by both connectorId and ownerId.", 400,
                           field="connection")
        return find_connection(self.tenant, connector_id, owner_id)

    def check_connection(self):
        connector_id = self.request.headers.get("x-connector-id")
        owner_id = self.request.headers.get("x-owner-id")
        if connector_id and owner_id:
            return find_connection(self.tenant, connector_id, owner_id)
        return None

    def save(self, mapping: FieldMapping) -> FieldMapping:
        try:
            with transaction.atomic():
                mapping.save()
        except IntegrityError:
            raise ApiError(services.DUPLICATE, f"{mapping.model}.{mapping.key} is already mapped in this scope.",
                           409, field="key") from None
        return mapping


class FieldMappingListView(_MappingScope, TenantAPIView):
    @extend_schema(
        summary="List field mappings", tags=["field mappings"], operation_id="field_mappings_list",
        parameters=[OpenApiParameter("model", str, description="Only this unified model."),
                    OpenApiParameter("connectorId", str), OpenApiParameter("ownerId", str,
                    description="With connectorId: the mappings in effect for that connection (tenant "
                                "defaults plus its overrides; the override wins)."),
                    OpenApiParameter("scope", str, enum=["tenant", "connection"]),
                    OpenApiParameter("limit", int), OpenApiParameter("cursor", str)],
        responses=_FieldMappingList)
    def get(self, request):
        qs = self.scoped(FieldMapping.objects.select_related("connection"))
        params = request.query_params
        if params.get("model"):
            qs = qs.filter(model=params["model"])
        if params.get("scope") == "tenant":
            qs = qs.filter(connection__isnull=True)
        elif params.get("scope") == "connection":
            qs = qs.filter(connection__isnull=False)
        if params.get("connectorId") and params.get("ownerId"):
            connection = find_connection(self.tenant, params["connectorId"], params["ownerId"])
            if params.get("model"):
                rows = services.effective_mappings(connection, params["model"])
            else:
                rows = [m for model in sorted(set(qs.values_list("model", flat=True)))
                        for m in services.effective_mappings(connection, model)]
            return Response(_page(request, [m.to_json() for m in rows]))
        return Response(_page(request, [m.to_json() for m in qs]))

    @extend_schema(
        summary="Create a field mapping", tags=["field mappings"], operation_id="field_mappings_create",
        description="Map a unified key to an Ashby custom field (by id, or by title resolved per connection) or "
                    "to a path in the raw record. A key that collides with a standard field, a missing remote "
                    "field or an incompatible type is refused with 422 naming it.",
        parameters=[OpenApiParameter("x-connector-id", str, OpenApiParameter.HEADER, required=False),
                    OpenApiParameter("x-owner-id", str, OpenApiParameter.HEADER, required=False,
                                     description="Check a tenant-wide mapping against this account.")],
        request=_FieldMappingInput,
        responses={201: _FieldMappingSchema, 400: _Error, 409: _Error, 422: _Error})
    def post(self, request):
        body = _body(request)
        scope = self.scope_connection(body)
        check = None if scope is not None else self.check_connection()
        mapping = services.validate_mapping(self.tenant, body, scope_connection=scope, check_connection=check,
                                            refresh=request.query_params.get("refresh") == "true")
        return Response(self.save(mapping).to_json(), status=201)


class FieldMappingDetailView(_MappingScope, TenantAPIView):
    def get_object(self, mapping_id) -> FieldMapping:
        try:
            uuid.UUID(str(mapping_id))
        except ValueError:
            raise ApiError("MORPH::NOT_FOUND", f"No field mapping {mapping_id} in this project.", 404) from None
        mapping = self.scoped(FieldMapping.objects.select_related("connection")).filter(pk=mapping_id).first()
        if mapping is None:
            raise ApiError("MORPH::NOT_FOUND", f"No field mapping {mapping_id} in this project.", 404)
        return mapping

    @extend_schema(summary="Retrieve a field mapping", tags=["field mappings"], responses=_FieldMappingSchema)
    def get(self, request, mapping_id):
        return Response(self.get_object(mapping_id).to_json())

    @extend_schema(summary="Update a field mapping", tags=["field mappings"], request=_FieldMappingInput,
                   responses={200: _FieldMappingSchema, 400: _Error, 409: _Error, 422: _Error})
    def patch(self, request, mapping_id):
        mapping = self.get_object(mapping_id)
        body = _body(request)
        if "connection" in body or "connectorId" in body or "ownerId" in body:
            raise ApiError("MORPH::BAD_REQUEST", "The scope of a mapping cannot change; create a new mapping.", 400,
                           field="connection")
        mapping = services.validate_mapping(self.tenant, body, instance=mapping, scope_connection=mapping.connection,
                                            check_connection=self.check_connection(),
                                            refresh=request.query_params.get("refresh") == "true")
        return Response(self.save(mapping).to_json())

    @extend_schema(summary="Delete a field mapping", tags=["field mappings"], responses={204: None})
    def delete(self, request, mapping_id):
        self.get_object(mapping_id).delete()
        return Response(status=204)


class CustomModelListView(TenantAPIView):
    @extend_schema(summary="List custom models", tags=["custom models"], operation_id="custom_models_list",
                   parameters=[OpenApiParameter("limit", int), OpenApiParameter("cursor", str)],
                   responses=_CustomModelList)
    def get(self, request):
        return Response(_page(request, [m.to_json() for m in self.scoped(CustomModel.objects.all())]))

    @extend_schema(
        summary="Create a custom model", tags=["custom models"], operation_id="custom_models_create",
        description="Declare a model read from Ashby list/info endpoints. It is then served at "
                    "/v1/resources/{name} (list, retrieve), described at /v1/models/{name}/fields and can be "
                    "subscribed to in webhooks (polling).",
        request=_CustomModelInput, responses={201: _CustomModelSchema, 409: _Error, 422: _Error})
    def post(self, request):
        body = dict(_body(request))
        connector_id = body.pop("connectorId", "ashby")
        is_active = body.pop("isActive", True)
        for meta in ("object", "id", "createdAt", "updatedAt"):
            body.pop(meta, None)
        if not isinstance(is_active, bool):
            raise ApiError("MORPH::BAD_REQUEST", "isActive must be true or false.", 400, field="isActive")
        from switchboard.connections.services import connector_or_404

        connector_or_404(connector_id)
        parsed = services.validate_custom_model(self.tenant, body)
        row = CustomModel.objects.create(tenant=self.tenant, name=parsed.name, title=parsed.title,
                                         connector_id=connector_id, definition=body, is_active=is_active)
        return Response(row.to_json(), status=201)


class CustomModelDetailView(TenantAPIView):
    def get_object(self, name) -> CustomModel:
        row = self.scoped(CustomModel.objects.all()).filter(name=name).first()
        if row is None:
            raise ApiError("MORPH::NOT_FOUND", f"No custom model {name!r} in this project.", 404)
        return row

    @extend_schema(summary="Retrieve a custom model", tags=["custom models"], responses=_CustomModelSchema)
    def get(self, request, name):
        return Response(self.get_object(name).to_json())

    @extend_schema(summary="Replace a custom model's definition", tags=["custom models"],
                   description="Send the whole definition; keys left out take their defaults. The name may "
                               "not change.",
                   request=_CustomModelInput, responses={200: _CustomModelSchema, 422: _Error})
    def put(self, request, name):
        row = self.get_object(name)
        body = dict(_body(request))
        return self._replace(row, body, body.pop("isActive", row.is_active))

    @extend_schema(summary="Update part of a custom model", tags=["custom models"],
                   description="Top-level keys given replace the stored ones (e.g. fields or isActive).",
                   request=_CustomModelInput, responses={200: _CustomModelSchema, 422: _Error})
    def patch(self, request, name):
        row = self.get_object(name)
        body = dict(_body(request))
        is_active = body.pop("isActive", row.is_active)
        return self._replace(row, {**row.definition, **body}, is_active)

    def _replace(self, row: CustomModel, body: dict, is_active) -> Response:
        for meta in ("object", "id", "createdAt", "updatedAt", "connectorId"):
            body.pop(meta, None)
        body.setdefault("name", row.name)
        if body["name"] != row.name:
            raise ApiError("MORPH::BAD_REQUEST", "A custom model cannot be renamed; create a new one.", 400,
                           field="name")
        if not isinstance(is_active, bool):
            raise ApiError("MORPH::BAD_REQUEST", "isActive must be true or false.", 400, field="isActive")
        parsed = services.validate_custom_model(self.tenant, body, instance=row)
        row.definition, row.title, row.is_active = body, parsed.title, is_active
        row.save()
        return Response(row.to_json())

    @extend_schema(summary="Delete a custom model", tags=["custom models"],
                   responses={204: OpenApiResponse(description="Deleted.")})
    def delete(self, request, name):
        self.get_object(name).delete()
        return Response(status=204)
