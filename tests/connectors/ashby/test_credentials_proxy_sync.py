from __future__ import annotations

import pytest

from connectors import errors
from connectors.ashby import AshbyConnector
from connectors.ashby.connector import scope_to_permission
from tests.connectors.ashby.fake import err


@pytest.mark.parametrize("scope,perm", [("candidates:read", "candidatesRead"), ("jobs:write", "jobsWrite"),
                                        ("hiring_process_metadata:read", "hiringProcessMetadataRead"),
                                        ("hiringProcessMetadata:write", "hiringProcessMetadataWrite"),
                                        ("api_keys:write", "apiKeysWrite"), ("candidatesRead", "candidatesRead"),
                                        ("", None)])
def test_scope_spelling(scope, perm):
    assert scope_to_permission(scope) == perm


def test_check_credentials_reads_scopes(ctx, fake):
    fake.scopes = ["candidates:read", "jobs:read"]
    check = AshbyConnector().check_credentials(ctx)
    assert check.granted_permissions == ["apiKeysRead", "candidatesRead", "jobsRead"]
    assert check.info["title"] == "Test key" and check.info["source"] == "apiKey.info"
    assert fake.endpoints() == ["apiKey.info"]


def test_check_credentials_probes_when_key_info_denied(ctx, fake):
    fake.denied = {"apiKey.info", "offer.list", "interview.list"}
    check = AshbyConnector().check_credentials(ctx)
    assert set(check.granted_permissions) == {"candidatesRead", "jobsRead", "organizationRead",
                                              "hiringProcessMetadataRead"}
    assert check.info["source"] == "probe"
    assert "candidate.list" in fake.endpoints()


def test_check_credentials_bad_key(ctx, fake):
    ctx.credentials = {"apiKey": "nope"}
    with pytest.raises(errors.InvalidCredentials):
        AshbyConnector().check_credentials(ctx)
    fake.fail("apiKey.info", 403, "Forbidden")  # deactivated key: 403 without the permission code
    ctx.credentials = {"apiKey": "test-key-abc123"}
    with pytest.raises(errors.InvalidCredentials):
        AshbyConnector().check_credentials(ctx)


def test_missing_key_is_invalid_credentials(ctx):
    ctx.credentials = {}
    with pytest.raises(errors.InvalidCredentials):
        AshbyConnector().client(ctx)


def test_deprecated_error_shapes(client, fake):
    fake.fail("job.info", 200, {"success": False, "errors": ["job_not_found"]})
    with pytest.raises(errors.NotFound):
        client.retrieve("atsJob", "j1")
    fake.fail("job.info", 200, {"success": False, "errors": [{"message": "bad id", "parameter": "id"}]})
    with pytest.raises(errors.BadRequest) as exc:
        client.retrieve("atsJob", "j1")
    assert "bad id" in exc.value.message
    fake.fail("job.info", 200, {"success": False})
    with pytest.raises(errors.BadRequest):
        client.retrieve("atsJob", "j1")
    fake.fail("job.info", 200, {"success": False, "errorInfo": {"code": "application_blocked"}})
    with pytest.raises(errors.BadRequest):
        client.retrieve("atsJob", "j1")


def test_permission_error_as_200(client, fake):
    fake.error("job.info", "missing_endpoint_permission")
    with pytest.raises(errors.InsufficientPermissions) as exc:
        client.retrieve("atsJob", "j1")
    assert exc.value.permission == "jobsRead"


# -- proxy ----------------------------------------------------------------------------------------

def test_proxy_passes_status_and_body(client, fake, calls):
    status, headers, body = client.proxy("POST", "/job.info", data={"id": "j1"})
    assert status == 200 and body["results"]["id"] == "j1"
    assert headers["x-ashby-request-id"] == "01REQ" and "authorization" not in headers
    assert calls[-1].url.endswith("/job.info")
    status, _, body = client.proxy("POST", "/job.info", data={"id": "nope"})
    assert status == 200 and body["success"] is False  # Ashby's answer, untouched


def test_proxy_passes_errors_through(client, fake):
    fake.fail("job.info", 429, err("rate_limit_exceeded"), headers={"X-RateLimit-Reset": "1"})
    status, headers, body = client.proxy("POST", "/job.info", data={})
    assert status == 429 and body["errorInfo"]["code"] == "rate_limit_exceeded"
    fake.fail("job.info", 502, "<html>bad gateway</html>", headers={"Content-Type": "text/html"})
    status, _, body = client.proxy("POST", "/job.info", data={})
    assert status == 502 and body == "<html>bad gateway</html>"
    assert fake.endpoints().count("job.info") == 2  # proxied calls are never retried


@pytest.mark.parametrize("kw", [
    {"path": "https://evil.test/job.info"}, {"path": "//evil.test/x"}, {"path": "/../etc/passwd"},
    {"path": "/a/%2E%2E/b"}, {"path": "job.info"}, {"path": "/job.info", "headers": {"Authorization": "Basic x"}},
    {"path": "/job.info", "headers": {"authorization": "Bearer y"}}, {"path": "/job.info", "headers": {"Host": "x"}},
    {"path": "/job.info", "method": "TRACE"}, {"path": "/job.info", "query": ["x"]},
])
def test_proxy_refuses(client, fake, kw):
    args = {"method": "POST", **kw}
    with pytest.raises(errors.BadRequest):
        client.proxy(args.pop("method"), args.pop("path"), **args)
    assert fake.calls == []


def test_proxy_sends_key_and_custom_headers(client, fake, rsps):
    client.proxy("POST", "/job.info", data={"id": "j1"}, headers={"Accept": "application/json; version=1"},
                 query={"x": "1"})
    req = rsps.calls[-1].request
    assert req.headers["Authorization"].startswith("Basic ") and req.headers["Accept"].endswith("version=1")
    assert req.url.endswith("/job.info?x=1")


# -- sync -----------------------------------------------------------------------------------------

def test_full_then_incremental_sync(client, fake):
    fake.page_size = 3
    full = client.sync("genericContact")
    pages = list(full.pages())
    assert [len(p) for p in pages] == [3, 3, 1] and full.sync_token == "tok-new" and not full.incremental
    assert pages[0][0]["object"] == "resource"
    inc = client.sync("genericContact", sync_token="tok-old")
    list(inc.pages())
    assert inc.incremental and all(body.get("syncToken") == "tok-old" for e, body in fake.calls[-3:])
    assert inc.sync_token == "tok-new" and inc.complete


@pytest.mark.parametrize("code", ["sync_token_expired", "sync_token_invalid", "incremental_sync_too_large"])
def test_expired_sync_token(client, fake, code):
    fake.error("job.list", code)
    result = client.sync("atsJob", sync_token="old")
    with pytest.raises(errors.SyncTokenExpired):
        list(result.pages())
    assert result.sync_token is None


def test_models_without_sync_token_do_full_passes(client, fake):
    stages = client.sync("atsApplicationStage", sync_token="ignored")
    rows = [r for page in stages.pages() for r in page]
    assert len(rows) == 6 and stages.sync_token is None and not stages.incremental
    brands = client.sync("genericWorkspace", sync_token="ignored")
    assert sum(len(p) for p in brands) == 2 and brands.sync_token is None
    assert all("syncToken" not in body for _, body in fake.calls)


def test_sync_events_and_calendars(client):
    events = client.sync("scheduleEvent")
    assert [r["id"] for p in events.pages() for r in p] == ["a1:sch1:e1", "a1:sch1:e2", "a2:sch2:e3"]
    assert events.sync_token == "tok-new"
    cals = client.sync("scheduleCalendar")
    rows = [r for p in cals.pages() for r in p]
    assert rows[0]["fields"]["dailyLimit"] == 3
