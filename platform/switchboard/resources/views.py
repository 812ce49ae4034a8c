"""Thin views over `switchboard.resources.services`. The same classes serve `/v1/s/...` with
session-token authentication (the connect app mounts subclasses)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from connectors.unified import model_names
from switchboard.api.views import TenantAPIView
from switchboard.resources import services

MODELS_TEXT = ", ".join(model_names())


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _cap(name: str) -> str:
    return name[0].upper() + name[1:]


RESOURCE = {"oneOf": [_ref(f"{_cap(m)}Resource") for m in model_names()]}
LIST = {"oneOf": [_ref(f"{_cap(m)}List") for m in model_names()]}
WRITE_BODY = {"type": "object", "required": ["fields"], "properties": {
    "fields": {"oneOf": [_ref(f"{_cap(m)}WriteFields") for m in model_names()]}}}
ERROR = OpenApiResponse(_ref("Error"), description="`{error, message}` with a Morph error code.")
ERRORS = {400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 422: ERROR, 429: ERROR, 501: ERROR, 502: ERROR, 504: ERROR}

CONNECTION_HEADERS = [
    OpenApiParameter("x-connector-id", str, OpenApiParameter.HEADER, required=False,
                     description="The connection's connector (secret-key calls; sessions carry their connection)."),
    OpenApiParameter("x-owner-id", str, OpenApiParameter.HEADER, required=False,
                     description="The connection's owner id."),
]
MODEL_PARAM = OpenApiParameter("model", str, OpenApiParameter.PATH, description=f"One of: {MODELS_TEXT} "
                               "(or a custom model of this project).")
ID_PARAM = OpenApiParameter("resource_id", str, OpenApiParameter.PATH, description="The resource id.")
READ_PARAMS = [
    OpenApiParameter("fields", str, description="Comma-separated field keys to return."),
    OpenApiParameter("include", str, enum=["remote"], description="`remote` adds the raw Ashby record."),
    OpenApiParameter("expand", str, description="Comma-separated relation fields to replace by the full resource."),
]
LIST_PARAMS = [
    OpenApiParameter("limit", int, description="1 to 100 (default 50). Larger values are a 400, never clamped."),
    OpenApiParameter("cursor", str, description="The `next` cursor of the previous page (opaque, signed)."),
    OpenApiParameter("q", str, description="Search: contacts by email or name, users by email, jobs by title."),
    OpenApiParameter("updatedAfter", OpenApiTypes.DATETIME, description="Only records updated after this time."),
    OpenApiParameter("filter[field]", str, description="Filters where Ashby can filter: atsApplication by job and "
                     "status, atsApplicationStage by job or interviewPlanId, scheduleEvent by application (and "
                     "stage), atsOffer by application, atsJob by status."),
]
RETURN_PARAM = OpenApiParameter("returnResource", bool, description="Answer with the full resource instead of "
                                "a resourceRef.")


class _ListSchema(AutoSchema):
    """Path-based operation ids (so the /v1/s/ twins get their own), with GET on a collection
    called `list` rather than `retrieve`."""

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        return operation_id.replace("_retrieve", "_list") if self.method == "GET" else operation_id


def _ctx(request) -> dict:
    """Per-request arguments for the services: request id, and a session's own operations."""
    session = getattr(request._request, "connect_session", None)
    operations = getattr(session, "operations", None) if session is not None else None
    return {"request_id": getattr(request._request, "request_id", None),
            "session_operations": list(operations) if isinstance(operations, list) else None}


class ResourceListView(TenantAPIView):
    """List (GET) and create (POST) resources of one model on one connection."""

    schema = _ListSchema()

    @extend_schema(summary="List resources", tags=["resources"],
                   parameters=[MODEL_PARAM, *CONNECTION_HEADERS, *LIST_PARAMS, *READ_PARAMS],
                   responses={200: OpenApiResponse(LIST), **ERRORS})
    def get(self, request, model):
        params = services.parse_list_params(request.query_params)
        page = services.list_resources(self.get_connection(), model, params, **_ctx(request))
        return Response(page)

    @extend_schema(summary="Create a resource", tags=["resources"],
                   parameters=[MODEL_PARAM, *CONNECTION_HEADERS, RETURN_PARAM],
                   request={"application/json": WRITE_BODY},
                   responses={201: OpenApiResponse({"oneOf": [_ref("ResourceRef"), RESOURCE]}),
                              207: OpenApiResponse(RESOURCE, description="Saved, but mapped custom fields were "
                                                   "not (MORPH::FIELD_MAPPING::PARTIAL_WRITE)."), **ERRORS})
    def post(self, request, model):
        result = services.create_resource(self.get_connection(), model, request.data,
                                          return_resource=services.parse_bool(request.query_params.get(
                                              "returnResource")), **_ctx(request))
        return Response(result.body, status=207 if result.partial else 201)


class ResourceDetailView(TenantAPIView):
    """Retrieve (GET), update (PATCH) and delete (DELETE) one resource."""

    @extend_schema(summary="Retrieve a resource", tags=["resources"],
                   parameters=[MODEL_PARAM, ID_PARAM, *CONNECTION_HEADERS, *READ_PARAMS],
                   responses={200: OpenApiResponse(RESOURCE), **ERRORS})
    def get(self, request, model, resource_id):
        query = request.query_params
        fields = services._csv(query, "fields") or None
        res = services.retrieve_resource(self.get_connection(), model, resource_id, fields=fields,
                                         include_remote=services.parse_include(query),
                                         expand=services._csv(query, "expand"), **_ctx(request))
        return Response(res)

    @extend_schema(summary="Update a resource", tags=["resources"],
                   parameters=[MODEL_PARAM, ID_PARAM, *CONNECTION_HEADERS, RETURN_PARAM],
                   request={"application/json": WRITE_BODY},
                   responses={200: OpenApiResponse({"oneOf": [_ref("ResourceRef"), RESOURCE]}),
                              207: OpenApiResponse(RESOURCE), **ERRORS})
    def patch(self, request, model, resource_id):
        result = services.update_resource(self.get_connection(), model, resource_id, request.data,
                                          return_resource=services.parse_bool(request.query_params.get(
                                              "returnResource")), **_ctx(request))
        return Response(result.body, status=207 if result.partial else 200)

    @extend_schema(summary="Delete a resource", tags=["resources"],
                   parameters=[MODEL_PARAM, ID_PARAM, *CONNECTION_HEADERS],
                   responses={204: OpenApiResponse(description="Deleted."), **ERRORS})
    def delete(self, request, model, resource_id):
        services.delete_resource(self.get_connection(), model, resource_id, **_ctx(request))
        return Response(status=204)


class ModelFieldsView(TenantAPIView):
    """The fields of a model: standard unified fields, plus mapped and Ashby custom fields when a
    connection is named."""

    @extend_schema(summary="List a model's fields", tags=["resources"],
                   parameters=[MODEL_PARAM, *CONNECTION_HEADERS,
                               OpenApiParameter("isCustom", bool, description="Only custom (true) or only "
                                                "standard (false) fields."),
                               OpenApiParameter("refresh", bool, description="Re-read Ashby's custom fields.")],
                   responses={200: OpenApiResponse({"type": "object", "properties": {"data": {
                       "type": "array", "items": {"type": "object"}}, "next": {"type": "string", "nullable": True}}}),
                       **ERRORS})
    def get(self, request, model):
        query = request.query_params
        is_custom = None
        if query.get("isCustom") not in (None, ""):
            is_custom = services.parse_bool(query.get("isCustom"))
        connection = None
        named = request.headers.get("x-connector-id") or request.headers.get("x-owner-id")
        if named or getattr(request._request, "session_connection", None) is not None:
            connection = self.get_connection()
        data = services.model_fields(connection, model, is_custom=is_custom,
                                     refresh=services.parse_bool(query.get("refresh")))
        return Response({"data": data, "next": None})
