"""Sending deliveries: Standard Webhooks signing, one recorded attempt at a time, exponential
backoff with jitter over more than a day, 410 = unsubscribe, auto-disable of dead endpoints, and
the sweeper that makes delivery at-least-once."""

from __future__ import annotations

import json
import logging
import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from switchboard.webhooks import conf, transport, urlsafety
from switchboard.webhooks.models import Delivery, DeliveryAttempt, InboundEvent, Subscription

logger = logging.getLogger("switchboard.webhooks.delivery")

# A worker holds a delivery this long; if it dies mid-send the lease expires and the sweeper
# queues it again (at-least-once). Longer than connect + read timeouts together.
LEASE_SECONDS = 120


def backoff_seconds(failed_attempts: int, *, rng: random.Random | None = None) -> float:
    """Delay after the n-th failed attempt: base * 2^(n-1), capped, with +-20% jitter so a
    receiver that comes back is not hit by every queued retry in the same second."""
    base = conf.get("WEBHOOKS_RETRY_BASE_SECONDS")
    cap = conf.get("WEBHOOKS_RETRY_MAX_SECONDS")
    delay = min(cap, base * (2 ** max(0, failed_attempts - 1)))
    return delay * (rng or random).uniform(0.8, 1.2)


def retry_window_seconds() -> float:
    """Shortest possible time from first to last attempt (all jitter at its minimum)."""
    base = conf.get("WEBHOOKS_RETRY_BASE_SECONDS")
    cap = conf.get("WEBHOOKS_RETRY_MAX_SECONDS")
    return sum(min(cap, base * 2 ** (n - 1)) * 0.8 for n in range(1, conf.get("WEBHOOKS_MAX_ATTEMPTS")))


def sign_headers(secret: str | list[str], msg_id: str, body: str, when=None) -> dict[str, str]:
    """Standard Webhooks headers. Several secrets (during a rotation) give several signatures,
    space-separated in one header: receivers accept the message if any of them verifies."""
    when = when or timezone.now()
    secrets_ = [secret] if isinstance(secret, str) else secret
    signature = " ".join(Webhook(s).sign(msg_id=msg_id, timestamp=when, data=body) for s in secrets_)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(when.timestamp())), "webhook-signature": signature}


def payload_of(delivery: Delivery) -> str:
    return json.dumps(delivery.event.to_json(), separators=(",", ":"), default=str)


def _claim(delivery_id: str) -> bool:
    now = timezone.now()
    return bool(Delivery.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now,
    ).update(locked_until=now + timedelta(seconds=LEASE_SECONDS)))


def attempt(delivery_id: str) -> str:
    """Make one attempt if the delivery is due and nobody else is sending it. Idempotent: a
    duplicate task for the same delivery finds it claimed or done and does nothing."""
    if not _claim(delivery_id):
        return "skipped"
    delivery = Delivery.objects.select_related("event", "subscription").get(pk=delivery_id)
    sub = delivery.subscription
    if not sub.is_active:
        _finish(delivery, status=Delivery.Status.CANCELLED,
                error=f"Not sent: the subscription is disabled. {sub.disabled_reason}".strip())
        return "cancelled"

    number = delivery.attempts + 1
    started = timezone.now()
    remote_ip = None
    try:
        target = urlsafety.check(sub.url)
    except urlsafety.UnsafeURL as exc:
        response = transport.Response(None, 0.0, "", f"refused: {exc}")
    else:
        remote_ip = target.ip
        body = payload_of(delivery)
        headers = sign_headers(sub.signing_secrets(started), delivery.event.id, body, started)
        response = transport.post(target, body.encode(), headers,
                                  connect_timeout=conf.get("WEBHOOKS_CONNECT_TIMEOUT"),
                                  read_timeout=conf.get("WEBHOOKS_READ_TIMEOUT"))
    ok = response.status is not None and 200 <= response.status < 300
    # The attempt row and the outcome commit together: one write transaction per attempt after the
    # claim (SQLite commits dominate the worker's cost).
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery, number=number, started_at=started, status_code=response.status,
            latency_ms=round(response.latency_ms, 2), response_excerpt=response.excerpt, error=response.error,
            remote_ip=remote_ip, succeeded=ok)
        return _outcome(delivery, sub, response, ok, number, started)


def _outcome(delivery: Delivery, sub: Subscription, response, ok: bool, number: int, started) -> str:
    error = response.error or (f"HTTP {response.status}" if not ok else "")
    delivery.attempts = number
    delivery.last_status_code = response.status
    if ok:
        _finish(delivery, status=Delivery.Status.SUCCEEDED, error="", delivered=True)
        now = timezone.now()
        # Only touch the subscription when there is something to reset or the last-success time
        # is getting stale, not on every one of thousands of successes.
        Subscription.objects.filter(
            Q(failure_streak__gt=0) | Q(last_success_at__isnull=True) | Q(last_success_at__lt=now - timedelta(minutes=1)),
            pk=sub.pk,
        ).update(failure_streak=0, failing_since=None, last_success_at=now)
        return "succeeded"
    if response.status == 410:
        # 410 Gone is the receiver's way to unsubscribe: stop, and say so where operators look.
        disable(sub, f"The endpoint answered 410 Gone on {started:%Y-%m-%d %H:%M} UTC (delivery {delivery.id}).")
        _finish(delivery, status=Delivery.Status.CANCELLED, error="HTTP 410: subscription disabled")
        return "gone"
    _note_failure(sub, error)
    tries = number - delivery.retry_base  # a replay starts a fresh budget
    if tries >= conf.get("WEBHOOKS_MAX_ATTEMPTS"):
        _finish(delivery, status=Delivery.Status.DEAD, error=error)
        return "dead"
    _finish(delivery, status=Delivery.Status.PENDING, error=error,
            next_at=timezone.now() + timedelta(seconds=backoff_seconds(tries)))
    return "retry"


def _finish(delivery: Delivery, *, status: str, error: str, next_at=None, delivered: bool = False) -> None:
    delivery.status = status
    delivery.last_error = error[:2000]
    delivery.next_attempt_at = next_at if status == Delivery.Status.PENDING else None
    delivery.locked_until = None
    delivery.queued_at = None
    if delivered:
        delivery.delivered_at = timezone.now()
    delivery.save(update_fields=["status", "last_error", "next_attempt_at", "locked_until", "queued_at",
                                 "delivered_at", "attempts", "last_status_code", "updated_at"])


def _note_failure(sub: Subscription, error: str) -> None:
    now = timezone.now()
    Subscription.objects.filter(pk=sub.pk, failing_since__isnull=True).update(failing_since=now)
    Subscription.objects.filter(pk=sub.pk).update(failure_streak=F("failure_streak") + 1)
    sub.refresh_from_db(fields=["failure_streak", "failing_since", "is_active"])
    limit = conf.get("WEBHOOKS_DISABLE_AFTER_FAILURES")
    window = timedelta(hours=conf.get("WEBHOOKS_DISABLE_AFTER_HOURS"))
    if sub.is_active and sub.failure_streak >= limit and sub.failing_since and now - sub.failing_since >= window:
        disable(sub, f"Disabled automatically on {now:%Y-%m-%d %H:%M} UTC: {sub.failure_streak} failed attempts "
                     f"in a row since {sub.failing_since:%Y-%m-%d %H:%M} UTC (last: {error[:200]}). Fix the endpoint, "
                     f"set active=true again and replay the events you missed.")


def disable(sub: Subscription, reason: str) -> None:
    logger.warning("disabling webhook subscription %s: %s", sub.pk, reason)
    Subscription.objects.filter(pk=sub.pk).update(is_active=False, disabled_reason=reason,
                                                  disabled_at=timezone.now(), updated_at=timezone.now())
    sub.is_active, sub.disabled_reason = False, reason


# -- the sweeper --------------------------------------------------------------------------------

def due_deliveries(limit: int = 500) -> list[str]:
    now = timezone.now()
    stale = now - timedelta(seconds=conf.get("WEBHOOKS_REQUEUE_AFTER_SECONDS"))
    qs = (Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
          .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
          .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
          .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return list(qs)


def sweep(limit: int = 500) -> dict:
    """Queue every due delivery and unprocessed inbound event the broker does not hold.

    A delivery is 'held' from the moment it is queued until REQUEUE_AFTER seconds later; if no
    worker has finished it by then (broker restart, worker killed between commit and send), it is
    queued again. Claims in `attempt` make a double queue harmless."""
    from switchboard.webhooks import tasks

    now = timezone.now()
    counts = {"deliveries": 0, "inbound": 0}
    for pk in due_deliveries(limit):
        if Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING).update(queued_at=now):
            try:
                tasks.deliver.delay(pk)
                counts["deliveries"] += 1
            except Exception:
                logger.warning("broker unavailable; delivery %s stays due", pk, exc_info=True)
                Delivery.objects.filter(pk=pk).update(queued_at=None)
                break
    stale = now - timedelta(seconds=conf.get("WEBHOOKS_REQUEUE_AFTER_SECONDS"))
    inbound = (InboundEvent.objects.filter(status=InboundEvent.Status.RECEIVED)
               .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
               .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
               .values_list("pk", flat=True)[:limit])
    for pk in list(inbound):
        with transaction.atomic():
            InboundEvent.objects.filter(pk=pk).update(queued_at=now)
        try:
            tasks.process_inbound.delay(pk)
            counts["inbound"] += 1
        except Exception:
            logger.warning("broker unavailable; inbound event %s stays queued", pk, exc_info=True)
            break
    return counts
