"""/v1/webhooks and /v1/events: shapes, validation, tenant isolation, filters, pagination, replay."""

from __future__ import annotations

import pytest

from switchboard.webhooks import services
from switchboard.webhooks.models import Delivery, Event, Subscription
from tests.switchboard.webhooks.conftest import subscribe

pytestmark = pytest.mark.django_db


def test_create_returns_secret_once_and_stores_it_encrypted(api, connection):
    r = api.post("/v1/webhooks", {"url": "https://app.example.com/hooks", "events": ["atsApplication::updated"],
                                  "connectorId": "ashby", "ownerId": "acme-co"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["object"] == "webhook" and body["id"].startswith("wh_")
    assert body["secret"].startswith("whsec_")
    assert (body["connectorId"], body["ownerId"], body["active"]) == ("ashby", "acme-co", True)
    again = api.get(f"/v1/webhooks/{body['id']}").json()
    assert "secret" not in again and again["events"] == ["atsApplication::updated"]
    listed = api.get("/v1/webhooks").json()
    assert [s["id"] for s in listed["data"]] == [body["id"]] and listed["next"] is None
    # Encrypted at rest, yet usable to sign.
    from django.db import connection as db

    with db.cursor() as cur:
        cur.execute("SELECT secret FROM webhooks_subscription WHERE id = %s", [body["id"]])
        stored = cur.fetchone()[0]
    assert body["secret"] not in stored
    assert Subscription.objects.get(pk=body["id"]).secret == body["secret"]


def test_tenant_wide_subscription_and_star(api):
    r = api.post("/v1/webhooks", {"url": "https://app.example.com/all", "events": ["*"]}, format="json")
    assert r.status_code == 201
    assert r.json()["connectorId"] is None and r.json()["ownerId"] is None


@pytest.mark.parametrize("events, fragment", [
    ([], "non-empty list"),
    ("atsJob::created", "non-empty list"),
    (["atsJob"], "not an event name"),
    (["atsJob::exploded"], "atsJob offers"),
    (["genericWidget::created"], "Known models"),
    (["genericWorkspace::archived"], "genericWorkspace offers"),
])
def test_events_are_validated(api, events, fragment):
    r = api.post("/v1/webhooks", {"url": "https://app.example.com/h", "events": events}, format="json")
    assert r.status_code == 400
    assert r.json()["error"] == "MORPH::BAD_REQUEST" and fragment in r.json()["message"]


def test_every_ticked_event_of_the_seed_table_can_be_subscribed(api):
    from switchboard.webhooks.catalog import CONNECTION_EVENTS, MINIMUM

    events = [f"{m}::{t}" for m, ts in MINIMUM.items() for t in ts] + list(CONNECTION_EVENTS)
    r = api.post("/v1/webhooks", {"url": "https://app.example.com/h", "events": events}, format="json")
    assert r.status_code == 201, r.content


def test_scope_needs_both_ids_and_an_existing_connection(api, connection):
    r = api.post("/v1/webhooks", {"url": "https://a.example.com/h", "events": ["*"], "connectorId": "ashby"},
                 format="json")
    assert r.status_code == 400
    r = api.post("/v1/webhooks", {"url": "https://a.example.com/h", "events": ["*"], "connectorId": "ashby",
                                  "ownerId": "nobody"}, format="json")
    assert r.status_code == 404 and r.json()["error"] == "MORPH::CONNECTION::NOT_FOUND"
    r = api.post("/v1/webhooks", {"url": "https://a.example.com/h", "events": ["*"], "connectorId": "nope",
                                  "ownerId": "x"}, format="json")
    assert r.status_code == 404 and r.json()["error"] == "CONNECTOR::NOT_FOUND"
    r = api.post("/v1/webhooks", {"url": "https://a.example.com/h", "events": ["*"], "secret": "mine"}, format="json")
    assert r.status_code == 400 and "secret" in r.json()["message"]


def test_update_and_delete(api, tenant):
    sub = subscribe(tenant, "https://a.example.com/h", ["*"], is_active=False, disabled_reason="410 Gone",
                    failure_streak=9)
    r = api.patch(f"/v1/webhooks/{sub.id}", {"events": ["atsJob::created"], "active": True,
                                             "url": "https://b.example.com/h"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["active"] is True and r.json()["url"] == "https://b.example.com/h"
    sub.refresh_from_db()
    assert (sub.disabled_reason, sub.failure_streak, sub.events) == ("", 0, ["atsJob::created"])
    assert api.patch(f"/v1/webhooks/{sub.id}", {"active": "yes"}, format="json").status_code == 400
    assert api.patch(f"/v1/webhooks/{sub.id}", {"secret": "x"}, format="json").status_code == 400
    assert api.delete(f"/v1/webhooks/{sub.id}").status_code == 204
    assert api.get(f"/v1/webhooks/{sub.id}").status_code == 404


def test_disabled_subscription_shows_the_reason(api, tenant):
    sub = subscribe(tenant, "https://a.example.com/h", ["*"], is_active=False, disabled_reason="answered 410 Gone")
    assert api.get(f"/v1/webhooks/{sub.id}").json()["disabledReason"] == "answered 410 Gone"


def test_other_tenants_subscriptions_and_events_are_404(api, other_api, other_tenant_keys):
    other = other_tenant_keys[0]
    sub = subscribe(other, "https://a.example.com/h", ["*"])
    event = services.emit_event(tenant_id=other.pk, connection=None, connector_id="ashby", owner_id="x",
                                event_type="atsJob::created", data={}, source=Event.Source.POLL)
    for method, path in (("get", f"/v1/webhooks/{sub.id}"), ("patch", f"/v1/webhooks/{sub.id}"),
                         ("delete", f"/v1/webhooks/{sub.id}"), ("get", f"/v1/events/{event.id}"),
                         ("post", f"/v1/events/{event.id}/replay"), ("get", f"/v1/events/{event.id}/deliveries")):
        r = getattr(api, method)(path, {}, format="json")
        assert r.status_code == 404, (method, path)
    assert api.get("/v1/webhooks").json()["data"] == []
    assert api.get("/v1/events").json()["data"] == []
    assert other_api.get(f"/v1/webhooks/{sub.id}").status_code == 200


def test_unauthenticated_is_401(client):
    assert client.get("/v1/webhooks").status_code == 401
    assert client.get("/v1/events").status_code == 401


def _emit(tenant, event_type, owner="acme-co", connector="ashby"):
    return services.emit_event(tenant_id=tenant.pk, connection=None, connector_id=connector, owner_id=owner,
                               event_type=event_type, data={"object": "resource", "id": "r1"},
                               record_id="r1", source=Event.Source.POLL)


def test_events_list_filters_and_cursor(api, tenant):
    from datetime import timedelta

    from django.utils import timezone

    old = _emit(tenant, "atsJob::created")
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    for i in range(5):
        _emit(tenant, "atsApplication::updated", owner=f"o{i % 2}")
    _emit(tenant, "connection::authorized")

    page = api.get("/v1/events?limit=3").json()
    assert len(page["data"]) == 3 and page["next"]
    assert page["data"][0]["type"] == "connection::authorized"  # newest first
    second = api.get(f"/v1/events?limit=3&cursor={page['next']}").json()
    third = api.get(f"/v1/events?limit=3&cursor={second['next']}").json()
    assert len(second["data"]) == 3 and len(third["data"]) == 1 and third["next"] is None
    ids = [e["id"] for e in page["data"] + second["data"] + third["data"]]
    assert len(set(ids)) == 7 and ids[-1] == old.id

    assert {e["type"] for e in api.get("/v1/events?type=atsApplication::updated").json()["data"]} == {
        "atsApplication::updated"}
    assert len(api.get("/v1/events?type=atsJob::created,connection::authorized").json()["data"]) == 2
    assert len(api.get("/v1/events?ownerId=o1").json()["data"]) == 2
    assert len(api.get("/v1/events?connectorId=other").json()["data"]) == 0
    after = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert old.id not in [e["id"] for e in api.get(f"/v1/events?createdAfter={after}&limit=100").json()["data"]]
    assert api.get("/v1/events?createdAfter=yesterday").status_code == 400
    assert api.get("/v1/events?cursor=!!!").status_code == 400
    assert api.get("/v1/events?limit=1000").status_code == 400

    one = api.get(f"/v1/events/{old.id}").json()
    assert set(one) == {"id", "type", "connectorId", "ownerId", "createdAt", "data"}
    assert one["type"] == "atsJob::created" and one["data"]["id"] == "r1"


def test_replay_queues_a_fresh_delivery_per_matching_subscription(api, tenant):
    sub = subscribe(tenant, "https://a.example.com/h", ["atsJob::created"])
    subscribe(tenant, "https://b.example.com/h", ["genericUser::created"])
    event = _emit(tenant, "atsJob::created")
    delivery = Delivery.objects.get(event=event)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.DEAD, attempts=16, next_attempt_at=None)
    r = api.post(f"/v1/events/{event.id}/replay")
    assert r.status_code == 202
    assert r.json() == {"object": "event", "id": event.id, "queued": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.replays, delivery.retry_base, delivery.subscription_id) == (
        "pending", 1, 16, sub.id)
    listed = api.get(f"/v1/events/{event.id}/deliveries").json()["data"]
    assert listed[0]["status"] == "pending" and listed[0]["webhookId"] == sub.id
