"""The shared HTTP client: retries, timeouts, budget, reporting, redaction, URL safety."""

from __future__ import annotations

import logging

import pytest
import requests
import responses

from connectors import errors
from connectors.base import ConnectorContext
from connectors.http import HttpClient, redact_headers, retry_after_from

BASE = "https://provider.test/api"


class Budget:
    def __init__(self):
        self.acquired, self.updates = [], []

    def acquire(self, *, background=False):
        self.acquired.append(background)

    def update(self, remaining, reset_at):
        self.updates.append((remaining, reset_at))


class Client(HttpClient):
    connector_id = "demo"

    def authenticate(self, headers):
        headers["Authorization"] = "Bearer TOPSECRET"


@pytest.fixture
def calls():
    return []


@pytest.fixture
def budget():
    return Budget()


@pytest.fixture
def client(calls, budget):
    ctx = ConnectorContext(credentials={}, settings={"retry_backoff": 0}, on_call=calls.append,
                           rate_limiter=budget, background=True, timeout=3)
    return Client(ctx, base_url=BASE)


@responses.activate
def test_success_reports_call_and_updates_budget(client, calls, budget):
    responses.post(f"{BASE}/x.list", json={"ok": 1},
                   headers={"X-RateLimit-Remaining": "42", "X-RateLimit-Reset": "1787042974"})
    resp = client.request("POST", "/x.list", json_body={}, idempotent=True)
    assert resp.body == {"ok": 1} and resp.status == 200
    assert budget.acquired == [True]  # background work identifies itself to the budget
    assert budget.updates == [(42, 1787042974.0)]
    assert len(calls) == 1 and calls[0].status == 200 and calls[0].method == "POST"
    assert calls[0].url == f"{BASE}/x.list" and calls[0].duration_ms >= 0
    assert responses.calls[0].request.headers["Authorization"] == "Bearer TOPSECRET"


@responses.activate
def test_timeout_retried_for_reads_then_504(client, calls):
    responses.post(f"{BASE}/r", body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(errors.UpstreamTimeout) as exc:
        client.request("POST", "/r", json_body={}, idempotent=True)
    assert exc.value.status == 504
    assert len(responses.calls) == 4 and [c.attempt for c in calls] == [1, 2, 3, 4]


@responses.activate
def test_read_timeout_never_retried_for_writes(client):
    responses.post(f"{BASE}/w", body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(errors.UpstreamTimeout):
        client.request("POST", "/w", json_body={}, idempotent=False)
    assert len(responses.calls) == 1


@responses.activate
def test_connect_timeout_is_safe_to_retry_even_for_writes(client):
    responses.post(f"{BASE}/w", body=requests.exceptions.ConnectTimeout("no route"))
    responses.post(f"{BASE}/w", json={"ok": True})
    assert client.request("POST", "/w", json_body={}, idempotent=False).body == {"ok": True}
    assert len(responses.calls) == 2


@responses.activate
def test_connection_error_is_502(client):
    responses.post(f"{BASE}/r", body=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(errors.UpstreamError) as exc:
        client.request("POST", "/r", idempotent=True)
    assert exc.value.status == 502 and not isinstance(exc.value, errors.UpstreamTimeout)


@responses.activate
def test_5xx_retried_with_backoff_then_success(client):
    sleeps = []
    client._sleep = sleeps.append
    client.backoff_base = 0.5
    responses.post(f"{BASE}/r", status=503)
    responses.post(f"{BASE}/r", status=500)
    responses.post(f"{BASE}/r", json={"ok": 1})
    assert client.request("POST", "/r", idempotent=True).body == {"ok": 1}
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0  # exponential, with jitter


@responses.activate
def test_4xx_never_retried(client):
    responses.post(f"{BASE}/r", status=400, json={})
    with pytest.raises(errors.BadRequest):
        client.request("POST", "/r", idempotent=True)
    assert len(responses.calls) == 1


@responses.activate
def test_429_uses_retry_after(client):
    responses.post(f"{BASE}/r", status=429, headers={"Retry-After": "7"})
    with pytest.raises(errors.RateLimited) as exc:
        client.request("POST", "/r", idempotent=True)
    assert exc.value.retry_after == 7 and len(responses.calls) == 1


@responses.activate
def test_malformed_json_is_502(client):
    responses.post(f"{BASE}/r", body="{not json")
    with pytest.raises(errors.UpstreamError) as exc:
        client.request("POST", "/r", idempotent=True)
    assert exc.value.remote_code == "malformed_body"


@responses.activate
def test_secrets_never_logged(client, caplog):
    responses.post(f"{BASE}/r", json={})
    with caplog.at_level(logging.DEBUG, logger="connectors"):
        client.request("POST", "/r", idempotent=True)
    assert caplog.records and "TOPSECRET" not in caplog.text
    assert redact_headers({"Authorization": "Basic x", "X-Other": "1"}) == {"Authorization": "[redacted]",
                                                                           "X-Other": "1"}


@responses.activate
def test_broken_hooks_do_not_break_calls():
    class Broken:
        def acquire(self, *, background=False):
            pass

        def update(self, remaining, reset_at):
            raise RuntimeError("store down")

    def on_call(call):
        raise RuntimeError("log down")

    ctx = ConnectorContext(credentials={}, on_call=on_call, rate_limiter=Broken(), settings={"retry_backoff": 0})
    responses.post(f"{BASE}/r", json={"ok": 1})
    assert Client(ctx, base_url=BASE).request("POST", "/r", idempotent=True).body == {"ok": 1}


@pytest.mark.parametrize("path", ["https://evil.test/x", "//evil.test/x", "/../x", "/a/../../x", "/%2e%2e/x",
                                  "/a\\b", "", "/x\n"])
def test_url_for_refuses_leaving_the_base(client, path):
    with pytest.raises(errors.BadRequest):
        client.url_for(path)


def test_url_for_joins(client):
    assert client.url_for("/candidate.list") == f"{BASE}/candidate.list"
    assert client.url_for("candidate.list") == f"{BASE}/candidate.list"


def test_retry_after_from_reset_epoch():
    assert retry_after_from({"X-RateLimit-Reset": "1000000100"}, now=1000000000) == 100
    assert retry_after_from({"x-ratelimit-reset": "30"}, now=1000000000) == 30
    assert retry_after_from({}) is None


def test_proxies_and_ca_bundle_come_from_the_environment_once_per_origin(monkeypatch):
    from connectors import http

    monkeypatch.setattr(http, "_environment", {})
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "internal.test")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/corp-ca.pem")
    env = http.environment_for("https://api.ashbyhq.com/")
    assert env["proxies"].get("https") == "http://proxy.corp:3128"
    assert env["verify"] == "/etc/corp-ca.pem"
    assert http.environment_for("https://internal.test/")["proxies"] == {}  # NO_PROXY honoured
    monkeypatch.setenv("HTTPS_PROXY", "http://other:1")
    assert http.environment_for("https://api.ashbyhq.com/x") is env  # read once, not per call


@responses.activate
def test_calls_pass_the_environment_explicitly(monkeypatch):
    from connectors import http

    seen = {}
    # On this thread's adapter instance: the class attribute is `responses`' own patch right now.
    adapter = http.shared_session().get_adapter(BASE)
    real = adapter.send

    def spy(request, **kwargs):
        seen.update(proxies=kwargs.get("proxies"), verify=kwargs.get("verify"))
        return real(request, **kwargs)

    monkeypatch.setattr(http, "_environment", {("https", "provider.test"): {"proxies": {}, "verify": "/ca.pem"}})
    monkeypatch.setattr(adapter, "send", spy)
    responses.post(f"{BASE}/x", json={})
    Client(ConnectorContext(credentials={}), base_url=BASE).request("POST", "x", json_body={}, idempotent=True)
    assert seen == {"proxies": {}, "verify": "/ca.pem"}
    assert http.shared_session().trust_env is False


@responses.activate
def test_cookies_from_one_call_never_ride_along_on_the_next():
    # The keep-alive session is shared by every tenant a thread serves: a cookie one account's
    # API set must not be sent with another account's call.
    responses.post(f"{BASE}/login", json={}, headers={"Set-Cookie": "sid=tenant-a-session; Path=/"})
    responses.post(f"{BASE}/next", json={})
    client = Client(ConnectorContext(credentials={}), base_url=BASE)
    client.request("POST", "login", json_body={}, idempotent=True)
    client.request("POST", "next", json_body={}, idempotent=True)
    assert "Cookie" not in responses.calls[1].request.headers
    assert not client.session.cookies


@responses.activate
def test_requests_name_us_and_accept_compressed_bodies():
    import gzip

    responses.post(f"{BASE}/x", body=gzip.compress(b'{"ok": true}'),
                   headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    resp = Client(ConnectorContext(credentials={}), base_url=BASE).request("POST", "x", json_body={},
                                                                         idempotent=True)
    sent = responses.calls[0].request.headers
    assert sent["User-Agent"].startswith("Switchboard-Connectors/")
    assert "gzip" in sent["Accept-Encoding"]
    assert resp.body == {"ok": True}


def _stalling_server(body_sent: bytes, total: int):
    """A loopback server that promises `total` bytes, sends `body_sent`, then stalls."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    conns = []

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            conns.append(conn)
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(total).encode() + b"\r\n\r\n" + body_sent)

    threading.Thread(target=serve, daemon=True).start()
    return srv, conns


def test_a_body_cut_short_by_a_read_timeout_is_a_504_and_reads_retry():
    srv, conns = _stalling_server(b'{"results": [', 10_000)
    calls = []
    ctx = ConnectorContext(credentials={}, settings={"retry_backoff": 0, "max_retries": 1}, on_call=calls.append,
                           timeout=0.3)
    try:
        with pytest.raises(errors.UpstreamTimeout) as info:
            Client(ctx, base_url=f"http://127.0.0.1:{srv.getsockname()[1]}/").request(
                "POST", "x", json_body={}, idempotent=True)
    finally:
        srv.close()
        for c in conns:
            c.close()
    assert info.value.status == 504
    assert len(calls) == 2 and all(c.error_code == "timeout" for c in calls)  # tried, then retried once


def test_a_hand_built_response_without_a_raw_stream_is_read_from_its_content(monkeypatch):
    from requests.models import Response

    def send(self, request, **kwargs):
        resp = Response()
        resp.status_code, resp._content, resp.url, resp.request = 200, b'{"ok": true}', request.url, request
        return resp

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    got = Client(ConnectorContext(credentials={}), base_url=BASE).request("POST", "x", json_body={}, idempotent=True)
    assert got.body == {"ok": True}
