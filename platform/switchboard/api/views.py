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

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Closers run after the server has sent the body (Django's response.close()).
        response._resource_closers.append(self._release_response)
        return response

    def _release_response(self):
        """DRF ties the view, its Request and the Response into reference cycles (`view.response`,
        `response.renderer_context["view"]`, `request.parser_context["view"]`; Django's View adds
        `view.head = view.get`). A page of 100 resources (~800 lists and dicts) then waited for
        the garbage collector instead of being freed when the server dropped the response: the
        worker's RSS grew by several MB while paging. Cut once the body is sent; the response
        keeps `.data` for callers that read it afterwards (the test client)."""
        response = getattr(self, "response", None)
        if response is not None:
            response.renderer_context = None
        self.response = None

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
