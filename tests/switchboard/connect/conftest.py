"""Fixtures for the connect app: a fake API-key connector with failure modes, a session helper,
and a URL map that keeps these tests independent of other apps still being built."""

from __future__ import annotations

import importlib

import pytest

from connectors import registry
from connectors.errors import InsufficientPermissions, RateLimited, UpstreamError, UpstreamTimeout
from tests.conftest import make_client
from tests.fakes import FakeConnector

DOWN_KEY = "down-key"
SLOW_KEY = "slow-key"
THROTTLED_KEY = "throttled-key"
NO_INFO_KEY = "no-info-key"


class ConnectFakeConnector(FakeConnector):
    """FakeConnector plus keys that simulate the provider being down, slow or strict."""

    def check_credentials(self, ctx):
        key = ctx.credentials.get("apiKey")
        if key == DOWN_KEY:
            raise UpstreamError("Ashby answered 503.")
        if key == SLOW_KEY:
            raise UpstreamTimeout("Ashby did not answer within 30s.")
        if key == THROTTLED_KEY:
            raise RateLimited("Rate limited.", retry_after=30)
        if key == NO_INFO_KEY:
            raise InsufficientPermissions("missing", permission="apiKeysRead")
        return super().check_credentials(ctx)


@pytest.fixture(autouse=True)
def _urlconf(settings):
    """Use the project's URL map; while another app's routes are mid-build (its module missing),
    fall back to a map of the foundation plus this app, so these tests judge only this app."""
    try:
        importlib.import_module(settings.ROOT_URLCONF)
    except ImportError:
        settings.ROOT_URLCONF = "tests.switchboard.connect.urls_fallback"


@pytest.fixture
def fake_connector():
    registry._load()
    connector = ConnectFakeConnector()
    previous = registry._REGISTRY.get(connector.id)
    registry.register(connector)
    yield connector
    if previous is None:
        registry._REGISTRY.pop(connector.id, None)
    else:
        registry._REGISTRY[connector.id] = previous


@pytest.fixture
def new_session(api, fake_connector):
    """Create a session through the API; returns (body, token)."""

    def make(owner="user-1", operations=("atsJob::list", "atsJob::create", "genericContact::list"), **body):
        payload = {"connection": {"operations": list(operations)}, **body}
        response = api.post(f"/v1/connections/fake/{owner}/sessions", payload, format="json")
        assert response.status_code == 201, response.content
        return response.json(), response.json()["sessionToken"]

    return make


@pytest.fixture
def session_client(tenant_keys):
    _, public, _ = tenant_keys

    def make(token, public_key=public, **extra):
        return make_client(public_key, None, HTTP_X_SESSION_TOKEN=token, **extra)

    return make
