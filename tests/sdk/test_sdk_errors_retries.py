"""Error translation and the retry policy (429 with Retry-After, transport errors, never a POST twice)."""

from __future__ import annotations

import email.utils
import time

import pytest
import requests

from switchboard_sdk import (
    AuthenticationError,
    ConflictError,
    ConnectionError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SessionExpiredError,
    Switchboard,
    SwitchboardError,
    ValidationError,
)
from switchboard_sdk._http import parse_retry_after

BASE = "http://switchboard.test"
CONN = f"{BASE}/v1/connections/ashby/demo"
OK = {"object": "connection", "connectorId": "ashby", "ownerId": "demo", "status": "authorized", "operations": []}


def handle(client):
    return client.connections(connector_id="ashby", owner_id="demo")


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "MORPH::BAD_REQUEST", ValidationError),
        (401, "MORPH::UNAUTHORIZED", AuthenticationError),
        (401, "MORPH::SESSION::EXPIRED", SessionExpiredError),
        (403, "CONNECTOR::OPERATION::NOT_FOUND", PermissionDeniedError),
        (404, "MORPH::CONNECTION::NOT_FOUND", NotFoundError),
        (409, "MORPH::CONFLICT", ConflictError),
        (422, "CONNECTOR::OPERATION::BAD_REQUEST", ValidationError),
        (500, "MORPH::INTERNAL_SERVER_ERROR", ServerError),
        (418, "TEAPOT", SwitchboardError),
    ],
)
def test_error_types_by_status(client, rsps, status, code, cls):
    rsps.get(CONN, status=status, json={"error": code, "message": "Human sentence."},
             headers={"x-request-id": "srv-req-1"})
    with pytest.raises(cls) as info:
        handle(client).retrieve()
    err = info.value
    assert type(err) is cls
    assert isinstance(err, SwitchboardError)
    assert (err.code, err.message, err.status, err.request_id) == (code, "Human sentence.", status, "srv-req-1")
    assert err.body == {"error": code, "message": "Human sentence."}
    assert code in str(err) and "srv-req-1" in str(err)
    assert len(rsps.calls) == 1  # none of these is retried


def test_session_expired_is_an_authentication_error():
    assert issubclass(SessionExpiredError, AuthenticationError)


def test_error_without_server_request_id_carries_ours(client, rsps, sent):
    rsps.get(CONN, status=404, json={"error": "MORPH::CONNECTION::NOT_FOUND", "message": "No."})
    with pytest.raises(NotFoundError) as info:
        handle(client).retrieve()
    assert info.value.request_id == sent(rsps.calls[0])[3]["x-request-id"]


def test_non_json_error_body(client, rsps):
    rsps.get(CONN, status=500, body="<html>Bad gateway</html>", content_type="text/html")
    client._t.max_retries = 0
    with pytest.raises(ServerError) as info:
        handle(client).retrieve()
    assert info.value.code is None
    assert info.value.message == "<html>Bad gateway</html>"
    assert info.value.body == "<html>Bad gateway</html>"


def test_429_is_retried_after_retry_after_seconds(client, rsps, sleeps, sent):
    rsps.get(CONN, status=429, json={"error": "MORPH::RATE_LIMIT_EXCEEDED", "message": "Slow down."},
             headers={"Retry-After": "3"})
    rsps.get(CONN, json=OK)
    assert handle(client).retrieve().status == "authorized"
    assert sleeps == [3.0]
    ids = {sent(c)[3]["x-request-id"] for c in rsps.calls}
    assert len(ids) == 1  # retries of one call share its request id


def test_429_retries_a_post_too(client, rsps, sleeps):
    # A 429 means the request was refused before any work, so even a non-idempotent POST is safe.
    rsps.post(f"{BASE}/v1/resources/genericContact", status=429, json={"error": "X", "message": "wait"},
              headers={"Retry-After": "1"})
    rsps.post(f"{BASE}/v1/resources/genericContact", json={"object": "resourceRef", "model": "genericContact",
                                                         "id": "c1"})
    ref = handle(client).resources("genericContact").create({"firstName": "A"})
    assert ref.id == "c1"
    assert sleeps == [1.0]


def test_429_gives_up_after_max_retries(client, rsps, sleeps):
    for _ in range(3):
        rsps.get(CONN, status=429, json={"error": "MORPH::RATE_LIMIT_EXCEEDED", "message": "Slow down."},
                 headers={"Retry-After": "2"})
    with pytest.raises(RateLimitError) as info:
        handle(client).retrieve()
    assert info.value.retry_after == 2.0
    assert len(rsps.calls) == 3  # first try + max_retries=2
    assert sleeps == [2.0, 2.0]


def test_429_with_a_long_retry_after_raises_at_once(client, rsps, sleeps):
    rsps.get(CONN, status=429, json={"error": "MORPH::CONNECTION::PROXY::RATE_LIMIT_EXCEEDED", "message": "m"},
             headers={"Retry-After": "60"})
    with pytest.raises(RateLimitError) as info:
        handle(client).retrieve()
    assert info.value.retry_after == 60.0
    assert sleeps == []


def test_429_without_retry_after_backs_off(client, rsps, sleeps):
    rsps.get(CONN, status=429, json={"error": "X", "message": "m"})
    rsps.get(CONN, json=OK)
    handle(client).retrieve()
    assert len(sleeps) == 1 and 0 < sleeps[0] <= client._t.max_retry_wait


def test_retry_after_http_date():
    future = email.utils.formatdate(time.time() + 120, usegmt=True)
    assert 100 < parse_retry_after(future) <= 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") == 0.0


def test_connection_error_on_get_is_retried(client, rsps, sleeps):
    rsps.get(CONN, body=requests.ConnectionError("refused"))
    rsps.get(CONN, body=requests.Timeout("read timed out"))
    rsps.get(CONN, json=OK)
    assert handle(client).retrieve().owner_id == "demo"
    assert len(sleeps) == 2


def test_connection_error_gives_up_as_typed_error(client, rsps, sent):
    for _ in range(3):
        rsps.get(CONN, body=requests.ConnectionError("refused"))
    with pytest.raises(ConnectionError) as info:
        handle(client).retrieve()
    err = info.value
    assert isinstance(err, SwitchboardError)
    assert err.status is None
    assert err.request_id == sent(rsps.calls[0])[3]["x-request-id"]
    assert isinstance(err.__cause__, requests.ConnectionError)


def test_connection_error_on_post_is_not_retried(client, rsps, sleeps):
    rsps.post(f"{BASE}/v1/resources/genericContact", body=requests.ConnectionError("reset"))
    with pytest.raises(ConnectionError):
        handle(client).resources("genericContact").create({"firstName": "A"})
    assert len(rsps.calls) == 1
    assert sleeps == []


def test_timeout_on_patch_and_event_replay_are_not_retried(client, rsps, sleeps):
    rsps.patch(f"{BASE}/v1/resources/atsJob/j1", body=requests.ReadTimeout("slow"))
    rsps.post(f"{BASE}/v1/events/ev1/replay", body=requests.ReadTimeout("slow"))
    with pytest.raises(ConnectionError, match="timed out"):
        handle(client).resources("atsJob").update("j1", {"title": "x"})
    with pytest.raises(ConnectionError):
        client.events.replay("ev1")
    assert len(rsps.calls) == 2 and sleeps == []


def test_posts_idempotent_by_design_are_retried(client, rsps, sleeps):
    # The server upserts connections and authorize is repeatable; a proxied GET is a GET.
    rsps.post(CONN, body=requests.ConnectionError("reset"))
    rsps.post(CONN, json=OK)
    rsps.post(f"{CONN}/authorization", body=requests.ConnectionError("reset"))
    rsps.post(f"{CONN}/authorization", json={"status": "authorized"})
    rsps.post(f"{BASE}/v1/proxy", body=requests.ConnectionError("reset"))
    rsps.post(f"{BASE}/v1/proxy", json={"status": 200, "body": {}})
    handle(client).create(operations=[])
    handle(client).authorize(settings={"apiKey": "k"})
    handle(client).proxy("GET", "/x")
    assert len(sleeps) == 3


def test_proxied_post_is_not_retried(client, rsps):
    rsps.post(f"{BASE}/v1/proxy", body=requests.ConnectionError("reset"))
    with pytest.raises(ConnectionError):
        handle(client).proxy("POST", "/candidate.create", data={"name": "A"})
    assert len(rsps.calls) == 1


def test_503_is_retried_for_get_but_not_for_post(client, rsps, sleeps):
    rsps.get(CONN, status=503, json={"error": "X", "message": "busy"})
    rsps.get(CONN, json=OK)
    handle(client).retrieve()
    rsps.post(f"{BASE}/v1/resources/genericContact", status=503, json={"error": "X", "message": "busy"})
    with pytest.raises(ServerError):
        handle(client).resources("genericContact").create({"firstName": "A"})
    assert len(sleeps) == 1


def test_max_retries_zero_disables_retries(rsps):
    client = Switchboard(public_key="pk", secret_key="sk", base_url=BASE, timeout=1, max_retries=0)
    rsps.get(CONN, status=429, json={"error": "X", "message": "m"}, headers={"Retry-After": "1"})
    with pytest.raises(RateLimitError):
        handle(client).retrieve()
    assert len(rsps.calls) == 1


def test_timeout_is_passed_to_requests(rsps, monkeypatch):
    client = Switchboard(public_key="pk", secret_key="sk", base_url=BASE, timeout=(2, 7))
    seen = {}
    original = client._t.session.request

    def spy(*args, **kwargs):
        seen["timeout"] = kwargs["timeout"]
        return original(*args, **kwargs)

    monkeypatch.setattr(client._t.session, "request", spy)
    rsps.get(CONN, json=OK)
    handle(client).retrieve()
    assert seen["timeout"] == (2, 7)
