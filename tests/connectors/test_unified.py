from __future__ import annotations

import pytest

from connectors import errors, unified


def test_ten_models():
    assert unified.model_names() == ["genericContact", "genericUser", "genericWorkspace", "scheduleCalendar",
                                     "scheduleEventType", "scheduleEvent", "atsJob", "atsApplication",
                                     "atsApplicationStage", "atsOffer"]
    assert unified.get_model("nope") is None


@pytest.mark.parametrize("model,body,field", [
    ("genericContact", {"firstName": 3}, "firstName"),
    ("genericContact", {"firstName": "A", "email": "no-at-sign"}, "email"),
    ("genericContact", {"firstName": "A", "socialLinks": [{"type": "x"}]}, "socialLinks[0].url"),
    ("genericContact", {"firstName": "A", "socialLinks": "x"}, "socialLinks"),
    ("genericContact", {"firstName": "A", "owner": {"model": "atsJob", "id": "j"}}, "owner"),
    ("genericContact", {"firstName": "A", "owner": 5}, "owner"),
    ("genericContact", {"lastName": "B"}, "firstName"),
    ("genericContact", {"firstName": None}, "firstName"),
    ("genericContact", {"firstName": "A", "applications": []}, "applications"),
    ("atsJob", {"title": "T", "department": "d", "location": "l", "status": "paused"}, "status"),
    ("atsOffer", {"application": "a", "startDate": "tomorrow"}, "startDate"),
    ("atsOffer", {"application": "a", "salary": {"amount": "1", "currency": "USD"}}, "salary.amount"),
    ("atsOffer", {"application": "a", "salary": {"amount": 1}}, "salary.currency"),
    ("scheduleCalendar", {"dailyLimit": True}, "dailyLimit"),
    ("scheduleEvent", {"application": "a", "startTime": "2026-01-01", "endTime": "nope", "attendees": []},
     "endTime"),
    ("scheduleEvent", {"application": "a", "startTime": "2026-01-01T10:00:00Z",
                       "endTime": "2026-01-01T11:00:00Z", "attendees": [1]}, "attendees[0]"),
])
def test_validation_names_the_field(model, body, field):
    with pytest.raises(errors.ValidationFailed) as exc:
        unified.validate_body(model, body, partial=False)
    assert exc.value.status == 422 and exc.value.field == field
    assert field.split("[")[0].split(".")[0] in exc.value.message


def test_validation_cleans_refs_and_partial():
    out = unified.validate_body("atsApplication", {"stage": {"object": "resourceRef", "model": "atsApplicationStage",
                                                             "id": "s1"}}, partial=True)
    assert out == {"stage": "s1"}
    with pytest.raises(errors.ValidationFailed):
        unified.validate_body("atsApplication", {}, partial=True)
    with pytest.raises(errors.ValidationFailed):
        unified.validate_body("atsApplication", ["x"], partial=True)
    assert unified.validate_body("atsJob", {"title": "T", "x_custom": 1}, partial=True, allow_extra=("x_custom",))


def test_fields_json_shape():
    fields = {f["key"]: f for f in unified.fields_json("atsJob")}
    assert fields["status"]["type"] == "enum"
    assert [o["value"] for o in fields["status"]["options"]] == ["draft", "open", "closed", "archived"]
    assert fields["title"]["isRequired"] is True and fields["openedAt"]["isValueReadOnly"] is True
    for f in fields.values():
        assert f["isCustom"] is False and {"key", "name", "type", "isRequired", "isValueReadOnly"} <= set(f)
    rel = {f["key"]: f for f in unified.fields_json("genericContact")}["owner"]
    assert rel["type"] == "ref" and rel["format"] == "genericUser"


def test_openapi_components():
    comps = unified.openapi_components()
    for name in unified.model_names():
        cap = name[0].upper() + name[1:]
        assert {f"{cap}Fields", f"{cap}WriteFields", f"{cap}Resource", f"{cap}List"} <= set(comps)
    assert "ResourceRef" in comps
    write = comps["AtsJobWriteFields"]
    assert "openedAt" not in write["properties"] and write["required"] == ["title", "department", "location"]
    assert comps["AtsJobFields"]["properties"]["status"]["enum"] == ["draft", "open", "closed", "archived"]
