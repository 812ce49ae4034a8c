"""Outbound webhook delivery, signed the way Ashby signs.

Deliveries run on background worker threads so an API call that triggers a webhook never waits
for the receiver (a receiver may well be the very process making the call). Each delivery is
`POST requestUrl` with body `{"webhookActionId", "action", "data"}` and header
`Ashby-Signature: sha256=<hex HMAC-SHA256(secretToken, raw body)>`. Failures are retried with
Ashby's schedule shape `(2^attempt - 1) * base` seconds (base 10 s in Ashby, 0.5 s by default
here so tests stay fast); 401/403/404/405/410 are never retried, as in Ashby. A failed `ping`
(sent on webhook.create/update) leaves the webhook disabled, as Ashby does.
"""

from __future__ import annotations

import collections
import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request

from .ids import new_uuid, now_iso

NO_RETRY = {401, 403, 404, 405, 410}


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookDispatcher:
    def __init__(self, state, *, delay=0.0, retries=4, retry_base=0.5, timeout=5.0, workers=2,
                 ping_failure_disables=True, log_size=2000):
        self.state = state
        self.delay = delay
        self.retries = retries
        self.retry_base = retry_base
        self.timeout = timeout
        self.ping_failure_disables = ping_failure_disables
        self.log = collections.deque(maxlen=log_size)
        self._heap = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._in_flight = 0
        self._stopping = False
        # No proxies: deliveries go exactly where requestUrl says (usually loopback).
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._threads = [threading.Thread(target=self._run, name=f"sandbox-webhooks-{i}", daemon=True)
                         for i in range(workers)]
        for t in self._threads:
            t.start()

    # -- producing
    def emit(self, action: str, data: dict, only_webhook: str | None = None, webhook_action_id: str | None = None):
        """Queue `action` for every enabled webhook of that type (or just `only_webhook`)."""
        action_id = webhook_action_id or new_uuid()
        body = json.dumps({"webhookActionId": action_id, "action": action, "data": data},
                          separators=(",", ":")).encode()
        with self.state.lock:
            if only_webhook is not None:
                targets = [w for w in self.state.webhooks.values() if w["id"] == only_webhook]
            else:
                targets = [w for w in self.state.webhooks.values()
                           if w["enabled"] and w["webhookType"] == action]
            jobs = [{"deliveryId": new_uuid(), "webhookId": w["id"], "url": w["requestUrl"],
                     "secret": w["secretToken"], "action": action, "webhookActionId": action_id,
                     "body": body, "attempt": 1} for w in targets]
        due = time.monotonic() + self.delay
        with self._cond:
            for job in jobs:
                heapq.heappush(self._heap, (due, next(self._counter), job))
            self._cond.notify_all()
        return {"webhookActionId": action_id, "queued": len(jobs)}

    # -- consuming
    def _run(self):
        while True:
            with self._cond:
                while not self._stopping and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = None if not self._heap else max(0.0, self._heap[0][0] - time.monotonic())
                    self._cond.wait(wait)
                if self._stopping:
                    return
                _, _, job = heapq.heappop(self._heap)
                self._in_flight += 1
            try:
                self._deliver(job)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _deliver(self, job):
        headers = {"Content-Type": "application/json", "Ashby-Signature": sign(job["secret"], job["body"]),
                   "User-Agent": "Ashby-Webhooks (Switchboard sandbox)"}
        req = urllib.request.Request(job["url"], data=job["body"], headers=headers, method="POST")
        status, error = None, None
        started = time.monotonic()
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                status = resp.status
                resp.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
        except Exception as exc:  # noqa: BLE001 - any transport failure is a failed attempt
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        is_ping = job["action"] == "ping"
        retryable = not ok and not is_ping and status not in NO_RETRY and job["attempt"] <= self.retries
        outcome = "delivered" if ok else "retrying" if retryable else "failed"
        self.log.append({
            "deliveryId": job["deliveryId"], "webhookId": job["webhookId"], "webhookActionId": job["webhookActionId"],
            "action": job["action"], "requestUrl": job["url"], "attempt": job["attempt"], "status": status,
            "error": error, "outcome": outcome, "at": now_iso(),
            "durationMs": int((time.monotonic() - started) * 1000),
            "signature": headers["Ashby-Signature"], "payload": json.loads(job["body"]),
        })
        if retryable:
            delay = (2 ** job["attempt"] - 1) * self.retry_base
            job = dict(job, attempt=job["attempt"] + 1)
            with self._cond:
                heapq.heappush(self._heap, (time.monotonic() + delay, next(self._counter), job))
                self._cond.notify_all()
        elif not ok and is_ping and self.ping_failure_disables:
            with self.state.lock:
                w = self.state.webhooks.get(job["webhookId"])
                if w is not None:
                    w["enabled"] = False

    # -- control
    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until nothing is queued or in flight (retries count as queued)."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._in_flight:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._in_flight

    def clear(self):
        with self._cond:
            self._heap.clear()
        self.log.clear()

    def stop(self):
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for t in self._threads:
            t.join(timeout=2)
