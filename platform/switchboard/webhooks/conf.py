"""Settings of the events and webhooks app.

Every value comes from the environment through `switchboard.env` (so `.env.example` lists them), and
a Django setting of the same name wins, so tests and operators can override one without touching
the environment. Read at call time, never cached: tests flip them per test.
"""

from __future__ import annotations

from django.conf import settings

from switchboard.env import env_bool, env_int, env_list

_DEFAULTS = {
    # Subscriptions may point at private, loopback or link-local addresses (demo and tests only).
    "WEBHOOKS_ALLOW_PRIVATE_URLS": lambda: env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS", False),
    # Seconds to connect to / wait for a subscriber's answer.
    "WEBHOOKS_CONNECT_TIMEOUT": lambda: env_int("WEBHOOKS_CONNECT_TIMEOUT", 5),
    "WEBHOOKS_READ_TIMEOUT": lambda: env_int("WEBHOOKS_READ_TIMEOUT", 15),
    # Attempts per delivery; with the backoff below the last one is > 24 h after the first.
    "WEBHOOKS_MAX_ATTEMPTS": lambda: env_int("WEBHOOKS_MAX_ATTEMPTS", 16),
    "WEBHOOKS_RETRY_BASE_SECONDS": lambda: env_int("WEBHOOKS_RETRY_BASE_SECONDS", 30),
    "WEBHOOKS_RETRY_MAX_SECONDS": lambda: env_int("WEBHOOKS_RETRY_MAX_SECONDS", 6 * 3600),
    # A subscription whose deliveries have all failed this many times in a row, for at least this
    # many hours, is disabled with a reason (a dead endpoint should not cost us forever).
    "WEBHOOKS_DISABLE_AFTER_FAILURES": lambda: env_int("WEBHOOKS_DISABLE_AFTER_FAILURES", 50),
    "WEBHOOKS_DISABLE_AFTER_HOURS": lambda: env_int("WEBHOOKS_DISABLE_AFTER_HOURS", 72),
    # A queued delivery not picked up by a worker within this many seconds is queued again.
    "WEBHOOKS_REQUEUE_AFTER_SECONDS": lambda: env_int("WEBHOOKS_REQUEUE_AFTER_SECONDS", 120),
    # Polling: incremental passes every N seconds, full passes (which find deletions) every M.
    "WEBHOOKS_POLL_INTERVAL_SECONDS": lambda: env_int("WEBHOOKS_POLL_INTERVAL_SECONDS", 300),
    "WEBHOOKS_FULL_SYNC_INTERVAL_SECONDS": lambda: env_int("WEBHOOKS_FULL_SYNC_INTERVAL_SECONDS", 6 * 3600),
    # Models the poller may watch; empty means every model with polled events.
    "WEBHOOKS_POLL_MODELS": lambda: env_list("WEBHOOKS_POLL_MODELS", []),
    # Retention of events, deliveries and processed inbound payloads, days.
    "WEBHOOKS_RETENTION_DAYS": lambda: env_int("WEBHOOKS_RETENTION_DAYS", 30),
}


def get(name: str):
    if hasattr(settings, name):
        return getattr(settings, name)
    return _DEFAULTS[name]()


def public_base_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/")


def production() -> bool:
    return bool(getattr(settings, "PRODUCTION", False))
