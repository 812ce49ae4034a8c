"""Typed connector errors, by what the caller should do next.

Every error carries the Morph-compatible error code and the HTTP status the platform answers with,
so the API layer renders any ConnectorError generically. Messages never contain secrets.
"""

from __future__ import annotations


class ConnectorError(Exception):
    code = "CONNECTOR::OPERATION::SERVER_ERROR"
    status = 502
    retriable = False

    def __init__(self, message: str, *, remote_code: str | None = None, retry_after: float | None = None,
                 field: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.remote_code = remote_code
        self.retry_after = retry_after
        self.field = field
        self.details = details or {}

    def as_dict(self) -> dict:
        body = {"error": self.code, "message": self.message}
        if self.remote_code:
            body["remoteCode"] = self.remote_code
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(ConnectorError):
    """The caller's input is wrong (our validation or the provider's `invalid_input`)."""

    code = "CONNECTOR::OPERATION::BAD_REQUEST"
    status = 400


class ValidationFailed(BadRequest):
    """A unified create/update body is invalid: unknown, mistyped or missing field (422)."""

    status = 422


class InvalidCursor(BadRequest):
    code = "MORPH::BAD_REQUEST"
    status = 400


class NotFound(ConnectorError):
    code = "CONNECTOR::OPERATION::RESOURCE_NOT_FOUND"
    status = 404


class NotSupported(ConnectorError):
    """The provider has no API for this operation; the message says what it offers instead."""

    code = "CONNECTOR::OPERATION::NOT_SUPPORTED"
    status = 501


class InsufficientPermissions(ConnectorError):
    """The key lacks a module permission (Ashby `missing_endpoint_permission`)."""

    code = "CONNECTOR::OPERATION::INSUFFICIENT_PERMISSIONS"
    status = 403

    def __init__(self, message: str, *, permission: str | None = None, **kw):
        super().__init__(message, **kw)
        self.permission = permission


class InvalidCredentials(ConnectorError):
    """Fatal: the stored credentials no longer work; the end user must reconnect."""

    code = "MORPH::CONNECTION::NOT_AUTHORIZED"
    status = 401


class RateLimited(ConnectorError):
    """Wait until `retry_after` seconds have passed."""

    code = "MORPH::CONNECTION::PROXY::RATE_LIMIT_EXCEEDED"
    status = 429
    retriable = True


class UpstreamError(ConnectorError):
    """The provider failed (5xx, malformed body). Reads were already retried."""

    code = "CONNECTOR::OPERATION::SERVER_ERROR"
    status = 502
    retriable = True


class UpstreamTimeout(UpstreamError):
    status = 504


class Conflict(ConnectorError):
    code = "CONNECTOR::OPERATION::BAD_REQUEST"
    status = 409


class SyncTokenExpired(ConnectorError):
    """An incremental sync token is expired, invalid or covers too much change
    (Ashby `sync_token_expired`, `sync_token_invalid`, `incremental_sync_too_large`).
    The caller drops the token and falls back to a full pass; never shown to API users as a 5xx."""

    code = "CONNECTOR::OPERATION::BAD_REQUEST"
    status = 409
