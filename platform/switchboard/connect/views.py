"""API views: creating sessions (secret key) and the session-scoped routes under /v1/s/."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from switchboard.api.errors import ApiError
from switchboard.api.views import TenantAPIView
from switchboard.connect.authentication import SessionTokenAuthentication
from switchboard.connect.services import connect_url, create_session, revoke_sessions, validate_expires_in
from switchboard.connections.models import Connection
from switchboard.connections.services import (
    connector_or_404,
    delete_connection,
    find_connection,
    validate_operations,
)
from switchboard.connections.views import ConnectionView, _body_dict, _ConnectionSchema, authorize

_SessionSchema = inline_serializer("Session", {
    "object": serializers.CharField(default="session"),
    "connection": inline_serializer("SessionConnection", {
        "connectorId": serializers.CharField(), "ownerId": serializers.CharField(),
        "operations": serializers.ListField(child=serializers.CharField())}),
    "sessionToken": serializers.CharField(), "expiresAt": serializers.DateTimeField(),
    "connectUrl": serializers.URLField()})
_SessionBody = inline_serializer("SessionBody", {
    "expiresIn": serializers.IntegerField(required=False, min_value=60, max_value=86400,
                                          help_text="Seconds; default 1800."),
    "connection": inline_serializer("SessionBodyConnection", {
        "operations": serializers.ListField(child=serializers.CharField(), required=False)}, required=False)})


class SessionCreateView(TenantAPIView):
    @extend_schema(summary="Create a session for browser code and the connect page", tags=["sessions"],
                   description="Creates the connection if it does not exist yet; `connection.operations`, when "
                               "given, replaces the connection's operations. The token works only under "
                               "`/v1/s/...` and on the connect page, for this one connection.",
                   request=_SessionBody, responses={201: _SessionSchema})
    def post(self, request, connector_id, owner_id):
        connector = connector_or_404(connector_id)
        body = _body_dict(request)
        expires_in = validate_expires_in(body.get("expiresIn"))
        wanted = body.get("connection") or {}
        if not isinstance(wanted, dict):
            raise ApiError("MORPH::BAD_REQUEST", "connection must be an object like {\"operations\": [...]}.", 400)
        operations = validate_operations(connector, wanted["operations"]) if "operations" in wanted else None
        if not owner_id or len(owner_id) > 255:
            raise ApiError("MORPH::BAD_REQUEST", "ownerId must be 1 to 255 characters.", 400)
        connection, created = Connection.objects.get_or_create(
            tenant=self.tenant, connector_id=connector_id, owner_id=owner_id,
            defaults={"operations": operations or []})
        if not created and operations is not None and operations != connection.operations:
            ConnectionView._set_operations(connection, connector, operations)
        request._request.connection = connection
        session, token = create_session(connection, expires_in=expires_in)
        return Response({
            "object": "session",
            "connection": {"connectorId": connection.connector_id, "ownerId": connection.owner_id,
                           "operations": list(connection.operations)},
            "sessionToken": token,
            "expiresAt": session.expires_at.isoformat().replace("+00:00", "Z"),
            # Not in Morph's shape (extra keys are allowed): the hosted page for this session, so a
            # developer can open it straight from curl; the JS helper builds the same URL.
            "connectUrl": connect_url(token),
        }, status=201)

    @extend_schema(summary="Revoke every session of a connection", tags=["sessions"], responses={204: None})
    def delete(self, request, connector_id, owner_id):
        connection = find_connection(self.tenant, connector_id, owner_id)
        request._request.connection = connection
        revoke_sessions(connection)
        return Response(status=204)


class SessionAPIView(TenantAPIView):
    authentication_classes = [SessionTokenAuthentication]

    @property
    def connection(self) -> Connection:
        return self.request._request.session_connection


class SessionConnectionView(SessionAPIView, ConnectionView):
    """The session's connection: read it, or delete it (the end user disconnects)."""

    http_method_names = ["get", "delete", "options"]

    @extend_schema(summary="Retrieve the session's connection", tags=["sessions"], operation_id="s_connection_get",
                   responses=_ConnectionSchema)
    def get(self, request):
        return super().get(request, self.connection.connector_id, self.connection.owner_id)

    @extend_schema(summary="Delete the session's connection", tags=["sessions"], operation_id="s_connection_delete",
                   responses={204: None})
    def delete(self, request):
        # The same instance the request log reads: deleting it clears its pk, so the log row does
        # not point at a connection that no longer exists.
        delete_connection(self.connection)
        return Response(status=204)


class SessionAuthorizationView(SessionAPIView):
    @extend_schema(summary="Authorize the session's connection", tags=["sessions"],
                   parameters=[OpenApiParameter("redirectUrl", str)],
                   request=inline_serializer("SessionAuthorizationBody",
                                             {"settings": serializers.DictField(required=False)}),
                   responses=inline_serializer("SessionAuthorization", {
                       "object": serializers.CharField(), "status": serializers.CharField(),
                       "authorizationUrl": serializers.URLField(required=False)}))
    def post(self, request):
        return Response(authorize(request, self.connection, _body_dict(request)))


class SessionConnectorView(SessionAPIView):
    @extend_schema(summary="The session connection's connector", tags=["sessions"],
                   responses=inline_serializer("SessionConnector", {"object": serializers.CharField()}))
    def get(self, request):
        return Response(connector_or_404(self.connection.connector_id).describe())
