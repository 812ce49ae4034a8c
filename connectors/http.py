"""The one HTTP base client every connector uses.

It owns what every provider needs and nobody should re-implement: explicit timeouts, base-URL
joining, auth injection at one hook (`authenticate`), retries with exponential backoff and jitter
for idempotent calls only, 429 handling with the reset time, the shared rate-limit budget, timing
and reporting of every call (`ctx.on_call`, `logging`) with secrets redacted, and translation of
transport failures into `connectors.errors` types. A provider subclass adds only how to read its
error bodies (`provider_error`) and how to authenticate.

Idempotency is declared by the caller, never inferred from the HTTP method: Ashby's reads are
POSTs, so a client marks them `idempotent=True` explicitly; a write is never retried once it may
have reached the server (a connect timeout is the only failure that proves it did not).
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import orjson
import requests
import urllib3

from connectors import errors
from connectors.base import ConnectorContext, UpstreamCall

logger = logging.getLogger("connectors.http")

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
                            "x-api-secret"})

_local = threading.local()

# What a requests.Session would add (requests are sent through the adapter, see `_send`), with a
# User-Agent that names us to the provider. Compressed bodies: a 166 kB Ashby page is ~10x smaller.
BASE_HEADERS = {"User-Agent": "Switchboard-Connectors/1.0", "Accept-Encoding": "gzip, deflate",
                "Accept": "application/json", "Connection": "keep-alive"}


def shared_session() -> requests.Session:
    """One keep-alive session per thread: connection reuse matters (a unified call is often one
    upstream call), and a Session is not documented as thread-safe, so threads never share one.

    The environment (proxies, CA bundle) is read once per origin by `environment_for` instead of
    by requests on every call (~0.4 ms a call: it walks os.environ and looks for ~/.netrc)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.trust_env = False
        adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=16, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        _local.session = session
    return session


_environment: dict[tuple[str, str], dict] = {}


def environment_for(base_url: str) -> dict:
    """What requests would take from the environment for this base URL: HTTP(S)_PROXY/NO_PROXY
    and REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE. The environment does not change while we run."""
    split = urlsplit(base_url)
    key = (split.scheme, split.netloc)
    env = _environment.get(key)
    if env is None:
        env = {"proxies": requests.utils.get_environ_proxies(base_url),
               "verify": os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True}
        _environment[key] = env
    return env


def redact_headers(headers: dict | None) -> dict:
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in (headers or {}).items()}


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON when `parse_json`, else text
    duration_ms: float
    request_id: str | None = None
    attempts: int = 1
    raw: bytes = field(default=b"", repr=False)


class HttpClient:
    """Base client. Subclasses override `authenticate`, `provider_error` and `request_id_of`."""

    connector_id = ""
    max_retries = 3          # extra attempts after the first, for idempotent calls
    backoff_base = 0.5       # seconds; doubled each attempt, with full jitter, capped
    backoff_cap = 8.0
    connect_timeout = 5.0

    def __init__(self, ctx: ConnectorContext, *, base_url: str, session: requests.Session | None = None):
        if not base_url:
            raise errors.ConnectorError("No base URL configured for this connector.")
        self.ctx = ctx
        self.base_url = base_url.rstrip("/") + "/"
        split = urlsplit(self.base_url)
        self._origin = (split.scheme, split.netloc)
        self.session = session or shared_session()
        self._env = environment_for(self.base_url)
        settings = ctx.settings or {}
        # Tests and the sandbox make backoff instant; production keeps the defaults.
        self.backoff_base = float(settings.get("retry_backoff", self.backoff_base))
        self.max_retries = int(settings.get("max_retries", self.max_retries))
        self._sleep = time.sleep

    # -- provider hooks -----------------------------------------------------------------------
    def authenticate(self, headers: dict[str, str]) -> None:
        """Inject credentials into the outgoing headers (the only place that sees the secret)."""

    def provider_error(self, status: int, headers: dict, body: Any) -> errors.ConnectorError | None:
        """Translate a provider error body into a typed error, or None if the response is fine."""
        return None

    def request_id_of(self, headers: dict) -> str | None:
        return None

    # -- URL handling ---------------------------------------------------------------------------
    def url_for(self, path: str) -> str:
        """Join a relative path onto the base URL; refuse anything that could leave it."""
        if not isinstance(path, str) or not path:
            raise errors.BadRequest("A path is required.", field="path")
        lowered = path.lower()
        if "://" in path or path.startswith("//") or "\\" in path:
            raise errors.BadRequest("Only paths relative to the connector's base URL are allowed.", field="path")
        segments = lowered.replace("%2e", ".").replace("%2f", "/").split("?")[0].split("/")
        if any(seg in (".", "..") for seg in segments):
            raise errors.BadRequest("Paths may not contain '.' or '..' segments.", field="path")
        if any(ord(ch) < 0x20 for ch in path):
            raise errors.BadRequest("Paths may not contain control characters.", field="path")
        url = urljoin(self.base_url, path.lstrip("/"))
        split = urlsplit(url)
        if (split.scheme, split.netloc) != self._origin:
            raise errors.BadRequest("Only the connector's base URL can be reached.", field="path")
        return url

    # -- the call -------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, json_body: Any = None, params: dict | None = None,
                headers: dict | None = None, idempotent: bool, parse_json: bool = True,
                raise_for_status: bool = True, data: bytes | None = None) -> HttpResponse:
        url = self.url_for(path)
        out_headers = dict(BASE_HEADERS)
        if json_body is not None:
            out_headers["Content-Type"] = "application/json"
        out_headers.update(headers or {})
        self.authenticate(out_headers)
        payload = data if data is not None else (
            orjson.dumps(json_body) if json_body is not None else None)
        timeout = (min(self.connect_timeout, self.ctx.timeout), self.ctx.timeout)

        attempt = 0
        while True:
            attempt += 1
            if self.ctx.rate_limiter is not None:
                self.ctx.rate_limiter.acquire(background=self.ctx.background)
            started = time.perf_counter()
            try:
                resp = self._send(method, url, payload, params, out_headers, timeout)
                stream = resp.raw
                if stream is None:  # a hand-built Response (test doubles): its body is in content
                    raw = resp.content or b""
                else:
                    try:
                        raw = stream.read(decode_content=True)
                    finally:
                        resp.close()  # the connection goes back to the pool
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
                duration = (time.perf_counter() - started) * 1000
                err = self._transport_error(exc)
                self._report(method, url, None, duration, err.remote_code or type(exc).__name__, None, attempt)
                # A write is retried only when the connection was never made.
                retry_safe = idempotent or isinstance(exc, requests.exceptions.ConnectTimeout)
                if retry_safe and attempt <= self.max_retries:
                    self._backoff(attempt)
                    continue
                raise err from exc
            duration = (time.perf_counter() - started) * 1000
            resp_headers = dict(resp.headers)
            request_id = self.request_id_of(resp_headers)
            self._update_budget(resp_headers)
            body: Any = None
            parse_failed = False
            if parse_json and raw:
                try:
                    body = orjson.loads(raw)  # several times faster than json on big pages
                except ValueError:
                    parse_failed = True
            if not parse_json or parse_failed:
                body = raw.decode(resp.encoding or "utf-8", errors="replace") if raw else ""

            err: errors.ConnectorError | None = None
            if raise_for_status:
                err = self._status_error(resp.status_code, resp_headers, body if not parse_failed else None)
                if err is None and parse_failed:
                    err = errors.UpstreamError(
                        f"{self._provider()} answered with a body that is not valid JSON (HTTP {resp.status_code}).",
                        remote_code="malformed_body")
            self._report(method, url, resp.status_code, duration, err.remote_code if err else None,
                         request_id, attempt)
            if err is not None:
                if idempotent and err.retriable and not isinstance(err, errors.RateLimited) \
                        and attempt <= self.max_retries and resp.status_code >= 500:
                    self._backoff(attempt)
                    continue
                raise err
            return HttpResponse(resp.status_code, resp_headers, body, duration, request_id, attempt, raw)

    def _send(self, method: str, url: str, payload: bytes | None, params: dict | None, headers: dict,
              timeout: tuple[float, float]) -> requests.Response:
        """One HTTP exchange through the session's transport adapter.

        `Session.request` would add what this client never wants: cookies kept from earlier
        responses (the session is shared by every tenant a thread serves, so a cookie one account's
        API set must not ride along on another's call), redirect following, hooks, and the merge of
        environment settings, which `environment_for` has already done once per origin. Skipping
        it saves ~0.3 ms of CPU a call. The adapter is still requests' own (`responses` mocks it in
        tests). stream=True and one raw read later: requests' `.content` assembles the body from
        10 kB chunks in Python, ~0.5 ms on a 166 kB Ashby page."""
        prepared = requests.PreparedRequest()
        prepared.prepare(method=method, url=url, headers=headers, data=payload, params=params)
        adapter = self.session.get_adapter(prepared.url)
        return adapter.send(prepared, stream=True, timeout=timeout, **self._env)

    # -- helpers --------------------------------------------------------------------------------
    def _provider(self) -> str:
        return self.connector_id.capitalize() or "The provider"

    def _backoff(self, attempt: int) -> None:
        delay = min(self.backoff_cap, self.backoff_base * (2 ** (attempt - 1)))
        if delay > 0:
            self._sleep(random.uniform(delay / 2, delay))  # jitter spreads retries of many workers

    def _transport_error(self, exc: Exception) -> errors.ConnectorError:
        # A body cut short by a read timeout surfaces from urllib3 directly (we read it raw).
        if isinstance(exc, requests.exceptions.Timeout | urllib3.exceptions.TimeoutError):
            return errors.UpstreamTimeout(f"{self._provider()} did not answer in time.", remote_code="timeout")
        return errors.UpstreamError(f"Could not reach {self._provider()}.", remote_code="connection_error")

    def _status_error(self, status: int, headers: dict, body: Any) -> errors.ConnectorError | None:
        err = self.provider_error(status, headers, body)
        if err is not None:
            return err
        if status < 400:
            return None
        if status == 429:
            return errors.RateLimited(f"{self._provider()} rate limit exceeded.", remote_code="rate_limited",
                                      retry_after=retry_after_from(headers))
        if status == 401:
            return errors.InvalidCredentials(f"{self._provider()} rejected the credentials.",
                                             remote_code="unauthorized")
        if status == 403:
            return errors.InsufficientPermissions(f"{self._provider()} refused the call (HTTP 403).",
                                                  remote_code="forbidden")
        if status == 404:
            return errors.NotFound(f"{self._provider()} has no such endpoint or record.", remote_code="not_found")
        if status == 408:
            return errors.UpstreamTimeout(f"{self._provider()} timed out.", remote_code="request_timeout")
        if status >= 500:
            return errors.UpstreamError(f"{self._provider()} failed (HTTP {status}).", remote_code=f"http_{status}")
        return errors.BadRequest(f"{self._provider()} rejected the request (HTTP {status}).",
                                 remote_code=f"http_{status}")

    def _update_budget(self, headers: dict) -> None:
        if self.ctx.rate_limiter is None:
            return
        remaining = _int_header(headers, "x-ratelimit-remaining")
        reset = _float_header(headers, "x-ratelimit-reset")
        try:
            self.ctx.rate_limiter.update(remaining, reset)
        except Exception:  # a broken budget store must not fail the call itself
            logger.exception("rate limiter update failed")

    def _report(self, method: str, url: str, status: int | None, duration_ms: float, error_code: str | None,
                request_id: str | None, attempt: int) -> None:
        # The URL never carries credentials here (auth is a header), so it is logged as is. The
        # check first: the structured `extra` is built on every call otherwise, logged or not.
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s %s %s -> %s in %.1fms%s", self.connector_id, method, url, status, duration_ms,
                        f" ({error_code})" if error_code else "",
                        extra={"connector": self.connector_id, "upstream_status": status,
                               "duration_ms": round(duration_ms, 1), "upstream_request_id": request_id,
                               "request_id": self.ctx.request_id, "attempt": attempt})
        if self.ctx.on_call is not None:
            try:
                self.ctx.on_call(UpstreamCall(method=method, url=url, status=status,
                                              duration_ms=round(duration_ms, 3), error_code=error_code,
                                              request_id=request_id, attempt=attempt))
            except Exception:  # logging must never break the call it logs
                logger.exception("on_call hook failed")


def _header(headers: dict, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _int_header(headers: dict, name: str) -> int | None:
    try:
        return int(float(_header(headers, name)))
    except (TypeError, ValueError):
        return None


def _float_header(headers: dict, name: str) -> float | None:
    try:
        return float(_header(headers, name))
    except (TypeError, ValueError):
        return None


def retry_after_from(headers: dict, *, now: float | None = None) -> float | None:
    """Seconds to wait: `Retry-After` when given, else `X-RateLimit-Reset` (epoch seconds) - now."""
    value = _float_header(headers, "retry-after")
    if value is not None:
        return max(0.0, value)
    reset = _float_header(headers, "x-ratelimit-reset")
    if reset is not None:
        now = time.time() if now is None else now
        # Some providers send a delta instead of an epoch; small values are deltas.
        return max(0.0, reset - now) if reset > 10**9 else max(0.0, reset)
    return None
