"""Ashby's wire conventions: auth, permissions, envelopes, headers, rate limits, faults, control API."""

from __future__ import annotations

import pytest
import requests

from connectors.ashby.sandbox import ALL_PERMISSIONS, ENDPOINTS, SandboxServer, scope_name

from .conftest import KEY

pytestmark = pytest.mark.e2e


def test_missing_key_is_401(ashby):
    resp = ashby.raw("candidate.list", key=None)
    assert resp.status_code == 401
    assert resp.json()["errorInfo"]["code"] == "unauthenticated"
    assert len(resp.headers["x-ashby-request-id"]) == 26


def test_unknown_key_is_403_and_password_is_ignored(ashby):
    assert ashby.raw("candidate.list", key="nope").status_code == 403
    # Airbyte sends the key as username and password; Ashby ignores the password.
    resp = ashby.http.post(f"{ashby.server.base_url}/candidate.list", json={}, auth=(KEY, KEY))
    assert resp.status_code == 200 and resp.json()["success"] is True


def test_disabled_key_is_403(sbx, ashby):
    ashby.control("POST", "keys", {"apiKey": "off", "permissions": ALL_PERMISSIONS, "enabled": False})
    assert ashby.raw("candidate.list", key="off").status_code == 403


def test_missing_permission_envelope(sbx, ashby):
    ashby.control("POST", "keys", {"apiKey": "ro", "permissions": ["candidatesRead"], "title": "Read only"})
    resp = ashby.raw("job.list", key="ro")
    assert resp.status_code == 403
    body = resp.json()
    assert body["success"] is False
    assert body["errors"] == ["missing_endpoint_permission"]
    assert body["errorInfo"]["code"] == "missing_endpoint_permission"
    assert "jobsRead" in body["errorInfo"]["message"]
    assert body["errorInfo"]["requestId"] == resp.headers["x-ashby-request-id"]
    assert ashby.raw("candidate.list", key="ro").json()["success"] is True


def test_permission_error_status_can_be_200():
    with SandboxServer(port=0, api_keys={"k": ["candidatesRead"]}, candidates=3,
                       permission_error_status=200) as server:
        resp = requests.post(f"{server.base_url}/job.list", json={}, auth=("k", ""), timeout=5)
        assert resp.status_code == 200 and resp.json()["errorInfo"]["code"] == "missing_endpoint_permission"


def test_api_key_info_reports_colon_scopes(sbx, ashby):
    ashby.control("POST", "keys", {"apiKey": "two", "permissions": ["jobs:read", "candidatesRead", "apiKeysRead"]})
    info = ashby.ok("apiKey.info", key="two")
    assert info["scopes"] == ["jobs:read", "candidates:read", "apiKeys:read"]
    assert set(info) == {"title", "createdAt", "scopes"}
    assert scope_name("hiringProcessMetadataWrite") == "hiringProcessMetadata:write"


def test_every_endpoint_requires_a_known_permission():
    for name, (permission, _) in ENDPOINTS.items():
        assert permission in ALL_PERMISSIONS, name


def test_unknown_endpoint_404_and_get_405(ashby):
    assert ashby.raw("candidate.frobnicate").status_code == 404
    resp = ashby.http.get(f"{ashby.server.base_url}/candidate.list", auth=(KEY, ""))
    assert resp.status_code == 405


def test_malformed_json_is_invalid_input(ashby):
    resp = ashby.http.post(f"{ashby.server.base_url}/candidate.list", data="{nope",
                           headers={"Content-Type": "application/json"}, auth=(KEY, ""))
    assert resp.status_code == 200
    assert resp.json()["errorInfo"] == {"code": "invalid_input", "message": "Request payload is malformed",
                                        "requestId": resp.headers["x-ashby-request-id"]}


def test_unknown_keys_ignored_and_empty_body_ok(ashby):
    assert ashby.ok("source.list", {"limit": 100, "whatever": True})
    resp = ashby.http.post(f"{ashby.server.base_url}/brand.list", auth=(KEY, ""))
    assert resp.json()["success"] is True


def test_legacy_snake_case_aliases(sbx, ashby):
    app = ashby.ok("application.list", {"limit": 1, "status": "Active"})[0]
    stages = ashby.ok("interviewStage.list", {"interviewPlanId": app["currentInterviewStage"]["interviewPlanId"]})
    target = next(s for s in stages if s["type"] == "Offer")
    moved = ashby.ok("application.change_stage", {"applicationId": app["id"], "interviewStageId": target["id"]})
    assert moved["currentInterviewStage"]["id"] == target["id"]
    source = ashby.ok("source.list")[2]
    assert ashby.ok("application.change_source", {"applicationId": app["id"], "sourceId": source["id"]})[
        "source"]["id"] == source["id"]


def test_rate_limit_headers_and_429(sbx, ashby):
    resp = ashby.raw("brand.list")
    assert resp.headers["X-RateLimit-Limit"] == "1000"
    assert int(resp.headers["X-RateLimit-Remaining"]) == 999
    assert int(resp.headers["X-RateLimit-Reset"]) > 0
    ashby.control("POST", "faults", {"perMinuteLimit": 3})
    statuses = [ashby.raw("brand.list").status_code for _ in range(4)]
    assert statuses[-1] == 429
    body = ashby.raw("brand.list").json()
    assert body["errorInfo"]["code"] == "rate_limit_exceeded"


def test_forced_429_and_partner_scope(ashby):
    ashby.control("POST", "faults", {"rateLimitNext": 1, "partnerRateLimitNext": 1})
    first = ashby.raw("brand.list")
    assert first.status_code == 429 and first.headers["X-RateLimit-Scope"] == "integration-partner"
    second = ashby.raw("brand.list")
    assert second.status_code == 429 and "X-RateLimit-Scope" not in second.headers
    assert ashby.raw("brand.list").status_code == 200


def test_fail_next_and_fail_rate(ashby):
    ashby.control("POST", "faults", {"failNext": 2, "failStatus": 500})
    assert [ashby.raw("brand.list").status_code for _ in range(3)] == [500, 500, 200]
    ashby.control("POST", "faults", {"failRate": 1.0})
    assert ashby.raw("brand.list").status_code == 500
    ashby.control("DELETE", "faults")
    assert ashby.raw("brand.list").status_code == 200


def test_malformed_next(ashby):
    ashby.control("POST", "faults", {"malformedNext": 1})
    resp = ashby.raw("brand.list")
    assert resp.status_code == 200
    with pytest.raises(ValueError):
        resp.json()
    assert ashby.raw("brand.list").json()["success"] is True


def test_latency_fault_is_accepted(ashby):
    faults = ashby.control("POST", "faults", {"latencyMs": 5})
    assert faults["latencyMs"] == 5
    assert ashby.ok("brand.list")


def test_unknown_fault_is_rejected(ashby):
    resp = ashby.http.post(f"{ashby.server.base_url}/_sandbox/faults", json={"bogus": 1})
    assert resp.status_code == 400


def test_request_log_records_calls(sbx, ashby):
    ashby.control("DELETE", "requests")
    ashby.raw("candidate.list", {"limit": 2})
    ashby.raw("job.list", key=None)
    log = ashby.control("GET", "requests")["requests"]
    assert [(r["method"], r["path"], r["apiKey"], r["status"]) for r in log] == [
        ("POST", "/candidate.list", KEY, 200), ("POST", "/job.list", None, 401)]
    assert log[0]["body"] == {"limit": 2}
    assert ashby.control("GET", "requests?path=job.list")["count"] == 1
    assert len(sbx.request_log("/candidate.list")) == 1


def test_reset_restores_seed_and_keys(sbx, ashby):
    cand = ashby.ok("candidate.create", {"name": "Temp Person"})
    ashby.control("POST", "keys", {"apiKey": "extra", "permissions": []})
    ashby.control("POST", "reset")
    assert ashby.error("candidate.info", {"id": cand["id"]}) == "candidate_not_found"
    assert ashby.raw("brand.list", key="extra").status_code == 403
    # The log was emptied by the reset: only the two calls after it remain.
    assert ashby.control("GET", "requests")["count"] == 2


def test_info_and_health(ashby):
    assert ashby.control("GET", "health") == {"ok": True}
    info = ashby.control("GET", "info")
    assert info["candidates"] == 40 and info["sample"]["customFieldIds"]["Years of experience"]


def test_context_manager_and_cli_flags_parse():
    from connectors.ashby.sandbox.__main__ import _key_arg

    assert _key_arg("abc") == ("abc", list(ALL_PERMISSIONS))
    assert _key_arg("abc=jobs:read,candidatesWrite") == ("abc", ["jobsRead", "candidatesWrite"])
    with SandboxServer(port=0, candidates=2) as server:
        assert requests.post(f"{server.base_url}/brand.list", json={}, auth=("sandbox-key", ""),
                             timeout=5).json()["success"]


def test_cli_prints_base_url_when_ready():
    import os
    import re
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))))
    proc = subprocess.Popen([sys.executable, "-m", "connectors.ashby.sandbox", "--port", "0", "--api-key",
                             "cli-key=candidatesRead", "--candidates", "5", "--seed", "3"],
                            cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)", line).group(1)
        assert requests.post(f"{base}/candidate.list", json={}, auth=("cli-key", ""), timeout=5).json()[
            "success"] is True
        assert requests.post(f"{base}/job.list", json={}, auth=("cli-key", ""), timeout=5).status_code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_faults_can_target_one_endpoint(sbx, ashby):
    ashby.control("POST", "faults", {"failNext": 1, "faultEndpoint": "candidate.list"})
    assert ashby.raw("brand.list").status_code == 200
    assert ashby.raw("candidate.list").status_code == 503
    assert ashby.raw("candidate.list").status_code == 200
    cand = ashby.ok("candidate.list", {"limit": 1})[0]
    assert sbx.get("candidate", cand["id"]) == cand
    assert sbx.get("candidate", "missing") is None
