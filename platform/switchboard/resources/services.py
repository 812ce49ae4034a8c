"""Resources: the business logic behind the views (thin views, logic here).

Order of every call: resolve the model (unified or the tenant's custom model) -> refuse what the
connector has no API for (501) -> refuse operations the connection was not granted (403) ->
field mappings split the body -> the connector client -> field mappings and rendering.
Nothing reaches Ashby before the checks.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from connectors import errors as cerr
from connectors import unified
from switchboard.api.errors import ApiError, bad_request
from switchboard.connections.models import Connection
from switchboard.connections.services import client_for, connector_or_404, require_operation

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
FILTER_PARAM = re.compile(r"^filter\[([A-Za-z][A-Za-z0-9_]*)\]$")
TRUE = {"1", "true", "yes", "on"}

logger = logging.getLogger("switchboard.resources")


def _mappings():
    """The mappings app's services when installed, else None (resources work without it)."""
    if not apps.is_installed("switchboard.mappings"):
        return None
    from switchboard.mappings import services
    return services


# -- parameters -----------------------------------------------------------------------------------

@dataclass
class ListParams:
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    q: str | None = None
    fields: list[str] | None = None
    include_remote: bool = False
    expand: list[str] = field(default_factory=list)
    updated_after: str | None = None


def _csv(query, name: str) -> list[str]:
    out: list[str] = []
    for value in query.getlist(name):
        out += [v.strip() for v in value.split(",") if v.strip()]
    return out


def parse_include(query) -> bool:
    include = _csv(query, "include")
    unknown = sorted(set(include) - {"remote"})
    if unknown:
        raise bad_request(f"Unknown include value(s): {', '.join(unknown)}; only 'remote' is supported.",
                          field="include")
    return "remote" in include


def parse_list_params(query) -> ListParams:
    """Query string -> ListParams. `limit` above 100 is a 400, not silently clamped: a client that
    asks for 500 and gets 100 back may wrongly conclude it has everything."""
    params = ListParams()
    raw_limit = query.get("limit")
    if raw_limit not in (None, ""):
        try:
            params.limit = int(raw_limit)
        except ValueError:
            raise bad_request("limit must be an integer between 1 and 100.", field="limit") from None
        if not 1 <= params.limit <= MAX_LIMIT:
            raise bad_request(f"limit must be between 1 and {MAX_LIMIT}.", field="limit")
    params.cursor = query.get("cursor") or None
    for key in query.keys():
        match = FILTER_PARAM.match(key)
        if match:
            params.filters[match.group(1)] = query.get(key)
        elif key.startswith("filter"):
            raise bad_request(f"Malformed filter parameter {key!r}; use filter[<field>]=<value>.", field="filter")
    q = query.get("q")
    params.q = q.strip() if q and q.strip() else None
    fields = _csv(query, "fields")
    params.fields = fields or None
    params.include_remote = parse_include(query)
    params.expand = _csv(query, "expand")
    params.updated_after = query.get("updatedAfter") or None
    return params


def parse_bool(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE


def body_fields(data: Any) -> dict:
    """Morph's clients send `{"fields": {...}}`; a bare object of fields is accepted too."""
    if data in (None, ""):
        data = {}
    if not isinstance(data, dict):
        raise cerr.ValidationFailed("The body must be a JSON object: {\"fields\": {...}}.", field="fields")
    if "fields" in data:
        extra = sorted(set(data) - {"fields"})
        if extra:
            raise cerr.ValidationFailed(f"Unknown top-level key(s): {', '.join(extra)}; put fields inside "
                                        "\"fields\".", field=extra[0])
        if not isinstance(data["fields"], dict):
            raise cerr.ValidationFailed("\"fields\" must be an object.", field="fields")
        return data["fields"]
    return data


# -- the model being served ------------------------------------------------------------------------

class Target:
    """A unified model of the connection's connector, or one of the tenant's custom models."""

    def __init__(self, connection: Connection, model: str, *, session_operations: list[str] | None = None):
        self.connection = connection
        self.model = model
        self.session_operations = session_operations
        self.custom = None
        connector = connector_or_404(connection.connector_id)
        self.connector = connector
        if unified.get_model(model) is not None and model in connector.models():
            return
        mappings = _mappings()
        if mappings is not None:
            self.custom = mappings.custom_model_for(connection.tenant, model)
            if self.custom is not None:
                return
        raise ApiError("CONNECTOR::RESOURCE_MODEL::NOT_FOUND",
                       f"The {connector.name} connector has no model {model!r}.", 404)

    def check(self, operation: str, *, expand: list[str] | None = None) -> None:
        """Refuse before any provider call: unsupported (501), then not granted (403)."""
        if self.custom is not None:
            # Custom models are read-only views over Ashby reads; the connection must be usable.
            if operation not in ("list", "retrieve"):
                raise cerr.NotSupported(f"{self.model} is a custom model; it can only be listed and retrieved.")
            if self.connection.status != Connection.Status.AUTHORIZED or not self.connection.credentials:
                raise ApiError("MORPH::CONNECTION::NOT_AUTHORIZED",
                               "This connection is not authorized yet: authorize it first.", 401)
            return
        spec = self.connector.operation(f"{self.model}::{operation}")
        if spec is None:
            raise ApiError("CONNECTOR::OPERATION::NOT_FOUND", f"{self.model}::{operation} is not an operation of "
                           f"{self.connector.name}.", 403)
        if not spec.supported:
            raise cerr.NotSupported(spec.note or f"{self.connector.name} has no API to {operation} a {self.model}.")
        self._require(spec.name)
        for field_key in expand or []:
            f = unified.get_model(self.model).field(field_key)
            if f is None or f.type != "ref":
                raise bad_request(f"Cannot expand {field_key!r}: it is not a relation of {self.model}.",
                                  field="expand")
            # Expanding reads the related record: the connection needs that model's retrieve too.
            self._require(f"{f.ref}::retrieve")

    def _require(self, operation: str) -> None:
        require_operation(self.connection, operation)
        # A session may carry fewer operations than its connection (sessions.create's operations).
        if self.session_operations is not None and operation not in self.session_operations:
            raise ApiError("CONNECTOR::OPERATION::NOT_FOUND",
                           f"This session was not granted {operation!r}.", 403)


# -- rendering ------------------------------------------------------------------------------------

def render_resources(connection: Connection, model: str, resources: list[dict], *, include_remote: bool = False,
                     only: set[str] | None = None, apply_mappings: bool | None = None) -> list[dict]:
    """The one post-processing step for resources leaving Switchboard (API answers, webhook event
    data): field mappings add their keys, then the raw record is dropped unless asked for.
    `apply_mappings=False` skips the mapping lookup when the caller already knows there are none."""
    mappings = _mappings()
    if apply_mappings is not False and mappings is not None and unified.get_model(model) is not None and resources:
        mappings.apply_read_mappings(connection, model, resources, only=only)
    if not include_remote:
        for res in resources:
            if isinstance(res, dict):
                res.pop("remote", None)
    return resources


def _read_plan(connection: Connection, model: str, fields: list[str] | None, include_remote: bool):
    """(fields for the connector, mapped keys wanted, whether to fetch the raw record, whether
    any read mapping applies). One mapping lookup per request, not one per step."""
    mappings = _mappings()
    if mappings is None or unified.get_model(model) is None:
        return fields, None, include_remote, False
    has_mappings = mappings.needs_remote(connection, model)
    if not has_mappings:
        return fields, None, include_remote, False
    connector_fields, mapped = mappings.partition_fields(connection, model, fields)
    return connector_fields, mapped, True, True


# -- operations -----------------------------------------------------------------------------------

def list_resources(connection: Connection, model: str, params: ListParams, *, request_id: str | None,
                   session_operations: list[str] | None = None) -> dict:
    target = Target(connection, model, session_operations=session_operations)
    target.check("list", expand=params.expand)
    if target.custom is not None:
        return target.custom.list(connection, limit=params.limit, cursor=params.cursor, filters=params.filters,
                                  q=params.q, fields=params.fields, include_remote=params.include_remote,
                                  updated_after=params.updated_after, expand=params.expand, request_id=request_id)
    connector_fields, mapped, need_remote, apply = _read_plan(connection, model, params.fields,
                                                              params.include_remote)
    client = client_for(connection, request_id=request_id)
    page = client.list(model, limit=params.limit, cursor=params.cursor, filters=params.filters, q=params.q,
                       fields=connector_fields, include_remote=need_remote, updated_after=params.updated_after,
                       expand=params.expand)
    render_resources(connection, model, page["data"], include_remote=params.include_remote, only=mapped,
                     apply_mappings=apply)
    return {"data": page["data"], "next": page["next"]}


def retrieve_resource(connection: Connection, model: str, resource_id: str, *, fields: list[str] | None,
                      include_remote: bool, expand: list[str], request_id: str | None,
                      session_operations: list[str] | None = None) -> dict:
    target = Target(connection, model, session_operations=session_operations)
    target.check("retrieve", expand=expand)
    if target.custom is not None:
        return target.custom.retrieve(connection, resource_id, include_remote=include_remote, fields=fields,
                                      expand=expand, request_id=request_id)
    connector_fields, mapped, need_remote, apply = _read_plan(connection, model, fields, include_remote)
    client = client_for(connection, request_id=request_id)
    res = client.retrieve(model, resource_id, include_remote=need_remote, expand=expand, fields=connector_fields)
    return render_resources(connection, model, [res], include_remote=include_remote, only=mapped,
                            apply_mappings=apply)[0]


@dataclass
class WriteResult:
    body: dict
    partial: bool = False


def _write(connection: Connection, model: str, operation: str, data: Any, *, resource_id: str | None,
           return_resource: bool, request_id: str | None, session_operations: list[str] | None) -> WriteResult:
    target = Target(connection, model, session_operations=session_operations)
    target.check(operation)
    fields = body_fields(data)
    mappings = _mappings()
    custom_values: list[dict] = []
    if mappings is not None:
        fields, custom_values = mappings.split_write(connection, model, fields)
    client = client_for(connection, request_id=request_id)
    main_written = True
    need_remote = bool(return_resource and mappings is not None and mappings.needs_remote(connection, model))
    if operation == "create":
        result = client.create(model, fields, include_remote=need_remote)
    elif fields or not custom_values:
        result = client.update(model, resource_id, fields, include_remote=need_remote)
    else:  # only mapped custom fields change: no main update call
        result, main_written = unified.resource_ref(model, resource_id), False
    failure = None
    if custom_values:
        failure = mappings.finish_write(connection, model, result, custom_values, client=client,
                                        main_written=main_written)
    _announce(connection, model, "created" if operation == "create" else "updated", result, client)
    if return_resource:
        if result.get("object") != "resource":
            result = client.retrieve(model, result["id"], include_remote=need_remote)
        body = render_resources(connection, model, [result])[0]
    else:
        body = unified.resource_ref(model, result["id"])
    if failure:
        return WriteResult(mappings.partial_failure_body(body, failure), partial=True)
    return WriteResult(body)


def create_resource(connection: Connection, model: str, data: Any, *, return_resource: bool,
                    request_id: str | None, session_operations: list[str] | None = None) -> WriteResult:
    return _write(connection, model, "create", data, resource_id=None, return_resource=return_resource,
                  request_id=request_id, session_operations=session_operations)


def update_resource(connection: Connection, model: str, resource_id: str, data: Any, *, return_resource: bool,
                    request_id: str | None, session_operations: list[str] | None = None) -> WriteResult:
    return _write(connection, model, "update", data, resource_id=resource_id, return_resource=return_resource,
                  request_id=request_id, session_operations=session_operations)


def delete_resource(connection: Connection, model: str, resource_id: str, *, request_id: str | None,
                    session_operations: list[str] | None = None) -> None:
    target = Target(connection, model, session_operations=session_operations)
    target.check("delete")
    client_for(connection, request_id=request_id).delete(model, resource_id)
    _announce(connection, model, "deleted", resource_id, None)


def _announce(connection: Connection, model: str, trigger: str, result: dict | str, client) -> None:
    """Writes made through Switchboard become events now (not when the poller next looks), and
    their fingerprints are recorded so neither the poller nor Ashby's webhook repeats them.
    The write has already happened: a failure here is logged, never turned into an error."""
    try:
        from switchboard.webhooks.services import resource_written
    except ImportError:
        return
    try:
        if isinstance(result, dict) and result.get("object") != "resource" and client is not None:
            result = client.retrieve(model, result["id"], include_remote=True)
        resource_written(connection, model, trigger, result)
    except Exception:
        logger.exception("could not record the %s::%s event for a write through the API", model, trigger)


def model_fields(connection: Connection | None, model: str, *, is_custom: bool | None, refresh: bool) -> list[dict]:
    """Standard fields from the unified model; with a connection and the mappings app, also the
    mapped keys and the account's Ashby custom fields."""
    mappings = _mappings()
    if connection is not None and mappings is not None:
        return mappings.model_fields(connection, model, is_custom=is_custom, refresh=refresh)
    if unified.get_model(model) is None:
        raise ApiError("CONNECTOR::RESOURCE_MODEL::NOT_FOUND", f"There is no model {model!r}.", 404)
    if is_custom is True:
        return []
    return unified.fields_json(model)
