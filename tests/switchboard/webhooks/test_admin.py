"""The operator's admin: every page renders, and the actions (replay, retry, enable, reprocess,
force a full pass) do what they say."""

from __future__ import annotations

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from switchboard.webhooks import services
from switchboard.webhooks.models import (
    Delivery,
    DeliveryAttempt,
    Event,
    InboundEndpoint,
    InboundEvent,
    RemoteWebhook,
    Subscription,
    SyncRun,
    SyncState,
)
from tests.switchboard.webhooks.conftest import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser("op", "op@example.com", "pw-123456789")
    client.force_login(user)
    return client


@pytest.fixture
def data(connection, tenant):
    sub = subscribe(tenant, "https://a.example.com/h", ["*"], connection, is_active=False,
                    disabled_reason="Disabled automatically: 50 failed attempts in a row")
    run = SyncRun.objects.create(connection=connection, model="genericUser", mode="full", status="succeeded",
                                 seen=3, errors=["one warning"])
    event = Event.objects.create(tenant=tenant, connection=connection, connector_id="ashby", owner_id="acme-co",
                                 type="genericUser::updated", record_id="u1", data={"id": "u1"}, source="poll",
                                 sync_run=run)
    delivery = Delivery.objects.create(event=event, subscription=sub, status="dead", attempts=1)
    DeliveryAttempt.objects.create(delivery=delivery, number=1, status_code=500, latency_ms=3.2,
                                   response_excerpt="oops", error="HTTP 500")
    InboundEndpoint.objects.create(connection=connection, secret="x")
    inbound = InboundEvent.objects.create(connection=connection, action_id="a1", action="applicationUpdate",
                                          payload={}, status="failed", error="boom")
    RemoteWebhook.objects.create(connection=connection, webhook_type="applicationUpdate", remote_id="r1")
    SyncState.objects.create(connection=connection, model="genericUser", sync_token="tok")
    return {"sub": sub, "event": event, "delivery": delivery, "inbound": inbound, "run": run}


MODELS = ["subscription", "event", "delivery", "inboundevent", "syncrun", "syncstate", "remotewebhook",
          "inboundendpoint"]


@pytest.mark.parametrize("model", MODELS)
def test_admin_pages_render(operator, data, model):
    r = operator.get(reverse(f"admin:webhooks_{model}_changelist"))
    assert r.status_code == 200
    obj = {"subscription": data["sub"], "event": data["event"], "delivery": data["delivery"],
           "inboundevent": data["inbound"], "syncrun": data["run"]}.get(model)
    if obj is not None:
        # quote() as the admin's own links do: a string pk like "wh_22..." would otherwise be
        # unquoted to 'wh"...' and the admin would redirect as if the object did not exist.
        r = operator.get(reverse(f"admin:webhooks_{model}_change", args=[quote(obj.pk)]))
        assert r.status_code == 200
        assert b"whsec_" not in r.content  # secrets never rendered


def test_changelist_search_and_filters(operator, data):
    r = operator.get(reverse("admin:webhooks_event_changelist") + "?q=u1&source__exact=poll")
    assert r.status_code == 200 and data["event"].id.encode() in r.content
    r = operator.get(reverse("admin:webhooks_subscription_changelist") + "?is_active__exact=0")
    assert b"50 failed attempts" in r.content


def _action(operator, model, action, pks):
    return operator.post(reverse(f"admin:webhooks_{model}_changelist"),
                         {"action": action, "_selected_action": [str(pk) for pk in pks]}, follow=True)


def test_admin_actions(operator, data, eager, receiver, django_capture_on_commit_callbacks):
    sub = data["sub"]
    assert _action(operator, "subscription", "enable", [sub.pk]).status_code == 200
    sub.refresh_from_db()
    assert sub.is_active and sub.disabled_reason == ""
    Subscription.objects.filter(pk=sub.pk).update(url=receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        _action(operator, "delivery", "retry_now", [data["delivery"].pk])
    data["delivery"].refresh_from_db()
    assert data["delivery"].status == "succeeded" and len(receiver.requests) == 1

    with django_capture_on_commit_callbacks(execute=True):
        _action(operator, "event", "replay", [data["event"].pk])
    assert len(receiver.requests) == 2

    with django_capture_on_commit_callbacks(execute=True):
        _action(operator, "inboundevent", "reprocess", [data["inbound"].pk])
    assert InboundEvent.objects.get(pk=data["inbound"].pk).status == "ignored"  # empty payload maps to nothing

    _action(operator, "syncstate", "force_full", [SyncState.objects.get().pk])
    assert SyncState.objects.get().next_full_at is not None

    _action(operator, "subscription", "disable_selected", [sub.pk])
    sub.refresh_from_db()
    assert not sub.is_active and "operator" in sub.disabled_reason


def test_retention_prune_keeps_owed_deliveries(connection, tenant):
    from datetime import timedelta

    from django.utils import timezone

    from switchboard.webhooks import tasks

    sub = subscribe(tenant, "https://a.example.com/h", ["*"])
    old = timezone.now() - timedelta(days=90)
    done = services.emit_for_connection(connection, "atsJob::created", {}, source="poll")
    owed = services.emit_for_connection(connection, "atsJob::created", {}, source="poll")
    Event.objects.update(created_at=old)
    Delivery.objects.filter(event=done, subscription=sub).update(status="succeeded")
    assert tasks.prune()["events"] >= 1
    assert list(Event.objects.values_list("id", flat=True)) == [owed.id]
