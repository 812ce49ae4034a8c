"""Fixtures for the Ashby sandbox tests: a fresh server per test on a free loopback port."""

from __future__ import annotations

import http.server
import json
import threading

import pytest
import requests

from connectors.ashby.sandbox import ALL_PERMISSIONS, SandboxServer

KEY = "test-full-key"


class Ashby:
    """A tiny Ashby client for tests: POST /<endpoint> with Basic auth, JSON in and out."""

    def __init__(self, server: SandboxServer, key: str | None = KEY):
        self.server = server
        self.key = key
        self.http = requests.Session()

    def raw(self, endpoint, body=None, key="__default__", **kwargs):
        key = self.key if key == "__default__" else key
        auth = (key, "") if key is not None else None
        return self.http.post(f"{self.server.base_url}/{endpoint}", json=body if body is not None else {},
                              auth=auth, timeout=10, **kwargs)

    def __call__(self, endpoint, body=None, key="__default__"):
        resp = self.raw(endpoint, body, key)
        assert resp.status_code == 200, (resp.status_code, resp.text)
        return resp.json()

    def ok(self, endpoint, body=None, key="__default__"):
        data = self(endpoint, body, key)
        assert data["success"] is True, data
        return data["results"]

    def error(self, endpoint, body=None, key="__default__"):
        data = self(endpoint, body, key)
        assert data["success"] is False, data
        return data["errorInfo"]["code"]

    def all_pages(self, endpoint, body=None, limit=100):
        body = dict(body or {}, limit=limit)
        results, pages = [], 0
        while True:
            data = self(endpoint, body)
            assert data["success"], data
            results += data["results"]
            pages += 1
            assert pages < 10_000
            if not data["moreDataAvailable"]:
                assert "nextCursor" not in data
                return results, data.get("syncToken")
            assert "syncToken" not in data
            body = dict(body, cursor=data["nextCursor"])

    def control(self, method, path, body=None):
        resp = self.http.request(method, f"{self.server.base_url}/_sandbox/{path}", json=body, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()


@pytest.fixture
def sbx():
    server = SandboxServer(port=0, api_keys={KEY: list(ALL_PERMISSIONS)}, candidates=40, seed=7,
                           webhook_retry_base=0.05, webhook_timeout=2.0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ashby(sbx):
    return Ashby(sbx)


class Receiver:
    """A webhook receiver on loopback that records raw bodies and headers."""

    def __init__(self):
        self.received = []
        self.statuses = []  # statuses to answer with, in order; then 200
        self.event = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                with receiver.event:
                    receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                              "json": json.loads(body), "answered": status})
                    receiver.event.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def wait_for(self, predicate, count=1, timeout=5.0):
        with self.event:
            ok = self.event.wait_for(lambda: len([r for r in self.received if predicate(r)]) >= count, timeout)
        assert ok, f"timed out; received {[r['json'].get('action') for r in self.received]}"
        return [r for r in self.received if predicate(r)]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    try:
        yield r
    finally:
        r.close()
