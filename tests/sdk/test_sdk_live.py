"""The SDK against the real platform over real HTTP on loopback (pytest-django's live_server).

Unit tests check what the SDK sends; these check that the platform agrees with it. They use the
test suite's fake connector (tests/fakes.py), so they need neither Ashby nor its sandbox, and grow as
the platform's endpoints land.
"""

from __future__ import annotations

import pytest

from switchboard_sdk import AuthenticationError, NotFoundError, Switchboard, ValidationError

pytestmark = pytest.mark.e2e


@pytest.fixture
def fake_connector():
    from tests.fakes import FakeConnector, registered

    with registered(FakeConnector()) as connector:
        yield connector


@pytest.fixture
def live(transactional_db, live_server, tenant_keys, fake_connector):
    _, public, secret = tenant_keys
    client = Switchboard(public_key=public, secret_key=secret, base_url=live_server.url, timeout=10, max_retries=0)
    yield client
    client.close()


def test_connection_lifecycle(live):
    from tests.fakes import GOOD_KEY, LIMITED_KEY

    handle = live.connections(connector_id="fake", owner_id="owner with space@x.y")
    created = handle.create(operations=["atsJob::list", "atsJob::create"])
    assert (created.connector_id, created.owner_id) == ("fake", "owner with space@x.y")
    assert created.status == "unauthorized"
    assert created.created_at is not None

    assert handle.create(operations=["atsJob::list", "atsJob::create"]).owner_id == "owner with space@x.y"
    assert handle.retrieve().operations == ["atsJob::list", "atsJob::create"]

    limited = handle.authorize(settings={"apiKey": LIMITED_KEY})
    assert limited.status == "authorized"
    assert handle.retrieve().missing_operations == ["atsJob::create"]

    assert handle.authorize(settings={"apiKey": GOOD_KEY}).is_authorized
    updated = handle.update(operations=["atsJob::list"])
    assert updated.operations == ["atsJob::list"]
    assert updated.missing_operations == []

    handle.delete()
    with pytest.raises(NotFoundError) as info:
        handle.retrieve()
    assert info.value.code
    assert info.value.request_id  # echoed by the platform


def test_connectors(live):
    ids = [c.id for c in live.connectors.list().data]
    assert "fake" in ids
    fake = live.connectors.retrieve("fake")
    assert fake.auth_type == "apiKey"
    assert "atsJob::list" in fake.operations
    assert fake.settings[0]["key"] == "apiKey"
    with pytest.raises(NotFoundError):
        live.connectors.retrieve("nope")


def test_errors_are_typed(live, live_server):
    with pytest.raises(ValidationError):
        live.connections(connector_id="fake", owner_id="o").create(operations=["atsJob::fly"])
    bad = Switchboard(public_key="pk_nope", secret_key="sk_nope", base_url=live_server.url, timeout=10)
    with pytest.raises(AuthenticationError) as info:
        bad.connectors.list()
    assert info.value.status == 401
    assert info.value.code == "MORPH::UNAUTHORIZED"
