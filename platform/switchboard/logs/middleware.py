"""Record every /v1 call after it is answered (written once the response is closed: see
`switchboard.logs.capture`)."""

from __future__ import annotations

import logging
import time

from switchboard.core.middleware import is_api_path
from switchboard.logs import capture

logger = logging.getLogger("switchboard.logs")

# Query parameters never stored (a token in a URL is still a token).
_REDACT = {"token", "sessiontoken", "session_token", "apikey", "api_key", "secret", "code", "state"}


def _safe_query(request) -> str:
    parts = []
    for key, values in request.GET.lists():
        shown = "[redacted]" if key.lower().replace("-", "") in _REDACT else ",".join(values)
        parts.append(f"{key}={shown}")
    return "&".join(parts)[:500]


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request.path):
            return self.get_response(request)
        started = time.perf_counter()
        token = capture.begin()
        try:
            response = self.get_response(request)
        finally:
            upstream_rows = capture.end(token)
        duration = (time.perf_counter() - started) * 1000

        def build_row():
            try:
                return self._row(request, response, duration)
            except Exception:  # a logging failure must not turn a good answer into an error
                logger.exception("could not record request log")
                return None

        if capture.can_defer():
            # Django's response.close() runs this after the server has sent the body (the test
            # client closes responses too, so tests see the rows as soon as a call returns).
            # The request's row is built then too (nothing here is needed for the answer) and
            # handed to the log writer, which holds no reference to the request or response.
            response._resource_closers.append(lambda: capture.submit(build_row(), upstream_rows))
        else:
            capture.write(build_row, upstream_rows)
        return response

    def _row(self, request, response, duration):
        from switchboard.logs.models import RequestLog

        connection = getattr(request, "connection", None) or getattr(request, "session_connection", None)
        error_code = getattr(request, "_error_code", None) or ""
        if not error_code and response.status_code >= 400:
            error_code = getattr(response, "data", {}).get("error", "") if hasattr(response, "data") else ""
        auth = "session" if getattr(request, "session_connection", None) else (
            "secret" if getattr(request, "api_key", None) else "none")
        return RequestLog(
            tenant=getattr(request, "tenant", None),
            connection=connection if connection is not None and connection.pk else None,
            method=request.method[:8], path=request.path[:500], query=_safe_query(request),
            status=response.status_code, duration_ms=round(duration, 2),
            request_id=getattr(request, "request_id", "")[:128], error_code=(error_code or "")[:100], auth=auth,
        )
