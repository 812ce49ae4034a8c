"""The client: ``Switchboard`` (server side, secret key) and ``SessionClient`` (browser side, session token).

The object layout follows Morph's clients so code written against Morph's docs reads the same:
``client.connections(connector_id=..., owner_id=...)`` returns a handle bound to one connection,
and everything that targets a connection (resources, fields, proxy) hangs off that handle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from ._http import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_WAIT,
    DEFAULT_TIMEOUT,
    Transport,
    decode_body,
)
from .errors import SwitchboardError
from .types import (
    Authorization,
    Connection,
    Connector,
    Event,
    Page,
    ProxyResponse,
    Resource,
    ResourceRef,
    Session,
    UnifiedField,
    WebhookSubscription,
    resource_or_ref,
)

__all__ = ["Switchboard", "SessionClient"]

T = TypeVar("T")

# A page loop whose server keeps answering cursors would never end; this bounds iter_all at
# 100 items x 100,000 pages, far past any real account, and a repeated cursor stops it at once.
MAX_PAGES = 100_000


def _seg(value: str) -> str:
    """Quote one path segment: owner ids are the developer's own and may hold '/', '?', spaces."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"path segment must be a non-empty string, got {value!r}")
    return quote(value, safe="")


def _json(response: requests.Response) -> Any:
    return decode_body(response)


def _page(body: Any, parse: Callable[[dict[str, Any]], T]) -> Page[T]:
    # Lists are {data, next}; a bare JSON array is accepted too so a simpler server still works.
    if isinstance(body, list):
        return Page(data=[parse(item) for item in body if isinstance(item, dict)], next=None, raw={"data": body})
    if not isinstance(body, dict):
        return Page()
    items = body.get("data") or []
    return Page(data=[parse(item) for item in items if isinstance(item, dict)], next=body.get("next") or None, raw=body)


def _iter_pages(fetch: Callable[[str | None], Page[T]], cursor: str | None = None) -> Iterator[T]:
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        page = fetch(cursor)
        yield from page.data
        if not page.next:
            return
        if page.next in seen:
            raise SwitchboardError(
                "SDK::PAGINATION::LOOP", f"the server returned cursor {page.next!r} twice; stopping"
            )
        seen.add(page.next)
        cursor = page.next
    raise SwitchboardError("SDK::PAGINATION::LIMIT", f"stopped after {MAX_PAGES} pages")


def _csv(value: str | Iterable[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return ",".join(value)


def _iso(value: datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


# --------------------------------------------------------------------------------------------------
# Resources, fields, proxy: shared by the secret client (headers name the connection) and the session
# client (the token names it; paths under /v1/s).


class Resources:
    """CRUD on one unified model of one connection: ``connection.resources("atsJob")``."""

    def __init__(self, transport: Transport, model: str, prefix: str, headers: Mapping[str, str]) -> None:
        self._t = transport
        self.model = model
        self._base = f"{prefix}/resources/{_seg(model)}"
        self._headers = dict(headers)

    def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        filters: Mapping[str, Any] | None = None,
        q: str | None = None,
        fields: Iterable[str] | str | None = None,
        include_remote: bool = False,
        updated_after: datetime | str | None = None,
    ) -> Page[Resource]:
        params: dict[str, Any] = {
            "limit": limit,
            "cursor": cursor,
            "q": q,
            "fields": _csv(fields),
            "include": "remote" if include_remote else None,
            "updatedAfter": _iso(updated_after),
        }
        for key, value in (filters or {}).items():
            # Morph's filter syntax: filter[<field>]=value.
            params[f"filter[{key}]"] = value
        response = self._t.request("GET", self._base, params=params, headers=self._headers)
        return _page(_json(response), Resource.from_json)

    def iter_all(self, *, cursor: str | None = None, **kwargs: Any) -> Iterator[Resource]:
        """Every record across pages, fetching the next page only when the previous one is consumed."""
        return _iter_pages(lambda c: self.list(cursor=c, **kwargs), cursor)

    def retrieve(
        self,
        id: str,
        *,
        expand: Iterable[str] | str | None = None,
        include_remote: bool = False,
        fields: Iterable[str] | str | None = None,
    ) -> Resource:
        params = {
            "expand": _csv(expand),
            "include": "remote" if include_remote else None,
            "fields": _csv(fields),
        }
        response = self._t.request("GET", f"{self._base}/{_seg(id)}", params=params, headers=self._headers)
        return Resource.from_json(_json(response))

    def create(self, fields: Mapping[str, Any], *, return_resource: bool = False) -> Resource | ResourceRef:
        response = self._t.request(
            "POST",
            self._base,
            params={"returnResource": True if return_resource else None},
            json={"fields": dict(fields)},
            headers=self._headers,
        )
        return resource_or_ref(_json(response))

    def update(
        self, id: str, fields: Mapping[str, Any], *, return_resource: bool = False
    ) -> Resource | ResourceRef:
        response = self._t.request(
            "PATCH",
            f"{self._base}/{_seg(id)}",
            params={"returnResource": True if return_resource else None},
            json={"fields": dict(fields)},
            headers=self._headers,
        )
        return resource_or_ref(_json(response))

    def delete(self, id: str) -> None:
        self._t.request("DELETE", f"{self._base}/{_seg(id)}", headers=self._headers)


class Models:
    """Metadata of one model on one connection: ``connection.models("genericContact").fields()``."""

    def __init__(self, transport: Transport, model: str, prefix: str, headers: Mapping[str, str]) -> None:
        self._t = transport
        self.model = model
        self._base = f"{prefix}/models/{_seg(model)}"
        self._headers = dict(headers)

    def fields(self, *, is_custom: bool | None = None) -> list[UnifiedField]:
        response = self._t.request(
            "GET", f"{self._base}/fields", params={"isCustom": is_custom}, headers=self._headers
        )
        return list(_page(_json(response), UnifiedField.from_json).data)


# --------------------------------------------------------------------------------------------------
# Server-side (secret key) API


class ConnectionHandle:
    """One (connector, owner) connection. Creating the handle makes no request."""

    def __init__(self, transport: Transport, connector_id: str, owner_id: str) -> None:
        self._t = transport
        self.connector_id = connector_id
        self.owner_id = owner_id
        self._path = f"/v1/connections/{_seg(connector_id)}/{_seg(owner_id)}"
        # Calls on /v1/resources, /v1/models and /v1/proxy name their connection with these headers.
        self._headers = {"x-connector-id": connector_id, "x-owner-id": owner_id}

    def __repr__(self) -> str:
        return f"ConnectionHandle(connector_id={self.connector_id!r}, owner_id={self.owner_id!r})"

    def create(self, operations: Iterable[str] | None = None) -> Connection:
        """Create the connection, or set its operations if it exists (the server upserts, so this
        is safe to retry)."""
        body = {"operations": list(operations or [])}
        response = self._t.request("POST", self._path, json=body, idempotent=True)
        return Connection.from_json(_json(response))

    def retrieve(self) -> Connection:
        return Connection.from_json(_json(self._t.request("GET", self._path)))

    def update(self, operations: Iterable[str]) -> Connection:
        body = {"operations": list(operations)}
        return Connection.from_json(_json(self._t.request("PATCH", self._path, json=body)))

    def delete(self) -> None:
        self._t.request("DELETE", self._path)

    def authorize(
        self, settings: Mapping[str, Any] | None = None, redirect_url: str | None = None
    ) -> Authorization:
        """Without settings: get the hosted connect page URL to redirect the user to. With settings
        (Ashby: ``{"apiKey": ...}``): authorize server-side, ``status`` tells whether it worked."""
        body: dict[str, Any] = {}
        if settings is not None:
            body["settings"] = dict(settings)
        response = self._t.request(
            "POST",
            f"{self._path}/authorization",
            params={"redirectUrl": redirect_url},
            json=body,
            # Authorizing twice with the same input leaves the same state, so a lost response is
            # safe to ask for again.
            idempotent=True,
        )
        return Authorization.from_json(_json(response))

    def resources(self, model: str) -> Resources:
        return Resources(self._t, model, "/v1", self._headers)

    def models(self, model: str) -> Models:
        return Models(self._t, model, "/v1", self._headers)

    def proxy(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> ProxyResponse:
        """Call any provider endpoint with the connection's credentials injected.

        Ashby's RPC API is all ``POST``, so ``proxy("POST", "/candidate.info", data={"id": ...})``.
        """
        method = method.upper()
        body: dict[str, Any] = {"method": method, "path": path}
        if query is not None:
            body["query"] = dict(query)
        if data is not None:
            body["data"] = data
        if headers is not None:
            body["headers"] = dict(headers)
        response = self._t.request(
            "POST",
            "/v1/proxy",
            json=body,
            headers=self._headers,
            # The envelope is always POST; whether a retry is safe depends on the proxied method.
            idempotent=method in {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"},
        )
        return _proxy_response(response)


def _proxy_response(response: requests.Response) -> ProxyResponse:
    payload = _json(response)
    # Two server styles are accepted: an envelope {status, body[, headers]}, or the provider's body
    # passed through with the provider's status as the HTTP status.
    if isinstance(payload, dict) and isinstance(payload.get("status"), int) and "body" in payload:
        hdrs = payload.get("headers")
        return ProxyResponse(
            raw=payload,
            status=payload["status"],
            body=payload.get("body"),
            headers=dict(hdrs) if isinstance(hdrs, dict) else {},
        )
    return ProxyResponse(
        raw=payload if isinstance(payload, dict) else {"body": payload},
        status=response.status_code,
        body=payload,
        headers=dict(response.headers),
    )


class Sessions:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def create(
        self,
        *,
        connector_id: str,
        owner_id: str,
        operations: Iterable[str] | None = None,
        expires_in: int | None = None,
    ) -> Session:
        """A short-lived token for the browser (connect page, ``SessionClient``). ``expires_in`` in seconds."""
        connection: dict[str, Any] = {}
        if operations is not None:
            connection["operations"] = list(operations)
        body: dict[str, Any] = {"connection": connection}
        if expires_in is not None:
            body["expiresIn"] = expires_in
        response = self._t.request(
            "POST", f"/v1/connections/{_seg(connector_id)}/{_seg(owner_id)}/sessions", json=body
        )
        return Session.from_json(_json(response))


class Connectors:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self) -> Page[Connector]:
        return _page(_json(self._t.request("GET", "/v1/connectors")), Connector.from_json)

    def retrieve(self, connector_id: str) -> Connector:
        return Connector.from_json(_json(self._t.request("GET", f"/v1/connectors/{_seg(connector_id)}")))


class Webhooks:
    """Webhook subscriptions. ``create`` returns the signing secret; it is not shown again."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, *, cursor: str | None = None, limit: int | None = None) -> Page[WebhookSubscription]:
        response = self._t.request("GET", "/v1/webhooks", params={"cursor": cursor, "limit": limit})
        return _page(_json(response), WebhookSubscription.from_json)

    def create(
        self,
        url: str,
        events: Iterable[str],
        *,
        connector_id: str | None = None,
        owner_id: str | None = None,
        active: bool | None = None,
    ) -> WebhookSubscription:
        body: dict[str, Any] = {"url": url, "events": list(events)}
        if connector_id is not None:
            body["connectorId"] = connector_id
        if owner_id is not None:
            body["ownerId"] = owner_id
        if active is not None:
            body["active"] = active
        return WebhookSubscription.from_json(_json(self._t.request("POST", "/v1/webhooks", json=body)))

    def retrieve(self, id: str) -> WebhookSubscription:
        return WebhookSubscription.from_json(_json(self._t.request("GET", f"/v1/webhooks/{_seg(id)}")))

    def update(
        self,
        id: str,
        *,
        url: str | None = None,
        events: Iterable[str] | None = None,
        active: bool | None = None,
    ) -> WebhookSubscription:
        body: dict[str, Any] = {}
        if url is not None:
            body["url"] = url
        if events is not None:
            body["events"] = list(events)
        if active is not None:
            body["active"] = active
        response = self._t.request("PATCH", f"/v1/webhooks/{_seg(id)}", json=body)
        return WebhookSubscription.from_json(_json(response))

    def delete(self, id: str) -> None:
        self._t.request("DELETE", f"/v1/webhooks/{_seg(id)}")

    def rotate_secret(self, id: str, *, previous_secret_ttl: int | None = None) -> WebhookSubscription:
        """A new signing secret (in ``.secret``, shown once). For ``previous_secret_ttl`` seconds
        (server default: one day; 0 retires it at once) deliveries are signed with both secrets,
        so receivers verifying with either keep working while you deploy the new one."""
        body: dict[str, Any] = {}
        if previous_secret_ttl is not None:
            body["previousSecretTtl"] = previous_secret_ttl
        response = self._t.request("POST", f"/v1/webhooks/{_seg(id)}/rotate-secret", json=body)
        return WebhookSubscription.from_json(_json(response))


class Events:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(
        self,
        *,
        type: str | None = None,
        connector_id: str | None = None,
        owner_id: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[Event]:
        params = {
            "type": type,
            "connectorId": connector_id,
            "ownerId": owner_id,
            "cursor": cursor,
            "limit": limit,
        }
        return _page(_json(self._t.request("GET", "/v1/events", params=params)), Event.from_json)

    def iter_all(self, **kwargs: Any) -> Iterator[Event]:
        cursor = kwargs.pop("cursor", None)
        return _iter_pages(lambda c: self.list(cursor=c, **kwargs), cursor)

    def retrieve(self, id: str) -> Event:
        return Event.from_json(_json(self._t.request("GET", f"/v1/events/{_seg(id)}")))

    def replay(self, id: str) -> dict[str, Any]:
        """Queue the event for delivery again to every matching subscription. Not retried on
        transport errors: a second replay would deliver a second time."""
        body = _json(self._t.request("POST", f"/v1/events/{_seg(id)}/replay"))
        return body if isinstance(body, dict) else {}


class _JsonCrud:
    """Plain CRUD over JSON objects, for APIs whose shapes are still moving (results are dicts)."""

    path = ""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, **params: Any) -> Page[dict[str, Any]]:
        return _page(_json(self._t.request("GET", self.path, params=params)), dict)

    def create(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return _json(self._t.request("POST", self.path, json=dict(data)))

    def retrieve(self, id: str) -> dict[str, Any]:
        return _json(self._t.request("GET", f"{self.path}/{_seg(id)}"))

    def update(self, id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        return _json(self._t.request("PATCH", f"{self.path}/{_seg(id)}", json=dict(data)))

    def delete(self, id: str) -> None:
        self._t.request("DELETE", f"{self.path}/{_seg(id)}")


class FieldMappings(_JsonCrud):
    """``/v1/field-mappings``: map remote custom fields onto unified models."""

    path = "/v1/field-mappings"


class CustomModels(_JsonCrud):
    """``/v1/custom-models``: tenant-defined models served under ``/v1/resources/{name}``."""

    path = "/v1/custom-models"


class _Base:
    _t: Transport

    def close(self) -> None:
        """Close pooled HTTP connections (also done by ``with Switchboard(...) as client:``)."""
        self._t.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Switchboard(_Base):
    """Server-side client, authenticated with the tenant's public and secret keys.

    ``timeout`` is seconds per HTTP attempt (or a ``(connect, read)`` tuple); ``max_retries`` bounds
    automatic retries (429 and transient failures); ``max_retry_wait`` is the longest single sleep
    the client accepts from a ``Retry-After`` before raising ``RateLimitError`` instead.
    """

    def __init__(
        self,
        public_key: str,
        secret_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        http_session: requests.Session | None = None,
    ) -> None:
        if not public_key or not secret_key:
            raise ValueError("public_key and secret_key are required (see create_tenant --json)")
        self._t = Transport(
            base_url=base_url,
            auth_headers={"x-api-key": public_key, "x-api-secret": secret_key},
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            session=http_session,
        )
        self.sessions = Sessions(self._t)
        self.connectors = Connectors(self._t)
        self.webhooks = Webhooks(self._t)
        self.events = Events(self._t)
        self.field_mappings = FieldMappings(self._t)
        self.custom_models = CustomModels(self._t)

    def __repr__(self) -> str:
        # Never the secret key: reprs end up in logs and tracebacks.
        return f"Switchboard(base_url={self._t.base_url!r})"

    def connections(self, *, connector_id: str, owner_id: str) -> ConnectionHandle:
        return ConnectionHandle(self._t, connector_id, owner_id)

    @classmethod
    def from_session(
        cls,
        *,
        public_key: str,
        session_token: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        http_session: requests.Session | None = None,
    ) -> SessionClient:
        """A client limited to the one connection a session token names (uses ``/v1/s/...``)."""
        return SessionClient(
            public_key=public_key,
            session_token=session_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            http_session=http_session,
        )


# --------------------------------------------------------------------------------------------------
# Session-scoped API


class SessionConnection:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def retrieve(self) -> Connection:
        return Connection.from_json(_json(self._t.request("GET", "/v1/s/connection")))

    def delete(self) -> None:
        self._t.request("DELETE", "/v1/s/connection")

    def authorize(
        self, settings: Mapping[str, Any] | None = None, redirect_url: str | None = None
    ) -> Authorization:
        body: dict[str, Any] = {}
        if settings is not None:
            body["settings"] = dict(settings)
        response = self._t.request(
            "POST",
            "/v1/s/connection/authorization",
            params={"redirectUrl": redirect_url},
            json=body,
            idempotent=True,
        )
        return Authorization.from_json(_json(response))


class SessionConnector:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def retrieve(self) -> Connector:
        return Connector.from_json(_json(self._t.request("GET", "/v1/s/connector")))


class SessionClient(_Base):
    """Client for code holding only a session token (e.g. a desktop app or a browser-side proxy)."""

    def __init__(
        self,
        *,
        public_key: str,
        session_token: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        http_session: requests.Session | None = None,
    ) -> None:
        if not public_key or not session_token:
            raise ValueError("public_key and session_token are required")
        self._t = Transport(
            base_url=base_url,
            auth_headers={"x-api-key": public_key, "x-session-token": session_token},
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            session=http_session,
        )
        self.connection = SessionConnection(self._t)
        self.connector = SessionConnector(self._t)

    def __repr__(self) -> str:
        return f"SessionClient(base_url={self._t.base_url!r})"

    def resources(self, model: str) -> Resources:
        return Resources(self._t, model, "/v1/s", {})

    def models(self, model: str) -> Models:
        return Models(self._t, model, "/v1/s", {})
