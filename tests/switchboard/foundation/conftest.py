import pytest

from tests.fakes import FakeConnector, registered


@pytest.fixture
def fake_connector():
    with registered(FakeConnector()) as connector:
        yield connector
