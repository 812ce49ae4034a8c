"""Webhook subscriptions, events, field mappings and custom models."""

from __future__ import annotations

from switchboard_sdk import Event, Resource, WebhookSubscription

BASE = "http://switchboard.test"

SUB = {
    "object": "webhook",
    "id": "wh_1",
    "url": "https://app.example/hooks",
    "events": ["atsApplication::updated"],
    "connectorId": "ashby",
    "ownerId": "demo",
    "active": True,
    "createdAt": "2026-01-01T00:00:00Z",
}


def test_webhook_create_returns_the_secret(client, rsps, sent):
    rsps.post(f"{BASE}/v1/webhooks", json={**SUB, "secret": "whsec_abc"}, status=201)
    sub = client.webhooks.create("https://app.example/hooks", ["atsApplication::updated"],
                                 connector_id="ashby", owner_id="demo")
    method, path, _, headers, body = sent(rsps.calls[0])
    assert (method, path) == ("POST", "/v1/webhooks")
    assert body == {"url": "https://app.example/hooks", "events": ["atsApplication::updated"],
                    "connectorId": "ashby", "ownerId": "demo"}
    assert "x-connector-id" not in headers
    assert isinstance(sub, WebhookSubscription)
    assert sub.secret == "whsec_abc"
    assert (sub.id, sub.connector_id, sub.owner_id, sub.active) == ("wh_1", "ashby", "demo", True)


def test_webhook_create_tenant_wide(client, rsps, sent):
    rsps.post(f"{BASE}/v1/webhooks", json={**SUB, "connectorId": None, "ownerId": None})
    sub = client.webhooks.create("https://app.example/hooks", ["*"])
    assert sent(rsps.calls[0])[4] == {"url": "https://app.example/hooks", "events": ["*"]}
    assert sub.connector_id is None and sub.secret is None


def test_webhook_list_retrieve_update_delete(client, rsps, sent):
    rsps.get(f"{BASE}/v1/webhooks", json={"data": [SUB], "next": None})
    rsps.get(f"{BASE}/v1/webhooks/wh_1", json=SUB)
    rsps.patch(f"{BASE}/v1/webhooks/wh_1", json={**SUB, "active": False})
    rsps.delete(f"{BASE}/v1/webhooks/wh_1", status=204)
    assert [s.id for s in client.webhooks.list().data] == ["wh_1"]
    assert client.webhooks.retrieve("wh_1").url == "https://app.example/hooks"
    assert client.webhooks.update("wh_1", active=False, events=["*"]).active is False
    assert sent(rsps.calls[2])[4] == {"events": ["*"], "active": False}
    assert client.webhooks.delete("wh_1") is None
    assert [sent(c)[:2] for c in rsps.calls] == [
        ("GET", "/v1/webhooks"), ("GET", "/v1/webhooks/wh_1"), ("PATCH", "/v1/webhooks/wh_1"),
        ("DELETE", "/v1/webhooks/wh_1"),
    ]


def test_events_list_filters_and_parsing(client, rsps, sent):
    event = {"id": "ev_1", "type": "atsApplication::updated", "connectorId": "ashby", "ownerId": "demo",
             "createdAt": "2026-01-01T00:00:00Z",
             "data": {"object": "resource", "model": "atsApplication", "id": "a1", "fields": {"status": "hired"}}}
    rsps.get(f"{BASE}/v1/events", json={"data": [event], "next": "n2"})
    page = client.events.list(type="atsApplication::updated", connector_id="ashby", owner_id="demo", cursor="n1")
    assert sent(rsps.calls[0])[2] == {"type": "atsApplication::updated", "connectorId": "ashby",
                                      "ownerId": "demo", "cursor": "n1"}
    ev = page.data[0]
    assert isinstance(ev, Event)
    assert (ev.model, ev.trigger) == ("atsApplication", "updated")
    assert isinstance(ev.resource(), Resource) and ev.resource().fields["status"] == "hired"
    assert page.next == "n2"


def test_events_iter_all_and_replay(client, rsps, sent):
    rsps.get(f"{BASE}/v1/events", json={"data": [{"id": "e1", "type": "connection::authorized"}], "next": "x"})
    rsps.get(f"{BASE}/v1/events", json={"data": [{"id": "e2", "type": "atsJob::created"}], "next": None})
    rsps.post(f"{BASE}/v1/events/e1/replay", json={"object": "event", "id": "e1", "queued": 1}, status=202)
    assert [e.id for e in client.events.iter_all(type="atsJob::created")] == ["e1", "e2"]
    assert sent(rsps.calls[1])[2] == {"type": "atsJob::created", "cursor": "x"}
    assert client.events.replay("e1")["queued"] == 1
    assert sent(rsps.calls[2])[:2] == ("POST", "/v1/events/e1/replay")


def test_field_mappings_crud(client, rsps, sent):
    rule = {"id": "fm_1", "model": "genericContact", "key": "yearsOfExperience",
            "remote": {"customFieldTitle": "Years of experience"}, "direction": "both"}
    rsps.get(f"{BASE}/v1/field-mappings", json={"data": [rule], "next": None})
    rsps.post(f"{BASE}/v1/field-mappings", json=rule, status=201)
    rsps.get(f"{BASE}/v1/field-mappings/fm_1", json=rule)
    rsps.patch(f"{BASE}/v1/field-mappings/fm_1", json={**rule, "direction": "read"})
    rsps.delete(f"{BASE}/v1/field-mappings/fm_1", status=204)
    assert client.field_mappings.list(model="genericContact").data == [rule]
    assert sent(rsps.calls[0])[2] == {"model": "genericContact"}
    assert client.field_mappings.create({k: v for k, v in rule.items() if k != "id"})["id"] == "fm_1"
    assert sent(rsps.calls[1])[4]["key"] == "yearsOfExperience"
    assert client.field_mappings.retrieve("fm_1") == rule
    assert client.field_mappings.update("fm_1", {"direction": "read"})["direction"] == "read"
    assert sent(rsps.calls[3])[4] == {"direction": "read"}
    client.field_mappings.delete("fm_1")
    assert sent(rsps.calls[4])[:2] == ("DELETE", "/v1/field-mappings/fm_1")


def test_custom_models_crud(client, rsps, sent):
    model = {"id": "cm_1", "name": "atsDepartment", "fields": [{"key": "name", "type": "text"}]}
    rsps.post(f"{BASE}/v1/custom-models", json=model, status=201)
    rsps.get(f"{BASE}/v1/custom-models", json={"data": [model], "next": None})
    rsps.delete(f"{BASE}/v1/custom-models/cm_1", status=204)
    assert client.custom_models.create(model)["name"] == "atsDepartment"
    assert client.custom_models.list().data[0]["id"] == "cm_1"
    client.custom_models.delete("cm_1")
    assert [sent(c)[:2] for c in rsps.calls] == [
        ("POST", "/v1/custom-models"), ("GET", "/v1/custom-models"), ("DELETE", "/v1/custom-models/cm_1"),
    ]
    # A custom model is then a resource model like any other.
    rsps.get(f"{BASE}/v1/resources/atsDepartment", json={"data": [], "next": None})
    client.connections(connector_id="ashby", owner_id="demo").resources("atsDepartment").list()


def test_webhook_rotate_secret(client, rsps, sent):
    rotated = {**SUB, "secret": "whsec_new", "secretRotatedAt": "2026-02-01T00:00:00Z",
               "previousSecretExpiresAt": "2026-02-01T01:00:00Z"}
    rsps.post(f"{BASE}/v1/webhooks/wh_1/rotate-secret", json=rotated)
    sub = client.webhooks.rotate_secret("wh_1", previous_secret_ttl=3600)
    method, path, _, _, body = sent(rsps.calls[0])
    assert (method, path, body) == ("POST", "/v1/webhooks/wh_1/rotate-secret", {"previousSecretTtl": 3600})
    assert sub.secret == "whsec_new"
    assert sub.previous_secret_expires_at.isoformat() == "2026-02-01T01:00:00+00:00"
    rsps.post(f"{BASE}/v1/webhooks/wh_1/rotate-secret", json={**rotated, "previousSecretExpiresAt": None})
    assert client.webhooks.rotate_secret("wh_1").previous_secret_expires_at is None
    assert sent(rsps.calls[1])[4] in ({}, None)


def test_verify_webhook_accepts_either_signature_during_a_rotation():
    from switchboard_sdk.webhooks import sign_webhook, verify_webhook

    old, new = "whsec_" + "A" * 43 + "=", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    first = sign_webhook(b'{"id":"evt_1"}', new, msg_id="msg_1")
    second = sign_webhook(b'{"id":"evt_1"}', old, msg_id="msg_1", timestamp=int(first["webhook-timestamp"]))
    headers = {**first, "webhook-signature": f"{first['webhook-signature']} {second['webhook-signature']}"}
    assert verify_webhook(b'{"id":"evt_1"}', headers, old)["id"] == "evt_1"
    assert verify_webhook(b'{"id":"evt_1"}', headers, new)["id"] == "evt_1"
