"""The connect page in headless Chromium, against the platform on a real port and the Ashby sandbox.

An opener page on another origin calls `Switchboard.connect()` (the static helper), so the popup
and its postMessage hand-off run for real. In the popup: a wrong key (error shown), a key missing
a permission (missing operations shown), then a good key; the opener receives the success message
and the connection is `authorized`. Screenshots of each state go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.switchboard.connect.cdp import CHROMIUM, Browser, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
OPERATIONS = ["genericContact::list", "atsJob::list"]
LIMITED_KEY = "browser-limited-key"  # can read candidates, not jobs


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed ({CHROMIUM} not found); the project's setup installs it")
    b = Browser()
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def opener_site():
    """Serves one opener page on 127.0.0.1 (a different origin from the platform's localhost)."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = pages.get(self.path.split("?")[0], "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield pages, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


OPENER_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme HR app</title></head>
<body>
  <h1>Acme HR app</h1>
  <button id="connect" type="button">Connect Ashby</button>
  <pre id="result">not connected</pre>
  <script src="{base}/static/connect/switchboard-connect.js"></script>
  <script>
    document.getElementById("connect").addEventListener("click", function () {{
      Switchboard.connect({{
        sessionToken: {token},
        baseUrl: "{base}",
        mode: "popup",
        onSuccess: function (connection) {{
          window.__sb = {{status: "success", connection: connection}};
          document.getElementById("result").textContent = JSON.stringify(window.__sb, null, 2);
        }},
        onError: function (error) {{
          window.__sb = {{status: "error", error: error}};
          document.getElementById("result").textContent = JSON.stringify(window.__sb, null, 2);
        }}
      }});
    }});
  </script>
</body></html>
"""


def _session(platform_server, owner: str) -> str:
    r = requests.post(f"{platform_server.base_url}/v1/connections/ashby/{owner}/sessions",
                      json={"connection": {"operations": OPERATIONS}},
                      headers={"x-api-key": platform_server.public_key, "x-api-secret": platform_server.secret_key},
                      timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["sessionToken"]


def _connection(platform_server, owner: str) -> dict:
    return requests.get(f"{platform_server.base_url}/v1/connections/ashby/{owner}",
                        headers={"x-api-key": platform_server.public_key,
                                 "x-api-secret": platform_server.secret_key}, timeout=10).json()


def _state(page) -> str:
    return page.wait_for("document.readyState === 'complete' && document.querySelector('main') "
                         "&& document.querySelector('main').dataset.state", "a rendered connect page")


def _submit_key(page, key: str, previous_marker: str) -> None:
    """Type the key and submit like a user; wait for the next page (the form posts and re-renders)."""
    page.eval(f"window.{previous_marker} = true")
    page.type_into("#field-apiKey", key)
    page.click("#submit")
    page.wait_for(f"!window.{previous_marker} && document.readyState === 'complete' && "
                  f"!!document.querySelector('main')", "the page after submitting")


def test_connect_in_popup_wrong_key_missing_permission_then_good_key(platform_server, browser, opener_site):
    sandbox = platform_server.sandbox
    sandbox.add_key(LIMITED_KEY, ["candidatesRead", "apiKeysRead"], title="limited")
    token = _session(platform_server, "browser-user")
    pages, opener_origin = opener_site
    pages["/app"] = OPENER_HTML.format(base=platform_server.base_url, token=json.dumps(token))

    opener = browser.new_page(f"{opener_origin}/app")
    opener.wait_for("window.Switchboard && typeof Switchboard.connect === 'function'", "the helper script")
    opener.click("#connect")
    popup = browser.wait_for_popup(opener)

    # 1. The form: permissions to tick and the key field.
    assert _state(popup) == "form"
    assert popup.eval("location.pathname").startswith("/connect/st_")
    perms = popup.eval("Array.from(document.querySelectorAll('[data-permission]')).map(e => e.dataset.permission)")
    assert perms == ["candidatesRead", "jobsRead"]
    assert popup.eval("document.querySelector('label[for=field-apiKey]').textContent").strip()
    popup.screenshot(ARTIFACTS / "connect-1-form.png")

    # 2. A wrong key: the error is shown and the form stays.
    _submit_key(popup, "not-a-real-ashby-key", "__before_wrong")
    assert _state(popup) == "form"
    error = popup.eval("document.getElementById('error') && document.getElementById('error').textContent")
    assert error and "did not accept this API key" in error
    popup.screenshot(ARTIFACTS / "connect-2-wrong-key.png")
    assert _connection(platform_server, "browser-user")["status"] == "unauthorized"

    # 3. A key missing jobsRead: connected, with the missing operation named.
    _submit_key(popup, LIMITED_KEY, "__before_limited")
    assert _state(popup) == "partial"
    missing = popup.eval("document.getElementById('missing').textContent")
    assert "atsJob::list" in missing and "genericContact::list" not in missing
    popup.screenshot(ARTIFACTS / "connect-3-missing-permissions.png")
    assert _connection(platform_server, "browser-user")["missingOperations"] == ["atsJob::list"]
    assert opener.eval("window.__sb === undefined"), opener.eval("JSON.stringify(window.__sb)")  # nothing final yet

    # 4. A good key: the popup tells the opener, which closes it.
    popup.type_into("#field-apiKey", platform_server.ashby_api_key)
    popup.click("#submit")  # no waiting on the popup: the opener closes it on the message
    result = opener.wait_for("window.__sb", "the opener to receive the result")
    assert result["status"] == "success", result
    assert result["connection"]["connectorId"] == "ashby"
    assert result["connection"]["ownerId"] == "browser-user"
    assert result["connection"]["status"] == "authorized"
    assert result["connection"]["missingOperations"] == []
    opener.wait_for("document.getElementById('result').textContent.indexOf('success') >= 0")
    opener.screenshot(ARTIFACTS / "connect-4-opener-received-success.png")
    # The helper closed the popup once the message arrived.
    wait_until(lambda: not browser.target_exists(popup.target_id), 10, "the popup to close")

    connection = _connection(platform_server, "browser-user")
    assert connection["status"] == "authorized" and connection["missingOperations"] == []
    assert sorted(connection["operations"]) == sorted(OPERATIONS)


def test_success_page_and_expired_link_without_opener(platform_server, browser):
    """Opened directly (no opener, no redirect): the success page stays and says so; an expired
    link explains itself."""
    token = _session(platform_server, "direct-user")
    page = browser.new_page(f"{platform_server.base_url}/connect/{token}")
    assert _state(page) == "form"
    _submit_key(page, platform_server.ashby_api_key, "__before")
    assert _state(page) == "success"
    assert "connected" in page.eval("document.getElementById('success').textContent")
    page.wait_for("document.getElementById('finish-note').textContent.indexOf('close this window') >= 0")
    page.screenshot(ARTIFACTS / "connect-5-success-page.png")

    from django.utils import timezone

    from switchboard.connect.models import Session

    Session.objects.update(expires_at=timezone.now())
    expired = browser.new_page(f"{platform_server.base_url}/connect/{token}")
    assert _state(expired) == "expired"
    assert "expired" in expired.eval("document.getElementById('error').textContent")
    expired.screenshot(ARTIFACTS / "connect-6-expired.png")


REDIRECT_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme HR app</title></head>
<body>
  <button id="connect" type="button">Connect Ashby</button>
  <pre id="result"></pre>
  <script src="{base}/static/connect/switchboard-connect.js"></script>
  <script>
    window.__result = Switchboard.connectResult();
    document.getElementById("connect").addEventListener("click", function () {{
      Switchboard.connect({{sessionToken: {token}, baseUrl: "{base}", mode: "redirect",
                           redirectUrl: location.origin + "/app?from=connect"}});
    }});
  </script>
</body></html>
"""


def test_redirect_mode_and_cancel(platform_server, browser, opener_site):
    pages, opener_origin = opener_site
    token = _session(platform_server, "redirect-user")
    pages["/app"] = REDIRECT_HTML.format(base=platform_server.base_url, token=json.dumps(token))
    page = browser.new_page(f"{opener_origin}/app")
    page.wait_for("window.Switchboard && window.__result === null", "the helper on the app page")
    page.click("#connect")
    assert _state(page) == "form"
    _submit_key(page, platform_server.ashby_api_key, "__before")
    # The success page shows the result, then returns to the app with the outcome in the query.
    result = page.wait_for("location.origin === " + json.dumps(opener_origin) + " && window.__result",
                           "the return to the app")
    assert result == {"status": "success", "connectorId": "ashby", "ownerId": "redirect-user", "error": None}
    assert page.eval("new URL(location.href).searchParams.get('from')") == "connect"

    # Cancel from a popup: the opener hears an error and the popup closes.
    token = _session(platform_server, "cancel-user")
    pages["/popup"] = OPENER_HTML.format(base=platform_server.base_url, token=json.dumps(token))
    opener = browser.new_page(f"{opener_origin}/popup")
    opener.wait_for("!!window.Switchboard", "the helper")
    opener.click("#connect")
    popup = browser.wait_for_popup(opener)
    assert _state(popup) == "form"
    popup.click("[data-sb-cancel]")
    outcome = opener.wait_for("window.__sb", "the cancel message")
    assert outcome["status"] == "error" and outcome["error"]["code"] == "SWITCHBOARD::CONNECT::CANCELLED"
