"""A per-connection request budget shared by every process (in `core.counters`: Redis or the
database; the class keeps its old name, which other apps import).

Ashby allows 1,000 requests a minute per key. Live API calls may use the whole budget; background
work (polling) stops at a reserve so it never starves developers' calls. The budget also follows
what Ashby reports in X-RateLimit-Remaining, since other clients may share the key.
"""

from __future__ import annotations

import time

from connectors.errors import RateLimited
from switchboard.core import counters


class CacheRateLimiter:
    def __init__(self, key: str, per_minute: int = 1000, background_share: float = 0.7,
                 max_wait: float = 5.0):
        self.key = key
        self.per_minute = per_minute
        self.background_limit = int(per_minute * background_share)
        self.max_wait = max_wait

    def acquire(self, *, background: bool = False) -> None:
        limit = self.background_limit if background else self.per_minute
        # One cheap read (not the database cache's get, which cost as much as the Ashby call's
        # own request preparation): set only while Ashby reports the key's budget as low.
        remote_left = counters.peek(f"rl:{self.key}:remote")
        reserve = self.per_minute - self.background_limit
        if remote_left is not None and remote_left <= (reserve if background else 0):
            reset_at = counters.peek(f"rl:{self.key}:reset")
            self._wait_or_raise(max(1, reset_at - int(time.time())) if reset_at else 60, background)
        used, left = counters.hit(f"rl:{self.key}", 60)  # one atomic round trip
        if used > limit:
            self._wait_or_raise(left, background)

    def _wait_or_raise(self, seconds: float, background: bool) -> None:
        if background and seconds <= self.max_wait:
            time.sleep(seconds)
            return
        raise RateLimited("The request budget for this connection is used up for this minute.",
                          retry_after=seconds)

    def update(self, remaining: int | None, reset_at: float | None) -> None:
        # Only a low remaining count changes what acquire() does, so only that is worth a write
        # on every call; a stored low value expires at Ashby's reset, when the budget returns.
        if remaining is not None and remaining <= 2 * (self.per_minute - self.background_limit):
            ttl = max(1, int(reset_at - time.time())) if reset_at else 60
            counters.put(f"rl:{self.key}:remote", remaining, ttl)
            counters.put(f"rl:{self.key}:reset", int(time.time()) + ttl, ttl)  # when, not how long
