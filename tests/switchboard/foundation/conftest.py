import pytest

from connectors import registry
from tests.fakes import FakeConnector


@pytest.fixture
def fake_connector():
    registry._load()
    connector = FakeConnector()
    previous = registry._REGISTRY.get(connector.id)
    registry.register(connector)
    yield connector
    if previous is None:
        registry._REGISTRY.pop(connector.id, None)
    else:
        registry._REGISTRY[connector.id] = previous
