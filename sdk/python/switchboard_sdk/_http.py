"""The one place that talks HTTP: auth headers, request ids, timeouts, retries, error translation.

Every resource class goes through :meth:`Transport.request`, so retry and error behaviour is the
same for every method and is tested once.
"""

from __future__ import annotations

import email.utils
import random
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

import requests

from . import errors
from ._version import __version__

DEFAULT_BASE_URL = "http://localhost:8000"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
# Longest single wait the client will sleep on its own. A server asking for more (Ashby's window is
# a minute) gets a RateLimitError at once, carrying retry_after, so the caller decides whether to
# block a worker that long.
DEFAULT_MAX_RETRY_WAIT = 20.0

# Methods whose repetition cannot change the outcome; a transport error on them is retried.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Statuses that mean "not processed, try again": retried for idempotent calls only, except 429
# (see _should_retry_status).
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})


class Transport:
    def __init__(
        self,
        *,
        base_url: str,
        auth_headers: Mapping[str, str],
        timeout: float | tuple[float, float] | None,
        max_retries: int,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        session: requests.Session | None = None,
        user_agent: str | None = None,
    ) -> None:
        if timeout is None:
            # requests waits forever without a timeout; a hung server would hang the caller too.
            raise ValueError("timeout must be a number of seconds (or a (connect, read) tuple), not None")
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.base_url = base_url.rstrip("/")
        self.auth_headers = dict(auth_headers)
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.session = session or requests.Session()
        self.user_agent = user_agent or f"switchboard-sdk-python/{__version__}"
        # Indirection so tests (and callers with their own scheduling) can replace sleeping.
        self.sleep: Callable[[float], None] = time.sleep

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """Send one API call and return the 2xx response; raise a SwitchboardError otherwise.

        ``idempotent`` overrides the method-based default for calls that are safe to repeat by
        design (e.g. a proxied GET sent as POST /v1/proxy).
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        url = self.base_url + path
        # One id for all attempts of the same logical call, so server logs group the retries.
        request_id = str(uuid.uuid4())
        send_headers = {
            "accept": "application/json",
            "user-agent": self.user_agent,
            **self.auth_headers,
            **(headers or {}),
            "x-request-id": request_id,
        }
        clean_params = _clean_params(params)

        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method,
                    url,
                    params=clean_params,
                    json=json,
                    headers=send_headers,
                    timeout=self.timeout,
                )
            except requests.RequestException as exc:
                # A POST that timed out may have been applied; repeating it could create twice.
                transient = isinstance(exc, (requests.ConnectionError, requests.Timeout))
                if transient and idempotent and attempt < self.max_retries:
                    self.sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                kind = "timed out" if isinstance(exc, requests.Timeout) else "failed"
                raise errors.ConnectionError(
                    None,
                    f"{method} {path} {kind} before a response arrived: {exc}",
                    status=None,
                    request_id=request_id,
                ) from exc

            if response.status_code < 400:
                return response

            if attempt < self.max_retries and self._should_retry_status(response.status_code, idempotent):
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None and retry_after > self.max_retry_wait:
                    raise self._error(response, request_id)
                wait = retry_after if retry_after is not None else self._backoff(attempt)
                self.sleep(wait)
                attempt += 1
                continue
            raise self._error(response, request_id)

    @staticmethod
    def _should_retry_status(status: int, idempotent: bool) -> bool:
        if status not in RETRY_STATUSES:
            return False
        # A 429 is refused before any work is done, so even a POST can be sent again safely.
        return status == 429 or idempotent

    def _backoff(self, attempt: int) -> float:
        # Exponential with full jitter, so many clients failing together do not retry in lockstep.
        return min(self.max_retry_wait, 0.5 * (2**attempt)) * (0.5 + random.random() / 2)

    def _error(self, response: requests.Response, request_id: str) -> errors.SwitchboardError:
        body = decode_body(response)
        code: str | None = None
        message: str | None = None
        if isinstance(body, dict):
            raw_code = body.get("error")
            code = raw_code if isinstance(raw_code, str) else None
            raw_message = body.get("message")
            message = raw_message if isinstance(raw_message, str) else None
        if message is None:
            text = body if isinstance(body, str) else ""
            message = text.strip()[:300] or response.reason or f"HTTP {response.status_code}"
        cls = errors.error_for_status(response.status_code, code)
        kwargs: dict[str, Any] = {
            "status": response.status_code,
            # The server's id wins: it is the one in its logs (it may differ if a proxy rewrote it).
            "request_id": response.headers.get("x-request-id") or request_id,
            "body": body,
        }
        if cls is errors.RateLimitError:
            kwargs["retry_after"] = parse_retry_after(response.headers.get("retry-after"))
        return cls(code, message, **kwargs)


def decode_body(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either delay-seconds or an HTTP-date (RFC 9110 section 10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)  # noqa: UP017 - datetime.UTC needs Python 3.11
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())  # noqa: UP017


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop ``None`` values and render booleans the way the API parses them (``true``/``false``)."""
    if not params:
        return None
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        out[key] = value
    return out or None
