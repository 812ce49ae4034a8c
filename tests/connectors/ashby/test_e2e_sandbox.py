"""End to end: the Ashby client against the Ashby sandbox over real HTTP on loopback."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from connectors import errors
from connectors.ashby import AshbyConnector, map_webhook_event, verify_signature
from connectors.ashby.connector import OPERATION_SPECS
from connectors.ashby.sandbox import ALL_PERMISSIONS, SandboxServer
from connectors.base import ConnectorContext
from connectors.unified import model_names

pytestmark = pytest.mark.e2e

KEY = "e2e-key"
LIMITED = "e2e-limited"


@pytest.fixture(scope="module")
def server():
    with SandboxServer(port=0, api_keys={KEY: list(ALL_PERMISSIONS),
                                         LIMITED: ["candidatesRead", "organizationRead"]},
                       candidates=60, seed=3, webhook_retry_base=0.05, webhook_timeout=2.0) as srv:
        yield srv


@pytest.fixture
def sandbox(server):
    server.reset()
    return server


def make_ctx(server, key=KEY, **settings):
    return ConnectorContext(credentials={"apiKey": key}, base_url=server.base_url,
                            settings={"retry_backoff": 0, "cursor_secret": "e2e", **settings})


@pytest.fixture
def client(sandbox):
    return AshbyConnector().client(make_ctx(sandbox))


@pytest.fixture
def sample(sandbox):
    return sandbox.info()["sample"]


@pytest.mark.parametrize("model", model_names())
def test_list_pages_and_retrieve_every_model(client, model):
    seen, cursor = [], None
    for _ in range(200):
        page = client.list(model, limit=7, cursor=cursor)
        assert len(page["data"]) <= 7
        seen += page["data"]
        cursor = page["next"]
        if not cursor:
            break
    assert seen, model
    ids = [r["id"] for r in seen]
    assert len(ids) == len(set(ids))
    for res in seen[:3]:
        again = client.retrieve(model, res["id"])
        assert again["id"] == res["id"] and again["fields"].keys() == res["fields"].keys()
        unknown = [w for w in again.get("warnings", []) if w["code"] == "unreadable"]
        assert not unknown, unknown


def test_every_candidate_once(client, sandbox):
    total, cursor = 0, None
    while True:
        page = client.list("genericContact", limit=100, cursor=cursor)
        total += len(page["data"])
        cursor = page["next"]
        if not cursor:
            break
    assert total == sandbox.info()["candidates"]


@pytest.mark.parametrize("model", model_names())
def test_not_found(client, model):
    missing = str(uuid.uuid4())
    if model == "scheduleEvent":
        missing = f"{uuid.uuid4()}:{uuid.uuid4()}:{uuid.uuid4()}"
    with pytest.raises(errors.NotFound):
        client.retrieve(model, missing)


@pytest.mark.parametrize("spec", [s for s in OPERATION_SPECS.values() if not s.supported], ids=lambda s: s.name)
def test_not_supported(client, sandbox, spec):
    before = len(sandbox.request_log())
    with pytest.raises(errors.NotSupported):
        if spec.operation == "create":
            client.create(spec.model, {})
        elif spec.operation == "update":
            client.update(spec.model, "x", {})
        else:
            client.delete(spec.model, "x")
    assert len(sandbox.request_log()) == before


def test_filters_and_search(client, sample):
    job_id = sample["jobIds"][0]
    apps = client.list("atsApplication", filters={"job": job_id}, limit=100)["data"]
    assert apps and all(a["fields"]["job"]["id"] == job_id for a in apps)
    active = client.list("atsApplication", filters={"status": "active"}, limit=100)["data"]
    assert active and all(a["fields"]["status"] == "active" for a in active)
    stages = client.list("atsApplicationStage", filters={"job": job_id})["data"]
    assert [s["fields"]["order"] for s in stages] == sorted(s["fields"]["order"] for s in stages)
    plan = client.list("atsApplicationStage", filters={"interviewPlanId": sample["interviewPlanId"]})["data"]
    assert plan and all(s["fields"]["interviewPlanId"] == sample["interviewPlanId"] for s in plan)
    app = apps[0]
    events = client.list("scheduleEvent", filters={"application": app["id"]})["data"]
    assert all(e["fields"]["application"]["id"] == app["id"] for e in events)
    offers = client.list("atsOffer", limit=100)["data"]
    first = offers[0]["fields"]["application"]["id"]
    assert {o["fields"]["application"]["id"] for o in
            client.list("atsOffer", filters={"application": first})["data"]} == {first}
    contact = client.retrieve("genericContact", sample["candidateId"])
    by_email = client.list("genericContact", q=contact["fields"]["email"])["data"]
    assert contact["id"] in [c["id"] for c in by_email]
    by_name = client.list("genericContact", q=f"{contact['fields']['firstName']} {contact['fields']['lastName']}")
    assert contact["id"] in [c["id"] for c in by_name["data"]]
    user = client.retrieve("genericUser", sample["userIds"][0])
    assert [u["id"] for u in client.list("genericUser", q=user["fields"]["email"])["data"]] == [user["id"]]
    job = client.retrieve("atsJob", job_id)
    assert job_id in [j["id"] for j in client.list("atsJob", q=job["fields"]["title"])["data"]]


def test_expand_and_remote(client, sample):
    app = client.retrieve("atsApplication", sample["applicationId"], expand=["candidate", "job", "stage"],
                          include_remote=True)
    assert app["fields"]["candidate"]["object"] == "resource"
    assert app["fields"]["stage"]["model"] == "atsApplicationStage"
    assert app["remote"]["id"] == sample["applicationId"]


def test_write_flows(client, sample):
    contact = client.create("genericContact", {"firstName": "Ada", "lastName": "Lovelace",
                                               "email": "ada.e2e@example.com",
                                               "socialLinks": [{"type": "GitHub", "url": "https://github.com/ada"}]})
    assert contact["fields"]["socialLinks"][0]["type"] == "GitHub"
    assert client.update("genericContact", contact["id"], {"lastName": "King"})["fields"]["firstName"] == "Ada"

    job = client.create("atsJob", {"title": "E2E Engineer", "department": sample["departmentIds"][0],
                                   "location": sample["locationIds"][0], "interviewPlanId": sample["interviewPlanId"],
                                   "status": "open"})
    assert job["fields"]["status"] == "open"
    assert client.update("atsJob", job["id"], {"status": "closed"})["fields"]["status"] == "closed"

    app = client.create("atsApplication", {"candidate": contact["id"], "job": sample["jobIds"][0]})
    stages = client.list("atsApplicationStage", filters={"job": sample["jobIds"][0]})["data"]
    onsite = next(s for s in stages if s["fields"]["type"] == "active")
    moved = client.update("atsApplication", app["id"], {"stage": onsite["id"]})
    assert moved["fields"]["stage"]["id"] == onsite["id"]
    offer = client.create("atsOffer", {"application": app["id"], "startDate": "2027-02-01",
                                       "salary": {"amount": 90000, "currency": "EUR"}})
    assert offer["fields"]["salary"] == {"amount": 90000, "currency": "EUR"}
    bumped = client.update("atsOffer", offer["id"], {"salary": {"amount": 95000, "currency": "EUR"}})
    assert bumped["fields"]["salary"]["amount"] == 95000 and bumped["fields"]["startDate"] == "2027-02-01"
    archived = next(s for s in stages if s["fields"]["type"] == "archived")
    with pytest.raises(errors.BadRequest):  # Ashby wants a reason to archive
        client.update("atsApplication", app["id"], {"stage": archived["id"]})
    done = client.update("atsApplication", app["id"], {"stage": archived["id"],
                                                       "archiveReasonId": sample["archiveReasonIds"][0]})
    assert done["fields"]["status"] == "archived"

    event = client.create("scheduleEvent", {"application": sample["applicationId"],
                                            "startTime": "2027-01-05T10:00:00Z", "endTime": "2027-01-05T11:00:00Z",
                                            "attendees": sample["userIds"][:2]})
    assert event["fields"]["duration"] == 60 and len(event["fields"]["attendees"]) == 2
    moved = client.update("scheduleEvent", event["id"], {"startTime": "2027-01-05T12:00:00Z",
                                                         "endTime": "2027-01-05T12:30:00Z"})
    assert moved["fields"]["duration"] == 30
    client.delete("scheduleEvent", event["id"])

    cal = client.update("scheduleCalendar", sample["userIds"][1], {"dailyLimit": 2, "weeklyLimit": 6})
    assert (cal["fields"]["dailyLimit"], cal["fields"]["weeklyLimit"]) == (2, 6)

    fields = client.list_custom_fields("genericContact")
    number = next(f for f in fields if f["fieldType"] == "Number")
    client.set_custom_field_values("genericContact", contact["id"], [{"fieldId": number["id"], "value": 4}])
    remote = client.retrieve("genericContact", contact["id"], include_remote=True)["remote"]
    assert {"id": number["id"], "value": 4}.items() <= next(
        c for c in remote["customFields"] if c["id"] == number["id"]).items()


def test_anonymize_opt_in(sandbox, sample):
    plain = AshbyConnector().client(make_ctx(sandbox))
    with pytest.raises(errors.NotSupported):
        plain.delete("genericContact", sample["candidateId"])
    opted = AshbyConnector().client(make_ctx(sandbox, allow_anonymize=True))
    contact = opted.create("genericContact", {"firstName": "Temp"})
    opted.delete("genericContact", contact["id"])


def test_permissions(sandbox):
    check = AshbyConnector().check_credentials(make_ctx(sandbox, key=LIMITED))
    # No apiKeysRead: the key's modules are found by probing.
    assert set(check.granted_permissions) == {"candidatesRead", "organizationRead"}
    limited = AshbyConnector().client(make_ctx(sandbox, key=LIMITED))
    with pytest.raises(errors.InsufficientPermissions) as exc:
        limited.list("atsJob")
    assert exc.value.permission == "jobsRead"
    with pytest.raises(errors.InsufficientPermissions):
        limited.create("genericContact", {"firstName": "No"})
    full = AshbyConnector().check_credentials(make_ctx(sandbox))
    assert {"candidatesWrite", "apiKeysWrite", "jobsRead"} <= set(full.granted_permissions)
    assert full.info["title"]
    with pytest.raises(errors.InvalidCredentials):
        AshbyConnector().check_credentials(make_ctx(sandbox, key="nope"))


def test_faults(sandbox, client):
    sandbox.set_faults(failNext=2, failStatus=503)
    assert client.list("atsJob", limit=2)["data"]  # read retried through two 503s
    sandbox.set_faults(failNext=1, failStatus=502)
    with pytest.raises(errors.UpstreamError):
        client.create("genericContact", {"firstName": "Once"})
    assert not [r for r in sandbox.request_log("candidate.create") if r["status"] == 200]
    sandbox.set_faults(rateLimitNext=1)
    with pytest.raises(errors.RateLimited) as exc:
        client.list("atsJob")
    assert 0 <= exc.value.retry_after <= 61
    sandbox.set_faults(malformedNext=1)
    with pytest.raises(errors.UpstreamError):
        client.retrieve("genericUser", client.list("genericUser", limit=1)["data"][0]["id"])


def test_expired_cursor_and_sync_token(sandbox, client):
    page = client.list("genericContact", limit=5)
    sandbox.set_faults(expireCursors=True)
    with pytest.raises(errors.InvalidCursor):
        client.list("genericContact", limit=5, cursor=page["next"])
    full = client.sync("genericContact")
    assert sum(len(p) for p in full.pages()) == sandbox.info()["candidates"]
    token = full.sync_token
    assert token
    sandbox.set_faults(expireSyncTokens=True)
    with pytest.raises(errors.SyncTokenExpired):
        list(client.sync("genericContact", token).pages())
    again = client.sync("genericContact")
    list(again.pages())
    sandbox.set_faults(syncTooLargeNext=1)
    with pytest.raises(errors.SyncTokenExpired):
        list(client.sync("genericContact", again.sync_token).pages())


def test_incremental_sync_sees_changes(sandbox, client, sample):
    full = client.sync("genericUser")
    list(full.pages())
    sandbox.update_record("user", sample["userIds"][2], {"firstName": "Renamed"})
    inc = client.sync("genericUser", full.sync_token)
    changed = [r for p in inc.pages() for r in p]
    assert [r["id"] for r in changed] == [sample["userIds"][2]]
    assert changed[0]["fields"]["firstName"] == "Renamed" and inc.sync_token


def test_proxy(client, sandbox):
    status, headers, body = client.proxy("POST", "/apiKey.info")
    assert status == 200 and body["success"] is True and headers["x-ashby-request-id"]
    status, _, body = client.proxy("POST", "/no.suchEndpoint", data={})
    assert status == 404
    with pytest.raises(errors.BadRequest):
        client.proxy("POST", "/apiKey.info", headers={"Authorization": "Basic eA=="})


def test_webhook_delivery_roundtrip(client, sandbox, sample):
    import http.server
    import threading

    got = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            got.append((self.rfile.read(int(self.headers["Content-Length"])), self.headers.get("Ashby-Signature")))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/hooks/ashby"
        remote_id = client.register_webhook("candidateStageChange", url, "whsec-e2e")
        stages = client.list("atsApplicationStage", filters={"job": sample["jobIds"][0]})["data"]
        app = client.list("atsApplication", filters={"job": sample["jobIds"][0], "status": "active"})["data"][0]
        target = next(s for s in stages if s["fields"]["type"] == "active" and s["id"] != app["fields"]["stage"]["id"])
        client.update("atsApplication", app["id"], {"stage": target["id"]})
        deadline = time.time() + 5
        while time.time() < deadline and not any(b'"candidateStageChange"' in b for b, _ in got):
            time.sleep(0.02)
        raw, signature = next((b, s) for b, s in got if b'"candidateStageChange"' in b)
        assert verify_signature(raw, signature, "whsec-e2e")
        assert not verify_signature(raw, signature, "wrong")
        events = map_webhook_event(json.loads(raw))
        assert events[0][:2] == ("atsApplication", "updated") and events[0][3] == app["id"]
        res = client.to_resource("atsApplication", events[0][2])
        assert res["fields"]["stage"]["id"] == target["id"]
        client.delete_webhook(remote_id)
    finally:
        httpd.shutdown()
        httpd.server_close()


def _calls_to(ctx_calls, endpoint):
    return [c for c in ctx_calls if c.url.endswith("/" + endpoint)]


@pytest.fixture
def recorded(sandbox):
    """(client, the upstream calls it makes)."""
    calls = []
    ctx = make_ctx(sandbox)
    ctx.on_call = calls.append
    return AshbyConnector().client(ctx), calls


def test_job_descriptions_come_from_the_posting(recorded):
    client, calls = recorded
    jobs = client.list("atsJob", limit=50)["data"]
    assert all(j["fields"]["description"] is None for j in jobs)  # a plain list pays no extra calls
    assert not _calls_to(calls, "jobPosting.info")
    open_job = next(j for j in jobs if j["fields"]["status"] == "open")
    job = client.retrieve("atsJob", open_job["id"])
    assert job["fields"]["description"].startswith(f"As {open_job['fields']['title']} you will join")
    assert len(_calls_to(calls, "jobPosting.info")) == 1
    # Asked for explicitly, a list fills them too (one posting call per job on the page).
    calls.clear()
    page = client.list("atsJob", limit=5, fields=["title", "description"])["data"]
    assert all(set(j["fields"]) == {"title", "description"} for j in page)
    with_posting = [j for j in page if j["fields"]["description"]]
    assert with_posting and len(_calls_to(calls, "jobPosting.info")) == len(with_posting)


def test_a_draft_job_has_no_posting_and_no_description(client):
    drafts = client.list("atsJob", limit=50, filters={"status": "draft"})["data"]
    assert drafts
    assert client.retrieve("atsJob", drafts[0]["id"])["fields"]["description"] is None


def test_the_candidate_is_the_external_attendee(recorded):
    client, calls = recorded
    events = client.list("scheduleEvent", limit=20)["data"]
    assert events and all(e["fields"]["externalAttendees"] == [] for e in events)
    assert not _calls_to(calls, "application.info")  # a plain list pays nothing for them
    event = client.retrieve("scheduleEvent", events[0]["id"])
    application = client.retrieve("atsApplication", event["fields"]["application"]["id"])
    contact = client.retrieve("genericContact", application["fields"]["candidate"]["id"])["fields"]
    assert event["fields"]["externalAttendees"] == [
        {"firstName": contact["firstName"], "lastName": contact["lastName"], "email": contact["email"]}]
    listed = client.list("scheduleEvent", limit=5, fields=["externalAttendees"])["data"]
    assert all(len(e["fields"]["externalAttendees"]) == 1 for e in listed)


def test_external_attendees_need_candidates_read_and_fail_soft_without(sandbox):
    sandbox.add_key("interviews-only", ["interviewsRead"])
    client = AshbyConnector().client(make_ctx(sandbox, key="interviews-only"))
    event_id = AshbyConnector().client(make_ctx(sandbox)).list("scheduleEvent", limit=1)["data"][0]["id"]
    event = client.retrieve("scheduleEvent", event_id)  # no candidatesRead: the event, without them
    assert event["fields"]["externalAttendees"] == [] and event["fields"]["startTime"]


def test_a_retrieved_stage_is_the_same_as_the_listed_one(client):
    listed = client.list("atsApplicationStage", limit=10)["data"]
    for stage in listed[:3]:
        got = client.retrieve("atsApplicationStage", stage["id"])
        assert got["fields"]["isActive"] is not None
        for key in ("name", "order", "type", "isActive", "interviewPlanId"):
            assert got["fields"][key] == stage["fields"][key], key


def test_complete_fills_in_what_lists_omit_as_a_retrieve_shows_it(recorded):
    client, calls = recorded
    connector = AshbyConnector()
    assert connector.list_omitted_fields("atsJob") == {"description": None}
    assert connector.list_omitted_fields("scheduleEvent") == {"externalAttendees": []}
    assert connector.list_omitted_fields("genericContact") == {}
    for model, key in (("atsJob", "description"), ("scheduleEvent", "externalAttendees")):
        listed = [r for r in client.list(model, limit=20, include_remote=True)["data"]]
        target = next(r for r in listed if client.retrieve(model, r["id"])["fields"][key])  # one that has it
        assert target["fields"][key] == connector.list_omitted_fields(model)[key]
        before = len(calls)
        [completed] = client.complete(model, [target])
        assert completed["fields"] == client.retrieve(model, target["id"])["fields"]
        assert completed["remote"] and len(calls) - before >= 1
        assert "_posting" not in target["remote"] and "_candidate" not in target["remote"]  # input untouched
    contacts = client.list("genericContact", limit=2, include_remote=True)["data"]
    before = len(calls)
    assert client.complete("genericContact", contacts) is contacts and len(calls) == before  # nothing omitted
    with pytest.raises(errors.BadRequest):
        client.complete("atsJob", [{"id": "x", "fields": {}}])  # needs the remote record
