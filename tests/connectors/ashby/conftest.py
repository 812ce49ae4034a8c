from __future__ import annotations

import pytest
import responses

from connectors.ashby import AshbyConnector
from connectors.base import ConnectorContext
from tests.connectors.ashby.fake import API_KEY, BASE, FakeAshby


class Budget:
    """Records the rate-limit protocol calls."""

    def __init__(self):
        self.acquired: list[bool] = []
        self.updates: list[tuple] = []

    def acquire(self, *, background: bool = False) -> None:
        self.acquired.append(background)

    def update(self, remaining, reset_at) -> None:
        self.updates.append((remaining, reset_at))


@pytest.fixture
def calls():
    return []


@pytest.fixture
def budget():
    return Budget()


@pytest.fixture
def ctx(calls, budget):
    return ConnectorContext(credentials={"apiKey": API_KEY}, base_url=BASE,
                            settings={"retry_backoff": 0, "cursor_secret": "s3cret"},
                            on_call=calls.append, rate_limiter=budget, request_id="req-1")


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fake(rsps):
    return FakeAshby(rsps)


@pytest.fixture
def client(ctx, fake):
    return AshbyConnector().client(ctx)
