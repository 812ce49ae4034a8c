"""An authorized Ashby connection for the acme tenant, with Ashby faked by `responses`."""

from __future__ import annotations

import pytest
import responses

from connectors.ashby.connector import OPERATION_SPECS
from tests.conftest import make_client
from tests.connectors.ashby.fake import API_KEY, BASE, FakeAshby

ALL_OPERATIONS = list(OPERATION_SPECS)
HEADERS = {"HTTP_X_CONNECTOR_ID": "ashby", "HTTP_X_OWNER_ID": "demo"}


def make_connection(tenant, operations=None, owner_id="demo", **extra):
    from switchboard.connections.models import Connection, ConnectorConfig

    ConnectorConfig.objects.get_or_create(tenant=tenant, connector_id="ashby",
                                          defaults={"settings": {"retry_backoff": 0}})
    return Connection.objects.create(
        tenant=tenant, connector_id="ashby", owner_id=owner_id,
        operations=ALL_OPERATIONS if operations is None else operations,
        status=Connection.Status.AUTHORIZED, credentials={"apiKey": API_KEY},
        granted_permissions=["candidatesRead", "candidatesWrite"], **extra)


@pytest.fixture(autouse=True)
def ashby_base_url(settings):
    settings.ASHBY_BASE_URL = BASE


@pytest.fixture(autouse=True)
def fresh_budget(request):
    """The per-connection budget lives in the cache or counters table, which transactional tests elsewhere leave
    behind (connection ids repeat across tests): start every test with an empty one."""
    if request.node.get_closest_marker("django_db") is not None:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fake(rsps):
    return FakeAshby(rsps)


@pytest.fixture
def connection(tenant_keys):
    return make_connection(tenant_keys[0])


@pytest.fixture
def client(tenant_keys, connection):
    """A secret-key API client that names the demo connection."""
    _, public, secret = tenant_keys
    return make_client(public, secret, **HEADERS)
