"""Change detection by polling: baseline, created/updated/deleted/unchanged from fingerprints,
sync-token fallback, scheduling, locking, the management command; then against the sandbox."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from connectors import errors
from switchboard.webhooks import polling, services
from switchboard.webhooks.models import Event, RecordFingerprint, RemoteWebhook, SyncRun, SyncState
from tests.switchboard.webhooks.conftest import subscribe

pytestmark = pytest.mark.django_db


class FakeSync:
    def __init__(self, client, model, token):
        self.client, self.model = client, model
        self.incremental = bool(token)
        self.token = token
        self.sync_token = None

    def pages(self):
        c = self.client
        c.calls.append(self.token)
        if self.incremental and c.expire_tokens:
            c.expire_tokens -= 1
            raise errors.SyncTokenExpired("The sync token expired.", remote_code="sync_token_expired")
        if c.fail:
            raise errors.UpstreamError("Ashby answered 503.")
        ids = sorted(c.changed) if self.incremental else sorted(c.records)
        ids = [i for i in ids if i in c.records]
        for start in range(0, len(ids), 2):
            yield [{"object": "resource", "model": self.model, "id": i, "fields": dict(c.records[i]),
                    "createdAt": None, "updatedAt": c.stamp} for i in ids[start:start + 2]]
        c.changed.clear()
        self.sync_token = f"token-{len(c.calls)}"


class FakeClient:
    """A connector client scripted in memory (the sandbox tests below use the real one)."""

    def __init__(self):
        self.records = {f"u{i}": {"firstName": f"User {i}", "isActive": True} for i in range(5)}
        self.changed: set[str] = set()
        self.calls: list = []
        self.expire_tokens = 0
        self.fail = False
        self.stamp = "2026-01-01T00:00:00Z"

    def sync(self, model, sync_token=None):
        return FakeSync(self, model, sync_token)

    def change(self, rid, **fields):
        self.records.setdefault(rid, {}).update(fields)
        self.changed.add(rid)


@pytest.fixture
def fake(monkeypatch):
    client = FakeClient()
    monkeypatch.setattr(services, "_client", lambda connection, **kw: client)
    return client


def events(model="genericUser"):
    return sorted((e.type.split("::")[1], e.record_id) for e in Event.objects.filter(type__startswith=model))


def test_first_pass_is_a_silent_baseline(connection, fake):
    run = polling.run_sync(connection, "genericUser")
    assert (run.status, run.mode, run.baseline, run.seen, run.pages) == ("succeeded", "full", True, 5, 3)
    assert (run.created, run.updated, run.deleted) == (0, 0, 0)
    assert Event.objects.count() == 0
    assert RecordFingerprint.objects.filter(model="genericUser").count() == 5
    state = SyncState.objects.get(model="genericUser")
    assert state.baseline_at and state.sync_token == "token-1" and state.last_full_at


def test_fingerprints_hold_no_personal_data(connection, fake):
    polling.run_sync(connection, "genericUser")
    for fp in RecordFingerprint.objects.all():
        assert len(fp.fingerprint) == 64 and "User" not in fp.fingerprint


def test_incremental_pass_reports_created_and_updated(connection, fake):
    polling.run_sync(connection, "genericUser")
    fake.change("u1", firstName="Renamed")
    fake.change("u9", firstName="New hire")
    run = polling.run_sync(connection, "genericUser")
    assert fake.calls == [None, "token-1"]
    assert (run.mode, run.baseline, run.seen, run.created, run.updated) == ("incremental", False, 2, 1, 1)
    assert events() == [("created", "u9"), ("updated", "u1")]
    updated = Event.objects.get(type="genericUser::updated")
    assert updated.data["fields"]["firstName"] == "Renamed" and updated.sync_run_id == run.pk
    assert updated.source == "poll" and updated.connector_id == "ashby"


def test_no_change_and_touch_only_changes_emit_nothing(connection, fake):
    polling.run_sync(connection, "genericUser")
    run = polling.run_sync(connection, "genericUser")
    assert (run.seen, run.unchanged) == (0, 0) and Event.objects.count() == 0
    # Ashby bumps updatedAt for changes outside the unified fields: not an event.
    fake.stamp = "2026-02-02T00:00:00Z"
    fake.change("u2")
    run = polling.run_sync(connection, "genericUser")
    assert (run.seen, run.unchanged, run.updated) == (1, 1, 0) and Event.objects.count() == 0


def test_full_pass_finds_deletions(connection, fake):
    polling.run_sync(connection, "genericUser")
    del fake.records["u3"]
    fake.change("u0", isActive=False)
    run = polling.run_sync(connection, "genericUser", full=True)
    assert (run.mode, run.deleted, run.updated, run.unchanged) == ("full", 1, 1, 3)
    assert events() == [("deleted", "u3"), ("updated", "u0")]
    deleted = Event.objects.get(type="genericUser::deleted")
    assert deleted.data == {"object": "resourceRef", "model": "genericUser", "id": "u3"}
    assert not RecordFingerprint.objects.filter(record_id="u3").exists()
    # A deleted record that comes back is created again.
    fake.change("u3", firstName="Back")
    polling.run_sync(connection, "genericUser")
    assert ("created", "u3") in events()


def test_an_empty_full_listing_is_not_a_mass_deletion(connection, fake):
    polling.run_sync(connection, "genericUser")
    fake.records.clear()
    run = polling.run_sync(connection, "genericUser", full=True)
    assert run.deleted == 0 and "not treating them all as deleted" in run.errors[0]
    assert RecordFingerprint.objects.count() == 5


def test_expired_sync_token_falls_back_to_a_full_pass(connection, fake):
    polling.run_sync(connection, "genericUser")
    fake.expire_tokens = 1
    fake.change("u1", firstName="Changed")
    del fake.records["u4"]
    run = polling.run_sync(connection, "genericUser")
    assert fake.calls == [None, "token-1", None]
    assert run.status == "succeeded" and run.mode == "full"
    assert "fell back to a full pass" in run.errors[0] and "sync_token_expired" in run.errors[0]
    assert events() == [("deleted", "u4"), ("updated", "u1")]
    assert SyncState.objects.get(model="genericUser").sync_token == "token-3"


def test_provider_failure_is_logged_and_backs_off(connection, fake):
    polling.run_sync(connection, "genericUser")
    fake.fail = True
    run = polling.run_sync(connection, "genericUser")
    assert run.status == "failed" and "503" in run.errors[0] and run.finished_at
    state = SyncState.objects.get(model="genericUser")
    assert "503" in state.last_error and state.next_incremental_at > timezone.now()
    assert state.sync_token == "token-1"  # kept: the next pass resumes from it


def test_one_pass_at_a_time_per_connection_and_model(connection, fake):
    from django.core.cache import cache

    cache.add(f"webhooks:sync:{connection.pk}:genericUser", 1, timeout=60)
    try:
        assert polling.run_sync(connection, "genericUser") is None
        assert polling.run_sync(connection, "atsJob") is not None
    finally:
        cache.delete(f"webhooks:sync:{connection.pk}:genericUser")


def test_models_to_poll_follow_subscriptions_grants_and_pushed_events(connection, tenant):
    assert polling.models_to_poll(connection) == []
    subscribe(tenant, "https://a.example.com/h", ["genericUser::updated", "atsApplication::updated"], connection)
    assert polling.models_to_poll(connection) == ["atsApplication", "genericUser"]
    # Once Ashby pushes atsApplication::updated, polling it is no longer needed ...
    for t in ("applicationUpdate", "candidateStageChange"):
        RemoteWebhook.objects.create(connection=connection, webhook_type=t, remote_id=f"r-{t}")
    assert polling.models_to_poll(connection) == ["genericUser"]
    # ... unless a subscription wants an event Ashby never pushes (deletions).
    subscribe(tenant, "https://a.example.com/h2", ["atsApplication::deleted"])
    assert polling.models_to_poll(connection) == ["atsApplication", "genericUser"]
    connection.operations = ["genericUser::list"]
    connection.save()
    assert polling.models_to_poll(connection) == ["genericUser"]
    connection.status = "error"
    connection.save()
    assert polling.models_to_poll(connection) == []


def test_star_subscription_polls_every_model_without_push(connection, tenant):
    subscribe(tenant, "https://a.example.com/h", ["*"])
    models = polling.models_to_poll(connection)
    for model in ("genericContact", "genericUser", "atsJob", "atsApplicationStage", "scheduleEventType",
                  "scheduleCalendar"):
        assert model in models


def test_schedule_queues_due_passes_once(connection, tenant, fake):
    subscribe(tenant, "https://a.example.com/h", ["genericUser::created"], connection)
    assert polling.schedule() == [(connection.pk, "genericUser", True)]
    assert polling.schedule() == []  # waiting in the broker: not queued twice
    polling.run_sync(connection, "genericUser")
    assert polling.schedule() == []  # next incremental slot not reached
    SyncState.objects.update(next_incremental_at=timezone.now())
    assert polling.schedule() == [(connection.pk, "genericUser", False)]
    SyncState.objects.update(next_incremental_at=timezone.now(), next_full_at=timezone.now())
    assert polling.schedule() == [(connection.pk, "genericUser", True)]


def test_beat_task_runs_the_due_passes(connection, tenant, fake, eager):
    from switchboard.webhooks import tasks

    subscribe(tenant, "https://a.example.com/h", ["genericUser::created"], connection)
    assert tasks.schedule_polls() == 1
    assert SyncRun.objects.get().baseline


def test_management_command_with_progress(connection, tenant, fake):
    subscribe(tenant, "https://a.example.com/h", ["genericUser::created"], connection)
    out, err = io.StringIO(), io.StringIO()
    call_command("sync_connection", "ashby", "acme-co", stdout=out, stderr=err)
    text = out.getvalue()
    assert "genericUser" in text and "pages" in text and "baseline" in text
    fake.change("u7", firstName="Seven")
    out = io.StringIO()
    call_command("sync_connection", "ashby", "acme-co", "--model", "genericUser", "--full", stdout=out)
    assert "full pass succeeded" in out.getvalue() and "1 created" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("sync_connection", "ashby", "nobody", stdout=io.StringIO())


# -- against the Ashby sandbox ------------------------------------------------------------------

def test_sandbox_user_rename_and_candidate_deletion(sandbox_connection, sandbox):
    conn = sandbox_connection
    assert polling.run_sync(conn, "genericUser").baseline
    user_id = sandbox.info()["sample"]["userIds"][1]
    sandbox.update_record("user", user_id, {"firstName": "Renamed"})
    run = polling.run_sync(conn, "genericUser")
    assert run.mode == "incremental" and run.status == "succeeded", run.errors
    event = Event.objects.get(type="genericUser::updated")
    assert event.record_id == user_id and event.data["fields"]["firstName"] == "Renamed"

    assert polling.run_sync(conn, "genericContact").status == "succeeded"
    candidate_id = sandbox.info()["sample"]["candidateId"]
    sandbox.delete_candidate(candidate_id)
    run = polling.run_sync(conn, "genericContact", full=True)
    assert run.status == "succeeded" and run.deleted == 1, run.errors
    assert Event.objects.get(type="genericContact::deleted").record_id == candidate_id


def test_sandbox_incremental_sync_too_large_falls_back(sandbox_connection, sandbox):
    conn = sandbox_connection
    polling.run_sync(conn, "genericContact")
    sandbox.set_faults(syncTooLargeNext=1)
    run = polling.run_sync(conn, "genericContact")
    assert run.status == "succeeded" and run.mode == "full", run.errors
    assert "incremental_sync_too_large" in run.errors[0]


@pytest.mark.parametrize("model", ["genericContact", "genericUser", "atsJob", "atsApplicationStage",
                                   "scheduleEventType", "scheduleCalendar", "atsApplication", "atsOffer",
                                   "genericWorkspace", "scheduleEvent"])
def test_sandbox_every_polled_model_baselines(sandbox_connection, model):
    run = polling.run_sync(sandbox_connection, model)
    assert run.status == "succeeded", run.errors
    assert run.baseline and run.seen > 0
    again = polling.run_sync(sandbox_connection, model)
    assert again.status == "succeeded" and (again.created, again.updated, again.deleted) == (0, 0, 0), again.errors


def test_writes_through_switchboard_emit_at_once_and_the_poller_stays_quiet(connection, fake, tenant):
    subscribe(tenant, "https://a.example.com/h", ["genericUser::created", "genericUser::updated"], connection)
    polling.run_sync(connection, "genericUser")
    resource = {"object": "resource", "model": "genericUser", "id": "u9", "fields": {"firstName": "New hire"}}
    event = services.resource_written(connection, "genericUser", "created", resource)
    assert event.type == "genericUser::created" and event.source == "api" and event.deliveries.count() == 1
    # The same state seen again (poller, or Ashby's own webhook) is not news.
    fake.change("u9", firstName="New hire")
    run = polling.run_sync(connection, "genericUser")
    assert (run.created, run.updated, run.unchanged) == (0, 0, 1)
    assert services.resource_written(connection, "genericUser", "updated", resource) is None
    assert services.resource_written(connection, "genericUser", "deleted", "u9").data == {
        "object": "resourceRef", "model": "genericUser", "id": "u9"}
    assert services.resource_written(connection, "genericWidget", "created", resource) is None


def test_polling_clients_yield_to_live_calls_and_wait_out_the_budget(connection):
    client = services._client(connection, patient=True)
    assert client.ctx.background is True
    assert client.ctx.rate_limiter.max_wait >= 60
    assert services._client(connection).ctx.rate_limiter.max_wait < 60


# -- custom models (the mappings app) --------------------------------------------------------

def test_custom_model_events_are_offered_and_polled(api, sandbox_connection, sandbox, tenant):
    pytest.importorskip("switchboard.mappings.services")
    r = api.post("/v1/webhooks", {"url": "https://a.example.com/h", "events": ["atsDepartment::updated"]},
                 format="json")
    assert r.status_code == 400  # no such model yet
    created = api.post("/v1/custom-models", {
        "name": "atsDepartment", "source": {"list": {"endpoint": "department.list"}},
        "fields": [{"key": "name", "type": "string", "path": "name"}]}, format="json")
    assert created.status_code == 201, created.content
    r = api.post("/v1/webhooks", {"url": "https://a.example.com/h", "events": ["atsDepartment::updated",
                                                                             "atsDepartment::deleted"]},
                 format="json")
    assert r.status_code == 201, r.content
    assert "atsDepartment" in polling.models_to_poll(sandbox_connection)

    baseline = polling.run_sync(sandbox_connection, "atsDepartment")
    assert baseline.status == "succeeded" and baseline.baseline and baseline.seen > 0, baseline.errors
    department = sandbox.info()["sample"]["departmentIds"][0]
    sandbox.update_record("department", department, {"name": "Renamed department"})
    run = polling.run_sync(sandbox_connection, "atsDepartment")
    assert run.status == "succeeded" and run.mode == "full" and run.updated == 1, run.errors
    event = Event.objects.get(type="atsDepartment::updated")
    assert event.record_id == department and event.data["fields"]["name"] == "Renamed department"
    assert event.deliveries.count() == 1


# -- event payloads carry what lists omit ------------------------------------------------------

def test_sandbox_job_events_carry_the_description_lists_omit(sandbox_connection, sandbox):
    conn = sandbox_connection
    assert polling.run_sync(conn, "atsJob").baseline
    job_id = sandbox.info()["sample"]["jobIds"][0]
    sandbox.update_record("job", job_id, {"title": "Staff Backend Engineer"})
    run = polling.run_sync(conn, "atsJob")
    assert run.status == "succeeded" and run.updated == 1, run.errors
    data = Event.objects.get(type="atsJob::updated", record_id=job_id).data
    assert data["fields"]["title"] == "Staff Backend Engineer"
    assert data["fields"]["description"]  # from the job's posting: one call for the changed job only
    assert "remote" not in data
    again = polling.run_sync(conn, "atsJob", full=True)  # compared as a list shows it: no flapping
    assert (again.created, again.updated, again.deleted) == (0, 0, 0), again.errors


def test_an_event_keeps_list_data_when_completing_fails(sandbox_connection, sandbox, monkeypatch):
    from connectors.ashby.client import AshbyClient

    conn = sandbox_connection
    polling.run_sync(conn, "atsJob")
    job_id = sandbox.info()["sample"]["jobIds"][1]
    sandbox.update_record("job", job_id, {"title": "Renamed while postings are down"})

    def down(self, model, resources):
        raise errors.UpstreamError("Ashby answered 503.")

    monkeypatch.setattr(AshbyClient, "complete", down)
    run = polling.run_sync(conn, "atsJob")
    assert run.status == "succeeded" and run.updated == 1
    assert "could not complete" in run.errors[0]
    data = Event.objects.get(type="atsJob::updated", record_id=job_id).data
    assert data["fields"]["title"] == "Renamed while postings are down" and data["fields"]["description"] is None


def test_fingerprints_compare_what_lists_omit_at_the_list_value():
    listed = {"fields": {"title": "Engineer", "description": None}}
    retrieved = {"fields": {"title": "Engineer", "description": "<p>Build things</p>"}}
    omits = {"description": None}
    assert services.fingerprint(listed, omits) == services.fingerprint(retrieved, omits)
    assert services.fingerprint(listed, omits) == services.fingerprint(listed)  # stored hashes stay valid
    assert services.fingerprint(listed) != services.fingerprint(retrieved)
    renamed = {"fields": {"title": "Staff Engineer", "description": "<p>Build things</p>"}}
    assert services.fingerprint(renamed, omits) != services.fingerprint(retrieved, omits)
