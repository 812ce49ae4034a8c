"""Connections, authorization, sessions, connectors and the session-scoped client."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from switchboard_sdk import Authorization, Connection, Session, SessionClient, Switchboard

# Same host as the conftest `client` fixture; a constant here because tests/ is not a package.
BASE = "http://switchboard.test"

CONNECTION = {
    "object": "connection",
    "connectorId": "ashby",
    "ownerId": "demo",
    "status": "unauthorized",
    "operations": ["genericContact::list"],
    "createdAt": "2026-01-02T03:04:05Z",
    "updatedAt": "2026-01-02T03:04:06.123456+00:00",
}


def test_secret_client_sends_keys_and_a_fresh_request_id(client, rsps, sent):
    rsps.get(f"{BASE}/v1/connections/ashby/demo", json=CONNECTION)
    rsps.get(f"{BASE}/v1/connections/ashby/demo", json=CONNECTION)
    handle = client.connections(connector_id="ashby", owner_id="demo")
    handle.retrieve()
    handle.retrieve()
    ids = []
    for call in rsps.calls:
        _, _, _, headers, _ = sent(call)
        assert headers["x-api-key"] == "pk_test"
        assert headers["x-api-secret"] == "sk_test"
        assert "x-session-token" not in headers
        assert headers["user-agent"].startswith("switchboard-sdk-python/")
        ids.append(headers["x-request-id"])
        assert uuid.UUID(ids[-1]).version == 4
    assert ids[0] != ids[1]


def test_connection_create_sends_operations_and_parses(client, rsps, sent):
    rsps.post(f"{BASE}/v1/connections/ashby/demo", json=CONNECTION, status=201)
    connection = client.connections(connector_id="ashby", owner_id="demo").create(
        operations=["genericContact::list"]
    )
    method, path, query, _, body = sent(rsps.calls[0])
    assert (method, path, query) == ("POST", "/v1/connections/ashby/demo", {})
    assert body == {"operations": ["genericContact::list"]}
    assert isinstance(connection, Connection)
    assert connection.connector_id == "ashby"
    assert connection.owner_id == "demo"
    assert connection.status == "unauthorized"
    assert connection.operations == ["genericContact::list"]
    assert connection.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)  # noqa: UP017
    assert connection.updated_at.microsecond == 123456
    assert connection.missing_operations == []
    assert connection.raw == CONNECTION
    # Dict-style access keeps Morph's examples (`result["authorization_url"]`) working.
    assert connection["owner_id"] == "demo"
    assert connection["ownerId"] == "demo"
    assert connection["object"] == "connection"
    with pytest.raises(KeyError):
        connection["nope"]


def test_owner_id_is_quoted_as_one_path_segment(client, rsps, sent):
    rsps.get(f"{BASE}/v1/connections/ashby/a%2Fb%20c", json=CONNECTION)
    client.connections(connector_id="ashby", owner_id="a/b c").retrieve()
    assert rsps.calls[0].request.url.endswith("/v1/connections/ashby/a%2Fb%20c")


def test_connection_update_and_delete(client, rsps, sent):
    updated = {**CONNECTION, "operations": ["atsJob::list"], "missingOperations": ["atsJob::list"],
               "status": "authorized"}
    rsps.patch(f"{BASE}/v1/connections/ashby/demo", json=updated)
    rsps.delete(f"{BASE}/v1/connections/ashby/demo", status=204)
    handle = client.connections(connector_id="ashby", owner_id="demo")
    connection = handle.update(operations=["atsJob::list"])
    assert sent(rsps.calls[0])[4] == {"operations": ["atsJob::list"]}
    assert connection.missing_operations == ["atsJob::list"]
    assert handle.delete() is None
    assert sent(rsps.calls[1])[:2] == ("DELETE", "/v1/connections/ashby/demo")


def test_authorize_without_settings_returns_the_connect_page_url(client, rsps, sent):
    rsps.post(
        f"{BASE}/v1/connections/ashby/demo/authorization",
        json={"object": "connectionAuthorization", "connectorId": "ashby", "ownerId": "demo",
              "status": "awaitingAuthorization", "authorizationUrl": "http://sb/connect/abc"},
    )
    result = client.connections(connector_id="ashby", owner_id="demo").authorize(
        redirect_url="https://app.example/done"
    )
    method, path, query, _, body = sent(rsps.calls[0])
    assert (method, path) == ("POST", "/v1/connections/ashby/demo/authorization")
    assert query == {"redirectUrl": "https://app.example/done"}
    assert body == {}
    assert isinstance(result, Authorization)
    assert result.status == "awaitingAuthorization"
    assert not result.is_authorized
    assert result.authorization_url == "http://sb/connect/abc"
    # The seed's Python example, verbatim.
    assert result["authorization_url"] == "http://sb/connect/abc"


def test_authorize_with_settings(client, rsps, sent):
    rsps.post(
        f"{BASE}/v1/connections/ashby/demo/authorization",
        json={"object": "connectionAuthorization", "connectorId": "ashby", "ownerId": "demo",
              "status": "authorized", "connection": {**CONNECTION, "status": "authorized"}},
    )
    result = client.connections(connector_id="ashby", owner_id="demo").authorize(settings={"apiKey": "k"})
    _, _, query, _, body = sent(rsps.calls[0])
    assert query == {}
    assert body == {"settings": {"apiKey": "k"}}
    assert result.is_authorized
    assert result.authorization_url is None
    assert result.connection.status == "authorized"


def test_sessions_create(client, rsps, sent):
    rsps.post(
        f"{BASE}/v1/connections/ashby/demo/sessions",
        json={"object": "session", "sessionToken": "st_123", "expiresAt": "2026-01-01T00:30:00Z",
              "connection": {"connectorId": "ashby", "ownerId": "demo", "operations": ["atsJob::list"]}},
        status=201,
    )
    session = client.sessions.create(
        connector_id="ashby", owner_id="demo", operations=["atsJob::list"], expires_in=600
    )
    method, path, _, _, body = sent(rsps.calls[0])
    assert (method, path) == ("POST", "/v1/connections/ashby/demo/sessions")
    assert body == {"expiresIn": 600, "connection": {"operations": ["atsJob::list"]}}
    assert isinstance(session, Session)
    assert session.session_token == "st_123"
    assert session.expires_at == datetime(2026, 1, 1, 0, 30, tzinfo=timezone.utc)  # noqa: UP017
    assert (session.connector_id, session.owner_id, session.operations) == ("ashby", "demo", ["atsJob::list"])


def test_sessions_create_minimal_body(client, rsps, sent):
    rsps.post(f"{BASE}/v1/connections/ashby/demo/sessions", json={"sessionToken": "t"})
    client.sessions.create(connector_id="ashby", owner_id="demo")
    assert sent(rsps.calls[0])[4] == {"connection": {}}


def test_connectors_list_and_retrieve(client, rsps, sent):
    ashby = {
        "object": "connector", "id": "ashby", "name": "Ashby",
        "auth": {"type": "apiKey", "settings": [{"key": "apiKey", "isSecret": True, "isRequired": True}]},
        "models": [{"model": "atsJob", "operations": [
            {"name": "atsJob::list", "operation": "list", "supported": True, "permissions": ["jobsRead"]},
            {"name": "atsJob::delete", "operation": "delete", "supported": False, "permissions": []},
        ]}],
        "webhooks": {"atsJob": ["created"]},
    }
    rsps.get(f"{BASE}/v1/connectors", json={"data": [ashby], "next": None})
    rsps.get(f"{BASE}/v1/connectors/ashby", json=ashby)
    page = client.connectors.list()
    assert [c.id for c in page.data] == ["ashby"]
    assert page.next is None
    connector = client.connectors.retrieve("ashby")
    assert sent(rsps.calls[1])[:2] == ("GET", "/v1/connectors/ashby")
    assert connector.name == "Ashby"
    assert connector.auth_type == "apiKey"
    assert connector.settings[0]["key"] == "apiKey"
    assert connector.operations == ["atsJob::list", "atsJob::delete"]
    assert connector.webhooks == {"atsJob": ["created"]}


# ---------------------------------------------------------------------------------------------- session


@pytest.fixture
def session_client():
    sc = Switchboard.from_session(public_key="pk_test", session_token="st_abc", base_url=BASE + "/")
    sc._t.sleep = lambda _s: None
    return sc


def test_session_client_headers_and_connection_paths(session_client, rsps, sent):
    assert isinstance(session_client, SessionClient)
    rsps.get(f"{BASE}/v1/s/connection", json=CONNECTION)
    rsps.post(f"{BASE}/v1/s/connection/authorization",
              json={"status": "awaitingAuthorization", "authorizationUrl": "http://x"})
    rsps.delete(f"{BASE}/v1/s/connection", status=204)
    rsps.get(f"{BASE}/v1/s/connector", json={"id": "ashby", "name": "Ashby"})

    assert session_client.connection.retrieve().owner_id == "demo"
    assert session_client.connection.authorize(redirect_url="http://back").authorization_url == "http://x"
    session_client.connection.delete()
    assert session_client.connector.retrieve().id == "ashby"

    for call in rsps.calls:
        _, path, _, headers, _ = sent(call)
        assert path.startswith("/v1/s/")
        assert headers["x-api-key"] == "pk_test"
        assert headers["x-session-token"] == "st_abc"
        assert "x-api-secret" not in headers
        assert "x-connector-id" not in headers
    assert sent(rsps.calls[1])[2] == {"redirectUrl": "http://back"}


def test_session_client_resources_and_fields(session_client, rsps, sent):
    rsps.get(f"{BASE}/v1/s/resources/atsJob", json={"data": [], "next": None})
    rsps.get(f"{BASE}/v1/s/models/atsJob/fields", json={"data": [{"key": "title", "type": "text"}]})
    assert session_client.resources("atsJob").list().data == []
    assert session_client.models("atsJob").fields()[0].key == "title"
    assert [sent(c)[1] for c in rsps.calls] == ["/v1/s/resources/atsJob", "/v1/s/models/atsJob/fields"]


def test_constructors_refuse_missing_keys_and_no_timeout():
    with pytest.raises(ValueError):
        Switchboard(public_key="pk", secret_key="")
    with pytest.raises(ValueError):
        Switchboard.from_session(public_key="pk", session_token="")
    with pytest.raises(ValueError):
        Switchboard(public_key="pk", secret_key="sk", timeout=None)


def test_repr_never_shows_the_secret():
    client = Switchboard(public_key="pk_x", secret_key="sk_very_secret", base_url=BASE)
    assert "sk_very_secret" not in repr(client)
    with client as same:
        assert same is client
