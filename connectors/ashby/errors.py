"""How Ashby reports errors, and the table that turns them into our typed errors.

Ashby answers most failures with HTTP 200 and `{"success": false, "errorInfo": {"code", "message",
"requestId"}}`; older shapes carry `errors: ["code"]` or `errors: [{"message", "parameter"}]`.
Auth failures are 401/403, rate limits 429 (reset in `X-RateLimit-Reset`), outages 5xx.
"""

from __future__ import annotations

from typing import Any

from connectors import errors
from connectors.http import retry_after_from

# Exact codes first; then suffix rules (`*_not_found`).
CODE_TABLE: dict[str, type[errors.ConnectorError]] = {
    "missing_endpoint_permission": errors.InsufficientPermissions,
    "invalid_input": errors.BadRequest,
    "next_cursor_expired": errors.InvalidCursor,
    "invalid_next_cursor": errors.InvalidCursor,
    "cursor_invalid": errors.InvalidCursor,
    "sync_token_expired": errors.SyncTokenExpired,
    "sync_token_invalid": errors.SyncTokenExpired,
    "incremental_sync_too_large": errors.SyncTokenExpired,
    "rate_limit_exceeded": errors.RateLimited,
    "concurrent_limit_exceeded": errors.RateLimited,
    "unauthenticated": errors.InvalidCredentials,
    "invalid_api_key": errors.InvalidCredentials,
    "opening_in_use": errors.Conflict,
    "opening_state_invalid": errors.Conflict,
    "application_blocked": errors.BadRequest,
}

MESSAGES = {
    errors.InsufficientPermissions: "The Ashby API key lacks the permission this call needs",
    errors.InvalidCursor: "The pagination cursor expired or is invalid; start the listing over",
    errors.SyncTokenExpired: "The Ashby sync token expired or covers too much change; a full pass is needed",
    errors.RateLimited: "Ashby rate limit exceeded",
    errors.InvalidCredentials: "Ashby rejected the API key",
}


def error_code_of(body: Any) -> tuple[str | None, str | None, str | None]:
    """(code, message, requestId) from any of Ashby's error shapes; tolerant of junk."""
    if not isinstance(body, dict):
        return None, None, None
    info = body.get("errorInfo")
    code = message = request_id = None
    if isinstance(info, dict):
        code = info.get("code") if isinstance(info.get("code"), str) else None
        message = info.get("message") if isinstance(info.get("message"), str) else None
        request_id = info.get("requestId") if isinstance(info.get("requestId"), str) else None
    legacy = body.get("errors")
    if isinstance(legacy, list) and legacy:
        first = legacy[0]
        if isinstance(first, str):
            code = code or first
        elif isinstance(first, dict):
            message = message or (first.get("message") if isinstance(first.get("message"), str) else None)
            code = code or (first.get("code") if isinstance(first.get("code"), str) else None)
            if code is None and first.get("parameter"):
                code = "invalid_input"
    elif isinstance(legacy, str):
        code = code or legacy
    return code, message, request_id


def classify(code: str | None) -> type[errors.ConnectorError]:
    if code in CODE_TABLE:
        return CODE_TABLE[code]
    if code and code.endswith("_not_found"):
        return errors.NotFound
    if code and "duplicate" in code:
        return errors.Conflict
    return errors.BadRequest


def _error(cls: type[errors.ConnectorError], code: str | None, message: str | None, request_id: str | None,
           headers: dict, status: int) -> errors.ConnectorError:
    base = MESSAGES.get(cls)
    if cls is errors.NotFound:
        base = "The record was not found in Ashby"
    text = base or "Ashby rejected the request"
    # Ashby's own message helps the developer fix input; it never contains the key.
    if message and cls in (errors.BadRequest, errors.Conflict, errors.NotFound):
        text = f"{text}: {message}"
    elif code:
        text = f"{text} ({code})"
    details = {"requestId": request_id} if request_id else {}
    kwargs: dict[str, Any] = {"remote_code": code, "details": details}
    if cls is errors.RateLimited:
        kwargs["retry_after"] = retry_after_from(headers)
    err = cls(text + ".", **kwargs)
    return err


def error_from_response(status: int, headers: dict, body: Any) -> errors.ConnectorError | None:
    code, message, request_id = error_code_of(body)
    if status == 429:
        return _error(errors.RateLimited, code or "rate_limit_exceeded", message, request_id, headers, status)
    if status == 401:
        return _error(errors.InvalidCredentials, code or "unauthenticated", message, request_id, headers, status)
    if status == 403:
        if code == "missing_endpoint_permission":
            return _error(errors.InsufficientPermissions, code, message, request_id, headers, status)
        # A wrong or deactivated key is a 403 without that code: the user must reconnect.
        return _error(errors.InvalidCredentials, code or "forbidden", message, request_id, headers, status)
    if status >= 500:
        return errors.UpstreamError(f"Ashby failed (HTTP {status}).", remote_code=code or f"http_{status}",
                                    details={"requestId": request_id} if request_id else {})
    if status == 404:
        # Ashby answers 404 for an unknown endpoint, not for a missing record.
        return errors.UpstreamError("Ashby does not know this endpoint (HTTP 404).", remote_code="http_404")
    if status >= 400:
        return _error(classify(code), code or f"http_{status}", message, request_id, headers, status)
    if body is None:
        return errors.UpstreamError("Ashby answered with an empty body.", remote_code="malformed_body")
    if not isinstance(body, dict) or not isinstance(body.get("success"), bool):
        return errors.UpstreamError("Ashby answered with an unexpected body (no `success` flag).",
                                    remote_code="malformed_body")
    if body["success"]:
        return None
    return _error(classify(code), code, message, request_id, headers, status)
