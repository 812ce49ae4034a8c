"""The generated reader of every Ashby mapping gives exactly what the reference loop gives, on
well-formed, odd and hostile records (nulls, wrong types, unknown enum values, lists of junk)."""

from __future__ import annotations

import random

import pytest

from connectors.ashby.client import HANDLERS

ODD_VALUES = [None, "", "x", "Active", "2024-01-02T03:04:05.000Z", 0, 7, -1.5, True, False, [], [None],
              ["a", "b"], [{"id": "u1", "title": "T", "value": "v@example.com", "type": "Work"}], {}, {"id": "r1"},
              {"value": "Personal", "title": 3}, [{"url": "https://x.test", "type": "LinkedIn"}, 5]]


def _put(record: dict, path: str, value) -> None:
    parts = path.split(".")
    cur = record
    for part in parts[:-1]:
        if part.isdigit():
            return  # list positions: the random record keeps whatever is there
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            nxt = cur[part] = {}
        cur = nxt
    if not parts[-1].isdigit():
        cur[parts[-1]] = value


def _records(mapping, rng: random.Random, n: int):
    yield from (None, [], "not a record", {})
    paths = [f.path for f in mapping.fields if f.path]
    for _ in range(n):
        record: dict = {}
        for path in paths:
            if rng.random() < 0.8:
                _put(record, path, rng.choice(ODD_VALUES))
        yield record


@pytest.mark.parametrize("model", sorted(HANDLERS))
def test_compiled_reader_equals_reference(model):
    mapping = HANDLERS[model].mapping
    rng = random.Random(model)
    for record in _records(mapping, rng, 400):
        assert mapping.read(record) == mapping.read_generic(record), record


def test_compiled_reader_on_sandbox_candidates():
    import requests

    from connectors.ashby.sandbox import SandboxServer

    with SandboxServer(port=0, api_keys={"k": ["candidatesRead"]}, candidates=50, seed=4) as server:
        records = requests.post(f"{server.base_url}/candidate.list", json={"limit": 100}, auth=("k", ""),
                                timeout=10).json()["results"]
    mapping = HANDLERS["genericContact"].mapping
    assert len(records) == 50
    for record in records:
        fields, warnings = mapping.read(record)
        assert (fields, warnings) == mapping.read_generic(record)
        assert fields["firstName"]


def test_only_selects_fields_through_the_reference_path():
    mapping = HANDLERS["atsJob"].mapping
    fields, _ = mapping.read({"title": "Engineer", "status": "Open"}, only={"title"})
    assert fields == {"title": "Engineer"}
