"""Sessions over real HTTP against the Ashby sandbox: authorize with the key, then read through
the session twins of the resource routes; nothing outside the session's connection opens."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.e2e


def test_session_reads_resources_through_s_routes(platform_server):
    from django.apps import apps

    if not apps.is_installed("switchboard.resources"):
        pytest.skip("the resources app is not installed in this tree yet")
    base = platform_server.base_url
    secret = {"x-api-key": platform_server.public_key, "x-api-secret": platform_server.secret_key}
    r = requests.post(f"{base}/v1/connections/ashby/e2e-user/sessions",
                      json={"connection": {"operations": ["genericContact::list"]}}, headers=secret, timeout=10)
    assert r.status_code == 201, r.text
    session = {"x-api-key": platform_server.public_key, "x-session-token": r.json()["sessionToken"]}

    r = requests.get(f"{base}/v1/s/resources/genericContact", headers=session, timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "MORPH::CONNECTION::NOT_AUTHORIZED"

    r = requests.post(f"{base}/v1/s/connection/authorization",
                      json={"settings": {"apiKey": platform_server.ashby_api_key}}, headers=session, timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "authorized", r.text

    r = requests.get(f"{base}/v1/s/resources/genericContact", params={"limit": 2}, headers=session, timeout=30)
    assert r.status_code == 200, r.text
    assert len(r.json()["data"]) == 2 and r.json()["data"][0]["model"] == "genericContact"

    # Operations are the connection's: atsJob::list was not granted to it.
    r = requests.get(f"{base}/v1/s/resources/atsJob", headers=session, timeout=10)
    assert r.status_code == 403 and r.json()["error"] == "CONNECTOR::OPERATION::NOT_FOUND"

    # The same token on the secret-key routes is refused, even naming its own connection.
    r = requests.get(f"{base}/v1/resources/genericContact",
                     headers={**session, "x-connector-id": "ashby", "x-owner-id": "e2e-user"}, timeout=10)
    assert r.status_code == 401
