"""End to end over real HTTP: a developer subscribes a local URL, an application changes stage in
the Ashby sandbox, Ashby's signed webhook reaches the platform, and a correctly signed
`atsApplication::updated` reaches the subscriber. Then the subscriber goes down, more changes
happen, it comes back, and it receives everything."""

from __future__ import annotations

import json

import pytest
import requests
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from tests.switchboard.webhooks.conftest import Receiver, ashby_operations

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def one_request_at_a_time(monkeypatch):
    """pytest-django's live server shares one in-memory SQLite connection between its threads; the
    sandbox posts webhooks from two threads (and pings while `webhook.create` is still running), so
    on SQLite the live server handles one request at a time. PostgreSQL (CI) needs no such help."""
    import threading

    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    lock = threading.Lock()
    original = WSGIHandler.__call__

    def serialized(self, environ, start_response):
        with lock:
            return original(self, environ, start_response)

    monkeypatch.setattr(WSGIHandler, "__call__", serialized)


def _ashby(sandbox, key, endpoint, body):
    r = requests.post(f"{sandbox.base_url}/{endpoint}", json=body, auth=(key, ""), timeout=10)
    payload = r.json()
    assert payload.get("success"), payload
    return payload["results"]


def _other_stages(sandbox, key, application_id):
    app = _ashby(sandbox, key, "application.info", {"applicationId": application_id})
    current = app["currentInterviewStage"]
    stages = _ashby(sandbox, key, "interviewStage.list", {"interviewPlanId": current["interviewPlanId"]})
    return [s for s in stages if s["id"] != current["id"] and s["type"] not in ("Archived",)]


def test_sandbox_change_reaches_a_local_subscriber_signed(platform_server, one_request_at_a_time):
    p = platform_server
    http = requests.Session()
    http.headers.update({"x-api-key": p.public_key, "x-api-secret": p.secret_key})
    base = p.base_url

    r = http.post(f"{base}/v1/connections/ashby/demo", json={"operations": ashby_operations()}, timeout=30)
    assert r.status_code in (200, 201), r.text
    r = http.post(f"{base}/v1/connections/ashby/demo/authorization", json={"settings": {"apiKey": p.ashby_api_key}},
                  timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "authorized", r.text

    receiver = Receiver()
    port = receiver.port
    try:
        r = http.post(f"{base}/v1/webhooks", json={"url": receiver.url, "events": ["atsApplication::updated"],
                                                   "connectorId": "ashby", "ownerId": "demo"}, timeout=30)
        assert r.status_code == 201, r.text
        secret = r.json()["secret"]
        hooks = {w["webhookType"]: w for w in p.sandbox.state.webhooks.values()}
        assert "candidateStageChange" in hooks and all(w["enabled"] for w in hooks.values())
        assert all(w["requestUrl"].startswith(f"{base}/hooks/ashby/") for w in hooks.values())

        # A recruiter moves an application to another stage in Ashby.
        application_id = p.sandbox.info()["sample"]["applicationId"]
        stages = _other_stages(p.sandbox, p.ashby_api_key, application_id)
        _ashby(p.sandbox, p.ashby_api_key, "application.changeStage",
               {"applicationId": application_id, "interviewStageId": stages[0]["id"]})
        assert p.sandbox.webhooks.wait_idle(30)
        [request] = receiver.wait_for(1)
        event = Webhook(secret).verify(request["body"], request["headers"])
        assert event["type"] == "atsApplication::updated"
        assert (event["connectorId"], event["ownerId"]) == ("ashby", "demo")
        assert event["data"]["object"] == "resource" and event["data"]["id"] == application_id
        assert event["data"]["fields"]["stage"]["id"] == stages[0]["id"]
        # applicationUpdate and candidateStageChange both fired: still one event for one change.
        assert len(receiver.requests) == 1

        # The subscriber goes down; two more changes happen meanwhile.
        receiver.stop()
        for stage in stages[1:3]:
            _ashby(p.sandbox, p.ashby_api_key, "application.changeStage",
                   {"applicationId": application_id, "interviewStageId": stage["id"]})
            assert p.sandbox.webhooks.wait_idle(30)
        listed = http.get(f"{base}/v1/events?type=atsApplication::updated", timeout=30).json()["data"]
        assert len(listed) == 3
        missed = [e["id"] for e in reversed(listed[:2])]
        for event_id in missed:
            deliveries = http.get(f"{base}/v1/events/{event_id}/deliveries", timeout=30).json()["data"]
            assert deliveries[0]["status"] == "pending" and deliveries[0]["attemptLog"][0]["statusCode"] is None

        # It comes back; when the retries fall due, the sweeper (beat) sends everything it missed.
        receiver = Receiver(port=port)
        from switchboard.webhooks import delivery
        from switchboard.webhooks.models import Delivery

        Delivery.objects.filter(status="pending").update(next_attempt_at=timezone.now(), queued_at=None)
        assert delivery.sweep()["deliveries"] == 2
        received = receiver.wait_for(2)
        got = [Webhook(secret).verify(r["body"], r["headers"])["id"] for r in received]
        assert sorted(got) == sorted(missed)
        stages_seen = [json.loads(r["body"])["data"]["fields"]["stage"]["id"] for r in received]
        assert sorted(stages_seen) == sorted(s["id"] for s in stages[1:3])
    finally:
        receiver.stop()
