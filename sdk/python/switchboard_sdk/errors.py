"""Typed exceptions.

Exceptions are split by what the caller should do next (fix credentials, fix input, wait, retry
later), not by endpoint, so one ``except`` clause covers every method of the client.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "SwitchboardError",
    "AuthenticationError",
    "SessionExpiredError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "NotSupportedError",
    "RateLimitError",
    "ServerError",
    "ConnectionError",
    "WebhookVerificationError",
    "error_for_status",
]


class SwitchboardError(Exception):
    """Base class of every error the SDK raises.

    ``code`` is Switchboard's error code (``"MORPH::CONNECTION::NOT_FOUND"``,
    ``"CONNECTOR::OPERATION::INSUFFICIENT_PERMISSIONS"``, ...), ``status`` the HTTP status (``None``
    when no response arrived), ``request_id`` the ``x-request-id`` to quote when reporting a
    problem, and ``body`` the decoded response body (dict, or text when it was not JSON).
    """

    def __init__(
        self,
        code: str | None,
        message: str,
        status: int | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id
        self.body = body

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.insert(0, f"[{self.code}]")
        if self.status is not None:
            parts.append(f"(HTTP {self.status})")
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"status={self.status!r}, request_id={self.request_id!r})"
        )


class AuthenticationError(SwitchboardError):
    """401: the keys or the session token are wrong, revoked or expired."""


class SessionExpiredError(AuthenticationError):
    """401 ``MORPH::SESSION::EXPIRED``: create a new session on the server and retry."""


class PermissionDeniedError(SwitchboardError):
    """403: the operation is not granted on the connection, or the Ashby key lacks a permission."""


class NotFoundError(SwitchboardError):
    """404: connection, connector, model or record does not exist (or belongs to another tenant)."""


class ConflictError(SwitchboardError):
    """409: the request conflicts with the current state (e.g. the connection already exists)."""


class ValidationError(SwitchboardError):
    """400 or 422: the request itself is wrong; retrying it unchanged will fail again."""


class NotSupportedError(SwitchboardError):
    """405 or 501: the connector has no API for this operation (``CONNECTOR::OPERATION::NOT_SUPPORTED``)."""


class RateLimitError(SwitchboardError):
    """429: too many requests. ``retry_after`` is the wait in seconds the server asked for, if any.

    Raised only after the client's own bounded retries gave up, or at once when the server asks
    for a longer wait than ``max_retry_wait`` allows (so a caller can reschedule instead of
    blocking a thread for minutes).
    """

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class ServerError(SwitchboardError):
    """5xx: Switchboard or the provider behind it failed; usually worth retrying later."""


# Deliberately shadows the builtin inside this module's namespace only: the name the users of the SDK
# expect is ``switchboard_sdk.ConnectionError``. It still subclasses SwitchboardError so one except
# clause catches everything the SDK raises.
class ConnectionError(SwitchboardError):  # noqa: A001
    """The request never got an HTTP response: DNS, refused connection, TLS, timeout."""


class WebhookVerificationError(Exception):
    """A webhook delivery failed verification: reject it (answer 400/401) and do not process it."""


_BY_STATUS: dict[int, type[SwitchboardError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: NotSupportedError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
    501: NotSupportedError,
}


def error_for_status(status: int, code: str | None) -> type[SwitchboardError]:
    """Pick the exception class for an HTTP status (and, where it matters, the error code)."""
    if code == "MORPH::SESSION::EXPIRED":
        return SessionExpiredError
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return SwitchboardError
