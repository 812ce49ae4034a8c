"""Fixtures for events and webhooks: a real HTTP receiver on loopback, an authorized Ashby
connection (against the sandbox or a scripted fake client), and Celery tasks run inline."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import SANDBOX_KEY


class Receiver:
    """A developer's endpoint: records every request; answers with queued statuses (then 200)."""

    def __init__(self, port: int = 0):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.cond = threading.Condition()
        self.sockets: set = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                receiver.sockets.add(self.connection)

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.cond:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                              "body": body, "status": status})
                    receiver.cond.notify_all()
                answer = json.dumps({"received": status < 300}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def stop(self):
        """Like killing the process: stop listening and drop open keep-alive connections."""
        import socket

        self.server.shutdown()
        self.server.server_close()
        for sock in list(self.sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict]:
        """Wait until `count` requests arrived (a bound against hanging, not a timing assertion)."""
        with self.cond:
            self.cond.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
            return list(self.requests)

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests if r["status"] < 300]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.PUBLIC_BASE_URL = "http://testserver"
    return settings


@pytest.fixture
def eager():
    """Celery tasks run inline (the worker path itself is exercised by the Celery tests)."""
    from switchboard.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous



def ashby_operations() -> list[str]:
    from connectors.registry import get_connector

    return [s.name for s in get_connector("ashby").operation_specs if s.supported]


@pytest.fixture
def tenant(tenant_keys):
    return tenant_keys[0]


@pytest.fixture
def connection(tenant):
    """An authorized Ashby connection with every operation (no provider call made)."""
    from django.utils import timezone

    from switchboard.connections.models import Connection

    return Connection.objects.create(
        tenant=tenant, connector_id="ashby", owner_id="acme-co", operations=ashby_operations(),
        status=Connection.Status.AUTHORIZED, credentials={"apiKey": SANDBOX_KEY},
        granted_permissions=[], authorized_at=timezone.now())


@pytest.fixture
def sandbox_connection(connection, sandbox, settings):
    """The same connection, pointed at a live Ashby sandbox."""
    settings.ASHBY_BASE_URL = sandbox.base_url
    return connection


def subscribe(tenant, url, events, connection=None, **extra):
    from switchboard.webhooks.models import Subscription
    from switchboard.webhooks.services import new_signing_secret

    return Subscription.objects.create(
        tenant=tenant, url=url, events=events, secret=new_signing_secret(),
        connector_id=connection.connector_id if connection else "", owner_id=connection.owner_id if connection else "",
        **extra)


class FakeDNS:
    """Tests never ask real DNS: names resolve from this table (example.com names are public)."""

    def __init__(self):
        self.table: dict[str, list[str]] = {"localhost": ["127.0.0.1"]}
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host in self.table:
            return list(self.table[host])
        if host.endswith("example.com"):
            return ["93.184.216.34"]
        raise OSError(f"fake DNS: no such host {host!r}")


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    from switchboard.webhooks import urlsafety

    fake = FakeDNS()
    monkeypatch.setattr(urlsafety, "resolve", fake)
    return fake
