"""The Ashby client: the interface the platform calls for one connection.

    client = AshbyConnector().client(ctx)
    client.list(model, limit=50, cursor=None, filters=None, q=None, fields=None,
                include_remote=False, updated_after=None, expand=()) -> {"data": [...], "next": str|None}
    client.retrieve(model, id, include_remote=False, expand=(), fields=None) -> resource
    client.create(model, fields) -> resource         client.update(model, id, fields) -> resource
    client.delete(model, id) -> None
    client.proxy(method, path, query=None, data=None, headers=None) -> (status, headers, body)
    client.sync(model, sync_token=None) -> SyncResult (.pages(), then .sync_token)
    client.register_webhook(type, url, secret) -> remote id;  client.delete_webhook(remote_id)
    client.to_resource(model, remote_record) -> resource
    client.list_custom_fields(model) -> [...];  client.set_custom_field_values(model, id, values)

Resources have DESIGN.md section 4's shape. Bodies of create/update are validated against the
unified model before any call to Ashby.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from connectors import errors, unified
from connectors.ashby.api import AshbyApi
from connectors.ashby.models.ats import ApplicationHandler, JobHandler, OfferHandler, StageHandler
from connectors.ashby.models.base import PAGE, Handler, parse_time
from connectors.ashby.models.generic import ContactHandler, UserHandler, WorkspaceHandler
from connectors.ashby.models.schedule import CalendarHandler, EventHandler, EventTypeHandler
from connectors.base import ConnectorContext
from connectors.cursors import decode_cursor, encode_cursor
from connectors.pagination import CursorPagination

HANDLERS: dict[str, type[Handler]] = {h.model: h for h in (
    ContactHandler, UserHandler, WorkspaceHandler, CalendarHandler, EventTypeHandler, EventHandler,
    JobHandler, ApplicationHandler, StageHandler, OfferHandler)}

MAX_LIMIT = 100
PROXY_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}
PROXY_BLOCKED_HEADERS = {"authorization", "proxy-authorization", "host", "cookie", "content-length",
                         "transfer-encoding", "connection"}
PROXY_RETURNED_HEADERS = ("content-type", "x-ashby-request-id", "x-ratelimit-limit", "x-ratelimit-remaining",
                          "x-ratelimit-reset", "retry-after")


class SyncResult:
    """One change-detection pass over a model.

    Iterate `pages()` (lists of resources); once exhausted, `sync_token` holds the token for the
    next incremental pass (None for models Ashby cannot sync incrementally: the caller keeps doing
    full passes). `incremental` says whether this pass only returns changes. An expired or
    invalid token raises SyncTokenExpired from `pages()`: drop the token and run a full pass.
    """

    def __init__(self, client: AshbyClient, model: str, sync_token: str | None):
        self._client = client
        self.model = model
        self._handler = client._handler(model)
        self.supports_sync = self._handler.supports_sync
        self.incremental = bool(sync_token) and self.supports_sync
        self._given = sync_token if self.incremental else None
        self.sync_token: str | None = None
        self.complete = False

    def pages(self) -> Iterator[list[dict]]:
        for records in self._handler.sync_pages(self._given, self):
            # `remote` is kept for field mappings; the platform's render step drops it.
            yield [self._client._resource(self._handler, r, include_remote=True) for r in records
                   if isinstance(r, dict)]
        self.complete = True

    __iter__ = pages


class AshbyClient:
    def __init__(self, ctx: ConnectorContext, api: AshbyApi | None = None):
        self.ctx = ctx
        self.settings = ctx.settings or {}
        self.api = api or AshbyApi(ctx)
        self._handlers: dict[str, Handler] = {}
        self.cache: dict[str, dict] = {}  # per-client (so per API request) lookups, e.g. interviews

    # -- plumbing ---------------------------------------------------------------------------------
    def _handler(self, model: str) -> Handler:
        if model not in self._handlers:
            cls = HANDLERS.get(model)
            if cls is None:
                raise errors.BadRequest(f"Unknown model '{model}'.", field="model")
            self._handlers[model] = cls(self.api, self)
        return self._handlers[model]

    def _check_supported(self, model: str, operation: str) -> None:
        from connectors.ashby.connector import OPERATION_SPECS
        spec = OPERATION_SPECS.get(f"{model}::{operation}")
        if spec is not None and not spec.supported:
            raise errors.NotSupported(spec.note or f"Ashby has no API to {operation} a {model}.")

    def _only(self, model: str, fields: Iterable[str] | None) -> set[str] | None:
        if fields is None:
            return None
        if isinstance(fields, str):
            fields = [f for f in fields.split(",")]
        wanted = {f.strip() for f in fields if f and f.strip()}
        if not wanted:
            return None
        known = set(unified.get_model(model).keys())
        unknown = sorted(wanted - known)
        if unknown:
            raise errors.BadRequest(f"Unknown fields for {model}: {', '.join(unknown)}.", field="fields")
        return wanted

    def _resource(self, handler: Handler, record: dict, *, only: set[str] | None = None,
                  include_remote: bool = False) -> dict:
        fields, warnings = handler.to_fields(record, only)
        created, updated = handler.timestamps(record)
        rid = handler.record_id(record)
        if not rid:
            raise errors.UpstreamError(f"Ashby returned a {handler.model} record without an id.",
                                       remote_code="malformed_body")
        return unified.resource(handler.model, rid, fields, created_at=created, updated_at=updated,
                                remote=record, warnings=warnings, include_remote=include_remote)

    def to_resource(self, model: str, remote_record: dict, *, include_remote: bool = True) -> dict:
        """A unified resource from a remote record (e.g. a webhook payload's object, in the shape
        `map_webhook_event` returns). It keeps `remote` by default so field mappings can read it;
        the platform's render step drops it unless the developer asked for it."""
        return self._resource(self._handler(model), remote_record, include_remote=include_remote)

    def expand_targets(self, model: str, expand: Iterable[str]) -> list[str]:
        """Models an `expand` reads (the platform checks those operations are granted too)."""
        m = unified.get_model(model)
        out = []
        for key in _names(expand):
            f = m.field(key) if m else None
            if f is None or f.type != "ref":
                raise errors.BadRequest(f"Cannot expand '{key}': not a relation of {model}.", field="expand")
            out.append(f.ref)
        return out

    def _expand(self, model: str, resources: list[dict], expand: Iterable[str]) -> None:
        keys = _names(expand)
        if not keys:
            return
        self.expand_targets(model, keys)
        m = unified.get_model(model)
        cache: dict[tuple[str, str], dict | Exception] = {}

        def fetch(ref: dict) -> dict:
            key = (ref["model"], ref["id"])
            if key not in cache:
                try:
                    cache[key] = self.retrieve(ref["model"], ref["id"])
                except errors.ConnectorError as exc:
                    cache[key] = exc
            return cache[key]

        for res in resources:
            for key in keys:
                value = res["fields"].get(key)
                if not value:
                    continue
                refs = value if isinstance(value, list) else [value]
                expanded = []
                for ref in refs:
                    got = fetch(ref) if isinstance(ref, dict) and ref.get("object") == "resourceRef" else ref
                    if isinstance(got, Exception):
                        res.setdefault("warnings", []).append({
                            "field": key, "code": "expandFailed", "message": f"Could not expand "
                            f"{m.field(key).ref} {ref.get('id')}: {got.message}"})
                        got = ref
                    expanded.append(got)
                res["fields"][key] = expanded if isinstance(value, list) else expanded[0]

    # -- list / retrieve ----------------------------------------------------------------------
    def list(self, model: str, *, limit: int = 50, cursor: str | None = None, filters: dict | None = None,
             q: str | None = None, fields: Iterable[str] | None = None, include_remote: bool = False,
             updated_after: str | None = None, expand: Iterable[str] = ()) -> dict:
        self._check_supported(model, "list")
        handler = self._handler(model)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise errors.BadRequest(f"limit must be an integer between 1 and {MAX_LIMIT}.", field="limit")
        since = None
        if updated_after is not None:
            since = parse_time(updated_after)
            if since is None:
                raise errors.BadRequest("updatedAfter must be an ISO-8601 date-time.", field="updatedAfter")
        only = self._only(model, fields)
        if expand:
            self.expand_targets(model, expand)
        filters = {k: v for k, v in (filters or {}).items()}
        q = q if q not in ("",) else None
        # The cursor is bound to what selects the records, not to the page size or field choice.
        params = {"filters": filters, "q": q, "updatedAfter": updated_after}
        secret = self.settings.get("cursor_secret")
        state = decode_cursor(cursor, model=model, params=params, secret=secret) if cursor else {}

        records, next_state = handler.list_page(limit=limit, state=state, filters=filters, q=q, only=only)
        if q is not None:
            records = records[:limit]  # Ashby search is not paginated (at most 100 results)
        if since is not None:
            # Ashby lists filter on creation time only; updatedAfter is applied here, page by page,
            # so a page can hold fewer than `limit` records while `next` still leads on.
            records = [r for r in records if _after(handler.timestamps(r)[1], since)]
        records = handler.enrich([r for r in records if isinstance(r, dict)], only)
        data = [self._resource(handler, r, only=only, include_remote=include_remote) for r in records]
        self._expand(model, data, expand)
        nxt = encode_cursor(next_state, model=model, params=params, secret=secret) if next_state else None
        return {"data": data, "next": nxt}

    def retrieve(self, model: str, id: str, *, include_remote: bool = False, expand: Iterable[str] = (),
                 fields: Iterable[str] | None = None) -> dict:
        self._check_supported(model, "retrieve")
        handler = self._handler(model)
        if not isinstance(id, str) or not id.strip():
            raise errors.BadRequest("An id is required.", field="id")
        only = self._only(model, fields)
        record = handler.retrieve_record(id)
        res = self._resource(handler, record, only=only, include_remote=include_remote)
        self._expand(model, [res], expand)
        return res

    # -- writes -----------------------------------------------------------------------------------
    def create(self, model: str, fields: dict, *, include_remote: bool = False) -> dict:
        self._check_supported(model, "create")
        handler = self._handler(model)
        body = unified.validate_body(model, fields, partial=False)
        record = handler.create(body)
        if not isinstance(record, dict):
            raise errors.UpstreamError(f"Ashby returned no {model} after creating it.", remote_code="malformed_body")
        return self._resource(handler, handler.enrich([record], None)[0], include_remote=include_remote)

    def update(self, model: str, id: str, fields: dict, *, include_remote: bool = False) -> dict:
        self._check_supported(model, "update")
        handler = self._handler(model)
        body = unified.validate_body(model, fields, partial=True)
        record = handler.update(id, body)
        if not isinstance(record, dict):
            record = handler.retrieve_record(id)
        return self._resource(handler, handler.enrich([record], None)[0], include_remote=include_remote)

    def delete(self, model: str, id: str) -> None:
        self._check_supported(model, "delete")
        if model == "genericContact" and not self.settings.get("allow_anonymize"):
            raise errors.NotSupported(
                "Ashby cannot delete candidates. It can only anonymize them (irreversible, and only when all "
                "their applications are archived or hired); enable the connection's allow_anonymize setting "
                "to make delete anonymize.")
        self._handler(model).delete(id)

    # -- sync ---------------------------------------------------------------------------------
    def complete(self, model: str, resources: list[dict]) -> list[dict]:
        """List or sync resources with the fields lists leave out (`list_omitted_fields`) filled in,
        as a retrieve would show them, for when only a few records matter (the ones a change event
        announces). Each resource needs its `remote` (include_remote=True); the result keeps it.
        A call that fails raises, like the list it stands in for."""
        handler = self._handler(model)
        if not handler.list_omits or not resources:
            return resources
        records = [r.get("remote") for r in resources]
        if not all(isinstance(rec, dict) for rec in records):
            raise errors.BadRequest("complete() needs resources read with include_remote=True.")
        records = handler.enrich([dict(rec) for rec in records], set(handler.list_omits))
        return [self._resource(handler, rec, include_remote=True) for rec in records]

    def sync(self, model: str, sync_token: str | None = None) -> SyncResult:
        self._check_supported(model, "list")
        return SyncResult(self, model, sync_token)

    # -- proxy --------------------------------------------------------------------------------
    def proxy(self, method: str, path: str, query: dict | None = None, data: Any = None,
              headers: dict | None = None) -> tuple[int, dict, Any]:
        method = (method or "").upper()
        if method not in PROXY_METHODS:
            raise errors.BadRequest(f"Unsupported proxy method '{method}'.", field="method")
        if not isinstance(path, str) or not path.startswith("/"):
            raise errors.BadRequest("path must be relative to the Ashby base URL and start with '/'.",
                                    field="path")
        clean_headers: dict[str, str] = {}
        for key, value in (headers or {}).items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise errors.BadRequest("Proxy headers must be strings.", field="headers")
            if key.lower() in PROXY_BLOCKED_HEADERS:
                raise errors.BadRequest(f"The proxy sets the '{key}' header itself; it cannot be overridden.",
                                        field="headers")
            clean_headers[key] = value
        if query is not None and not isinstance(query, dict):
            raise errors.BadRequest("query must be an object.", field="query")
        json_body = data if data is not None else ({} if method in ("POST", "PUT", "PATCH") else None)
        # Proxied calls are never retried: the proxy cannot know whether the endpoint is a read.
        resp = self.api.request(method, path, json_body=json_body, params=query or None, headers=clean_headers,
                                idempotent=False, raise_for_status=False, parse_json=False)
        body: Any = resp.body
        ctype = next((v for k, v in resp.headers.items() if k.lower() == "content-type"), "")
        if resp.raw and ("json" in ctype or not ctype):
            try:
                body = json.loads(resp.raw)
            except ValueError:
                body = resp.body
        elif not resp.raw:
            body = None
        out_headers = {k.lower(): v for k, v in resp.headers.items() if k.lower() in PROXY_RETURNED_HEADERS}
        return resp.status, out_headers, body

    # -- webhooks -------------------------------------------------------------------------------
    def register_webhook(self, webhook_type: str, url: str, secret: str) -> str:
        from connectors.ashby.webhooks import ACCEPTED_TYPES
        if webhook_type not in ACCEPTED_TYPES:
            raise errors.BadRequest(f"Ashby does not accept webhook type '{webhook_type}'.", field="webhookType")
        result = self.api.results("webhook.create", {"webhookType": webhook_type, "requestUrl": url,
                                                     "secretToken": secret}, write=True)
        remote_id = result.get("id") if isinstance(result, dict) else None
        if not remote_id:
            raise errors.UpstreamError("Ashby created the webhook but returned no id.", remote_code="malformed_body")
        return remote_id

    def delete_webhook(self, remote_id: str) -> None:
        try:
            self.api.results("webhook.delete", {"webhookId": remote_id}, write=True)
        except errors.NotFound:
            pass  # already gone: deleting is idempotent for the caller

    # -- custom fields --------------------------------------------------------------------------
    def list_custom_fields(self, model: str) -> list[dict]:
        object_type = self._handler(model).custom_field_object
        if object_type is None:
            return []
        out = []
        paginator = CursorPagination(max_pages=1000)
        for item in paginator.items(lambda c: self.api.page("customField.list", {"limit": PAGE}, c)):
            if not isinstance(item, dict) or item.get("objectType") != object_type:
                continue
            out.append({"id": item.get("id"), "title": item.get("title"), "fieldType": item.get("fieldType"),
                        "objectType": object_type, "isPrivate": bool(item.get("isPrivate")),
                        "isArchived": bool(item.get("isArchived")), "isRequired": bool(item.get("isRequired")),
                        "selectableValues": item.get("selectableValues") or [],
                        "description": item.get("description")})
        return out

    def set_custom_field_values(self, model: str, id: str, values: list[dict]) -> list[dict]:
        object_type = self._handler(model).custom_field_object
        if object_type is None:
            raise errors.NotSupported(f"Ashby has no custom fields that can be written on {model}.")
        if not isinstance(values, list) or not values:
            raise errors.BadRequest("values must be a non-empty list of {fieldId, value}.", field="values")
        remote = []
        for item in values:
            if not isinstance(item, dict) or not isinstance(item.get("fieldId"), str):
                raise errors.BadRequest("Each value needs a fieldId and a value.", field="values")
            remote.append({"fieldId": item["fieldId"], "fieldValue": item.get("value")})
        result = self.api.results("customField.setValues", {"objectId": id, "objectType": object_type,
                                                            "values": remote}, write=True)
        return result if isinstance(result, list) else []


def _names(expand: Iterable[str] | str | None) -> list[str]:
    if not expand:
        return []
    if isinstance(expand, str):
        expand = expand.split(",")
    return [e.strip() for e in expand if e and e.strip()]


def _after(timestamp: str | None, since) -> bool:
    parsed = parse_time(timestamp)
    if parsed is None:
        return True  # unknown update time: keep it rather than silently drop it
    return parsed.astimezone(UTC) > since.astimezone(UTC)
