import pytest

from tests.fakes import FakeConnector, registered


@pytest.fixture
def clean_cache():
    """Shared counters and budgets start and end empty (Redis keeps them across tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake_connector():
    with registered(FakeConnector()) as connector:
        yield connector
