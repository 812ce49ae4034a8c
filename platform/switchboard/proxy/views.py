"""`POST /v1/proxy`: call any endpoint of the connection's provider with its key injected.

The answer is the provider's own: its HTTP status and body (JSON when it sent JSON), plus its
request id and rate-limit headers. The connector client refuses absolute URLs, other hosts, `..`
and any attempt to set the auth header. Every call is logged twice: the API request (request log)
and the upstream call (upstream call log), like every other call.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from connectors import errors as cerr
from switchboard.api.errors import ApiError, bad_request
from switchboard.api.views import TenantAPIView
from switchboard.connections.models import Connection
from switchboard.connections.services import client_for

_ProxyBody = inline_serializer("ProxyRequest", {
    "method": serializers.ChoiceField(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], default="POST"),
    "path": serializers.CharField(help_text="Relative to the provider's base URL, e.g. /candidate.info"),
    "query": serializers.DictField(required=False),
    "data": serializers.JSONField(required=False),
    "headers": serializers.DictField(child=serializers.CharField(), required=False),
})
ALLOWED_KEYS = {"method", "path", "query", "data", "headers"}


class ProxyView(TenantAPIView):
    @extend_schema(summary="Proxy a raw provider call", tags=["proxy"], operation_id="proxy",
                   parameters=[OpenApiParameter("x-connector-id", str, OpenApiParameter.HEADER),
                               OpenApiParameter("x-owner-id", str, OpenApiParameter.HEADER)],
                   request=_ProxyBody,
                   responses={200: OpenApiResponse(description="The provider's status and body, as it answered.")})
    def post(self, request):
        body = request.data
        if not isinstance(body, dict):
            raise bad_request("The body must be an object: {method, path, query?, data?, headers?}.")
        unknown = sorted(set(body) - ALLOWED_KEYS)
        if unknown:
            raise bad_request(f"Unknown proxy key(s): {', '.join(unknown)}.", field=unknown[0])
        if not isinstance(body.get("path"), str) or not body["path"]:
            raise bad_request("path is required, e.g. \"/candidate.info\".", field="path")
        method = body.get("method") or "POST"
        if not isinstance(method, str):
            raise bad_request("method must be a string.", field="method")
        query = body.get("query")
        if query is not None and (not isinstance(query, dict) or not all(
                isinstance(v, str | int | float | bool) for v in query.values())):
            raise bad_request("query must be an object of scalar values.", field="query")
        headers = body.get("headers")
        if headers is not None and not isinstance(headers, dict):
            raise bad_request("headers must be an object of strings.", field="headers")
        connection = self.get_connection()
        if connection.status != Connection.Status.AUTHORIZED or not connection.credentials:
            raise ApiError("MORPH::CONNECTION::NOT_AUTHORIZED",
                           "This connection is not authorized yet: authorize it first.", 401)
        client = client_for(connection, request_id=getattr(request._request, "request_id", None))
        if not hasattr(client, "proxy"):
            raise cerr.NotSupported(f"The {connection.connector_id} connector has no proxy.")
        status, upstream_headers, upstream_body = client.proxy(method, body["path"], query=query,
                                                               data=body.get("data"), headers=headers)
        if isinstance(upstream_body, dict | list) or upstream_body is None:
            response = Response(upstream_body, status=status)
        else:
            content_type = upstream_headers.get("content-type") or "text/plain; charset=utf-8"
            text = upstream_body if isinstance(upstream_body, str) else json.dumps(upstream_body)
            response = HttpResponse(text, status=status, content_type=content_type)
        for key, value in upstream_headers.items():
            if key != "content-type":
                response[key] = value
        return response
