"""Morph-compatible connection endpoints and the connector catalogue."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from connectors.registry import all_connectors
from switchboard.api.errors import ApiError
from switchboard.api.views import TenantAPIView
from switchboard.connections.models import Connection
from switchboard.connections.services import (
    check_and_store_credentials,
    connector_or_404,
    delete_connection,
    find_connection,
    validate_operations,
)

_ConnectionSchema = inline_serializer("Connection", {
    "object": serializers.CharField(default="connection"), "connectorId": serializers.CharField(),
    "ownerId": serializers.CharField(), "status": serializers.ChoiceField(Connection.Status.values),
    "operations": serializers.ListField(child=serializers.CharField()),
    "missingOperations": serializers.ListField(child=serializers.CharField(), required=False),
    "error": serializers.CharField(required=False),
    "createdAt": serializers.DateTimeField(), "updatedAt": serializers.DateTimeField(),
})
_OperationsBody = inline_serializer("ConnectionOperations", {
    "operations": serializers.ListField(child=serializers.CharField())})
_AuthorizationSchema = inline_serializer("ConnectionAuthorization", {
    "object": serializers.CharField(default="connectionAuthorization"), "connectorId": serializers.CharField(),
    "ownerId": serializers.CharField(), "status": serializers.ChoiceField(["authorized", "awaitingAuthorization"]),
    "authorizationUrl": serializers.URLField(required=False)})


def _body_dict(request) -> dict:
    data = request.data
    if data in (None, "") or (hasattr(data, "__len__") and len(data) == 0):
        return {}
    if not isinstance(data, dict):
        raise ApiError("MORPH::BAD_REQUEST", "The request body must be a JSON object.", 400)
    return data


_ConnectorSchema = inline_serializer("Connector", {
    "object": serializers.CharField(default="connector"), "id": serializers.CharField(),
    "name": serializers.CharField(), "auth": serializers.DictField(),
    "models": serializers.ListField(child=serializers.DictField()), "webhooks": serializers.DictField()})
_ConnectorListSchema = inline_serializer("ConnectorList", {
    "data": _ConnectorSchema.__class__(many=True), "next": serializers.CharField(allow_null=True)})


class ConnectorListView(TenantAPIView):
    @extend_schema(summary="List connectors", tags=["connectors"], operation_id="connectors_list",
                   responses=_ConnectorListSchema)
    def get(self, request):
        return Response({"data": [c.describe() for c in all_connectors()], "next": None})


class ConnectorDetailView(TenantAPIView):
    @extend_schema(summary="Retrieve a connector: its auth settings, models and operations", tags=["connectors"],
                   responses=_ConnectorSchema)
    def get(self, request, connector_id):
        return Response(connector_or_404(connector_id).describe())


class ConnectionView(TenantAPIView):
    @extend_schema(summary="Create a connection (or replace its operations if it exists)", tags=["connections"],
                   request=_OperationsBody, responses={201: _ConnectionSchema, 200: _ConnectionSchema})
    def post(self, request, connector_id, owner_id):
        connector = connector_or_404(connector_id)
        body = _body_dict(request)
        operations = validate_operations(connector, body.get("operations", []))
        if not owner_id or len(owner_id) > 255:
            raise ApiError("MORPH::BAD_REQUEST", "ownerId must be 1 to 255 characters.", 400)
        connection, created = Connection.objects.get_or_create(
            tenant=self.tenant, connector_id=connector_id, owner_id=owner_id,
            defaults={"operations": operations})
        if not created and connection.operations != operations:
            self._set_operations(connection, connector, operations)
        request._request.connection = connection
        return Response(connection.to_json(), status=201 if created else 200)

    @extend_schema(summary="Retrieve a connection", tags=["connections"], responses=_ConnectionSchema)
    def get(self, request, connector_id, owner_id):
        connection = find_connection(self.tenant, connector_id, owner_id)
        request._request.connection = connection
        return Response(connection.to_json())

    @extend_schema(summary="Update a connection's operations", tags=["connections"], request=_OperationsBody,
                   responses=_ConnectionSchema)
    def patch(self, request, connector_id, owner_id):
        connection = find_connection(self.tenant, connector_id, owner_id)
        connector = connector_or_404(connector_id)
        body = _body_dict(request)
        if "operations" not in body:
            raise ApiError("MORPH::BAD_REQUEST", "Nothing to update: send {\"operations\": [...]}.", 400)
        self._set_operations(connection, connector, validate_operations(connector, body["operations"]))
        request._request.connection = connection
        return Response(connection.to_json())

    @extend_schema(summary="Delete a connection and its stored credentials", tags=["connections"],
                   responses={204: None})
    def delete(self, request, connector_id, owner_id):
        connection = find_connection(self.tenant, connector_id, owner_id)
        request._request.connection = connection  # deleting clears its pk, which the request log reads
        delete_connection(connection)
        return Response(status=204)

    @staticmethod
    def _set_operations(connection, connector, operations):
        connection.operations = operations
        if connection.credentials:
            connection.missing_operations = connector.missing_operations(operations, connection.granted_permissions)
        connection.save()


class AuthorizationView(TenantAPIView):
    @extend_schema(
        summary="Authorize a connection",
        description="With `settings` (e.g. `{\"apiKey\": \"...\"}`) the credentials are checked against the "
                    "provider and stored encrypted. Without, the answer is `awaitingAuthorization` with an "
                    "`authorizationUrl` to the hosted connect page: redirect your user there.",
        tags=["connections"],
        parameters=[OpenApiParameter("redirectUrl", str, description="Where the connect page sends the user after.")],
        request=inline_serializer("AuthorizationBody", {"settings": serializers.DictField(required=False)}),
        responses=_AuthorizationSchema)
    def post(self, request, connector_id, owner_id):
        connection = find_connection(self.tenant, connector_id, owner_id)
        request._request.connection = connection
        return Response(authorize(request, connection, _body_dict(request)))


def authorize(request, connection: Connection, body: dict) -> dict:
    """Shared by the secret-key and session-token authorize endpoints."""
    connector = connector_or_404(connection.connector_id)
    settings_given = body.get("settings")
    result = {"object": "connectionAuthorization", "connectorId": connection.connector_id,
              "ownerId": connection.owner_id}
    if settings_given:
        if not isinstance(settings_given, dict):
            raise ApiError("MORPH::BAD_REQUEST", "settings must be a JSON object.", 400)
        check_and_store_credentials(connection, settings_given, request_id=getattr(request, "request_id", None))
        return {**result, "status": "authorized", "connection": connection.to_json()}
    try:
        from switchboard.connect.services import authorization_url
    except ImportError:
        keys = ", ".join(s.key for s in connector.auth.settings)
        raise ApiError("MORPH::CONNECTION::MISSING_REQUIRED_AUTHORIZATION_SETTINGS",
                       f"Send the authorization settings ({keys}) in the body.", 400) from None
    redirect_url = request.query_params.get("redirectUrl") if hasattr(request, "query_params") else None
    return {**result, "status": "awaitingAuthorization",
            "authorizationUrl": authorization_url(connection, redirect_url=redirect_url)}
