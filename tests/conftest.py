"""Shared fixtures. A network guard keeps every test on loopback: tests never reach the internet."""

from __future__ import annotations

import ipaddress
import socket

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check(address):
    host = address[0] if isinstance(address, tuple) else None
    if host is None:  # unix sockets (PostgreSQL's socket) are local by definition
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if host in ("localhost",):
            return
        raise OSError(f"test network guard: refusing to connect to {host!r}") from None
    if not ip.is_loopback:
        raise OSError(f"test network guard: refusing to connect to {host!r} (tests stay on loopback)")


def _guarded_connect(self, address):
    _check(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _check(address)
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex


@pytest.fixture
def tenant_keys(db):
    from switchboard.tenants.services import create_tenant

    tenant, key, secret = create_tenant("Acme")
    return tenant, key.public_key, secret


@pytest.fixture
def other_tenant_keys(db):
    from switchboard.tenants.services import create_tenant

    tenant, key, secret = create_tenant("Globex")
    return tenant, key.public_key, secret


def make_client(public: str | None, secret: str | None, **extra):
    from rest_framework.test import APIClient

    client = APIClient()
    headers = {}
    if public:
        headers["HTTP_X_API_KEY"] = public
    if secret:
        headers["HTTP_X_API_SECRET"] = secret
    headers.update(extra)
    client.credentials(**headers)
    return client


@pytest.fixture
def api(tenant_keys):
    _, public, secret = tenant_keys
    return make_client(public, secret)


@pytest.fixture
def other_api(other_tenant_keys):
    _, public, secret = other_tenant_keys
    return make_client(public, secret)


# -- end-to-end: the Ashby sandbox and the platform on real loopback ports ---------------------

SANDBOX_KEY = "e2e-sandbox-key"


@pytest.fixture
def sandbox():
    """A fresh Ashby sandbox on a free loopback port, with one key holding every permission."""
    from connectors.ashby.sandbox import ALL_PERMISSIONS, SandboxServer

    server = SandboxServer(port=0, api_keys={SANDBOX_KEY: list(ALL_PERMISSIONS)}, candidates=30, seed=1)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def platform_server(transactional_db, live_server, sandbox, settings):
    """The platform served over real HTTP (pytest-django's live server) and pointed at the sandbox.

    Celery tasks run inline here so a single process shows the whole flow; the worker path itself
    is covered by tests that start a real worker against the configured broker.
    """
    from types import SimpleNamespace

    from switchboard.celery import app
    from switchboard.tenants.services import create_tenant

    settings.ASHBY_BASE_URL = sandbox.base_url
    settings.PUBLIC_BASE_URL = live_server.url
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    tenant, key, secret = create_tenant("E2E")
    try:
        yield SimpleNamespace(base_url=live_server.url, public_key=key.public_key, secret_key=secret,
                              ashby_api_key=SANDBOX_KEY, sandbox=sandbox, tenant=tenant)
    finally:
        app.conf.task_always_eager = previous
