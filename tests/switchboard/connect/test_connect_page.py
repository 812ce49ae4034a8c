"""authorize() without settings, and the connect page: rendering, CSRF, each error path, results."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from switchboard.connect.models import Session
from switchboard.connect.services import hash_token
from switchboard.connections.models import Connection, ConnectorConfig
from tests.fakes import GOOD_KEY, LIMITED_KEY
from tests.switchboard.connect.conftest import DOWN_KEY, NO_INFO_KEY, SLOW_KEY, THROTTLED_KEY

pytestmark = pytest.mark.django_db


def _config(html: str) -> dict:
    match = re.search(r'<script id="sb-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture
def page(new_session):
    """(csrf-enforcing browser client, connect path) for a fresh session."""

    def make(query="", **kw):
        _, token = new_session(**kw)
        return Client(enforce_csrf_checks=True), f"/connect/{token}{query}"

    return make


def _submit(client, path, key):
    html = client.get(path).content.decode()
    return client.post(path, {"apiKey": key, "csrfmiddlewaretoken": _csrf(html)})


# -- authorize() -------------------------------------------------------------------------------------

def test_authorize_without_settings_returns_connect_url(api, fake_connector, settings):
    settings.PUBLIC_BASE_URL = "https://switchboard.example.com"
    api.post("/v1/connections/fake/demo", {"operations": ["atsJob::list"]}, format="json")
    r = api.post("/v1/connections/fake/demo/authorization?redirectUrl=https://app.example.com/done", {},
                 format="json")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "awaitingAuthorization" and body["object"] == "connectionAuthorization"
    url = body["authorizationUrl"]
    assert url.startswith("https://switchboard.example.com/connect/st_")
    session = Session.objects.get(token_hash=hash_token(url.rsplit("/", 1)[1]))
    assert session.purpose == Session.Purpose.CONNECT
    assert session.redirect_url == "https://app.example.com/done"
    # The link opens the page for that connection.
    response = Client().get(urlsplit(url).path)
    assert response.status_code == 200 and b"Connect your Fake ATS account" in response.content
    assert _config(response.content.decode())["targetOrigin"] == "https://app.example.com"


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:text/html,x", "/relative", "ftp://x.example",
                                 "https://"])
def test_authorize_refuses_unsafe_redirect_urls(api, fake_connector, bad):
    api.post("/v1/connections/fake/demo", {"operations": []}, format="json")
    r = api.post("/v1/connections/fake/demo/authorization", {}, format="json", QUERY_STRING=f"redirectUrl={bad}")
    assert r.status_code == 400 and r.json()["error"] == "MORPH::BAD_REQUEST"


def test_authorize_with_settings_connects_directly(api, fake_connector):
    api.post("/v1/connections/fake/demo", {"operations": ["atsJob::list"]}, format="json")
    r = api.post("/v1/connections/fake/demo/authorization", {"settings": {"apiKey": GOOD_KEY}}, format="json")
    assert r.json()["status"] == "authorized"


# -- the page ----------------------------------------------------------------------------------------

def test_page_shows_connector_permissions_and_instructions(page, tenant_keys):
    client, path = page()
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Connect your Fake ATS account" in html
    assert "Acme" in html  # default branding: the tenant's name
    # Exactly the permissions the requested operations need, each with its operations.
    perms = re.findall(r'data-permission="([^"]+)"', html)
    assert perms == ["jobsRead", "jobsWrite", "candidatesRead"]
    assert "Jobs — Read" in html and "Candidates — Read" in html
    assert '<label for="field-apiKey">' in html and 'id="field-apiKey"' in html and 'type="password"' in html
    assert "csrfmiddlewaretoken" in html
    # Hardening: no framing, no referrer, no caching, scripts only from us.
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"  # the opener keeps its popup
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "https://" not in html.split("<main")[0]  # no third-party assets in the head


def test_ashby_instructions(api, tenant_keys):
    from connectors.registry import get_connector

    if get_connector("ashby") is None:
        pytest.skip("the Ashby connector is not registered in this tree yet")
    r = api.post("/v1/connections/ashby/a1/sessions",
                 {"connection": {"operations": ["genericContact::list", "atsJob::list"]}}, format="json")
    html = Client().get(f"/connect/{r.json()['sessionToken']}").content.decode()
    assert "Admin › Integrations › API keys" in html
    assert "candidatesRead" in re.findall(r'data-permission="([^"]+)"', html)
    assert "jobsRead" in re.findall(r'data-permission="([^"]+)"', html)


def test_whitelabel_branding(page, tenant_keys):
    ConnectorConfig.objects.create(tenant=tenant_keys[0], connector_id="fake", brand_name="Hireflow",
                                   brand_logo_url="https://cdn.hireflow.example/logo.png", brand_color="#0a7d3b")
    client, path = page()
    html = client.get(path).content.decode()
    assert "Hireflow" in html and "Acme" not in html
    assert 'src="https://cdn.hireflow.example/logo.png"' in html
    assert "--brand: #0a7d3b;" in html


def test_branding_refuses_unsafe_values(page, tenant_keys):
    ConnectorConfig.objects.create(tenant=tenant_keys[0], connector_id="fake", brand_name="<b>X</b>",
                                   # 7 characters: the column's limit on PostgreSQL; still CSS-breaking
                                   brand_color="red;}<b",
                                   brand_logo_url="javascript:alert(1)")
    client, path = page()
    html = client.get(path).content.decode()
    assert "<b>X</b>" not in html and "&lt;b&gt;X&lt;/b&gt;" in html
    assert "alert(1)" not in html and "red;}" not in html
    assert "--brand: #4f46e5;" in html


def test_post_without_csrf_token_is_refused(page):
    client, path = page()
    client.get(path)
    response = client.post(path, {"apiKey": GOOD_KEY})
    assert response.status_code == 403
    assert Connection.objects.get(owner_id="user-1").status == "unauthorized"


def test_good_key_connects(page):
    client, path = page(query="?mode=popup&origin=https://app.example.com")
    response = _submit(client, path, GOOD_KEY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fake ATS is connected" in html
    granted = re.findall(r"<li><span aria-hidden=\"true\">✓</span> <code>([^<]+)</code>", html)
    assert granted == ["atsJob::list", "atsJob::create", "genericContact::list"]
    config = _config(html)
    assert config["state"] == "success" and config["autoFinish"] is True
    assert config["targetOrigin"] == "https://app.example.com"
    assert config["message"]["type"] == "switchboard:connect" and config["message"]["status"] == "success"
    assert config["message"]["connection"]["status"] == "authorized"
    connection = Connection.objects.get(owner_id="user-1")
    assert connection.status == "authorized" and connection.credentials == {"apiKey": GOOD_KEY}
    assert GOOD_KEY not in html  # the key never comes back to the page


def test_key_missing_permissions_shows_missing_operations(page):
    client, path = page()
    response = _submit(client, path, LIMITED_KEY)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="missing"' in html
    assert re.findall(r'data-permission="([^"]+)" class="missing"', html) == ["jobsWrite", "candidatesRead"]
    missing = re.search(r'id="missing">(.*?)</div>', html, re.S).group(1)
    assert "atsJob::create" in missing and "genericContact::list" in missing and "atsJob::list" not in missing
    config = _config(html)
    assert config["state"] == "partial" and config["autoFinish"] is False
    assert config["message"]["connection"]["missingOperations"] == ["atsJob::create", "genericContact::list"]
    # The user can retry with a better key right here.
    assert 'id="key-form"' in html
    retry = client.post(path, {"apiKey": GOOD_KEY, "csrfmiddlewaretoken": _csrf(html)})
    assert _config(retry.content.decode())["state"] == "success"
    assert Connection.objects.get(owner_id="user-1").missing_operations == []


@pytest.mark.parametrize("key, words", [
    ("wrong-key", "did not accept this API key"),
    ("", "Paste your Fake ATS API key"),
    (DOWN_KEY, "could not reach Fake ATS"),
    (SLOW_KEY, "did not answer in time"),
    (THROTTLED_KEY, "limiting requests"),
    (NO_INFO_KEY, "API Keys Read"),
])
def test_errors_are_explained_and_retryable(page, key, words):
    client, path = page()
    response = _submit(client, path, key)
    html = response.content.decode()
    assert response.status_code == 400
    assert words in html, html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert 'id="key-form"' in html  # retry in place
    assert _config(html)["message"] is None  # nothing is sent to the opener for a retryable error
    assert Connection.objects.get(owner_id="user-1").status == "unauthorized"
    # And the retry works.
    assert _config(_submit(client, path, GOOD_KEY).content.decode())["state"] == "success"


def test_expired_session_page(page):
    client, path = page(query="?origin=https://app.example.com")
    Session.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(path)
    assert response.status_code == 401
    html = response.content.decode()
    assert "This link has expired" in html and "start again" in html
    config = _config(html)
    assert config["message"]["status"] == "error"
    assert config["message"]["error"]["code"] == "MORPH::SESSION::EXPIRED"
    assert config["targetOrigin"] == "https://app.example.com"
    # Posting a key on an expired page is refused too (and CSRF is not the reason).
    r = client.post(path, {"apiKey": GOOD_KEY, "csrfmiddlewaretoken": "x" * 64})
    assert r.status_code in (401, 403)
    assert Connection.objects.get(owner_id="user-1").status == "unauthorized"


def test_invalid_token_page():
    response = Client().get("/connect/st_not-a-token")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_unsafe_query_parameters_are_ignored(page):
    client, path = page(query="?mode=redirect&redirectUrl=javascript:alert(1)&origin=javascript:alert(2)")
    config = _config(client.get(path).content.decode())
    assert config["redirectUrl"] == "" and config["targetOrigin"] == ""


def test_redirect_mode_target(page):
    client, path = page(query="?mode=redirect&redirectUrl=https://app.example.com/back?x=1")
    config = _config(_submit(client, path, GOOD_KEY).content.decode())
    assert config["mode"] == "redirect" and config["redirectUrl"] == "https://app.example.com/back?x=1"
    assert config["targetOrigin"] == "https://app.example.com"


def test_attempts_are_capped(page):
    client, path = page()
    html = client.get(path).content.decode()
    Session.objects.update(attempts=20)
    response = client.post(path, {"apiKey": GOOD_KEY, "csrfmiddlewaretoken": _csrf(html)})
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert Connection.objects.get(owner_id="user-1").status == "unauthorized"


def test_static_helper_is_served(client):
    from django.contrib.staticfiles import finders

    assert finders.find("connect/switchboard-connect.js")
    assert finders.find("connect/connect-page.js")


# -- connect links are single-use ----------------------------------------------------------------

def _connect_link(api, operations=("atsJob::list",)):
    api.post("/v1/connections/fake/link-user", {"operations": list(operations)}, format="json")
    url = api.post("/v1/connections/fake/link-user/authorization", {}, format="json").json()["authorizationUrl"]
    return urlsplit(url).path


def test_a_connect_link_is_spent_once_it_has_connected(api, fake_connector):
    path = _connect_link(api)
    client = Client(enforce_csrf_checks=True)
    done = _submit(client, path, GOOD_KEY)
    assert done.status_code == 200 and b'id="success"' in done.content
    again = Client().get(path)
    assert again.status_code == 400 and b"already been used" in again.content
    # Nor can anyone holding the link swap in another key.
    html = Client().get(path).content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert Connection.objects.get(owner_id="link-user").credentials == {"apiKey": GOOD_KEY}


def test_a_connect_link_stays_usable_to_fix_missing_permissions(api, fake_connector):
    path = _connect_link(api, operations=("atsJob::list", "atsJob::create"))
    client = Client(enforce_csrf_checks=True)
    partial = _submit(client, path, LIMITED_KEY)
    assert partial.status_code == 200 and b'id="missing"' in partial.content
    fixed = _submit(client, path, GOOD_KEY)  # the same link, a better key
    assert b'id="success"' in fixed.content
    assert Client().get(path).status_code == 400


def test_api_sessions_stay_usable_after_connecting(page, session_client, new_session):
    body, token = new_session(owner="api-user", operations=("atsJob::list",))
    client = Client(enforce_csrf_checks=True)
    assert b'id="success"' in _submit(client, f"/connect/{token}", GOOD_KEY).content
    # The developer's session also drives /v1/s/... in their front end: it lives until it expires.
    assert session_client(token).get("/v1/s/connection").status_code == 200
