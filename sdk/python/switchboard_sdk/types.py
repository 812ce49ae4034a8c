"""Typed results matching the REST shapes of DESIGN.md section 4.

Each result is a dataclass with snake_case attributes for the documented keys and ``raw`` holding
the JSON exactly as received, so keys the server adds later are never lost. Results also answer
``obj["authorization_url"]`` / ``obj["authorizationUrl"]``: Morph's Python examples index the result
like a dict, and that code should keep working when pointed at Switchboard.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

__all__ = [
    "ApiObject",
    "Connection",
    "Authorization",
    "Session",
    "Resource",
    "ResourceRef",
    "Page",
    "UnifiedField",
    "Connector",
    "ProxyResponse",
    "WebhookSubscription",
    "Event",
]

T = TypeVar("T")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def parse_datetime(value: Any) -> datetime | None:
    """Parse the API's ISO 8601 timestamps; ``None`` for absent or unparsable values (``raw`` keeps them)."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    # datetime.fromisoformat only accepts a trailing "Z" from Python 3.11 on.
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)  # noqa: UP017 - datetime.UTC needs Python 3.11
    return parsed


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass
class ApiObject:
    """Base of all results: typed attributes plus the untouched JSON in ``raw``."""

    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, key: str) -> Any:
        names = {f.name for f in fields(self)}
        snake = _snake(key)
        if snake in names and snake != "raw":
            return getattr(self, snake)
        if key in self.raw:
            return self.raw[key]
        camel = _camel(key)
        if camel in self.raw:
            return self.raw[camel]
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def to_dict(self) -> dict[str, Any]:
        """The JSON as the server sent it (a copy)."""
        return dict(self.raw)


@dataclass
class Connection(ApiObject):
    connector_id: str = ""
    owner_id: str = ""
    status: str = ""
    operations: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    missing_operations: list[str] = field(default_factory=list)
    error: Any = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Connection:
        return cls(
            raw=data,
            connector_id=data.get("connectorId", ""),
            owner_id=data.get("ownerId", ""),
            status=data.get("status", ""),
            operations=_list(data.get("operations")),
            created_at=parse_datetime(data.get("createdAt")),
            updated_at=parse_datetime(data.get("updatedAt")),
            missing_operations=_list(data.get("missingOperations")),
            error=data.get("error"),
        )


@dataclass
class Authorization(ApiObject):
    """Result of ``authorize()``: ``status`` is ``"authorized"`` or ``"awaitingAuthorization"``."""

    connector_id: str = ""
    owner_id: str = ""
    status: str = ""
    authorization_url: str | None = None
    # The connection after a server-side authorize with settings (granted and missing operations).
    connection: Connection | None = None

    @property
    def is_authorized(self) -> bool:
        return self.status == "authorized"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Authorization:
        connection = data.get("connection")
        return cls(
            raw=data,
            connector_id=data.get("connectorId", ""),
            owner_id=data.get("ownerId", ""),
            status=data.get("status", ""),
            authorization_url=data.get("authorizationUrl"),
            connection=Connection.from_json(connection) if isinstance(connection, dict) else None,
        )


@dataclass
class Session(ApiObject):
    session_token: str = ""
    expires_at: datetime | None = None
    connector_id: str = ""
    owner_id: str = ""
    operations: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Session:
        connection = _dict(data.get("connection"))
        return cls(
            raw=data,
            session_token=data.get("sessionToken", ""),
            expires_at=parse_datetime(data.get("expiresAt")),
            connector_id=connection.get("connectorId", ""),
            owner_id=connection.get("ownerId", ""),
            operations=_list(connection.get("operations")),
        )


@dataclass
class ResourceRef(ApiObject):
    """A pointer to a record: what create/update return, and what relations look like in ``fields``."""

    model: str = ""
    id: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResourceRef:
        return cls(raw=data, model=data.get("model", ""), id=str(data.get("id", "")))


@dataclass
class Resource(ApiObject):
    """A unified record. Relations inside ``fields`` stay plain dicts (``{"object": "resourceRef", ...}``,
    or a full resource when expanded): use :func:`Resource.ref` / :meth:`Resource.from_json` to type them."""

    model: str = ""
    id: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    remote: dict[str, Any] | None = None
    warnings: list[Any] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Resource:
        remote = data.get("remote")
        return cls(
            raw=data,
            model=data.get("model", ""),
            id=str(data.get("id", "")),
            fields=_dict(data.get("fields")),
            created_at=parse_datetime(data.get("createdAt")),
            updated_at=parse_datetime(data.get("updatedAt")),
            remote=remote if isinstance(remote, dict) else None,
            warnings=_list(data.get("warnings")),
        )

    def ref(self, key: str) -> Resource | ResourceRef | list[Resource | ResourceRef] | None:
        """Type the relation stored in ``fields[key]`` (a ref, an expanded resource, or a list of them)."""
        value = self.fields.get(key)
        if isinstance(value, list):
            return [_relation(item) for item in value if isinstance(item, dict)]
        if isinstance(value, dict):
            return _relation(value)
        return None


def _relation(data: dict[str, Any]) -> Resource | ResourceRef:
    return Resource.from_json(data) if data.get("object") == "resource" else ResourceRef.from_json(data)


def resource_or_ref(data: dict[str, Any]) -> Resource | ResourceRef:
    """Create/update answer a resourceRef, or the full resource with ``returnResource=true``."""
    return _relation(data)


@dataclass
class Page(Generic[T]):
    """One page of a list: ``data`` and the opaque ``next`` cursor (``None`` on the last page)."""

    data: list[T] = field(default_factory=list)
    next: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def has_more(self) -> bool:
        return bool(self.next)


@dataclass
class UnifiedField(ApiObject):
    """One field of a model, as ``GET /v1/models/{model}/fields`` describes it."""

    key: str = ""
    name: str = ""
    type: str = ""
    format: str | None = None
    options: list[Any] | None = None
    is_custom: bool = False
    is_required: bool = False
    is_value_read_only: bool = False
    remote: Any = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UnifiedField:
        options = data.get("options")
        return cls(
            raw=data,
            key=data.get("key", ""),
            name=data.get("name", ""),
            type=data.get("type", ""),
            format=data.get("format"),
            options=options if isinstance(options, list) else None,
            is_custom=bool(data.get("isCustom", False)),
            is_required=bool(data.get("isRequired", False)),
            is_value_read_only=bool(data.get("isValueReadOnly", False)),
            remote=data.get("remote"),
        )


@dataclass
class Connector(ApiObject):
    """A connector's descriptor: auth kind and settings, models with their operations."""

    id: str = ""
    name: str = ""
    auth_type: str | None = None
    # Auth settings the connector needs (Ashby: one secret ``apiKey``): [{key, name, isSecret, ...}].
    settings: list[Any] = field(default_factory=list)
    # [{model, operations: [{name, operation, supported, permissions, note?}]}]
    models: list[Any] = field(default_factory=list)
    webhooks: Any = None

    @property
    def operations(self) -> list[str]:
        """Every ``"model::operation"`` the connector knows (supported or not)."""
        names = []
        for model in self.models:
            for op in _list(model.get("operations") if isinstance(model, dict) else None):
                if isinstance(op, dict) and op.get("name"):
                    names.append(op["name"])
        return names

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Connector:
        auth = _dict(data.get("auth"))
        return cls(
            raw=data,
            id=data.get("id", ""),
            name=data.get("name", ""),
            auth_type=auth.get("type"),
            settings=_list(auth.get("settings")),
            models=_list(data.get("models")),
            webhooks=data.get("webhooks"),
        )


@dataclass
class ProxyResponse(ApiObject):
    """What the provider answered to a proxied call: its HTTP status and decoded body."""

    status: int = 0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class WebhookSubscription(ApiObject):
    """A webhook subscription. ``secret`` (``whsec_...``) is only present in the create response."""

    id: str = ""
    url: str = ""
    events: list[str] = field(default_factory=list)
    connector_id: str | None = None
    owner_id: str | None = None
    active: bool = True
    secret: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    secret_rotated_at: datetime | None = None
    previous_secret_expires_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WebhookSubscription:
        return cls(
            raw=data,
            id=str(data.get("id", "")),
            url=data.get("url", ""),
            events=_list(data.get("events")),
            connector_id=data.get("connectorId"),
            owner_id=data.get("ownerId"),
            active=bool(data.get("active", data.get("isActive", True))),
            secret=data.get("secret") or data.get("signingSecret"),
            created_at=parse_datetime(data.get("createdAt")),
            updated_at=parse_datetime(data.get("updatedAt")),
            secret_rotated_at=parse_datetime(data.get("secretRotatedAt")),
            previous_secret_expires_at=parse_datetime(data.get("previousSecretExpiresAt")),
        )


@dataclass
class Event(ApiObject):
    """A unified event: ``type`` is ``"<model>::<created|updated|deleted>"`` (or a connection event)
    and ``data`` the resource as the resources API returns it."""

    id: str = ""
    type: str = ""
    connector_id: str | None = None
    owner_id: str | None = None
    created_at: datetime | None = None
    data: Any = None

    @property
    def model(self) -> str | None:
        return self.type.split("::", 1)[0] if "::" in self.type else None

    @property
    def trigger(self) -> str | None:
        return self.type.rsplit("::", 1)[1] if "::" in self.type else None

    def resource(self) -> Resource | None:
        """``data`` typed as a Resource when it is one."""
        return Resource.from_json(self.data) if isinstance(self.data, dict) and "fields" in self.data else None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        return cls(
            raw=data,
            id=str(data.get("id", "")),
            type=data.get("type", ""),
            connector_id=data.get("connectorId"),
            owner_id=data.get("ownerId"),
            created_at=parse_datetime(data.get("createdAt")),
            data=data.get("data"),
        )
