"""Fixtures for the connect app: a fake API-key connector with failure modes and a session helper."""

from __future__ import annotations

import pytest

from connectors.errors import InsufficientPermissions, RateLimited, UpstreamError, UpstreamTimeout
from tests.conftest import make_client
from tests.fakes import FakeConnector, registered

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


@pytest.fixture
def fake_connector():
    with registered(ConnectFakeConnector()) as connector:
        yield connector


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
