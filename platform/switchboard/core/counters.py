"""Fixed-window counters (and small expiring integers) shared by every process: the per-tenant
API throttle and the per-connection Ashby request budget.

A hit is one atomic round trip on the request path. With Redis as the cache it is Redis INCR.
Otherwise it is a single `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` on the database
(PostgreSQL, SQLite >= 3.35): Django's database cache would spend six statements and two
transactions on the same increment (get; count for culling, begin, select, update, commit) and
still not be atomic across processes.

Fixed windows (rather than DRF's list of timestamps per client) keep every hit O(1) whatever the
rate: the price is that a client can spend two windows' worth across a boundary, which is the
usual trade and is documented with the limits.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

# Swept on about one hit in this many: cheap, and expired rows never outnumber live ones by much.
SWEEP_ONE_IN = 500


def now() -> float:
    return time.time()  # tests pin this to stay inside one window


def hit(name: str, window: int) -> tuple[int, float]:
    """Count one event under `name` in the current `window`-second slot; return the count so far
    in that slot (this one included) and the seconds until the slot ends."""
    t = now()
    slot = int(t // window)
    key = f"{name}:{slot}"
    left = window - (t - slot * window)
    if _uses_database():
        return _db_incr(key, expires=(slot + 1) * window), left
    return _cache_incr(key, ttl=window + 5), left


def peek(name: str) -> int | None:
    """A value stored with `put` that has not expired, or None."""
    if _uses_database():
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM core_counter WHERE name = %s AND expires > %s", [name, now()])
            row = cursor.fetchone()
        return int(row[0]) if row else None
    return cache.get(f"ctr:{name}")


def put(name: str, value: int, ttl: float) -> None:
    """Store a small shared integer for `ttl` seconds (e.g. what Ashby says is left)."""
    if _uses_database():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_counter (name, value, expires) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires = excluded.expires",
                [name, int(value), now() + ttl])
        return
    cache.set(f"ctr:{name}", int(value), timeout=max(1, int(ttl)))


def clear() -> None:
    """Forget every count and stored value (tests; an operator resetting budgets)."""
    if _uses_database():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_counter")
    else:
        cache.clear()


def _uses_database() -> bool:
    return settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def _cache_incr(key: str, ttl: int) -> int:
    key = f"ctr:{key}"
    try:
        return cache.incr(key)  # the common case first: one round trip
    except ValueError:  # first hit of this window
        return 1 if cache.add(key, 1, timeout=ttl) else cache.incr(key)


def _db_incr(key: str, expires: float) -> int:
    # Inside a caller's transaction the row stays locked until that transaction ends (callers keep
    # them to a page of writes) and a rollback undoes the count: an undercount, never a lost limit
    # for others. With Redis as the cache neither applies.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_counter (name, value, expires) VALUES (%s, 1, %s) "
            "ON CONFLICT (name) DO UPDATE SET value = core_counter.value + 1 RETURNING value",
            [key, expires])
        value = cursor.fetchone()[0]
    if random.randrange(SWEEP_ONE_IN) == 0:
        sweep()
    return int(value)


def sweep() -> int:
    """Delete expired database counters; returns how many. (Redis expires its own.)"""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_counter WHERE expires < %s", [now()])
        return cursor.rowcount
