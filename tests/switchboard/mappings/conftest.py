"""Mappings tests talk to the Ashby sandbox over real loopback HTTP through the platform's API
(Django's test client in process), so every conversion is checked against Ashby's own rules."""

from __future__ import annotations

import pytest

from connectors.ashby.connector import OPERATION_SPECS
from connectors.ashby.sandbox import ALL_PERMISSIONS, SandboxServer
from tests.conftest import make_client

KEY = "mappings-sandbox-key"
HEADERS = {"HTTP_X_CONNECTOR_ID": "ashby", "HTTP_X_OWNER_ID": "demo"}


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(port=0, api_keys={KEY: list(ALL_PERMISSIONS), "no-metadata": ["candidatesRead"]},
                       candidates=30, seed=3) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh(sandbox, settings, db):
    from django.core.cache import cache

    settings.ASHBY_BASE_URL = sandbox.base_url
    sandbox.reset()
    cache.clear()  # remote field definitions are cached per connection pk, which tests reuse
    yield
    cache.clear()


def make_connection(tenant, owner_id="demo", api_key=KEY):
    from switchboard.connections.models import Connection, ConnectorConfig

    ConnectorConfig.objects.get_or_create(tenant=tenant, connector_id="ashby",
                                          defaults={"settings": {"retry_backoff": 0}})
    return Connection.objects.create(
        tenant=tenant, connector_id="ashby", owner_id=owner_id, operations=list(OPERATION_SPECS),
        status=Connection.Status.AUTHORIZED, credentials={"apiKey": api_key},
        granted_permissions=sorted(ALL_PERMISSIONS))


@pytest.fixture
def tenant(tenant_keys):
    return tenant_keys[0]


@pytest.fixture
def connection(tenant):
    return make_connection(tenant)


@pytest.fixture
def client(tenant_keys, connection):
    """Secret-key client naming the demo connection."""
    _, public, secret = tenant_keys
    return make_client(public, secret, **HEADERS)


@pytest.fixture
def plain(tenant_keys):
    """Secret-key client with no connection headers."""
    _, public, secret = tenant_keys
    return make_client(public, secret)


@pytest.fixture
def cf(sandbox):
    """Sandbox custom field definitions by title."""
    return sandbox.state.data.cf_by_title


def custom_value(sandbox, candidate_id, title):
    """A candidate's stored custom value, read straight from the sandbox (not through Switchboard)."""
    for entry in sandbox_candidate(sandbox, candidate_id)["customFields"]:
        if entry["title"] == title:
            return entry["value"]
    return None


def sandbox_candidate(sandbox, candidate_id):
    import requests

    resp = requests.post(f"{sandbox.base_url}/candidate.info", json={"id": candidate_id}, auth=(KEY, ""))
    return resp.json()["results"]
