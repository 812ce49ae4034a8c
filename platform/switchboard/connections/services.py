"""Connection business logic: lookup, operation validation, contexts for connectors, authorization."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connectors.base import Connector, ConnectorContext, UpstreamCall
from connectors.errors import ConnectorError, InsufficientPermissions, InvalidCredentials
from connectors.registry import get_connector
from switchboard.api.errors import ApiError
from switchboard.connections.models import Connection, ConnectorConfig
from switchboard.connections.ratelimit import CacheRateLimiter
from switchboard.core.lookups import Lookup
from switchboard.tenants import config as tenant_config

logger = logging.getLogger("switchboard.connections")


def connector_or_404(connector_id: str) -> Connector:
    connector = get_connector(connector_id)
    if connector is None:
        raise ApiError("CONNECTOR::NOT_FOUND", f"There is no connector called {connector_id!r}.", 404)
    return connector


# Every resources call looks its connection up by name: SQL compiled once (see core.lookups).
_CONNECTION_BY_NAME = Lookup(Connection, "tenant_id", "connector_id", "owner_id")


def find_connection(tenant, connector_id: str, owner_id: str) -> Connection:
    connector_or_404(connector_id)
    connection = _CONNECTION_BY_NAME.get(tenant.pk, connector_id, owner_id)
    if connection is None:
        raise ApiError("MORPH::CONNECTION::NOT_FOUND",
                       f"No {connector_id} connection for owner {owner_id!r} in this project.", 404)
    connection.tenant = tenant  # the caller's instance: no second query, and its config token
    return connection


def loaded_tenant(connection: Connection):
    """The connection's tenant if it is already in memory (else None: no query just for this)."""
    return connection.tenant if Connection.tenant.is_cached(connection) else None


def validate_operations(connector: Connector, operations) -> list[str]:
    if not isinstance(operations, list) or not all(isinstance(op, str) for op in operations):
        raise ApiError("MORPH::BAD_REQUEST", "operations must be a list of strings like \"atsJob::list\".", 400)
    known_models = set(connector.models())
    for op in operations:
        model, _, action = op.partition("::")
        if model not in known_models:
            raise ApiError("CONNECTOR::RESOURCE_MODEL::NOT_FOUND",
                           f"The {connector.name} connector has no model {model!r} (in operation {op!r}).", 400)
        if connector.operation(op) is None:
            raise ApiError("CONNECTOR::OPERATION::NOT_FOUND",
                           f"{op!r} is not an operation of {connector.name}; operations are "
                           f"<model>::list|retrieve|create|update|delete.", 400)
    return list(dict.fromkeys(operations))


def require_operation(connection: Connection, operation: str) -> None:
    """Refuse an operation the connection was not created with, before any provider call."""
    if operation not in connection.operations:
        raise ApiError("CONNECTOR::OPERATION::NOT_FOUND",
                       f"This connection was not granted {operation!r}; add it with PATCH "
                       f"/v1/connections/{connection.connector_id}/{connection.owner_id}.", 403)
    if connection.status != Connection.Status.AUTHORIZED or not connection.credentials:
        raise ApiError("MORPH::CONNECTION::NOT_AUTHORIZED",
                       "This connection is not authorized yet: authorize it first.", 401)


def _base_url(connector: Connector) -> str:
    setting = getattr(settings, f"{connector.id.upper()}_BASE_URL", None)
    return (setting or connector.default_base_url).rstrip("/")


def _recorder(connection: Connection | None, request_id: str | None):
    def on_call(call: UpstreamCall) -> None:
        from switchboard.logs.models import UpstreamCallLog

        try:
            UpstreamCallLog.record(connection, call, request_id)
        except Exception:  # logging must never break the call it logs
            logger.exception("could not record upstream call")

    return on_call


def connector_context(connection: Connection, *, credentials: dict | None = None,
                      request_id: str | None = None, background: bool = False) -> ConnectorContext:
    connector = connector_or_404(connection.connector_id)
    # Per-tenant connector settings (e.g. the anonymize opt-in) live on ConnectorConfig.
    config = tenant_config.cached(
        loaded_tenant(connection), ("connector_config", connector.id),
        lambda: ConnectorConfig.objects.filter(tenant_id=connection.tenant_id, connector_id=connector.id).first())
    if credentials is None:
        credentials = _current_credentials(connection, connector)
    return ConnectorContext(
        credentials=credentials,
        base_url=_base_url(connector),
        settings={"cursor_secret": settings.SECRET_KEY, **(config.settings if config else {})},
        on_call=_recorder(connection, request_id),
        rate_limiter=CacheRateLimiter(str(connection.pk)),
        request_id=request_id,
        background=background,
    )


def _current_credentials(connection: Connection, connector: Connector) -> dict:
    """Stored credentials; for OAuth2 connectors, a token that is not about to expire (refreshed
    under a shared lock by the connect app, so concurrent workers refresh once)."""
    if connector.auth.kind == "oauth2":
        try:
            from switchboard.connect.oauth import fresh_credentials
        except ImportError:
            pass
        else:
            return fresh_credentials(connection)
    return connection.credentials or {}


class _RefreshOnUnauthorized:
    """Wraps an OAuth2 connector's client: a call the provider answers with 401 refreshes the
    token once (skipped if another worker already did) and is retried once."""

    def __init__(self, connection: Connection, connector: Connector, request_id, background):
        self._connection, self._connector = connection, connector
        self._args = {"request_id": request_id, "background": background}
        self._ctx = connector_context(connection, **self._args)
        self._client = connector.client(self._ctx)

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except InvalidCredentials:
                from switchboard.connect.oauth import fresh_credentials

                stale = (self._ctx.credentials or {}).get("accessToken")
                if not stale:
                    raise
                creds = fresh_credentials(self._connection, stale_access_token=stale)
                ctx = connector_context(self._connection, credentials=creds, **self._args)
                return getattr(self._connector.client(ctx), name)(*args, **kwargs)

        return call


def client_for(connection: Connection, *, request_id: str | None = None, background: bool = False):
    connector = connector_or_404(connection.connector_id)
    if connector.auth.kind == "oauth2":
        return _RefreshOnUnauthorized(connection, connector, request_id, background)
    return connector.client(connector_context(connection, request_id=request_id, background=background))


def note_connector_error(connection: Connection, exc: ConnectorError) -> None:
    """Keep the connection's record honest when a live call shows a problem."""
    if isinstance(exc, InsufficientPermissions):
        connector = connector_or_404(connection.connector_id)
        granted = [p for p in connection.granted_permissions if p != getattr(exc, "permission", None)]
        missing = connector.missing_operations(connection.operations, granted)
        if granted != connection.granted_permissions or missing != connection.missing_operations:
            connection.granted_permissions, connection.missing_operations = granted, missing
            connection.save(update_fields=["granted_permissions", "missing_operations", "updated_at"])
    elif isinstance(exc, InvalidCredentials):
        connection.status = Connection.Status.ERROR
        connection.last_error = "The stored credentials were rejected by the provider; reconnect the account."
        connection.save(update_fields=["status", "last_error", "updated_at"])


def check_and_store_credentials(connection: Connection, credentials: dict, *, request_id: str | None = None):
    """Validate credentials with the connector, then store them encrypted with what they grant."""
    connector = connector_or_404(connection.connector_id)
    missing = [s.key for s in connector.auth.settings if s.required and not credentials.get(s.key)]
    if missing:
        raise ApiError("MORPH::CONNECTION::MISSING_REQUIRED_AUTHORIZATION_SETTINGS",
                       f"Missing required authorization settings: {', '.join(missing)}.", 400)
    unknown = sorted(set(credentials) - {s.key for s in connector.auth.settings})
    if unknown:
        raise ApiError("MORPH::BAD_REQUEST", f"Unknown authorization settings: {', '.join(unknown)}.", 400)
    ctx = connector_context(connection, credentials=credentials, request_id=request_id)
    try:
        check = connector.check_credentials(ctx)
    except InvalidCredentials as exc:
        raise ApiError("MORPH::CONNECTION::NOT_AUTHORIZED",
                       f"{connector.name} rejected these credentials: {exc.message}", 401) from None
    return store_authorization(connection, credentials, granted=check.granted_permissions,
                               missing=connector.missing_operations(connection.operations,
                                                                    check.granted_permissions),
                               info=check.info or {})


def store_authorization(connection: Connection, credentials: dict, *, granted: list[str], missing: list[str],
                        info: dict) -> Connection:
    """Mark a connection authorized with checked credentials (API key or OAuth tokens) and what
    they grant, then tell whoever listens (events, provider webhooks)."""
    previous = set(connection.granted_permissions)
    with transaction.atomic():
        connection.credentials = credentials
        connection.granted_permissions = sorted(granted)
        connection.missing_operations = missing
        connection.credential_info = info
        connection.status = Connection.Status.AUTHORIZED
        connection.last_error = ""
        connection.authorized_at = connection.permissions_checked_at = timezone.now()
        connection.save()
    on_authorized(connection, permissions_changed=previous != set(connection.granted_permissions))
    return connection


def recheck_permissions(connection: Connection) -> Connection:
    """Re-run the credential check (periodic task and admin action)."""
    if not connection.credentials:
        return connection
    connector = connector_or_404(connection.connector_id)
    previous = (list(connection.granted_permissions), list(connection.missing_operations))
    try:
        check = connector.check_credentials(connector_context(connection, background=True))
    except InvalidCredentials as exc:
        connection.status = Connection.Status.ERROR
        connection.last_error = f"Credentials rejected: {exc.message}"
        connection.permissions_checked_at = timezone.now()
        connection.save()
        _emit_connection_event(connection, "credentialsFailing")
        return connection
    connection.granted_permissions = sorted(check.granted_permissions)
    connection.missing_operations = connector.missing_operations(connection.operations, check.granted_permissions)
    connection.permissions_checked_at = timezone.now()
    if connection.status == Connection.Status.ERROR:
        connection.status, connection.last_error = Connection.Status.AUTHORIZED, ""
    connection.save()
    if previous != (connection.granted_permissions, connection.missing_operations):
        _emit_connection_event(connection, "permissionsChanged")
    return connection


def _emit_connection_event(connection: Connection, trigger: str) -> None:
    """Connection events reach developers once the webhooks app is installed."""
    try:
        from switchboard.webhooks.services import emit_connection_event
    except ImportError:
        return
    emit_connection_event(connection, trigger)


def delete_connection(connection: Connection) -> None:
    """Delete a connection and undo what it set up elsewhere, while its credentials still exist:
    our webhooks at the provider, and (OAuth2) the grant itself."""
    try:
        from switchboard.webhooks.services import connection_deleted
    except ImportError:
        pass
    else:
        connection_deleted(connection)
    try:
        from switchboard.connect.oauth import revoke_tokens
    except ImportError:
        pass
    else:
        revoke_tokens(connection)
    _emit_connection_event(connection, "deleted")
    connection.delete()


def on_authorized(connection: Connection, *, permissions_changed: bool) -> None:
    _emit_connection_event(connection, "authorized")
    try:
        from switchboard.webhooks.services import connection_authorized
    except ImportError:
        return
    connection_authorized(connection)
