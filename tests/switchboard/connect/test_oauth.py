"""OAuth2 end to end against a local provider: consent with state + PKCE, code exchange, tokens
stored encrypted, refresh before expiry and once on 401 (once under concurrency), revoked refresh
token, scopes from operations, whitelabel and default clients."""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.db import close_old_connections
from django.db import connection as db_connection
from django.test import Client

from connectors import registry
from connectors.errors import InvalidCredentials
from switchboard.connect import oauth
from switchboard.connect.models import OAuthAttempt
from switchboard.connections.models import Connection, ConnectorConfig
from tests.switchboard.connect.oauth_provider import LocalOAuthProvider, OAuthDemoConnector

OPS = ["atsJob::list", "genericContact::list"]


@pytest.fixture
def provider():
    server = LocalOAuthProvider({"platform-client": "platform-secret", "tenant-client": "tenant-secret"}).start()
    yield server
    server.stop()


@pytest.fixture
def oauth_connector(provider, settings):
    settings.OAUTH_OAUTHDEMO_CLIENT_ID = "platform-client"
    settings.OAUTH_OAUTHDEMO_CLIENT_SECRET = "platform-secret"
    registry._load()
    connector = registry.register(OAuthDemoConnector(provider.url))
    yield connector
    registry._REGISTRY.pop(connector.id, None)


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def start_flow(api, owner="o1", operations=OPS, query="?mode=popup&origin=https://app.example.com"):
    """Open the connect page and press Continue; returns (browser client, provider consent URL)."""
    token = api.post(f"/v1/connections/oauthdemo/{owner}/sessions", {"connection": {"operations": operations}},
                     format="json").json()["sessionToken"]
    client = Client(enforce_csrf_checks=True)
    path = f"/connect/{token}{query}"
    page = client.get(path)
    assert page.status_code == 200 and b"Continue to OAuth Demo" in page.content
    response = client.post(path, {"csrfmiddlewaretoken": _csrf(page.content.decode())})
    assert response.status_code == 302, response.content
    return client, response["Location"]


def consent(consent_url: str) -> str:
    """The provider's redirect back to us (path + query of /oauth/callback)."""
    r = requests.get(consent_url, allow_redirects=False, timeout=5)
    assert r.status_code == 302, r.text
    back = urlsplit(r.headers["Location"])
    assert back.path == "/oauth/callback"
    return f"{back.path}?{back.query}"


@pytest.mark.django_db
def test_full_flow_with_pkce_and_scopes(api, provider, oauth_connector, tenant_keys):
    client, consent_url = start_flow(api)
    q = parse_qs(urlsplit(consent_url).query)
    assert consent_url.startswith(provider.url + "/authorize?")
    assert q["client_id"] == ["platform-client"]
    assert q["scope"] == ["jobs.read contacts.read"]  # derived from the operations
    assert q["code_challenge_method"] == ["S256"] and len(q["code_challenge"][0]) == 43
    assert q["redirect_uri"] == ["http://localhost:8000/oauth/callback"]
    attempt = OAuthAttempt.objects.get()
    assert attempt.code_verifier not in consent_url  # the verifier never leaves us

    response = client.get(consent(consent_url))
    assert response.status_code == 200, response.content
    html = response.content.decode()
    assert "OAuth Demo is connected" in html
    assert '"status": "success"' in html and '"targetOrigin": "https://app.example.com"' in html

    connection = Connection.objects.get(owner_id="o1")
    assert connection.status == "authorized" and connection.missing_operations == []
    assert connection.granted_permissions == ["contacts.read", "jobs.read"]
    creds = connection.credentials
    assert creds["accessToken"].startswith("at_") and creds["refreshToken"].startswith("rt_")
    assert creds["expiresAt"] > time.time() + 3000
    # Stored encrypted: the raw column holds no token.
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM connections_connection WHERE id = %s", [connection.pk])
        raw = cursor.fetchone()[0]
    assert creds["accessToken"] not in raw and raw.startswith("gAAAA")
    # The provider checked PKCE on the exchange.
    token_call = [e for e in provider.log if e["path"] == "/token"][0]
    assert token_call["grant_type"] == "authorization_code" and token_call["code_verifier"]
    # The stored token works.
    assert oauth_connector.list_jobs(oauth.fresh_credentials(connection))["jobs"]


@pytest.mark.django_db
def test_state_is_single_use_and_bound(api, provider, oauth_connector):
    client, consent_url = start_flow(api)
    callback = consent(consent_url)
    assert client.get(callback).status_code == 200
    replay = client.get(callback)
    assert replay.status_code == 400 and "already completed" in replay.content.decode()
    # A state we did not sign is refused, as is none at all.
    forged = re.sub(r"state=[^&]+", "state=eyJhIjoieCIsImMiOjF9:forged:sig", callback)
    assert Client().get(forged).status_code == 400
    assert Client().get("/oauth/callback?code=abc").status_code == 400


@pytest.mark.django_db
def test_wrong_pkce_verifier_is_rejected_by_provider(api, provider, oauth_connector):
    client, consent_url = start_flow(api)
    OAuthAttempt.objects.update(code_verifier="x" * 64)  # as if an attacker replayed someone else's code
    response = client.get(consent(consent_url))
    assert response.status_code == 400 and "did not accept the sign-in" in response.content.decode()
    assert Connection.objects.get(owner_id="o1").status == "unauthorized"


@pytest.mark.django_db
def test_user_denies_consent(api, provider, oauth_connector):
    provider.deny = True
    client, consent_url = start_flow(api)
    response = client.get(consent(consent_url))
    html = response.content.decode()
    assert response.status_code == 400 and "did not allow access" in html
    assert '"code": "OAUTH::DENIED"' in html and '"autoFinish": true' in html


@pytest.mark.django_db
def test_whitelabel_client_is_used(api, provider, oauth_connector, tenant_keys):
    ConnectorConfig.objects.create(tenant=tenant_keys[0], connector_id="oauthdemo", oauth_client_id="tenant-client",
                                   oauth_client_secret="tenant-secret", brand_name="Hireflow")
    client, consent_url = start_flow(api)
    assert parse_qs(urlsplit(consent_url).query)["client_id"] == ["tenant-client"]
    response = client.get(consent(consent_url))
    assert response.status_code == 200 and "Hireflow" in response.content.decode()
    token_call = [e for e in provider.log if e["path"] == "/token"][0]
    assert token_call["client_id"] == "tenant-client"  # and the provider verified tenant-secret


@pytest.mark.django_db
def test_missing_client_configuration_is_explained(api, provider, oauth_connector, settings):
    settings.OAUTH_OAUTHDEMO_CLIENT_ID = ""
    token = api.post("/v1/connections/oauthdemo/o1/sessions", {"connection": {"operations": OPS}},
                     format="json").json()["sessionToken"]
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/connect/{token}")
    response = client.post(f"/connect/{token}", {"csrfmiddlewaretoken": _csrf(page.content.decode())})
    assert response.status_code == 400
    assert "OAUTH_OAUTHDEMO_CLIENT_ID" in response.content.decode()


def _authorized_connection(api, provider) -> Connection:
    client, consent_url = start_flow(api)
    assert client.get(consent(consent_url)).status_code == 200
    return Connection.objects.get(owner_id="o1")


@pytest.mark.django_db
def test_refresh_before_expiry(api, provider, oauth_connector):
    connection = _authorized_connection(api, provider)
    old = connection.credentials
    # Not near expiry: no refresh.
    assert oauth.fresh_credentials(connection) == old and provider.refresh_count == 0
    connection.credentials = {**old, "expiresAt": int(time.time()) + 30}
    connection.save()
    new = oauth.fresh_credentials(connection)
    assert provider.refresh_count == 1
    assert new["accessToken"] != old["accessToken"] and new["refreshToken"] != old["refreshToken"]
    assert Connection.objects.get(pk=connection.pk).credentials == new
    assert oauth_connector.list_jobs(new)["jobs"]


@pytest.mark.django_db
def test_refresh_once_on_401(api, provider, oauth_connector):
    connection = _authorized_connection(api, provider)
    provider.revoke_all_access_tokens()  # the provider drops the access token early
    calls = []

    def call(credentials):
        calls.append(credentials["accessToken"])
        return oauth_connector.list_jobs(credentials)

    assert oauth.call_with_refresh(connection, call)["jobs"]
    assert provider.refresh_count == 1 and len(calls) == 2 and calls[0] != calls[1]
    # A stale token that someone else already replaced does not trigger a second refresh.
    oauth.fresh_credentials(connection, stale_access_token=calls[0])
    assert provider.refresh_count == 1


@pytest.mark.django_db
def test_platform_clients_refresh_before_expiry_and_once_on_401(api, provider, oauth_connector):
    from switchboard.connections.services import client_for

    connection = _authorized_connection(api, provider)
    # Near expiry: building the client refreshes first.
    connection.credentials = {**connection.credentials, "expiresAt": int(time.time()) + 30}
    connection.save()
    assert client_for(connection).list_jobs()["jobs"]
    assert provider.refresh_count == 1
    # The provider drops the token early: the call gets a 401, refreshes once, and succeeds.
    provider.revoke_all_access_tokens()
    assert client_for(Connection.objects.get(pk=connection.pk)).list_jobs()["jobs"]
    assert provider.refresh_count == 2


@pytest.mark.django_db
def test_deleting_the_connection_revokes_the_grant(api, provider, oauth_connector):
    connection = _authorized_connection(api, provider)
    refresh_token = connection.credentials["refreshToken"]
    assert api.delete("/v1/connections/oauthdemo/o1").status_code == 204
    assert not Connection.objects.filter(pk=connection.pk).exists()
    # The provider no longer honours the refresh token.
    status, payload = oauth._token_request(oauth_connector, connection.tenant_id,
                                           {"grant_type": "refresh_token", "refresh_token": refresh_token})
    assert status == 400 and payload.get("error") == "invalid_grant"


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_refresh_once(api, provider, oauth_connector, settings):
    # The lock lives in the configured cache. The test database here may be SQLite in memory with
    # a shared cache, whose table locks fail at once instead of waiting, so six threads polling a
    # database-backed lock would test SQLite, not us: threads share a process, so an in-process
    # cache gives the same add()-is-atomic guarantee the database and Redis caches give.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "oauth-refresh-test"}}
    connection = _authorized_connection(api, provider)
    Connection.objects.filter(pk=connection.pk).update(
        credentials={**connection.credentials, "expiresAt": int(time.time()) - 1})
    provider.refresh_delay = 0.3  # keep the first refresh in flight while the others arrive
    results, errors = [], []
    barrier = threading.Barrier(6)

    def worker():
        try:
            own = Connection.objects.get(pk=connection.pk)  # each worker loads its own copy
            barrier.wait()
            results.append(oauth.fresh_credentials(own)["accessToken"])
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            close_old_connections()
            db_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert provider.refresh_count == 1  # rotation would have made a second refresh fail anyway
    assert len(set(results)) == 1 and len(results) == 6
    assert Connection.objects.get(pk=connection.pk).credentials["accessToken"] == results[0]


@pytest.mark.django_db
def test_revoked_refresh_token_turns_connection_to_error(api, provider, oauth_connector):
    connection = _authorized_connection(api, provider)
    provider.revoke_refresh_token(connection.credentials["refreshToken"])
    connection.credentials = {**connection.credentials, "expiresAt": int(time.time()) - 1}
    connection.save()
    with pytest.raises(InvalidCredentials):
        oauth.fresh_credentials(connection)
    connection.refresh_from_db()
    assert connection.status == "error"
    assert "invalid_grant" in connection.last_error and "reconnect" in connection.last_error
    assert api.get("/v1/connections/oauthdemo/o1").json()["error"] == connection.last_error


@pytest.mark.django_db
def test_api_key_connectors_pass_through(fake_connector, tenant_keys):
    connection = Connection.objects.create(tenant=tenant_keys[0], connector_id="fake", owner_id="k",
                                           credentials={"apiKey": "k"})
    assert oauth.fresh_credentials(connection) == {"apiKey": "k"}


def test_scopes_and_missing_operations():
    spec = OAuthDemoConnector("http://127.0.0.1:1").auth.oauth
    assert oauth.scopes_for(spec, ["atsJob::list", "atsJob::create", "atsJob::list"]) == ["jobs.read", "jobs.write"]
    assert oauth.missing_for_scopes(spec, ["atsJob::list", "atsJob::create"], ["jobs.read"]) == ["atsJob::create"]


@pytest.mark.django_db
def test_periodic_recheck_detects_a_revoked_grant(api, provider, oauth_connector):
    from switchboard.connect.tasks import recheck_connection_permissions

    connection = _authorized_connection(api, provider)
    assert recheck_connection_permissions(connection.pk) == "authorized"  # nothing to refresh yet
    provider.revoke_refresh_token(connection.credentials["refreshToken"])
    Connection.objects.filter(pk=connection.pk).update(
        credentials={**connection.credentials, "expiresAt": int(time.time()) + 10})
    assert recheck_connection_permissions(connection.pk) == "error"
    connection.refresh_from_db()
    assert connection.status == "error" and "invalid_grant" in connection.last_error
