"""The per-connection Ashby budget lives in the shared counters and lets live calls outrank polling."""

import pytest

from connectors.errors import RateLimited
from switchboard.connections.ratelimit import CacheRateLimiter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_cache")]


def test_live_calls_may_use_the_whole_budget_then_get_429():
    limiter = CacheRateLimiter("conn-a", per_minute=5, max_wait=0)
    for _ in range(5):
        limiter.acquire()
    with pytest.raises(RateLimited) as info:
        limiter.acquire()
    assert 0 < info.value.retry_after <= 60


def test_background_work_stops_at_the_reserve():
    limiter = CacheRateLimiter("conn-b", per_minute=10, background_share=0.5, max_wait=0)
    for _ in range(5):
        limiter.acquire(background=True)
    with pytest.raises(RateLimited):
        limiter.acquire(background=True)
    limiter.acquire()  # a live call still gets through: polling yields to developers' calls


def test_budgets_are_per_connection_and_shared_between_instances():
    CacheRateLimiter("conn-c", per_minute=2).acquire()
    CacheRateLimiter("conn-c", per_minute=2).acquire()  # another process, same counter
    with pytest.raises(RateLimited):
        CacheRateLimiter("conn-c", per_minute=2, max_wait=0).acquire()
    CacheRateLimiter("conn-d", per_minute=2).acquire()


def test_remote_remaining_from_ashby_is_respected():
    limiter = CacheRateLimiter("conn-e", per_minute=1000, max_wait=0)
    limiter.update(remaining=0, reset_at=None)
    with pytest.raises(RateLimited):
        limiter.acquire()
    limiter.update(remaining=500, reset_at=None)
    limiter.acquire()


def test_a_low_remote_budget_waits_until_ashby_resets_it(monkeypatch):
    """The wait is the time left until Ashby's reset, not the ttl as it was when stored."""
    from switchboard.core import counters

    t = {"now": 1_800_000_000.0}
    monkeypatch.setattr(counters, "now", lambda: t["now"])
    monkeypatch.setattr(counters, "_uses_database", lambda: True)  # expiry on the test's clock
    monkeypatch.setattr("switchboard.connections.ratelimit.time.time", lambda: t["now"])
    limiter = CacheRateLimiter("conn-f", per_minute=1000, max_wait=0)
    limiter.update(remaining=0, reset_at=t["now"] + 40)
    t["now"] += 15
    with pytest.raises(RateLimited) as info:
        limiter.acquire()
    assert info.value.retry_after == 25
    t["now"] += 26  # Ashby's window has reset: the stored low value has expired with it
    limiter.acquire()


@pytest.mark.parametrize("backend", ["database", "cache"])
def test_put_and_peek_expire(monkeypatch, backend):
    from switchboard.core import counters

    t = {"now": 1_800_000_000.0}
    monkeypatch.setattr(counters, "now", lambda: t["now"])
    monkeypatch.setattr(counters, "_uses_database", lambda: backend == "database")
    assert counters.peek("x") is None
    counters.put("x", 7, 30)
    counters.put("x", 5, 30)  # replaced, not added
    assert counters.peek("x") == 5
    if backend == "database":  # the cache backends expire on their own clock
        t["now"] += 31
        assert counters.peek("x") is None
