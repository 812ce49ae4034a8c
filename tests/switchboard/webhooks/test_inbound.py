"""Ashby webhooks in: registration at the provider, the signed receiver, deduplication, and the
mapping of every Ashby action to unified events (payloads and reads from the Ashby sandbox)."""

from __future__ import annotations

import json

import pytest

from connectors.ashby.webhooks import sign
from switchboard.webhooks import inbound, services
from switchboard.webhooks.models import Event, InboundEndpoint, InboundEvent, RemoteWebhook, SyncRun
from tests.switchboard.webhooks.conftest import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(sandbox_connection):
    return InboundEndpoint.objects.create(connection=sandbox_connection, secret="s3cret-for-this-connection")


def post(client, endpoint, payload, *, secret=None, header=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {}
    signature = header if header is not None else sign(body, secret or endpoint.secret)
    if signature:
        headers["HTTP_ASHBY_SIGNATURE"] = signature
    return client.post(f"/hooks/ashby/{endpoint.token}", data=body, content_type="application/json", **headers)


def payload(action, data, action_id="75395d87-4044-4dc4-bc29-0cec185e5f06"):
    return {"webhookActionId": action_id, "action": action, "data": data}


# -- the receiver ---------------------------------------------------------------------------------

def test_valid_signature_is_stored_before_200(client, endpoint):
    r = post(client, endpoint, payload("candidateDelete", {"candidate": {"id": "c1"}}))
    assert r.status_code == 200 and r.json() == {"ok": True}
    row = InboundEvent.objects.get()
    assert (row.action, row.action_id, row.status) == ("candidateDelete", "75395d87-4044-4dc4-bc29-0cec185e5f06",
                                                       "received")


@pytest.mark.parametrize("header", ["", "sha256=" + "0" * 64, "sha1=abc", "garbage"])
def test_bad_or_missing_signature_is_401_and_stores_nothing(client, endpoint, header):
    r = post(client, endpoint, payload("candidateDelete", {"candidate": {"id": "c1"}}), header=header)
    assert r.status_code == 401
    assert not InboundEvent.objects.exists()


def test_signature_of_another_connection_or_altered_body_is_401(client, endpoint):
    body = json.dumps(payload("candidateDelete", {"candidate": {"id": "c1"}})).encode()
    assert post(client, endpoint, None, raw=body, secret="someone-elses-secret").status_code == 401
    tampered = body.replace(b"c1", b"c2")
    assert post(client, endpoint, None, raw=tampered, header=sign(body, endpoint.secret)).status_code == 401


def test_unknown_token_or_connector_is_404(client, endpoint):
    assert client.post("/hooks/ashby/nope", data=b"{}", content_type="application/json").status_code == 404
    assert client.post(f"/hooks/other/{endpoint.token}", data=b"{}",
                       content_type="application/json").status_code == 404
    assert client.get(f"/hooks/ashby/{endpoint.token}").status_code == 405


def test_ping_is_answered_and_not_stored(client, endpoint):
    r = post(client, endpoint, payload("ping", {"webhookActionType": "ping"}))
    assert r.status_code == 200 and r.json()["ping"] is True
    assert not InboundEvent.objects.exists()


def test_non_json_body_with_valid_signature_is_400(client, endpoint):
    assert post(client, endpoint, None, raw=b"not json").status_code == 400


def test_duplicate_and_replayed_deliveries_make_one_event(client, endpoint, eager, django_capture_on_commit_callbacks):
    subscribe(endpoint.connection.tenant, "https://a.example.com/h", ["genericContact::deleted"])
    body = payload("candidateDelete", {"candidate": {"id": "c1"}})
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, endpoint, body).status_code == 200
    # Ashby retries (same webhookActionId) and a second webhook for the same action.
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            r = post(client, endpoint, body)
        assert r.status_code == 200 and r.json()["duplicate"] is True
    row = InboundEvent.objects.get()
    assert row.duplicates == 2 and row.status == "processed"
    assert list(Event.objects.values_list("type", "record_id")) == [("genericContact::deleted", "c1")]
    # Processing the stored row again (a duplicate task) changes nothing.
    assert inbound.process(row.pk) == "skipped"
    assert Event.objects.count() == 1


def test_failed_processing_is_retried_by_the_sweeper(client, endpoint, eager, settings, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    from connectors import errors
    from switchboard.webhooks import delivery

    calls = []

    def flaky(connection, mapped):
        calls.append(1)
        if len(calls) == 1:
            raise errors.UpstreamError("Ashby is down")
        return [("genericContact", "deleted", "c1", {"object": "resourceRef", "model": "genericContact",
                                                     "id": "c1"}, False)], []

    monkeypatch.setattr(inbound, "_prepare", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, endpoint, payload("candidateDelete", {"candidate": {"id": "c1"}}))
    row = InboundEvent.objects.get()
    assert row.status == "received" and "Ashby is down" in row.error
    settings.WEBHOOKS_REQUEUE_AFTER_SECONDS = 0
    assert delivery.sweep()["inbound"] == 1
    row.refresh_from_db()
    assert row.status == "processed" and Event.objects.filter(type="genericContact::deleted").count() == 1


# -- mapping every Ashby action -----------------------------------------------------------------

EXPECTED = {
    "applicationSubmit": {"atsApplication::created"},
    "applicationUpdate": {"atsApplication::updated"},
    "candidateStageChange": {"atsApplication::updated"},
    "pushToHRIS": {"atsApplication::updated"},
    "candidateHire": {"atsApplication::updated", "atsOffer::updated"},
    "candidateDelete": {"genericContact::deleted"},
    "candidateMerge": {"genericContact::deleted", "genericContact::updated"},
    "interviewScheduleCreate": {"scheduleEvent::created"},
    "interviewScheduleUpdate": {"scheduleEvent::updated"},
    "jobCreate": {"atsJob::created"},
    "jobUpdate": {"atsJob::updated"},
    "jobPostingUpdate": {"atsJob::updated"},
    "jobPostingPublish": {"atsJob::updated"},
    "jobPostingUnpublish": {"atsJob::updated"},
    "interviewPlanTransition": {"atsJob::updated"},
    "offerCreate": {"atsOffer::created"},
    "offerUpdate": {"atsOffer::updated"},
    "offerDelete": {"atsOffer::deleted"},
    "surveySubmit": set(),
}


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_every_mapped_action(client, endpoint, sandbox, eager, django_capture_on_commit_callbacks, action):
    subscribe(endpoint.connection.tenant, "https://a.example.com/h", ["*"])
    with sandbox.state.lock:
        data = sandbox._sample_payload(action)
    if action == "candidateHire" and not data.get("offer"):
        pytest.skip("the seeded sandbox has no hired application with an offer")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, endpoint, payload(action, data, action_id=f"id-{action}")).status_code == 200
    row = InboundEvent.objects.get()
    events = list(Event.objects.all())
    assert {e.type for e in events} == EXPECTED[action], row.error
    assert row.status == ("ignored" if not EXPECTED[action] else "processed")
    for event in events:
        model, trigger = event.type.split("::")
        assert event.source == "webhook" and event.record_id
        if trigger == "deleted":
            assert event.data == {"object": "resourceRef", "model": model, "id": event.record_id}
        else:
            assert event.data["object"] == "resource" and event.data["model"] == model
            assert event.data["id"] == event.record_id and "remote" not in event.data
    if events:
        run = SyncRun.objects.get()
        assert run.mode == "webhook" and run.status == "succeeded" and row.sync_run_id == run.pk


def test_cancelled_schedule_maps_to_deleted_events(client, endpoint, sandbox, eager, django_capture_on_commit_callbacks):
    subscribe(endpoint.connection.tenant, "https://a.example.com/h", ["scheduleEvent::deleted"])
    with sandbox.state.lock:
        data = sandbox._sample_payload("interviewScheduleUpdate")
    data["interviewSchedule"]["status"] = "Cancelled"
    with django_capture_on_commit_callbacks(execute=True):
        post(client, endpoint, payload("interviewScheduleUpdate", data))
    assert {e.type for e in Event.objects.all()} == {"scheduleEvent::deleted"}


def test_events_of_models_the_connection_was_not_granted_are_not_emitted(client, endpoint, eager,
                                                                        django_capture_on_commit_callbacks):
    connection = endpoint.connection
    connection.operations = ["atsJob::list"]
    connection.save()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, endpoint, payload("candidateDelete", {"candidate": {"id": "c1"}}))
    assert InboundEvent.objects.get().status == "ignored" and not Event.objects.exists()


# -- registration at Ashby -------------------------------------------------------------------

def test_subscriptions_register_and_remove_ashby_webhooks(api, sandbox_connection, sandbox, eager,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/v1/webhooks", {"url": "https://a.example.com/h", "events": ["atsApplication::updated"],
                                      "connectorId": "ashby", "ownerId": "acme-co"}, format="json")
    assert r.status_code == 201
    endpoint = InboundEndpoint.objects.get(connection=sandbox_connection)
    remote = {w["webhookType"]: w for w in sandbox.state.webhooks.values()}
    assert set(remote) == {"applicationUpdate", "candidateStageChange", "candidateHire", "pushToHRIS"}
    for hook in remote.values():
        assert hook["requestUrl"] == f"http://testserver/hooks/ashby/{endpoint.token}"
        assert hook["secretToken"] == endpoint.secret
    assert RemoteWebhook.objects.filter(connection=sandbox_connection).exclude(remote_id="").count() == 4

    # Widening the subscription adds the types it needs; deleting it removes them all.
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(f"/v1/webhooks/{r.json()['id']}", {"events": ["*"]}, format="json")
    assert "candidateDelete" in {w["webhookType"] for w in sandbox.state.webhooks.values()}
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/v1/webhooks/{r.json()['id']}").status_code == 204
    assert sandbox.state.webhooks == {}
    assert not RemoteWebhook.objects.exists()


def test_each_connection_gets_its_own_secret_and_url(tenant, sandbox, settings, eager):
    from switchboard.connections.models import Connection

    settings.ASHBY_BASE_URL = sandbox.base_url
    conns = [Connection.objects.create(tenant=tenant, connector_id="ashby", owner_id=f"o{i}",
                                       operations=["atsApplication::list"], status="authorized",
                                       credentials={"apiKey": "e2e-sandbox-key"}) for i in range(2)]
    subscribe(tenant, "https://a.example.com/h", ["atsApplication::created"])
    for c in conns:
        services.sync_remote_webhooks(c)
    endpoints = list(InboundEndpoint.objects.all())
    assert len({e.secret for e in endpoints}) == 2 and len({e.token for e in endpoints}) == 2
    assert len(sandbox.state.webhooks) == 2


def test_registration_is_idempotent_and_failures_are_recorded(sandbox_connection, sandbox, tenant):
    subscribe(tenant, "https://a.example.com/h", ["genericContact::deleted"])
    first = services.sync_remote_webhooks(sandbox_connection)
    assert first["registered"] == ["candidateDelete", "candidateMerge"]
    assert services.sync_remote_webhooks(sandbox_connection)["registered"] == []
    assert len(sandbox.state.webhooks) == 2
    # A key without apiKeysWrite: the failure is kept on the registration, polling still works.
    other = type(sandbox_connection).objects.create(
        tenant=tenant, connector_id="ashby", owner_id="limited", operations=sandbox_connection.operations,
        status="authorized", credentials={"apiKey": "limited-key"})
    sandbox.add_key("limited-key", ["candidatesRead"])
    report = services.sync_remote_webhooks(other)
    assert set(report["failed"]) == {"candidateDelete", "candidateMerge"}
    assert "apiKeysWrite" in RemoteWebhook.objects.filter(connection=other).first().last_error


def test_connection_hooks(sandbox_connection, sandbox, tenant, eager, django_capture_on_commit_callbacks):
    subscribe(tenant, "https://a.example.com/h", ["*"], sandbox_connection)
    with django_capture_on_commit_callbacks(execute=True):
        services.connection_authorized(sandbox_connection)
    assert len(sandbox.state.webhooks) > 0
    services.connection_deleted(sandbox_connection)
    assert sandbox.state.webhooks == {}


def test_connection_events(api, connection, tenant):
    subscribe(tenant, "https://a.example.com/h", ["connection::authorized", "connection::credentialsFailing"])
    for trigger in ("authorized", "permissionsChanged", "credentialsFailing", "deleted"):
        services.emit_connection_event(connection, trigger)
    events = api.get("/v1/events?type=connection::authorized").json()["data"]
    assert events[0]["data"]["object"] == "connection" and events[0]["ownerId"] == "acme-co"
    assert Event.objects.filter(type__startswith="connection::").count() == 4
    assert sum(e.deliveries.count() for e in Event.objects.all()) == 2


def test_failed_registrations_are_retried_hourly_by_beat(sandbox_connection, sandbox, tenant, eager):
    from datetime import timedelta

    from django.utils import timezone

    from switchboard.webhooks import tasks

    subscribe(tenant, "https://a.example.com/h", ["atsOffer::deleted"], sandbox_connection)
    sandbox.set_faults(failNext=10)
    report = services.sync_remote_webhooks(sandbox_connection)
    assert report["failed"] and not sandbox.state.webhooks
    sandbox.clear_faults()
    tasks.schedule_polls()
    assert not sandbox.state.webhooks  # not an hour yet
    RemoteWebhook.objects.update(updated_at=timezone.now() - timedelta(hours=2))
    tasks.schedule_polls()
    assert {w["webhookType"] for w in sandbox.state.webhooks.values()} == {"offerDelete"}


def test_event_data_goes_through_render_resources_with_the_raw_record(client, endpoint, sandbox, eager, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    """Field mappings plug into render_resources and read the raw record; it must reach them and
    must not reach the developer."""
    resources_services = pytest.importorskip("switchboard.resources.services")
    seen = []
    original = resources_services.render_resources

    def spy(connection, model, resources, **kw):
        seen.append((model, all(isinstance(r.get("remote"), dict) for r in resources)))
        return original(connection, model, resources, **kw)

    monkeypatch.setattr(resources_services, "render_resources", spy)
    subscribe(endpoint.connection.tenant, "https://a.example.com/h", ["*"])
    with sandbox.state.lock:
        data = sandbox._sample_payload("applicationUpdate")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, endpoint, payload("applicationUpdate", data))
    from switchboard.webhooks import polling

    polling.run_sync(endpoint.connection, "atsJob")
    assert ("atsApplication", True) in seen
    assert ("atsJob", True) in seen
    assert "remote" not in Event.objects.get(type="atsApplication::updated").data


# -- what lists omit (a job's description) ------------------------------------------------------

def test_pushed_jobs_carry_their_description_and_only_real_changes_are_events(
        client, endpoint, sandbox, eager, django_capture_on_commit_callbacks):
    from switchboard.webhooks import polling

    conn = endpoint.connection
    subscribe(conn.tenant, "https://a.example.com/h", ["*"])
    assert polling.run_sync(conn, "atsJob").baseline  # list-shaped fingerprints, no descriptions
    job_ids = sandbox.info()["sample"]["jobIds"]
    job = next(j for j in (sandbox.state.get("job", i) for i in job_ids) if j and j.get("status") == "Open")

    def push(action, action_id):
        with sandbox.state.lock:
            data = sandbox._sample_payload(action, object_id=job["id"])
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, endpoint, payload(action, data, action_id=action_id)).status_code == 200
        return list(Event.objects.filter(type="atsJob::updated", record_id=job["id"]).order_by("created_at"))

    # Pushed as Ashby sends it (no description): completed. The text is seen for the first time,
    # so it is reported once (no way to tell whether it just changed; Ashby says something did).
    [first] = push("jobUpdate", "a1")
    assert first.data["fields"]["description"] and "remote" not in first.data
    assert len(push("jobUpdate", "a2")) == 1  # the same state again: not news
    # The posting's text changes (it names the job's location) while the job's own fields do not.
    sandbox.update_record("location", job["locationId"], {"name": "Lisbon"})
    events = push("jobPostingUpdate", "a3")
    assert len(events) == 2 and "Lisbon" in events[-1].data["fields"]["description"]
    # The poller compares list views and keeps the text it cannot see: no flapping.
    again = polling.run_sync(conn, "atsJob", full=True)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0), again.errors
    assert len(push("jobPostingUpdate", "a4")) == 2


def test_fingerprints_hold_the_list_view_and_what_lists_omit():
    omits = {"description": None}
    listed = {"fields": {"title": "Engineer", "description": None}}
    full = {"fields": {"title": "Engineer", "description": "Build things."}}
    seen, fp = services.compare(None, listed, omits, complete=False)
    assert seen == "new" and "+" not in fp and fp == services.fingerprint(listed)  # stored hashes stay valid
    assert services.compare(fp, full, omits, complete=False)[0] == "same"  # a list cannot see the text
    seen, fp = services.compare(fp, full, omits, complete=True)
    assert seen == "changed" and "+" in fp  # first complete sighting, text differs from the list's
    assert services.compare(fp, full, omits, complete=True) == ("same", fp)
    assert services.compare(fp, listed, omits, complete=False) == ("same", fp)  # the poller keeps the text
    edited = {"fields": {"title": "Engineer", "description": "Build better things."}}
    assert services.compare(fp, edited, omits, complete=True)[0] == "changed"
    renamed = {"fields": {"title": "Staff Engineer", "description": None}}
    seen, kept = services.compare(fp, renamed, omits, complete=False)
    assert seen == "changed" and kept.split("+")[1] == fp.split("+")[1]
    assert services.compare(None, listed, {}, complete=True)[1] == services.fingerprint(listed)
    assert len(fp) <= 140  # RecordFingerprint.fingerprint
