"""Cursor pagination, incremental sync with syncToken, cursor/token expiry and determinism."""

from __future__ import annotations

import pytest

from connectors.ashby.sandbox import SandboxServer
from connectors.ashby.sandbox.ids import parse_iso_ms

from .conftest import Ashby

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("endpoint", ["candidate.list", "application.list", "interviewSchedule.list",
                                      "offer.list", "applicationFeedback.list", "user.list", "job.list"])
def test_pages_have_no_duplicates_or_gaps(ashby, endpoint):
    everything, token = ashby.all_pages(endpoint, limit=100)
    paged, token2 = ashby.all_pages(endpoint, limit=7)
    assert [r["id"] for r in paged] == [r["id"] for r in everything]
    assert len({r["id"] for r in paged}) == len(paged)
    assert token and token2 and token != token2


def test_candidate_count_and_application_links(ashby):
    cands, _ = ashby.all_pages("candidate.list")
    apps, _ = ashby.all_pages("application.list")
    assert len(cands) == 40
    assert len(apps) == 48  # one per candidate plus a second one for every fifth
    app_ids = {a["id"] for a in apps}
    linked = [aid for c in cands for aid in c["applicationIds"]]
    assert sorted(linked) == sorted(app_ids)
    by_cand = {c["id"]: c for c in cands}
    jobs = {j["id"]: j for j in ashby.all_pages("job.list", {"status": ["Open", "Closed", "Archived", "Draft"]})[0]}
    for a in apps:
        assert a["candidate"]["id"] in by_cand
        assert a["job"]["id"] in jobs
        plan = jobs[a["job"]["id"]]["defaultInterviewPlanId"]
        assert a["currentInterviewStage"]["interviewPlanId"] == plan
        assert (a["status"] == "Archived") == (a["archiveReason"] is not None) == ("archivedAt" in a)


def test_limit_is_capped_at_100_and_validated():
    with SandboxServer(port=0, api_keys={"k": None}, candidates=150) as server:
        client = Ashby(server, "k")
        page = client("candidate.list", {"limit": 500})
        assert len(page["results"]) == 100 and page["moreDataAvailable"] is True
        assert client.error("candidate.list", {"limit": 0}) == "invalid_input"


def test_filters_page_consistently(ashby):
    apps, _ = ashby.all_pages("application.list")
    job_id = apps[0]["job"]["id"]
    filtered, _ = ashby.all_pages("application.list", {"jobId": job_id}, limit=3)
    assert [a["id"] for a in filtered] == [a["id"] for a in apps if a["job"]["id"] == job_id]
    archived, _ = ashby.all_pages("application.list", {"status": "Archived"}, limit=4)
    assert archived and all(a["status"] == "Archived" for a in archived)
    assert len(archived) == len([a for a in apps if a["status"] == "Archived"])


def test_created_after_filter(ashby):
    cands, _ = ashby.all_pages("candidate.list")
    pivot = parse_iso_ms(cands[25]["createdAt"])
    later, _ = ashby.all_pages("candidate.list", {"createdAfter": pivot}, limit=5)
    assert [c["id"] for c in later] == [c["id"] for c in cands if parse_iso_ms(c["createdAt"]) > pivot]
    assert ashby.error("candidate.list", {"createdAfter": "yesterday"}) == "invalid_input"


def test_job_list_hides_drafts_unless_asked(ashby):
    default, _ = ashby.all_pages("job.list")
    assert {j["status"] for j in default} == {"Open", "Closed", "Archived"}
    drafts, _ = ashby.all_pages("job.list", {"status": ["Draft"]})
    assert drafts and all(j["status"] == "Draft" for j in drafts)


def test_sync_token_returns_only_changes(ashby):
    _, token = ashby.all_pages("candidate.list")
    nothing, token2 = ashby.all_pages("candidate.list", {"syncToken": token})
    assert nothing == [] and token2
    cands, _ = ashby.all_pages("candidate.list")
    ashby.ok("candidate.update", {"candidateId": cands[3]["id"], "company": "ignored", "name": "Renamed Person"})
    created = ashby.ok("candidate.create", {"name": "Brand New", "email": "brand.new@example.com"})
    ashby.ok("candidate.addTag", {"candidateId": cands[3]["id"], "tagId": ashby.ok("candidateTag.list")[0]["id"]})
    changed, token3 = ashby.all_pages("candidate.list", {"syncToken": token2}, limit=1)
    assert [c["id"] for c in changed] == [created["id"], cands[3]["id"]]  # ordered by last change
    assert changed[1]["name"] == "Renamed Person"
    again, _ = ashby.all_pages("candidate.list", {"syncToken": token3})
    assert again == []


def test_changes_during_a_full_pass_are_not_lost(ashby):
    first = ashby("candidate.list", {"limit": 10})
    cand = first["results"][0]
    ashby.ok("candidate.update", {"candidateId": cand["id"], "name": "Changed Mid Pass"})
    body = {"limit": 10, "cursor": first["nextCursor"]}
    while True:
        page = ashby("candidate.list", body)
        if not page["moreDataAvailable"]:
            break
        body["cursor"] = page["nextCursor"]
    changed, _ = ashby.all_pages("candidate.list", {"syncToken": page["syncToken"]})
    assert [c["name"] for c in changed] == ["Changed Mid Pass"]


def test_metadata_lists_sync_too(sbx, ashby):
    _, token = ashby.all_pages("user.list")
    user = ashby.ok("user.list")[0]
    ashby.control("POST", "records/update", {"kind": "user", "id": user["id"], "fields": {"lastName": "Renamed"}})
    changed, _ = ashby.all_pages("user.list", {"syncToken": token})
    assert [(u["id"], u["lastName"]) for u in changed] == [(user["id"], "Renamed")]
    assert changed[0]["updatedAt"] > user["updatedAt"]


def test_sync_token_expired_and_invalid(ashby):
    _, token = ashby.all_pages("department.list")
    assert ashby.error("department.list", {"syncToken": "garbage"}) == "sync_token_invalid"
    assert ashby.error("user.list", {"syncToken": token}) == "sync_token_invalid"  # another endpoint's token
    ashby.control("POST", "faults", {"expireSyncTokens": True})
    assert ashby.error("department.list", {"syncToken": token}) == "sync_token_expired"
    _, fresh = ashby.all_pages("department.list")
    assert ashby.all_pages("department.list", {"syncToken": fresh})[0] == []


def test_incremental_sync_too_large(ashby):
    _, token = ashby.all_pages("candidate.list")
    ashby.control("POST", "faults", {"syncTooLargeNext": 1})
    assert ashby.error("candidate.list", {"syncToken": token}) == "incremental_sync_too_large"
    assert ashby("candidate.list", {"syncToken": token})["success"] is True


def test_cursor_expired_and_invalid(ashby):
    page = ashby("candidate.list", {"limit": 5})
    assert ashby.error("candidate.list", {"cursor": "not-a-cursor"}) == "invalid_next_cursor"
    assert ashby.error("job.list", {"cursor": page["nextCursor"]}) == "invalid_next_cursor"
    ashby.control("POST", "faults", {"expireCursors": True})
    assert ashby.error("candidate.list", {"cursor": page["nextCursor"]}) == "next_cursor_expired"


def test_unpaginated_lists(ashby):
    src = ashby("source.list")
    assert src["moreDataAvailable"] is False and "syncToken" not in src
    reasons = ashby("archiveReason.list")
    assert "moreDataAvailable" not in reasons and all(not r["isArchived"] for r in reasons["results"])
    assert len(ashby.ok("archiveReason.list", {"includeArchived": True})) > len(reasons["results"])
    brands = ashby("brand.list")
    assert "syncToken" not in brands and brands["results"][0]["hostedJobsPageSlug"]


def test_same_seed_same_data_other_seed_other_data():
    def snapshot(seed):
        with SandboxServer(port=0, api_keys={"k": None}, candidates=25, seed=seed) as server:
            client = Ashby(server, "k")
            return [client.all_pages(ep)[0] for ep in ("candidate.list", "application.list", "offer.list",
                                                        "interviewSchedule.list", "job.list", "user.list")]

    assert snapshot(3) == snapshot(3)
    assert snapshot(3)[0] != snapshot(4)[0]


def test_large_dataset_pages_lazily():
    with SandboxServer(port=0, api_keys={"k": None}, candidates=100_000) as server:
        client = Ashby(server, "k")
        page = client("candidate.list", {"limit": 100})
        assert len(page["results"]) == 100
        last = client.ok("candidate.info", {"id": server.state.data.id("candidate", 99_999)})
        assert last["applicationIds"]
        found = client.ok("candidate.search", {"email": last["primaryEmailAddress"]["value"]})
        assert [c["id"] for c in found] == [last["id"]]
        late = client("candidate.list", {"createdAfter": parse_iso_ms(last["createdAt"]) - 1})
        assert [c["id"] for c in late["results"]] == [last["id"]]
        assert len(server.state.coll("candidate").overrides) == 0
