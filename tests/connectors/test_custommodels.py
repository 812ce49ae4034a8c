"""Custom model definitions, paths, transforms and paging, without HTTP."""

from __future__ import annotations

import pytest

from connectors import custommodels as cm
from connectors import errors

RECORD = {"id": "r1", "createdAt": "2026-01-01T00:00:00.000Z", "name": " Eng ", "score": "7",
          "tags": [{"title": "A"}, {"title": "B"}, {"title": None}],
          "form": {"sections": [{"fields": [{"t": "x"}, {"t": "y"}]}, {"fields": [{"t": "z"}]}]},
          "rating": "3", "flag": "yes", "owner": {"id": "u1"}, "ids": ["a", "b"]}


def parse(**extra):
    base = {"name": "thing", "source": {"list": "thing.list"}, "fields": [{"key": "name"}]}
    base.update(extra)
    return cm.parse_definition(base)


def test_paths():
    assert cm.resolve(RECORD, "owner.id") == "u1"
    assert cm.resolve(RECORD, "$.owner.id") == "u1"
    assert cm.resolve(RECORD, "tags.1.title") == "B"
    assert cm.resolve(RECORD, "tags[0].title") == "A"
    assert cm.resolve(RECORD, "tags.*.title") == ["A", "B"]
    assert cm.resolve(RECORD, "form.sections.*.fields.*.t") == ["x", "y", "z"]
    assert cm.resolve(RECORD, "missing.deeper") is None
    assert cm.resolve(RECORD, "tags.9.title") is None
    assert cm.resolve(RECORD, "$") is RECORD


def test_fields_with_transforms_and_types():
    d = parse(fields=[
        {"key": "name", "path": "name", "transform": ["trim", "lower"]},
        {"key": "score", "type": "number", "path": "score", "transform": "number"},
        {"key": "tagTitles", "type": "array", "items": "string", "path": "tags", "transform": [{"pluck": "title"}]},
        {"key": "tagText", "path": "tags.*.title", "transform": {"join": "|"}},
        {"key": "rating", "type": "enum", "options": ["low", "high"], "path": "rating",
         "transform": {"map": {"1": "low", "3": "high"}}},
        {"key": "flag", "type": "boolean", "path": "flag", "transform": "boolean"},
        {"key": "count", "type": "number", "path": "tags", "transform": "count"},
        {"key": "owner", "type": "ref", "ref": "genericUser", "path": "owner.id"},
        {"key": "many", "type": "ref", "ref": "genericUser", "path": "ids", "many": True},
        {"key": "fallback", "path": "nothing", "transform": {"default": "n/a"}},
        {"key": "wrong", "type": "number", "path": "name"},
        {"key": "broken", "type": "number", "path": "name", "transform": "number"},
    ])
    res = cm.to_resource(d, RECORD)
    f = res["fields"]
    assert f["name"] == "eng" and f["score"] == 7 and f["tagTitles"] == ["A", "B"] and f["tagText"] == "A|B"
    assert f["rating"] == "high" and f["flag"] is True and f["count"] == 3
    assert f["owner"] == {"object": "resourceRef", "model": "genericUser", "id": "u1"}
    assert [r["id"] for r in f["many"]] == ["a", "b"]
    assert f["fallback"] == "n/a"
    assert f["wrong"] == " Eng " and f["broken"] is None
    codes = {w["field"]: w["code"] for w in res["warnings"]}
    assert codes == {"wrong": "typeMismatch", "broken": "transformFailed"}
    assert res["createdAt"] == res["updatedAt"] == "2026-01-01T00:00:00.000Z"
    assert "remote" not in res and cm.to_resource(d, RECORD, include_remote=True)["remote"] is RECORD


def test_record_without_id_is_an_upstream_error():
    with pytest.raises(errors.UpstreamError, match="idPath"):
        cm.to_resource(parse(), {"name": "x"})


def test_cursor_paging_and_local_filters():
    d = parse(filters=[{"key": "kind", "path": "kind"}, {"key": "app", "param": "applicationId"}],
              where=[{"path": "hidden", "notEquals": True}])
    pages = {None: ([{"id": "1", "kind": "a"}, {"id": "2", "kind": "b", "hidden": True}], "c1"),
             "c1": ([{"id": "3", "kind": "b"}], "c2"), "c2": ([{"id": "4", "kind": "a"}], None)}
    calls = []

    def call(endpoint, body):
        calls.append(body)
        items, nxt = pages[body.get("cursor")]
        return {"results": items, "moreDataAvailable": nxt is not None, **({"nextCursor": nxt} if nxt else {})}

    records, state = cm.list_page(d, call, limit=2, state={})
    assert [r["id"] for r in records] == ["1"] and state == {"c": "c1"}
    # Local filters can empty an Ashby page; the pager reads on rather than answer an empty page.
    records, state = cm.list_page(d, call, limit=2, state={}, filters={"kind": "b"})
    assert [r["id"] for r in records] == ["3"] and state == {"c": "c2"}
    cm.list_page(d, call, limit=2, state={}, filters={"app": "A1"})
    assert calls[-1] == {"applicationId": "A1", "limit": 2}
    assert [r["id"] for r in cm.iter_records(d, call)] == ["1", "3", "4"]
    assert cm.retrieve_record(d, call, "4")["id"] == "4"
    with pytest.raises(errors.NotFound):
        cm.retrieve_record(d, call, "2")  # excluded by `where`
    with pytest.raises(errors.BadRequest, match="supported: app, kind"):
        cm.list_page(d, call, limit=2, state={}, filters={"colour": "red"})


def test_unpaginated_endpoint_is_sliced_by_offset():
    d = parse(source={"list": {"endpoint": "source.list", "pagination": "none"}})

    def call(endpoint, body):
        assert "limit" not in body
        return {"results": [{"id": str(i)} for i in range(5)]}

    first, state = cm.list_page(d, call, limit=2, state={})
    second, state2 = cm.list_page(d, call, limit=2, state=state)
    third, end = cm.list_page(d, call, limit=2, state=state2)
    assert [r["id"] for r in first + second + third] == ["0", "1", "2", "3", "4"] and end is None


def test_info_endpoint_retrieve():
    d = parse(source={"list": "thing.list", "retrieve": {"endpoint": "thing.info", "idParam": "thingId"}})

    def call(endpoint, body):
        assert endpoint == "thing.info" and body == {"thingId": "x"}
        return {"results": {"id": "x"}}

    assert cm.retrieve_record(d, call, "x") == {"id": "x"}


@pytest.mark.parametrize(("raw", "field"), [
    ({"source": {"list": "candidate.anonymize"}}, "source.list.endpoint"),
    ({"source": {"list": "thing.list", "retrieve": "thing.update"}}, "source.retrieve.endpoint"),
    ({"source": {"list": "thing.list", "extra": 1}}, "source.extra"),
    ({"source": {"list": {"endpoint": "thing.list", "pagination": "pages"}}}, "source.list.pagination"),
    ({"fields": [{"key": "a", "transform": {"pluck": 3}}]}, "fields[0].transform"),
    ({"fields": [{"key": "a", "transform": {"lower": 1}}]}, "fields[0].transform"),
    ({"fields": [{"key": "a", "type": "enum"}]}, "fields[0].options"),
    ({"fields": [{"key": "a", "options": ["x"]}]}, "fields[0].options"),
    ({"fields": [{"key": "a", "bogus": 1}]}, "fields[0].bogus"),
    ({"idPath": "a b"}, "idPath"),
    ({"where": [{"path": "a", "in": "x"}]}, "where[0].in"),
    ({"filters": [{"key": "a", "param": "cursor"}]}, "filters[0].param"),
])
def test_bad_definitions(raw, field):
    with pytest.raises(cm.DefinitionError) as exc:
        parse(**raw)
    assert exc.value.field == field


def test_fields_json():
    d = parse(fields=[{"key": "p", "type": "ref", "ref": "thing", "path": "parentId", "transform": "trim"}])
    [f] = cm.fields_json(d)
    assert f["type"] == "ref" and f["model"] == "thing" and f["isCustom"] is True and f["isValueReadOnly"] is True
    assert f["remote"] == {"path": "parentId", "transform": ["trim"]}
