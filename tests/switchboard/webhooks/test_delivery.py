"""Deliveries out over real HTTP to a local receiver: Standard Webhooks signatures, retries with
backoff, 410, dead letters and replay, auto-disable, and at-least-once via the sweeper."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from switchboard.webhooks import delivery as dl
from switchboard.webhooks import services
from switchboard.webhooks.models import Delivery, DeliveryAttempt, Event, Subscription
from tests.switchboard.webhooks.conftest import subscribe

pytestmark = pytest.mark.django_db


def emit(connection, event_type="atsJob::updated", rid="job-1"):
    return services.emit_for_connection(connection, event_type, {"object": "resource", "model": "atsJob", "id": rid,
                                                                 "fields": {"title": "Engineer"}},
                                        record_id=rid, source=Event.Source.POLL)


def make_due(delivery_id):
    """Pretend the backoff has elapsed (no sleeping, no timed assertions)."""
    Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now() - timedelta(seconds=1),
                                                   queued_at=None)


def test_signed_delivery_verifies_with_standardwebhooks_and_the_sdk(connection, receiver, eager,
                                                                    django_capture_on_commit_callbacks):
    sub = subscribe(connection.tenant, receiver.url, ["atsJob::updated"], connection)
    with django_capture_on_commit_callbacks(execute=True):
        event = emit(connection)
    [request] = receiver.wait_for(1)
    headers = request["headers"]
    assert headers["webhook-id"] == event.id
    payload = Webhook(sub.secret).verify(request["body"], headers)
    assert payload == {"id": event.id, "type": "atsJob::updated", "connectorId": "ashby", "ownerId": "acme-co",
                       "createdAt": payload["createdAt"], "data": event.data}
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "sdk" / "python"))
    from switchboard_sdk.webhooks import verify_webhook

    assert verify_webhook(request["body"], headers, sub.secret)["id"] == event.id
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_signing_secret()).verify(request["body"], headers)
    d = Delivery.objects.get(event=event)
    assert (d.status, d.attempts, d.last_status_code) == ("succeeded", 1, 200)
    attempt = d.attempt_log.get()
    assert attempt.succeeded and attempt.status_code == 200 and attempt.latency_ms >= 0
    assert attempt.response_excerpt == '{"received": true}' and attempt.remote_ip == "127.0.0.1"


def test_only_matching_active_subscriptions_get_deliveries(connection, tenant):
    other_owner = type(connection).objects.create(tenant=tenant, connector_id="ashby", owner_id="other",
                                                  operations=connection.operations)
    subscribe(tenant, "https://a.example.com/1", ["*"])
    subscribe(tenant, "https://a.example.com/2", ["atsJob::updated"], connection)
    subscribe(tenant, "https://a.example.com/3", ["atsJob::updated"], other_owner)
    subscribe(tenant, "https://a.example.com/4", ["atsJob::created"], connection)
    subscribe(tenant, "https://a.example.com/5", ["*"], is_active=False)
    event = emit(connection)
    assert sorted(d.subscription.url[-1] for d in event.deliveries.all()) == ["1", "2"]


def test_failed_attempts_retry_with_backoff_then_succeed(connection, receiver, eager,
                                                         django_capture_on_commit_callbacks):
    subscribe(connection.tenant, receiver.url, ["*"], connection)
    receiver.statuses = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        event = emit(connection)
    d = Delivery.objects.get(event=event)
    assert (d.status, d.attempts, d.last_status_code) == ("pending", 1, 500)
    assert d.next_attempt_at > timezone.now()
    assert dl.attempt(d.pk) == "skipped"  # not due yet: a duplicate task does nothing
    make_due(d.pk)
    assert dl.attempt(d.pk) == "retry"
    make_due(d.pk)
    assert dl.attempt(d.pk) == "succeeded"
    assert dl.attempt(d.pk) == "skipped"  # done: idempotent
    attempts = list(DeliveryAttempt.objects.filter(delivery=d).values_list("number", "status_code", "succeeded"))
    assert attempts == [(1, 500, False), (2, 503, False), (3, 200, True)]
    assert len(receiver.requests) == 3
    # Same webhook-id on every retry, so receivers can deduplicate.
    assert {r["headers"]["webhook-id"] for r in receiver.requests} == {event.id}
    sub = Subscription.objects.get()
    assert sub.failure_streak == 0 and sub.last_success_at is not None


def test_unreachable_receiver_is_a_recorded_failed_attempt(connection, receiver):
    sub = subscribe(connection.tenant, receiver.url, ["*"], connection)
    receiver.stop()
    event = emit(connection)
    d = Delivery.objects.get(event=event)
    assert dl.attempt(d.pk) == "retry"
    a = DeliveryAttempt.objects.get(delivery=d)
    assert a.status_code is None and "refused" in a.error
    assert Subscription.objects.get(pk=sub.pk).failure_streak == 1


def test_backoff_is_exponential_with_jitter_and_spans_more_than_a_day():
    rng = random.Random(7)
    delays = [dl.backoff_seconds(n, rng=rng) for n in range(1, 16)]
    assert 24 <= delays[0] <= 36 and 48 <= delays[1] <= 72
    assert all(d <= 6 * 3600 * 1.2 for d in delays)
    assert dl.retry_window_seconds() >= 24 * 3600
    assert len({round(dl.backoff_seconds(3, rng=rng)) for _ in range(20)}) > 1  # jittered


def test_410_disables_the_subscription_without_retrying(connection, receiver):
    sub = subscribe(connection.tenant, receiver.url, ["*"], connection)
    receiver.statuses = [410]
    first, second = emit(connection, rid="a"), emit(connection, rid="b")
    d = Delivery.objects.get(event=first)
    assert dl.attempt(d.pk) == "gone"
    d.refresh_from_db()
    sub.refresh_from_db()
    assert d.status == "cancelled" and d.next_attempt_at is None
    assert not sub.is_active and "410" in sub.disabled_reason
    # Other pending deliveries of the subscription are not sent.
    assert dl.attempt(Delivery.objects.get(event=second).pk) == "cancelled"
    assert len(receiver.requests) == 1


def test_dead_after_max_attempts_then_replay_delivers(api, connection, receiver, eager, settings,
                                                      django_capture_on_commit_callbacks):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    subscribe(connection.tenant, receiver.url, ["*"], connection)
    receiver.statuses = [500, 502]
    with django_capture_on_commit_callbacks(execute=True):
        event = emit(connection)
    d = Delivery.objects.get(event=event)
    make_due(d.pk)
    assert dl.attempt(d.pk) == "dead"
    d.refresh_from_db()
    assert d.status == "dead" and d.last_error == "HTTP 502"
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/v1/events/{event.id}/replay")
    assert r.status_code == 202 and r.json()["queued"] == 1
    d.refresh_from_db()
    assert (d.status, d.attempts, d.replays) == ("succeeded", 3, 1)
    assert receiver.events()[-1]["id"] == event.id
    # Every attempt stays visible through the API.
    log = api.get(f"/v1/events/{event.id}/deliveries").json()["data"][0]["attemptLog"]
    assert [(a["number"], a["statusCode"]) for a in log] == [(1, 500), (2, 502), (3, 200)]


def test_long_failing_streak_disables_with_an_operator_visible_reason(connection, receiver, settings):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    settings.WEBHOOKS_DISABLE_AFTER_HOURS = 1
    sub = subscribe(connection.tenant, receiver.url, ["*"], connection)
    receiver.statuses = [500] * 10
    events = [emit(connection, rid=str(i)) for i in range(4)]
    for event in events[:3]:
        dl.attempt(Delivery.objects.get(event=event).pk)
    sub.refresh_from_db()
    assert sub.is_active  # three failures, but not yet for an hour
    Subscription.objects.filter(pk=sub.pk).update(failing_since=timezone.now() - timedelta(hours=2))
    dl.attempt(Delivery.objects.get(event=events[3]).pk)
    sub.refresh_from_db()
    assert not sub.is_active
    assert "4 failed attempts in a row" in sub.disabled_reason and "HTTP 500" in sub.disabled_reason


def test_worker_crash_between_commit_and_delivery_is_swept(connection, receiver, eager, settings, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    """The event and its delivery are committed, but the broker loses the task (or the worker
    dies before sending): the sweeper finds the due row in the database and delivers it."""
    from switchboard.webhooks import tasks

    subscribe(connection.tenant, receiver.url, ["*"], connection)
    lost = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda *a: lost.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        event = emit(connection)
    assert lost and receiver.requests == []
    monkeypatch.undo()
    # Just queued: the sweeper leaves it to the broker for REQUEUE_AFTER seconds ...
    assert dl.sweep()["deliveries"] == 0
    # ... then queues it again.
    settings.WEBHOOKS_REQUEUE_AFTER_SECONDS = 0
    assert dl.sweep()["deliveries"] == 1
    assert receiver.events()[0]["id"] == event.id
    assert Delivery.objects.get(event=event).status == "succeeded"


def test_worker_killed_mid_send_is_retried_after_its_lease(connection, receiver, eager, settings):
    subscribe(connection.tenant, receiver.url, ["*"], connection)
    event = emit(connection)
    d = Delivery.objects.get(event=event)
    assert dl._claim(d.pk)  # a worker claimed it ... and died
    settings.WEBHOOKS_REQUEUE_AFTER_SECONDS = 0
    assert dl.sweep()["deliveries"] == 0  # leased: nobody else may send it
    Delivery.objects.filter(pk=d.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert dl.sweep()["deliveries"] == 1
    assert Delivery.objects.get(pk=d.pk).status == "succeeded"


def test_broker_down_at_emit_does_not_fail_the_caller(connection, receiver, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    from switchboard.webhooks import tasks

    def down(*a):
        raise ConnectionError("broker unreachable")

    subscribe(connection.tenant, receiver.url, ["*"], connection)
    monkeypatch.setattr(tasks.deliver, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        event = emit(connection)
    assert Delivery.objects.get(event=event).status == "pending"


def test_payload_is_the_event_json(connection):
    sub = subscribe(connection.tenant, "https://a.example.com/h", ["*"], connection)
    event = emit(connection)
    d = Delivery.objects.select_related("event").get(event=event, subscription=sub)
    assert json.loads(dl.payload_of(d)) == event.to_json() | {"createdAt": event.to_json()["createdAt"]}
