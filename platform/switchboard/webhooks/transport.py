"""Sending one delivery: connect to the address `urlsafety.check` approved, not to whatever the
host name resolves to a moment later, while still speaking to the host name (Host header, TLS SNI
and certificate check). Connection pools are kept per process and target for keep-alive."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import certifi
import urllib3

from switchboard.webhooks.urlsafety import Target

EXCERPT_BYTES = 1024
_MAX_BODY_READ = 64 * 1024
_POOLS: OrderedDict[tuple, urllib3.HTTPConnectionPool] = OrderedDict()
_POOLS_LOCK = threading.Lock()
_MAX_POOLS = 256


@dataclass
class Response:
    status: int | None
    latency_ms: float
    excerpt: str
    error: str = ""


def _pool(target: Target) -> urllib3.HTTPConnectionPool:
    key = (target.scheme, target.ip, target.port, target.host)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is not None:
            _POOLS.move_to_end(key)
            return pool
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                target.ip, target.port, maxsize=4, block=False, retries=False,
                server_hostname=target.host, assert_hostname=target.host,
                cert_reqs="CERT_REQUIRED", ca_certs=certifi.where())
        else:
            pool = urllib3.HTTPConnectionPool(target.ip, target.port, maxsize=4, block=False, retries=False)
        _POOLS[key] = pool
        while len(_POOLS) > _MAX_POOLS:
            _, old = _POOLS.popitem(last=False)
            old.close()
        return pool


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


def post(target: Target, body: bytes, headers: dict[str, str], *, connect_timeout: float,
         read_timeout: float) -> Response:
    """POST and report status, latency and the start of the answer. Never raises for transport
    errors (they are a failed attempt, recorded like any other); never follows redirects, which
    could lead to an address nobody checked."""
    send_headers = {"Host": _host_header(target), "Content-Type": "application/json",
                    "User-Agent": "Switchboard-Webhooks/1.0", **headers}
    started = time.perf_counter()
    try:
        resp = _pool(target).urlopen("POST", target.path, body=body, headers=send_headers,
                                     timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
                                     retries=False, redirect=False, preload_content=False,
                                     assert_same_host=False)
    except urllib3.exceptions.HTTPError as exc:
        return Response(None, (time.perf_counter() - started) * 1000, "", _describe(exc))
    try:
        data = resp.read(_MAX_BODY_READ)
        if resp.length_remaining or not resp.isclosed() and len(data) >= _MAX_BODY_READ:
            # A huge answer is not worth reading: drop this connection instead of draining it.
            resp.close()
        else:
            resp.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        resp.close()
        return Response(resp.status, (time.perf_counter() - started) * 1000, "", _describe(exc))
    latency = (time.perf_counter() - started) * 1000
    return Response(resp.status, latency, data[:EXCERPT_BYTES].decode("utf-8", "replace"))


def _describe(exc: Exception) -> str:
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: test it first.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "connection refused or unreachable"
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return "connect timeout"
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return "read timeout"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return f"TLS error: {exc}"[:300]
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return "connection closed by the receiver"
    return f"{type(exc).__name__}: {exc}"[:300]
