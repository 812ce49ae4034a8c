"""A small OAuth2 provider on 127.0.0.1 for end-to-end tests, and a test connector that uses it.

Implements what the platform relies on: /authorize (auto-consents, or denies when asked), /token
(authorization_code with a PKCE S256 check and client authentication; refresh_token with
rotation), /revoke, and /api/jobs (a protected resource that answers 401 to a bad token).
Refresh tokens rotate: reusing an old one answers invalid_grant, so a double refresh would show.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from connectors.base import AuthSpec, Connector, OAuthSpec, OperationSpec
from connectors.errors import InvalidCredentials


class LocalOAuthProvider:
    def __init__(self, clients: dict[str, str], *, access_ttl: int = 3600):
        self.clients = dict(clients)  # client_id -> client_secret
        self.access_ttl = access_ttl
        self.codes: dict[str, dict] = {}
        self.access: dict[str, dict] = {}
        self.refresh: dict[str, dict] = {}
        self.refresh_count = 0
        self.refresh_delay = 0.0  # widens the race window in concurrency tests
        self.deny = False
        self.log: list[dict] = []
        self.lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # -- lifecycle
    def start(self) -> LocalOAuthProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                provider._get(self)

            def do_POST(self):
                provider._post(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # -- helpers for tests
    def revoke_all_access_tokens(self) -> None:
        with self.lock:
            self.access.clear()

    def revoke_refresh_token(self, token: str) -> None:
        with self.lock:
            self.refresh.pop(token, None)

    # -- HTTP
    @staticmethod
    def _send(h, status, payload=None, headers=None):
        body = json.dumps(payload).encode() if payload is not None else b""
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        if payload is not None:
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _get(self, h):
        parts = urlsplit(h.path)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/authorize":
            self.log.append({"path": "/authorize", **q})
            if q.get("client_id") not in self.clients or q.get("response_type") != "code":
                return self._send(h, 400, {"error": "invalid_request"})
            if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
                return self._send(h, 400, {"error": "invalid_request", "error_description": "PKCE required"})
            target = q["redirect_uri"]
            if self.deny:
                params = {"error": "access_denied", "state": q.get("state", "")}
            else:
                code = secrets.token_urlsafe(16)
                with self.lock:
                    self.codes[code] = {"client_id": q["client_id"], "redirect_uri": target,
                                        "challenge": q["code_challenge"], "scope": q.get("scope", "")}
                params = {"code": code, "state": q.get("state", "")}
            return self._send(h, 302, headers={"Location": f"{target}?{urlencode(params)}"})
        if parts.path == "/api/jobs":
            token = (h.headers.get("Authorization") or "")[7:]
            with self.lock:
                grant = self.access.get(token)
            if grant is None or grant["expires_at"] < time.time():
                return self._send(h, 401, {"error": "invalid_token"})
            return self._send(h, 200, {"jobs": [{"id": "j1"}], "scope": grant["scope"]})
        return self._send(h, 404, {"error": "not_found"})

    def _post(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(h.rfile.read(length).decode()).items()}
        self.log.append({"path": h.path, **{k: v for k, v in form.items() if k != "client_secret"}})
        if h.path == "/revoke":
            self.revoke_refresh_token(form.get("token", ""))
            return self._send(h, 200, {})
        if h.path != "/token":
            return self._send(h, 404, {"error": "not_found"})
        client_id = form.get("client_id")
        if client_id not in self.clients or self.clients[client_id] != form.get("client_secret"):
            return self._send(h, 401, {"error": "invalid_client"})
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            with self.lock:
                code = self.codes.pop(form.get("code", ""), None)
            if code is None or code["client_id"] != client_id or code["redirect_uri"] != form.get("redirect_uri"):
                return self._send(h, 400, {"error": "invalid_grant"})
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != code["challenge"]:
                return self._send(h, 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
            return self._send(h, 200, self._issue(client_id, code["scope"]))
        if grant_type == "refresh_token":
            if self.refresh_delay:
                time.sleep(self.refresh_delay)
            with self.lock:
                grant = self.refresh.pop(form.get("refresh_token", ""), None)  # rotation: single use
                if grant is None or grant["client_id"] != client_id:
                    return self._send(h, 400, {"error": "invalid_grant"})
                self.refresh_count += 1
            return self._send(h, 200, self._issue(client_id, grant["scope"]))
        return self._send(h, 400, {"error": "unsupported_grant_type"})

    def _issue(self, client_id: str, scope: str) -> dict:
        access, refresh = "at_" + secrets.token_urlsafe(12), "rt_" + secrets.token_urlsafe(12)
        with self.lock:
            self.access[access] = {"client_id": client_id, "scope": scope, "expires_at": time.time() + self.access_ttl}
            self.refresh[refresh] = {"client_id": client_id, "scope": scope}
        return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
                "expires_in": self.access_ttl, "scope": scope}


class OAuthDemoConnector(Connector):
    """A connector that authenticates with OAuth2 against LocalOAuthProvider."""

    id = "oauthdemo"
    name = "OAuth Demo"

    def __init__(self, provider_url: str):
        self.provider_url = provider_url
        self.auth = AuthSpec(kind="oauth2", oauth=OAuthSpec(
            authorize_url=f"{provider_url}/authorize", token_url=f"{provider_url}/token",
            revoke_url=f"{provider_url}/revoke", pkce=True,
            scopes={"atsJob::list": ("jobs.read",), "atsJob::create": ("jobs.write",),
                    "genericContact::list": ("contacts.read",)}))
        self.operation_specs = (
            OperationSpec("atsJob", "list", permissions=("jobs.read",)),
            OperationSpec("atsJob", "create", permissions=("jobs.write",)),
            OperationSpec("genericContact", "list", permissions=("contacts.read",)),
        )

    def list_jobs(self, credentials: dict) -> dict:
        r = requests.get(f"{self.provider_url}/api/jobs", timeout=5,
                         headers={"Authorization": f"Bearer {credentials.get('accessToken')}"})
        if r.status_code == 401:
            raise InvalidCredentials("The access token was rejected.")
        return r.json()

    def client(self, ctx):
        """The platform's path: `client_for(connection)` builds the context, then calls this."""
        connector = self

        class _Client:
            def list_jobs(self):
                return connector.list_jobs(ctx.credentials)

        return _Client()
