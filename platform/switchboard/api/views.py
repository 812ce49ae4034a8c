"""The one base view every `/v1` API view uses.

It authenticates (secret key by default; session views swap the authentication class), throttles
per tenant, and offers tenant-scoped lookups: an object of another tenant is simply not found (404),
never a 403, so ids leak nothing.
"""

from __future__ import annotations

from rest_framework.views import APIView

from switchboard.api.authentication import SecretKeyAuthentication
from switchboard.api.errors import ApiError


class TenantAPIView(APIView):
    authentication_classes = [SecretKeyAuthentication]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # perform_authentication is lazy in DRF; force it so every view is authenticated.
        request.user  # noqa: B018
        if getattr(request._request, "tenant", None) is None:
            raise ApiError("MORPH::UNAUTHORIZED", "Authentication required.", 401)

    @property
    def tenant(self):
        return self.request._request.tenant

    def scoped(self, queryset):
        """Filter any queryset with a `tenant` foreign key to the caller's tenant."""
        return queryset.filter(tenant=self.tenant)

    def get_connection(self, connector_id: str | None = None, owner_id: str | None = None):
        """The connection named by the path or by `x-connector-id`/`x-owner-id` headers."""
        from switchboard.connections.services import find_connection

        session_connection = getattr(self.request._request, "session_connection", None)
        if session_connection is not None:
            return session_connection
        connector_id = connector_id or self.request.headers.get("x-connector-id")
        owner_id = owner_id or self.request.headers.get("x-owner-id")
        if not connector_id or not owner_id:
            raise ApiError("MORPH::BAD_REQUEST",
                           "Name the connection with the x-connector-id and x-owner-id headers.", 400)
        connection = find_connection(self.tenant, connector_id, owner_id)
        # The request log and error bookkeeping read it from the request.
        self.request._request.connection = connection
        return connection
