"""Sessions: creation, expiry, forgery, revocation and scope (one connection, /v1/s/... only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from switchboard.connect.models import Session
from switchboard.connect.services import create_session, hash_token
from switchboard.connections.models import Connection
from tests.fakes import GOOD_KEY
from tests.switchboard.connect.conftest import make_client

pytestmark = pytest.mark.django_db


def test_create_session_shape_and_connection_created(api, new_session, tenant_keys):
    body, token = new_session(owner="u1", operations=["atsJob::list"])
    assert body["object"] == "session"
    assert body["connection"] == {"connectorId": "fake", "ownerId": "u1", "operations": ["atsJob::list"]}
    assert token.startswith("st_")
    assert body["connectUrl"] == f"http://localhost:8000/connect/{token}"
    expires = parse_datetime(body["expiresAt"].replace("Z", "+00:00"))
    assert timedelta(seconds=1790) < expires - timezone.now() <= timedelta(seconds=1800)
    connection = Connection.objects.get(tenant=tenant_keys[0], connector_id="fake", owner_id="u1")
    assert connection.operations == ["atsJob::list"]
    # Only the hash is stored.
    session = Session.objects.get(connection=connection)
    assert session.token_hash == hash_token(token) and token not in str(session.__dict__.values())


def test_session_replaces_operations_of_existing_connection(api, new_session):
    api.post("/v1/connections/fake/u2", {"operations": ["atsJob::list"]}, format="json")
    body, _ = new_session(owner="u2", operations=["genericContact::list"])
    assert body["connection"]["operations"] == ["genericContact::list"]
    # Without operations the connection keeps its own.
    response = api.post("/v1/connections/fake/u2/sessions", {}, format="json")
    assert response.json()["connection"]["operations"] == ["genericContact::list"]


@pytest.mark.parametrize("expires_in", [59, 86401, "600", True, 1.5])
def test_expires_in_bounds(api, fake_connector, expires_in):
    response = api.post("/v1/connections/fake/u/sessions", {"expiresIn": expires_in}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "MORPH::BAD_REQUEST"


def test_expires_in_custom(api, fake_connector):
    response = api.post("/v1/connections/fake/u/sessions", {"expiresIn": 60}, format="json")
    expires = parse_datetime(response.json()["expiresAt"].replace("Z", "+00:00"))
    assert expires - timezone.now() <= timedelta(seconds=60)


def test_bad_operations_and_unknown_connector(api, fake_connector):
    r = api.post("/v1/connections/fake/u/sessions", {"connection": {"operations": ["nope::list"]}}, format="json")
    assert r.status_code == 400 and r.json()["error"] == "CONNECTOR::RESOURCE_MODEL::NOT_FOUND"
    r = api.post("/v1/connections/nope/u/sessions", {}, format="json")
    assert r.status_code == 404 and r.json()["error"] == "CONNECTOR::NOT_FOUND"


def test_creating_a_session_needs_the_secret_key(tenant_keys, fake_connector):
    _, public, _ = tenant_keys
    r = make_client(public, None).post("/v1/connections/fake/u/sessions", {}, format="json")
    assert r.status_code == 401


def test_session_routes(new_session, session_client):
    _, token = new_session(owner="u3")
    client = session_client(token)
    r = client.get("/v1/s/connection")
    assert r.status_code == 200
    assert (r.json()["ownerId"], r.json()["status"]) == ("u3", "unauthorized")
    r = client.get("/v1/s/connector")
    assert r.status_code == 200 and r.json()["id"] == "fake"
    r = client.post("/v1/s/connection/authorization", {"settings": {"apiKey": GOOD_KEY}}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "authorized"
    assert client.get("/v1/s/connection").json()["status"] == "authorized"
    r = client.post("/v1/s/connection/authorization", {}, format="json")
    assert r.json()["status"] == "awaitingAuthorization"
    assert "/connect/st_" in r.json()["authorizationUrl"]
    # PATCH/POST are not session operations.
    assert client.patch("/v1/s/connection", {"operations": []}, format="json").status_code == 405


def test_session_delete_connection(new_session, session_client, tenant_keys):
    _, token = new_session(owner="u4")
    r = session_client(token).delete("/v1/s/connection")
    assert r.status_code == 204
    assert not Connection.objects.filter(owner_id="u4").exists()
    # The session went with its connection.
    r = session_client(token).get("/v1/s/connection")
    assert r.status_code == 401 and r.json()["error"] == "MORPH::SESSION::TOKEN_VALIDATION_FAILED"


def test_expired_token_in_token_and_in_database(api, new_session, session_client, tenant_keys):
    connection = Connection.objects.create(tenant=tenant_keys[0], connector_id="fake", owner_id="x")
    _, token = create_session(connection, expires_in=-5)
    r = session_client(token).get("/v1/s/connection")
    assert r.status_code == 401 and r.json()["error"] == "MORPH::SESSION::EXPIRED"
    # Row expired (e.g. shortened by an operator) while the token still claims more time.
    _, token = new_session(owner="y")
    Session.objects.filter(token_hash=hash_token(token)).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = session_client(token).get("/v1/s/connection")
    assert r.status_code == 401 and r.json()["error"] == "MORPH::SESSION::EXPIRED"
    # An expired token is known as expired even after its row was pruned.
    Session.objects.all().delete()
    _, token2 = create_session(connection, expires_in=-5)
    Session.objects.all().delete()
    assert session_client(token2).get("/v1/s/connection").json()["error"] == "MORPH::SESSION::EXPIRED"


def _flip(ch: str) -> str:
    return "A" if ch != "A" else "B"


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + _flip(t[-1]),                          # signature altered
    lambda t: t[:5] + _flip(t[5]) + t[6:],                    # payload altered
    lambda t: "st_eyJzIjoiMDAwIn0.bm90LWEtc2lnbmF0dXJl",       # forged
    lambda t: "garbage",
    lambda t: t.replace("st_", "", 1),
])
def test_forged_or_altered_token(new_session, session_client, mangle):
    _, token = new_session()
    r = session_client(mangle(token)).get("/v1/s/connection")
    assert r.status_code == 401
    assert r.json()["error"] == "MORPH::SESSION::TOKEN_VALIDATION_FAILED"


def test_token_signed_with_another_secret_is_refused(new_session, session_client, settings):
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789abcdefghijklmnop"
    _, token = new_session()
    settings.SECRET_KEY = "the-real-secret-key-for-this-test-only-0123456789abcdefghijklmnop"
    r = session_client(token).get("/v1/s/connection")
    assert r.json()["error"] == "MORPH::SESSION::TOKEN_VALIDATION_FAILED"


def test_revoked_sessions(api, new_session, session_client):
    _, token = new_session(owner="r")
    assert api.delete("/v1/connections/fake/r/sessions").status_code == 204
    r = session_client(token).get("/v1/s/connection")
    assert r.status_code == 401 and r.json()["error"] == "MORPH::SESSION::TOKEN_VALIDATION_FAILED"
    assert "revoked" in r.json()["message"]


def test_token_cannot_reach_secret_key_endpoints(new_session, session_client):
    _, token = new_session(owner="a")
    client = session_client(token)
    for method, path in [("get", "/v1/connectors"), ("get", "/v1/connections/fake/a"),
                         ("get", "/v1/connections/fake/other"), ("post", "/v1/connections/fake/b/sessions"),
                         ("post", "/v1/connections/fake/a/authorization")]:
        r = getattr(client, method)(path)
        assert r.status_code == 401, (method, path)
        assert "session" in r.json()["message"].lower()


def test_token_is_scoped_to_its_connection(api, new_session, session_client):
    new_session(owner="other")  # another connection of the same tenant
    _, token = new_session(owner="mine")
    # Headers naming another connection are ignored: the session decides.
    client = session_client(token, HTTP_X_CONNECTOR_ID="fake", HTTP_X_OWNER_ID="other")
    assert client.get("/v1/s/connection").json()["ownerId"] == "mine"


def test_public_key_must_match_the_sessions_tenant(new_session, session_client, other_tenant_keys):
    _, token = new_session()
    _, other_public, other_secret = other_tenant_keys
    r = session_client(token, public_key=other_public).get("/v1/s/connection")
    assert r.status_code == 401 and r.json()["error"] == "MORPH::UNAUTHORIZED"
    r = session_client(token, public_key=None).get("/v1/s/connection")
    assert r.status_code == 401
    # A secret key on a session route is refused rather than accepted (it would leak from a browser).
    r = session_client(token, HTTP_X_API_SECRET=other_secret).get("/v1/s/connection")
    assert r.status_code == 401
    # No token at all.
    r = make_client(other_public, None).get("/v1/s/connection")
    assert r.status_code == 401 and "x-session-token" in r.json()["message"]


def test_revoked_public_key_is_refused(new_session, session_client, tenant_keys):
    from switchboard.tenants.models import ApiKey

    _, token = new_session()
    ApiKey.objects.get(public_key=tenant_keys[1]).revoke()
    assert session_client(token).get("/v1/s/connection").status_code == 401


def test_connect_link_token_does_not_open_the_api(api, fake_connector, session_client):
    api.post("/v1/connections/fake/c", {"operations": ["atsJob::list"]}, format="json")
    url = api.post("/v1/connections/fake/c/authorization", {}, format="json").json()["authorizationUrl"]
    token = url.rsplit("/", 1)[1]
    r = session_client(token).get("/v1/s/connection")
    assert r.status_code == 401 and r.json()["error"] == "MORPH::SESSION::TOKEN_VALIDATION_FAILED"
