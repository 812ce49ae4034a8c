"""The connector contract: a descriptor, a per-connection context, and a client.

The platform builds a `ConnectorContext` from a stored connection (decrypted credentials, base
URL, hooks for logging and rate limiting) and calls `Connector.client(ctx)`; the client returns
plain dicts in the unified shape. Adding a connector is one new folder plus one `register()` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

OPERATIONS = ("list", "retrieve", "create", "update", "delete")


@dataclass(frozen=True)
class AuthSetting:
    key: str
    name: str
    description: str = ""
    secret: bool = False
    required: bool = True

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "description": self.description,
                "isSecret": self.secret, "isRequired": self.required}


@dataclass(frozen=True)
class OAuthSpec:
    authorize_url: str
    token_url: str
    revoke_url: str | None = None
    pkce: bool = True
    # operation -> scopes; the scopes requested are the union over the connection's operations.
    scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class AuthSpec:
    kind: str  # "apiKey" | "oauth2"
    settings: tuple[AuthSetting, ...] = ()
    oauth: OAuthSpec | None = None

    def as_dict(self) -> dict:
        return {"type": self.kind, "settings": [s.as_dict() for s in self.settings]}


@dataclass(frozen=True)
class OperationSpec:
    """One `model::operation`. `supported=False` means the provider has no API: `note` says what
    it offers instead. `permissions` are the provider permissions the operation needs."""

    model: str
    operation: str
    supported: bool = True
    permissions: tuple[str, ...] = ()
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.model}::{self.operation}"


@dataclass
class CredentialCheck:
    """Result of checking credentials against the provider.

    `granted_permissions`: provider permission names the credentials hold (e.g. `candidatesRead`).
    `info`: extra, non-secret facts (key title, ...). Bad credentials raise InvalidCredentials.
    """

    granted_permissions: list[str]
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class UpstreamCall:
    """One HTTP call to the provider, as reported to `ConnectorContext.on_call` (no secrets)."""

    method: str
    url: str
    status: int | None
    duration_ms: float
    error_code: str | None = None
    request_id: str | None = None
    attempt: int = 1


class RateLimiter(Protocol):
    """Shared per-connection budget (the platform keeps it in a shared store)."""

    def acquire(self, *, background: bool = False) -> None: ...

    def update(self, remaining: int | None, reset_at: float | None) -> None: ...


@dataclass
class ConnectorContext:
    credentials: dict[str, Any]
    base_url: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    on_call: Callable[[UpstreamCall], None] | None = None
    rate_limiter: RateLimiter | None = None
    request_id: str | None = None
    background: bool = False  # polling work yields to live API calls
    timeout: float = 30.0


class Connector:
    """Descriptor. Subclasses set the class attributes and implement `client`."""

    id: str = ""
    name: str = ""
    auth: AuthSpec = AuthSpec(kind="apiKey")
    operation_specs: tuple[OperationSpec, ...] = ()
    webhooks: dict[str, Any] = {}
    default_base_url: str = ""

    # -- descriptor helpers -------------------------------------------------------------------
    def models(self) -> list[str]:
        seen: dict[str, None] = {}
        for spec in self.operation_specs:
            seen.setdefault(spec.model, None)
        return list(seen)

    def operation(self, name: str) -> OperationSpec | None:
        for spec in self.operation_specs:
            if spec.name == name:
                return spec
        return None

    def operations(self) -> list[str]:
        return [spec.name for spec in self.operation_specs]

    def permissions_for(self, operations: list[str]) -> list[str]:
        needed: dict[str, None] = {}
        for name in operations:
            spec = self.operation(name)
            for perm in spec.permissions if spec else ():
                needed.setdefault(perm, None)
        return list(needed)

    def missing_operations(self, operations: list[str], granted: list[str]) -> list[str]:
        have = set(granted)
        return [op for op in operations if not set(self.permissions_for([op])) <= have]

    def describe(self) -> dict:
        models = []
        for model in self.models():
            ops = [s for s in self.operation_specs if s.model == model]
            models.append({
                "model": model,
                "operations": [{"name": s.name, "operation": s.operation, "supported": s.supported,
                                "permissions": list(s.permissions), **({"note": s.note} if s.note else {})}
                               for s in ops],
            })
        return {"object": "connector", "id": self.id, "name": self.name, "auth": self.auth.as_dict(),
                "models": models, "webhooks": self.webhooks}

    def list_omitted_fields(self, model: str) -> dict:
        """Unified fields of `model` that lists leave out unless asked (each costs a provider call
        per record), with the value a list shows instead. The poller fills them in for the records
        a change event announces, with the client's `complete(model, resources)`, and compares
        records as a list shows them."""
        return {}

    # -- behaviour ----------------------------------------------------------------------------
    def check_credentials(self, ctx: ConnectorContext) -> CredentialCheck:
        raise NotImplementedError

    def client(self, ctx: ConnectorContext) -> Any:
        raise NotImplementedError
