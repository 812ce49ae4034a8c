"""Conformance suite generated per (model, operation) from the connector's own operation specs:
every model gets happy path, pagination, not found, not supported, missing Ashby permission,
rate limit, upstream 5xx (reads retried, writes not), malformed body and bad input for free."""

from __future__ import annotations

import time

import pytest

from connectors import errors
from connectors.ashby.connector import OPERATION_SPECS
from connectors.unified import get_model
from tests.connectors.ashby.fake import err

# What each model needs to exercise its operations against the fake Ashby.
SCENARIOS = {
    "genericContact": {"id": "c1", "missing": "c404", "total": 7,
                       "create": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"},
                       "update": {"lastName": "King"},
                       "writes": {"create": "candidate.create", "update": "candidate.update",
                                  "delete": "candidate.anonymize"},
                       "read_only": "company"},
    "genericUser": {"id": "u1", "missing": "u404", "total": 3},
    "genericWorkspace": {"id": "b1", "missing": "b404", "total": 2},
    "scheduleCalendar": {"id": "u1", "missing": "u404", "total": 3, "update": {"dailyLimit": 4},
                         "writes": {"update": "user.updateInterviewerSettings"}, "read_only": "name"},
    "scheduleEventType": {"id": "i1", "missing": "i404", "total": 2},
    "scheduleEvent": {"id": "a1:sch1:e1", "missing": "a1:sch404:e404", "total": 3,
                      "create": {"application": "a1", "startTime": "2026-09-01T10:00:00Z",
                                 "endTime": "2026-09-01T11:00:00Z", "attendees": ["u2"]},
                      "update": {"startTime": "2026-09-01T12:00:00Z", "endTime": "2026-09-01T13:00:00Z"},
                      "writes": {"create": "interviewSchedule.create", "update": "interviewSchedule.update",
                                 "delete": "interviewSchedule.update"}, "read_only": "duration"},
    "atsJob": {"id": "j1", "missing": "j404", "total": 2,
               "create": {"title": "Staff Engineer", "department": "d1", "location": "l1"},
               "update": {"title": "Principal Engineer"},
               "writes": {"create": "job.create", "update": "job.update"}, "read_only": "openedAt"},
    "atsApplication": {"id": "a1", "missing": "a404", "total": 2, "create": {"candidate": "c2", "job": "j1"},
                       "update": {"stage": "s4"},
                       "writes": {"create": "application.create", "update": "application.changeStage"},
                       "read_only": "status"},
    "atsApplicationStage": {"id": "s1", "missing": "s404", "total": 6},
    "atsOffer": {"id": "o1", "missing": "o404", "total": 2,
                 "create": {"application": "a1", "startDate": "2026-10-01",
                            "salary": {"amount": 150000, "currency": "EUR"}},
                 "update": {"startDate": "2026-11-01"},
                 "writes": {"create": "offerProcess.start", "update": "offer.update"}, "read_only": "status"},
}

SUPPORTED = [s for s in OPERATION_SPECS.values() if s.supported]
UNSUPPORTED = [s for s in OPERATION_SPECS.values() if not s.supported]
READS = [s for s in SUPPORTED if s.operation in ("list", "retrieve")]
WRITES = [s for s in SUPPORTED if s.operation in ("create", "update", "delete")]
BY_ID = [s for s in SUPPORTED if s.operation in ("retrieve", "update", "delete")]


def ids(spec):
    return spec.name


@pytest.fixture
def allow_anonymize(ctx):
    ctx.settings["allow_anonymize"] = True


def run(client, spec, *, missing=False):
    sc = SCENARIOS[spec.model]
    target = sc["missing"] if missing else sc["id"]
    if spec.operation == "list":
        return client.list(spec.model, limit=50)
    if spec.operation == "retrieve":
        return client.retrieve(spec.model, target)
    if spec.operation == "create":
        return client.create(spec.model, dict(sc["create"]))
    if spec.operation == "update":
        return client.update(spec.model, target, dict(sc["update"]))
    return client.delete(spec.model, target)


def assert_resource(res, model):
    assert res["object"] == "resource"
    assert res["model"] == model
    assert isinstance(res["id"], str) and res["id"]
    assert set(res["fields"]) == set(get_model(model).keys())
    assert "createdAt" in res and "updatedAt" in res
    for value in res["fields"].values():
        if isinstance(value, dict) and value.get("object") == "resourceRef":
            assert set(value) == {"object", "model", "id"}


def test_every_model_and_operation_is_declared():
    assert len(OPERATION_SPECS) == 50
    assert {s.model for s in OPERATION_SPECS.values()} == set(SCENARIOS)
    for spec in SUPPORTED:
        assert spec.permissions, spec.name
    for spec in UNSUPPORTED:
        assert spec.note.startswith(("Ashby", "Every")), spec.name


@pytest.mark.parametrize("spec", SUPPORTED, ids=ids)
def test_happy_path(client, fake, spec, allow_anonymize):
    result = run(client, spec)
    if spec.operation == "list":
        assert set(result) == {"data", "next"}
        assert result["data"]
        for res in result["data"]:
            assert_resource(res, spec.model)
    elif spec.operation == "delete":
        assert result is None
        assert fake.endpoints()[-1] == SCENARIOS[spec.model]["writes"]["delete"]
    else:
        assert_resource(result, spec.model)
        if spec.operation == "retrieve":
            assert result["id"] == SCENARIOS[spec.model]["id"]
        if spec.operation == "update":
            assert SCENARIOS[spec.model]["writes"]["update"] in fake.endpoints()


@pytest.mark.parametrize("spec", [s for s in SUPPORTED if s.operation == "list"], ids=ids)
def test_pagination_across_several_pages(client, fake, spec):
    fake.page_size = 1  # Ashby pages of one record: every list spans several Ashby pages
    seen, cursor, pages = [], None, 0
    while True:
        page = client.list(spec.model, limit=2, cursor=cursor)
        pages += 1
        assert len(page["data"]) <= 2
        seen += [r["id"] for r in page["data"]]
        cursor = page["next"]
        if cursor is None:
            break
        assert "cur" not in cursor  # Ashby's cursor never leaks as is
        assert pages < 20
    assert len(seen) == len(set(seen)) == SCENARIOS[spec.model]["total"]
    assert pages >= 2


@pytest.mark.parametrize("spec", BY_ID, ids=ids)
def test_not_found(client, spec, allow_anonymize):
    with pytest.raises(errors.NotFound) as exc:
        run(client, spec, missing=True)
    assert exc.value.status == 404
    assert exc.value.code == "CONNECTOR::OPERATION::RESOURCE_NOT_FOUND"


@pytest.mark.parametrize("spec", UNSUPPORTED, ids=ids)
def test_not_supported_before_any_call(client, fake, spec):
    sc = SCENARIOS[spec.model]
    with pytest.raises(errors.NotSupported) as exc:
        if spec.operation == "create":
            client.create(spec.model, {"x": 1})
        elif spec.operation == "update":
            client.update(spec.model, sc["id"], {"x": 1})
        else:
            client.delete(spec.model, sc["id"])
    assert exc.value.status == 501
    assert exc.value.code == "CONNECTOR::OPERATION::NOT_SUPPORTED"
    assert exc.value.message == spec.note
    assert fake.calls == []


def test_contact_delete_needs_anonymize_opt_in(client, fake):
    with pytest.raises(errors.NotSupported) as exc:
        client.delete("genericContact", "c1")
    assert "anonymize" in exc.value.message
    assert fake.calls == []


@pytest.mark.parametrize("spec", SUPPORTED, ids=ids)
def test_missing_ashby_permission(client, fake, spec, allow_anonymize):
    from connectors.ashby.api import ENDPOINT_PERMISSIONS
    fake.denied = set(ENDPOINT_PERMISSIONS)
    with pytest.raises(errors.InsufficientPermissions) as exc:
        run(client, spec)
    assert exc.value.status == 403
    assert exc.value.code == "CONNECTOR::OPERATION::INSUFFICIENT_PERMISSIONS"
    assert exc.value.permission in spec.permissions
    assert exc.value.permission in exc.value.message


@pytest.mark.parametrize("spec", SUPPORTED, ids=ids)
def test_rate_limited_keeps_reset(client, fake, spec, allow_anonymize):
    reset = int(time.time()) + 30
    fake.fail("*", 429, err("rate_limit_exceeded"), headers={"X-RateLimit-Reset": str(reset)})
    with pytest.raises(errors.RateLimited) as exc:
        run(client, spec)
    assert exc.value.status == 429
    assert 25 <= exc.value.retry_after <= 31
    assert len(fake.calls) == 1  # a 429 is never retried blindly


@pytest.mark.parametrize("spec", READS, ids=ids)
def test_upstream_5xx_is_retried_for_reads(client, fake, spec):
    fake.fail("*", 503, "Service Unavailable", times=2)
    result = run(client, spec)
    assert result
    assert fake.calls[0][0] == fake.calls[1][0] == fake.calls[2][0]  # same read, three attempts


@pytest.mark.parametrize("spec", READS, ids=ids)
def test_upstream_5xx_gives_up_after_retries(client, fake, spec):
    fake.fail("*", 500, {}, times=10)
    with pytest.raises(errors.UpstreamError) as exc:
        run(client, spec)
    assert exc.value.status == 502
    assert len(fake.calls) == 4  # first attempt + 3 retries


@pytest.mark.parametrize("spec", WRITES, ids=ids)
def test_upstream_5xx_is_not_retried_for_writes(client, fake, spec, allow_anonymize):
    endpoint = SCENARIOS[spec.model]["writes"][spec.operation]
    fake.fail(endpoint, 502, "Bad gateway", times=5)
    with pytest.raises(errors.UpstreamError) as exc:
        run(client, spec)
    assert exc.value.status == 502
    assert fake.endpoints().count(endpoint) == 1


@pytest.mark.parametrize("spec", SUPPORTED, ids=ids)
@pytest.mark.parametrize("body", ["<html>oops</html>", {"results": []}, [1, 2]], ids=["html", "no-success", "list"])
def test_malformed_upstream_body(client, fake, spec, body, allow_anonymize):
    fake.fail("*", 200, body)
    with pytest.raises(errors.UpstreamError) as exc:
        run(client, spec)
    assert exc.value.status == 502
    assert exc.value.remote_code == "malformed_body"


@pytest.mark.parametrize("spec", [s for s in SUPPORTED if s.operation in ("create", "update")], ids=ids)
def test_bad_input_is_422_naming_the_field_before_any_call(client, fake, spec):
    sc = SCENARIOS[spec.model]
    body = {**sc[spec.operation], "noSuchField": 1}
    with pytest.raises(errors.ValidationFailed) as exc:
        run_with(client, spec, body)
    assert exc.value.status == 422 and exc.value.field == "noSuchField"
    with pytest.raises(errors.ValidationFailed) as exc:
        run_with(client, spec, {**sc[spec.operation], sc["read_only"]: None})
    assert exc.value.field == sc["read_only"]
    assert fake.calls == []


@pytest.mark.parametrize("spec", [s for s in SUPPORTED if s.operation == "create"], ids=ids)
def test_create_missing_required_field(client, fake, spec):
    required = [f.key for f in get_model(spec.model).fields if f.required]
    body = dict(SCENARIOS[spec.model]["create"])
    body.pop(required[0], None)
    with pytest.raises(errors.ValidationFailed) as exc:
        client.create(spec.model, body)
    assert exc.value.field == required[0]
    assert fake.calls == []


@pytest.mark.parametrize("spec", [s for s in SUPPORTED if s.operation in ("create", "update")], ids=ids)
def test_ashby_invalid_input_is_400(client, fake, spec):
    fake.error("*", "invalid_input", times=10)
    with pytest.raises(errors.BadRequest) as exc:
        run(client, spec)
    assert exc.value.status == 400 and exc.value.remote_code == "invalid_input"


@pytest.mark.parametrize("spec", [s for s in SUPPORTED if s.operation == "list"], ids=ids)
def test_unknown_filter_is_400_naming_it(client, fake, spec):
    with pytest.raises(errors.BadRequest) as exc:
        client.list(spec.model, filters={"bogus": "x"})
    assert exc.value.status == 400 and "bogus" in exc.value.message
    assert fake.calls == []


@pytest.mark.parametrize("spec", READS, ids=ids)
def test_invalid_key_is_fatal(ctx, fake, spec):
    from connectors.ashby import AshbyConnector
    ctx.credentials = {"apiKey": "wrong"}
    with pytest.raises(errors.InvalidCredentials) as exc:
        run(AshbyConnector().client(ctx), spec)
    assert exc.value.status == 401 and "wrong" not in exc.value.message


def run_with(client, spec, body):
    if spec.operation == "create":
        return client.create(spec.model, body)
    return client.update(spec.model, SCENARIOS[spec.model]["id"], body)
