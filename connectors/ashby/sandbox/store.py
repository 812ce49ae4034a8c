"""In-memory state: lazily generated seed records plus the mutations made through the API.

Each `Collection` serves one Ashby object type. Seeded records come from a factory (index ->
record) and are never stored; a mutated seeded record is copied into `overrides`, and records
created through the API go to `created` (insertion order is their list order, after the seeded
ones). Every mutation bumps a global sequence number and appends to the collection's change log,
which is what incremental sync (`syncToken`) reads: O(changes), not O(total).
"""

from __future__ import annotations

import collections
import copy
import random
import threading

from .ids import now_iso
from .permissions import ALL_PERMISSIONS
from .seed import SeedData


class Collection:
    def __init__(self, kind, codec, count, factory, bound_ms=None, segments=None):
        self.kind = kind
        self.codec = codec
        self.count = count
        self.factory = factory
        # bound_ms(i): an upper bound of record i's createdAt that never decreases inside a segment;
        # it lets `createdAfter` skip straight to the first candidate index instead of scanning.
        self.bound_ms = bound_ms
        self.segments = segments or [(0, count)]
        self.overrides: dict[str, dict] = {}
        self.created: dict[str, dict] = {}
        self.created_order: list[str] = []
        self.deleted: set[str] = set()
        self.latest_seq: dict[str, int] = {}
        self.log: list[tuple[int, str]] = []

    # -- lookup
    def seeded_index(self, rid) -> int | None:
        i = self.codec.decode(rid)
        return i if i is not None and i < self.count else None

    def get(self, rid) -> dict | None:
        if not isinstance(rid, str) or rid in self.deleted:
            return None
        rec = self.overrides.get(rid) or self.created.get(rid)
        if rec is not None:
            return rec
        i = self.seeded_index(rid)
        return self.factory(i) if i is not None else None

    def at(self, pos: int) -> dict | None:
        if pos < self.count:
            rid = self.codec.encode(pos)
            if rid in self.deleted:
                return None
            return self.overrides.get(rid) or self.factory(pos)
        k = pos - self.count
        if k < len(self.created_order):
            rid = self.created_order[k]
            return None if rid in self.deleted else self.created[rid]
        return None

    @property
    def total_positions(self) -> int:
        return self.count + len(self.created_order)

    def for_update(self, rid) -> dict | None:
        """The stored, mutable copy of a record (copy-on-write for seeded records)."""
        if rid in self.overrides:
            return self.overrides[rid]
        if rid in self.created:
            return self.created[rid]
        rec = self.get(rid)
        if rec is None:
            return None
        rec = copy.deepcopy(rec)
        self.overrides[rid] = rec
        return rec

    def add(self, rec: dict) -> dict:
        self.created[rec["id"]] = rec
        self.created_order.append(rec["id"])
        return rec

    def record_change(self, rid: str, seq: int):
        self.latest_seq[rid] = seq
        self.log.append((seq, rid))

    def skip_table(self, created_after_ms: int | None) -> list[tuple[int, int, int]]:
        """[(segment start, segment end, first position worth scanning)] for a createdAfter filter."""
        table = []
        for a, b in self.segments:
            start = a
            if created_after_ms is not None and self.bound_ms is not None and b > a:
                lo, hi = a, b
                while lo < hi:
                    mid = (lo + hi) // 2
                    if self.bound_ms(mid) > created_after_ms:
                        hi = mid
                    else:
                        lo = mid + 1
                start = lo
            table.append((a, b, start))
        return table


def _skip(pos: int, table) -> int:
    for a, b, start in table:
        if a <= pos < b:
            return max(pos, start)
    return pos


class State:
    """Everything the sandbox knows. All access goes through `lock` (handlers hold it)."""

    def __init__(self, seed=1, candidates=50, jobs=12, users=25):
        self.lock = threading.RLock()
        self.config = {"seed": seed, "candidates": candidates, "jobs": jobs, "users": users}
        self.reset_data()

    def reset_data(self):
        c = self.config
        self.data = sd = SeedData(c["seed"], c["candidates"], c["jobs"], c["users"])
        self.seq = 0
        self.rng = random.Random(f"sandbox-runtime:{c['seed']}")

        def listed(kind, items):
            return Collection(kind, sd.codec[kind], len(items), lambda i, items=items: items[i])

        n, na = sd.n_candidates, sd.n_applications
        app_segments = [(0, n), (n, na)]
        def sched_bound(j):
            # Schedules, offers and feedback happen within weeks of the application.
            return sd.application_bound_ms(j) + 400 * 86_400_000

        self.collections = {
            "user": listed("user", sd.users),
            "brand": listed("brand", sd.brands),
            "department": listed("department", sd.departments),
            "location": listed("location", sd.locations),
            "source": listed("source", sd.sources),
            "archiveReason": listed("archiveReason", sd.archive_reasons),
            "tag": listed("tag", sd.tags),
            "customField": listed("customField", sd.custom_fields),
            "interview": listed("interview", sd.interviews),
            "job": listed("job", sd.jobs),
            "interviewPlan": listed("interviewPlan", sd.plans),
            "interviewStage": listed("interviewStage", sd.stages),
            "candidate": Collection("candidate", sd.codec["candidate"], n, sd.candidate,
                                    bound_ms=sd.candidate_created_ms),
            "application": Collection("application", sd.codec["application"], na, sd.application,
                                      bound_ms=sd.application_bound_ms, segments=app_segments),
            "interviewSchedule": Collection("interviewSchedule", sd.codec["interviewSchedule"], na,
                                            sd.interview_schedule, bound_ms=sched_bound, segments=app_segments),
            "offer": Collection("offer", sd.codec["offer"], na, sd.offer, bound_ms=sched_bound,
                                segments=app_segments),
            "feedback": Collection("feedback", sd.codec["feedback"], na, sd.feedback, bound_ms=sched_bound,
                                   segments=app_segments),
        }
        # Applications created through the API, per candidate (seeded ones are derived).
        self.created_app_ids: dict[str, list[str]] = collections.defaultdict(list)
        self.offer_processes: dict[str, dict] = {}
        self.offer_forms: dict[str, dict] = {}
        self.webhooks: dict[str, dict] = {}
        self.sync_tokens: dict[str, dict] = {}
        self.token_generation = 0
        self.cursor_generation = 0

    def coll(self, kind: str) -> Collection:
        return self.collections[kind]

    def get(self, kind: str, rid) -> dict | None:
        return self.collections[kind].get(rid)

    def touch(self, kind: str, rec: dict, *, stamp: bool = True) -> dict:
        """Record that `rec` changed: bump the sequence (incremental sync) and its updatedAt."""
        self.seq += 1
        if stamp:
            if "updatedAt" in rec:
                rec["updatedAt"] = now_iso()
            elif "_updatedAt" in rec:
                rec["_updatedAt"] = now_iso()
        self.collections[kind].record_change(rec["id"], self.seq)
        return rec

    def scan(self, kind: str, pos: int, table):
        """Yield (position, record) from `pos`, skipping gaps, deletions and createdAfter ranges."""
        coll = self.collections[kind]
        total = coll.total_positions
        pos = _skip(pos, table)
        while pos < total:
            nxt = _skip(pos, table)
            if nxt != pos:
                pos = nxt
                continue
            rec = coll.at(pos)
            if rec is not None:
                yield pos, rec
            pos += 1

    # -- helpers used by several endpoints
    def application_ids_for_candidate(self, cand: dict) -> list[str]:
        idx = cand.get("_index")
        ids = self.data.seeded_application_ids_for(idx) if idx is not None else []
        ids = [a for a in ids if a not in self.collections["application"].deleted]
        return ids + self.created_app_ids.get(cand["id"], [])

    def stages_of_plan(self, plan_id: str) -> list[dict]:
        coll = self.collections["interviewStage"]
        plan_index = self.collections["interviewPlan"].seeded_index(plan_id)
        out = []
        if plan_index is not None:
            base = plan_index * 8
            out = [coll.get(coll.codec.encode(base + k)) for k in range(8)]
        out += [coll.created[i] for i in coll.created_order if coll.created[i]["interviewPlanId"] == plan_id]
        return sorted(out, key=lambda s: s["orderInInterviewPlan"])


def default_key(key: str, permissions=None, title: str | None = None) -> dict:
    return {"apiKey": key, "title": title or "Switchboard sandbox key",
            "permissions": list(ALL_PERMISSIONS if permissions is None else permissions),
            "createdAt": "2026-01-15T10:00:00.000Z", "enabled": True}


__all__ = ["Collection", "State", "default_key"]
