"""Session-token authentication for `/v1/s/...`: `x-api-key: pk_...` plus `x-session-token`.

The public key must belong to the session's own project, so a token lifted from one project's
page cannot be replayed with another project's key. Sets `request.tenant` and
`request.session_connection`; `TenantAPIView.get_connection()` then only ever returns that one
connection.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from switchboard.api.errors import ApiError
from switchboard.connect.models import Session
from switchboard.connect.services import resolve_session
from switchboard.tenants import config as tenant_config
from switchboard.tenants.models import ApiKey


class SessionTokenAuthentication(authentication.BaseAuthentication):
    def authenticate_header(self, request):
        return 'Session realm="switchboard"'

    def authenticate(self, request):
        token = request.headers.get("x-session-token", "").strip()
        public = request.headers.get("x-api-key", "").strip()
        if not token:
            raise exceptions.NotAuthenticated(
                "Session routes (/v1/s/...) need x-api-key (pk_...) and x-session-token; "
                "server code uses the routes without /s/ and its secret key."
            )
        if request.headers.get("x-api-secret") or public.startswith("sk_"):
            # Session routes exist for browsers; a secret key here means it is about to leak.
            raise exceptions.AuthenticationFailed(
                "Do not send a secret key to /v1/s/...: browsers use the public key and a session token."
            )
        session = resolve_session(token, purposes=(Session.Purpose.API,))
        if not public:
            raise exceptions.NotAuthenticated("Send your public key (pk_...) in x-api-key with the session token.")
        key = ApiKey.objects.filter(public_key=public).first()
        if key is None or key.tenant_id != session.tenant_id:
            raise ApiError("MORPH::UNAUTHORIZED", "The public key does not belong to this session's project.", 401)
        if not key.is_active:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        tenant_config.mark_fresh(session.tenant)  # read just now with the session
        if session.connection is not None:
            session.connection.tenant = session.tenant
        request._request.tenant = session.tenant
        request._request.connect_session = session
        request._request.session_connection = session.connection
        request._request.connection = session.connection
        return (None, session)


# Documents the scheme in OpenAPI (drf-spectacular discovers extensions on import).

class SessionTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = SessionTokenAuthentication
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "x-session-token",
                "description": "Session token from POST /v1/connections/{connectorId}/{ownerId}/sessions, "
                               "sent with x-api-key (pk_...)."}
