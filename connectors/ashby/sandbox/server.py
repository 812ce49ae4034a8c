"""The HTTP front: Ashby's wire conventions, fault injection and the `/_sandbox` control API.

Order of checks for an Ashby call mirrors what a client sees from the real service: injected
latency, injected 5xx (the edge fails before auth), authentication (401 no key, 403 unknown or
disabled key), the per-key rate limit (429), routing (404 unknown method), the endpoint permission
(`missing_endpoint_permission`), JSON parsing (`invalid_input`), then the handler. Every response
carries `x-ashby-request-id`; authenticated ones carry `X-RateLimit-*`.
"""

from __future__ import annotations

import base64
import collections
import copy
import ipaddress
import json
import random
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .api import ENDPOINTS, LEGACY_ALIASES, Api, ApiError
from .ids import now_iso, ulid
from .permissions import ALL_PERMISSIONS, normalise_permissions
from .render import public
from .store import State, default_key
from .webhooks import WebhookDispatcher

DEFAULT_FAULTS = {
    "latencyMs": 0,         # added to every Ashby call
    "failRate": 0.0,        # fraction of Ashby calls answered with failStatus
    "failNext": 0,          # the next N Ashby calls get failStatus
    "failStatus": 503,
    "rateLimitNext": 0,     # the next N authenticated calls get 429 rate_limit_exceeded
    "partnerRateLimitNext": 0,  # ... 429 with X-RateLimit-Scope: integration-partner
    "malformedNext": 0,     # the next N successful calls get a truncated, non-JSON body
    "syncTooLargeNext": 0,  # the next N incremental list calls get incremental_sync_too_large
    "perMinuteLimit": 1000,  # requests per minute per API key (Ashby: 1000)
    # When set (e.g. "candidate.list"), the injected faults above hit only that endpoint, so a test
    # can break one call in a multi-call flow. The per-minute budget always applies to every call.
    "faultEndpoint": "",
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AshbySandbox/1.0"
    # One buffered write per response and no Nagle: otherwise headers and body leave as two
    # segments and delayed ACKs add ~40 ms to every call, which ruins benchmarks.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    sandbox: SandboxServer  # set on the subclass built per server

    def log_message(self, fmt, *args):
        if self.sandbox.verbose:
            super().log_message(fmt, *args)

    def do_POST(self):
        self._dispatch("POST")

    def do_GET(self):
        self._dispatch("GET")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    # -- plumbing
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, payload, headers=None, raw: bytes | None = None, content_type=None):
        body = raw if raw is not None else json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type or "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        self.wfile.write(body)

    def _dispatch(self, method):
        parsed = urllib.parse.urlsplit(self.path)
        body = self._read_body()
        if parsed.path.startswith("/_sandbox"):
            self.sandbox._control(self, method, parsed, body)
        else:
            self.sandbox._ashby(self, method, parsed.path, body)


def _error(code: str, message: str, request_id: str) -> dict:
    return {"success": False, "errors": [code],
            "errorInfo": {"code": code, "message": message, "requestId": request_id}}


class SandboxServer:
    """A local Ashby. `start()` serves on a background thread; use as a context manager in tests."""

    def __init__(self, host="127.0.0.1", port=0, api_keys=None, candidates=50, seed=1, jobs=12, users=25,
                 per_minute_limit=1000, latency_ms=0, fail_rate=0.0, webhook_delay=0.0, webhook_retries=4,
                 webhook_retry_base=0.5, webhook_timeout=5.0, ping_failure_disables=True,
                 permission_error_status=403, allow_remote_control=False, request_log_size=5000, verbose=False):
        self.host, self.port = host, port
        self.verbose = verbose
        self.allow_remote_control = allow_remote_control
        self.permission_error_status = permission_error_status
        self._initial = {"api_keys": api_keys, "per_minute_limit": per_minute_limit, "latency_ms": latency_ms,
                         "fail_rate": fail_rate}
        self.state = State(seed=seed, candidates=candidates, jobs=jobs, users=users)
        self.webhooks = WebhookDispatcher(self.state, delay=webhook_delay, retries=webhook_retries,
                                          retry_base=webhook_retry_base, timeout=webhook_timeout,
                                          ping_failure_disables=ping_failure_disables)
        self.api = Api(self.state, emit=self.webhooks.emit)
        self.requests = collections.deque(maxlen=request_log_size)
        self._windows: dict[str, list] = {}
        self._fault_lock = threading.Lock()
        self._reset_config()
        self._httpd = None
        self._thread = None

    def _reset_config(self):
        init = self._initial
        self.faults = dict(DEFAULT_FAULTS, perMinuteLimit=init["per_minute_limit"], latencyMs=init["latency_ms"],
                           failRate=init["fail_rate"])
        self.api.faults = self.faults
        self._fault_rng = random.Random(f"faults:{self.state.config['seed']}")
        self.keys: dict[str, dict] = {}
        keys = init["api_keys"]
        if keys is None:
            keys = {"sandbox-key": ALL_PERMISSIONS}
        for key, spec in keys.items():
            if isinstance(spec, dict):
                self.add_key(key, spec.get("permissions"), spec.get("title"), **{
                    k: v for k, v in spec.items() if k in ("enabled", "allowConfidential")})
            else:
                self.add_key(key, spec)
        self._windows.clear()

    # ================================================================== lifecycle
    def start(self) -> SandboxServer:
        handler = type("SandboxHandler", (_Handler,), {"sandbox": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        # A short poll interval keeps stop() (and so every test fixture) fast.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="ashby-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        if self._httpd is None:
            handler = type("SandboxHandler", (_Handler,), {"sandbox": self})
            self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
            self._httpd.daemon_threads = True
            self.port = self._httpd.server_address[1]
        self._httpd.serve_forever()

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self.webhooks.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    # ================================================================== Python control API
    def add_key(self, api_key: str, permissions=None, title=None, enabled=True, allowConfidential=True):
        perms = normalise_permissions(ALL_PERMISSIONS if permissions is None else permissions)
        key = default_key(api_key, perms, title)
        key.update(enabled=enabled, allowConfidential=allowConfidential)
        self.keys[api_key] = key
        return key

    def remove_key(self, api_key: str) -> bool:
        return self.keys.pop(api_key, None) is not None

    def set_faults(self, **changes) -> dict:
        with self._fault_lock:
            if changes.pop("expireCursors", False):
                with self.state.lock:
                    self.state.cursor_generation += 1
            if changes.pop("expireSyncTokens", False):
                with self.state.lock:
                    self.state.token_generation += 1
            for k, v in changes.items():
                if k not in DEFAULT_FAULTS:
                    raise ValueError(f"unknown fault {k!r}; expected one of {sorted(DEFAULT_FAULTS)}")
                self.faults[k] = type(DEFAULT_FAULTS[k])(v)
            return dict(self.faults)

    def clear_faults(self):
        with self._fault_lock:
            self.faults.update(DEFAULT_FAULTS, perMinuteLimit=self._initial["per_minute_limit"])
            self._windows.clear()

    def reset(self):
        """Back to the seeded data, initial keys, no faults, no webhooks, empty logs."""
        with self.state.lock:
            self.state.reset_data()
        self.webhooks.clear()
        self.requests.clear()
        self._reset_config()

    def request_log(self, path: str | None = None) -> list[dict]:
        items = list(self.requests)
        return [r for r in items if path is None or r["path"] == path or r["endpoint"] == path]

    def emit(self, action: str, data: dict | None = None, object_id: str | None = None, webhook_action_id=None):
        with self.state.lock:
            payload = data if data is not None else self._sample_payload(action, object_id)
        return self.webhooks.emit(action, payload, webhook_action_id=webhook_action_id)

    def delete_candidate(self, candidate_id: str) -> bool:
        """What Ashby does when a candidate is deleted in the UI: gone from reads + candidateDelete."""
        with self.state.lock:
            coll = self.state.coll("candidate")
            if coll.get(candidate_id) is None:
                return False
            coll.deleted.add(candidate_id)
            self.state.seq += 1
        self.webhooks.emit("candidateDelete", {"candidate": {"id": candidate_id}})
        return True

    def update_record(self, kind: str, record_id: str, fields: dict, emit: bool = False) -> dict:
        """Change a record as an Ashby user would in the UI (e.g. rename a user): no webhook unless asked."""
        with self.state.lock:
            if kind not in self.state.collections:
                raise KeyError(f"unknown kind {kind!r}; expected one of {sorted(self.state.collections)}")
            rec = self.state.coll(kind).for_update(record_id)
            if rec is None:
                raise LookupError(f"{kind} {record_id} not found")
            rec.update(copy.deepcopy(fields))
            self.state.touch(kind, rec)
            out = public(rec)
        if emit:
            action = {"application": "applicationUpdate", "job": "jobUpdate", "offer": "offerUpdate",
                      "interviewSchedule": "interviewScheduleUpdate"}.get(kind)
            if action:
                self.emit(action, object_id=record_id)
        return out

    def get(self, kind: str, record_id: str) -> dict | None:
        """A record in the shape Ashby returns it (the `.info` shape), or None."""
        r = self.api.r
        render = {"candidate": r.candidate, "application": lambda a: r.application(a, info=True),
                  "job": r.job, "user": r.user, "interviewStage": r.stage,
                  "interviewSchedule": r.interview_schedule, "offer": lambda o: r.offer(o, full=True),
                  "feedback": r.feedback, "source": r.source}.get(kind, public)
        with self.state.lock:
            rec = self.state.get(kind, record_id)
            return render(rec) if rec is not None else None

    def info(self) -> dict:
        sd = self.state.data
        return {
            "baseUrl": self.base_url, "seed": sd.seed, "candidates": sd.n_candidates, "applications": sd.n_applications,
            "jobs": sd.n_jobs, "users": sd.n_users, "keys": len(self.keys),
            "sample": {"candidateId": sd.id("candidate", 0) if sd.n_candidates else None,
                       "applicationId": sd.id("application", 0) if sd.n_candidates else None,
                       "jobIds": [j["id"] for j in sd.jobs], "userIds": [u["id"] for u in sd.users[:5]],
                       "interviewPlanId": sd.plans[0]["id"], "tagIds": [t["id"] for t in sd.tags],
                       "sourceIds": [s["id"] for s in sd.sources],
                       "archiveReasonIds": [r["id"] for r in sd.archive_reasons],
                       "departmentIds": [d["id"] for d in sd.departments],
                       "locationIds": [loc["id"] for loc in sd.locations],
                       "customFieldIds": {f["title"]: f["id"] for f in sd.custom_fields}},
        }

    def _sample_payload(self, action, object_id=None):
        st, r = self.state, self.api.r

        def first(kind, pred=lambda rec: True):
            if object_id:
                rec = st.get(kind, object_id)
                if rec is not None:
                    return rec
            for _, rec in st.scan(kind, 0, st.coll(kind).skip_table(None)):
                if pred(rec):
                    return rec
            return None

        if action == "ping":
            return {"webhookActionType": "ping"}
        if action in ("applicationSubmit", "applicationUpdate", "candidateStageChange", "pushToHRIS"):
            a = first("application")
            return {"application": r.application(a) if a else None}
        if action == "candidateHire":
            a = first("application", lambda rec: rec["status"] == "Hired")
            offers = self.api._app_filter_ids(a["id"], "offer") if a else []
            return {"application": r.application(a) if a else None,
                    "offer": r.offer(offers[-1], full=True) if offers else None}
        if action == "candidateDelete":
            return {"candidate": {"id": object_id or st.data.id("candidate", 0)}}
        if action == "candidateMerge":
            return {"deletedCandidate": {"id": object_id or st.data.id("candidate", 1)},
                    "mergedCandidate": {"id": st.data.id("candidate", 0)}}
        if action in ("interviewScheduleCreate", "interviewScheduleUpdate"):
            s = first("interviewSchedule")
            return {"interviewSchedule": r.interview_schedule(s, with_candidate=action.endswith("Update")) if s else None}
        if action in ("offerCreate", "offerUpdate"):
            o = first("offer")
            return {"offer": r.offer(o, full=True) if o else None}
        if action == "offerDelete":
            o = first("offer")
            return {"offer": {"id": o["id"], "applicationId": o["applicationId"]} if o else None}
        if action in ("jobCreate", "jobUpdate"):
            j = first("job")
            return {"job": r.job(j)}
        if action in ("jobPostingUpdate", "jobPostingPublish", "jobPostingUnpublish"):
            j = first("job", lambda rec: bool(rec["jobPostingIds"]))
            return {"jobPosting": {"id": j["jobPostingIds"][0], "title": j["title"], "jobId": j["id"],
                                   "isListed": action != "jobPostingUnpublish", "updatedAt": now_iso()}}
        if action == "interviewPlanTransition":
            j = st.data.jobs[0]
            plan = st.data.plans[0]
            return {"jobId": j["id"], "fromInterviewPlan": {"id": plan["id"], "title": plan["title"]},
                    "toInterviewPlan": {"id": plan["id"], "title": plan["title"]}, "interviewStageMappings": []}
        return {}

    # ================================================================== Ashby API
    def _ashby(self, h: _Handler, method: str, path: str, raw: bytes):
        request_id = ulid()
        started = time.monotonic()
        entry = {"id": request_id, "at": now_iso(), "method": method, "path": path, "endpoint": path.lstrip("/"),
                 "apiKey": None, "status": None, "errorCode": None, "durationMs": None, "body": None}
        headers = {"x-ashby-request-id": request_id}
        try:
            entry["body"] = json.loads(raw) if raw else None
        except ValueError:
            entry["body"] = raw[:200].decode("utf-8", "replace")

        def finish(status, payload=None, raw_body=None, code=None, content_type=None):
            entry["status"], entry["errorCode"] = status, code
            entry["durationMs"] = int((time.monotonic() - started) * 1000)
            self.requests.append(entry)
            h._send(status, payload, headers, raw=raw_body, content_type=content_type)

        name = LEGACY_ALIASES.get(path.lstrip("/"), path.lstrip("/"))
        with self._fault_lock:
            targeted = not self.faults["faultEndpoint"] or self.faults["faultEndpoint"] == name
            latency = self.faults["latencyMs"] if targeted else 0
            fail = False
            if not targeted:
                pass
            elif self.faults["failNext"] > 0:
                self.faults["failNext"] -= 1
                fail = True
            elif self.faults["failRate"] > 0 and self._fault_rng.random() < self.faults["failRate"]:
                fail = True
            fail_status = self.faults["failStatus"]
        if latency:
            time.sleep(latency / 1000)
        if fail:
            # Outages come from the edge (Cloudflare) as HTML, not as Ashby's JSON envelope.
            phrase = HTTPStatus(fail_status).phrase if fail_status in HTTPStatus._value2member_map_ else "Error"
            return finish(fail_status, raw_body=f"<html><body><h1>{fail_status} {phrase}</h1></body></html>".encode(),
                          code="injected_failure", content_type="text/html")

        # -- authentication: HTTP Basic, key as the username, password ignored
        key_value = None
        auth = h.headers.get("Authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                key_value = base64.b64decode(auth[6:].strip()).decode().split(":", 1)[0]
            except Exception:  # noqa: BLE001 - an undecodable header is the same as none
                key_value = None
        if not key_value:
            return finish(401, _error("unauthenticated", "Authentication required: send your API key with HTTP "
                                      "Basic auth (key as username, empty password).", request_id), code="unauthenticated")
        entry["apiKey"] = key_value
        key = self.keys.get(key_value)
        if key is None or not key["enabled"]:
            return finish(403, _error("invalid_api_key", "The API key is invalid or has been deactivated.",
                                      request_id), code="invalid_api_key")

        # -- rate limit: fixed one-minute window per key
        with self._fault_lock:
            limit = self.faults["perMinuteLimit"]
            now = time.time()
            window = self._windows.get(key_value)
            if window is None or now - window[0] >= 60:
                window = self._windows[key_value] = [now, 0]
            window[1] += 1
            remaining = max(0, limit - window[1])
            headers.update({"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": remaining,
                            "X-RateLimit-Reset": int(window[0] + 60)})
            forced = partner = False
            if not targeted:
                pass
            elif self.faults["partnerRateLimitNext"] > 0:
                self.faults["partnerRateLimitNext"] -= 1
                forced = partner = True
            elif self.faults["rateLimitNext"] > 0:
                self.faults["rateLimitNext"] -= 1
                forced = True
        if forced or window[1] > limit:
            headers["X-RateLimit-Remaining"] = 0
            msg = "Rate limit exceeded for this API key. Retry after X-RateLimit-Reset."
            if partner:
                headers["X-RateLimit-Scope"] = "integration-partner"
                msg = "Rate limit exceeded for this integration partner across organizations."
            return finish(429, _error("rate_limit_exceeded", msg, request_id), code="rate_limit_exceeded")

        # -- routing
        if name not in ENDPOINTS:
            return finish(404, _error("not_found", f"Unknown endpoint {path}", request_id), code="not_found")
        if method != "POST":
            return finish(405, _error("method_not_allowed", "Use POST for every Ashby API endpoint.", request_id),
                          code="method_not_allowed")
        permission, handler_name = ENDPOINTS[name]
        if permission not in key["permissions"]:
            return finish(self.permission_error_status, _error(
                "missing_endpoint_permission",
                f"The API key is missing the {permission} permission required by {name}.", request_id),
                code="missing_endpoint_permission")

        # -- body
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return finish(200, _error("invalid_input", "Request payload is malformed", request_id), code="invalid_input")

        ctx = {"key": key, "requestId": request_id}
        try:
            with self.state.lock:
                result = getattr(self.api, handler_name)(body, ctx)
        except ApiError as exc:
            return finish(200, _error(exc.code, exc.message, request_id), code=exc.code)
        except Exception as exc:  # noqa: BLE001 - a sandbox bug must look like an Ashby 500, not hang
            return finish(500, _error("internal_error", f"{type(exc).__name__}: {exc}", request_id),
                          code="internal_error")
        payload = {"success": True, **result}
        with self._fault_lock:
            malformed = targeted and self.faults["malformedNext"] > 0
            if malformed:
                self.faults["malformedNext"] -= 1
        if malformed:
            text = json.dumps(payload)[:40]
            return finish(200, raw_body=text.encode(), code="injected_malformed")
        return finish(200, payload)

    # ================================================================== control API
    def _control(self, h: _Handler, method: str, parsed, raw: bytes):
        try:
            client = ipaddress.ip_address(h.client_address[0])
            loopback = client.is_loopback
        except ValueError:
            loopback = False
        if not loopback and not self.allow_remote_control:
            return h._send(403, {"error": "the /_sandbox control API only answers loopback clients"})
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return h._send(400, {"error": "body must be JSON"})
        query = dict(urllib.parse.parse_qsl(parsed.query))
        route = parsed.path.rstrip("/")
        try:
            status, payload = self._control_route(method, route, body, query)
        except (ValueError, KeyError, TypeError, LookupError) as exc:
            status, payload = 400, {"error": str(exc)}
        h._send(status, payload)

    def _control_route(self, method, route, body, query):
        if route in ("/_sandbox", "/_sandbox/health"):
            return 200, {"ok": True}
        if route == "/_sandbox/info":
            return 200, self.info()
        if route == "/_sandbox/keys":
            if method == "GET":
                return 200, {"keys": list(self.keys.values())}
            if method == "POST":
                api_key = body.get("apiKey")
                if not api_key:
                    raise ValueError("apiKey is required")
                return 200, self.add_key(api_key, body.get("permissions"), body.get("title"),
                                         enabled=body.get("enabled", True),
                                         allowConfidential=body.get("allowConfidential", True))
        if route.startswith("/_sandbox/keys/") and method == "DELETE":
            return (200, {"deleted": True}) if self.remove_key(urllib.parse.unquote(route[15:])) else (
                404, {"error": "no such key"})
        if route == "/_sandbox/faults":
            if method == "GET":
                return 200, dict(self.faults)
            if method == "POST":
                return 200, self.set_faults(**body)
            if method == "DELETE":
                self.clear_faults()
                return 200, dict(self.faults)
        if route == "/_sandbox/reset" and method == "POST":
            self.reset()
            return 200, {"ok": True}
        if route == "/_sandbox/requests":
            if method == "DELETE":
                self.requests.clear()
                return 200, {"ok": True}
            items = self.request_log(query.get("path"))
            if query.get("apiKey"):
                items = [r for r in items if r["apiKey"] == query["apiKey"]]
            limit = int(query.get("limit", 1000))
            return 200, {"count": len(items), "requests": items[-limit:]}
        if route == "/_sandbox/webhooks" and method == "GET":
            with self.state.lock:
                return 200, {"webhooks": [public(w) for w in self.state.webhooks.values()]}
        if route == "/_sandbox/webhooks/deliveries":
            if method == "DELETE":
                self.webhooks.log.clear()
                return 200, {"ok": True}
            items = list(self.webhooks.log)
            if query.get("action"):
                items = [d for d in items if d["action"] == query["action"]]
            return 200, {"pending": self.webhooks.pending(), "deliveries": items}
        if route == "/_sandbox/webhooks/emit" and method == "POST":
            action = body.get("action")
            if not action:
                raise ValueError("action is required")
            return 200, self.emit(action, body.get("data"), body.get("objectId"), body.get("webhookActionId"))
        if route == "/_sandbox/webhooks/wait" and method == "POST":
            return 200, {"idle": self.webhooks.wait_idle(float(body.get("timeoutSeconds", 5)))}
        if route == "/_sandbox/candidates/delete" and method == "POST":
            ok = self.delete_candidate(body.get("candidateId"))
            return (200, {"deleted": True}) if ok else (404, {"error": "no such candidate"})
        if route == "/_sandbox/records/update" and method == "POST":
            return 200, self.update_record(body["kind"], body["id"], body.get("fields") or {},
                                           emit=bool(body.get("emit")))
        return 404, {"error": f"unknown control route {method} {route}"}
