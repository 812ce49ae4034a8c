"""Every Ashby custom-field type, read (to_unified) and written (to_remote), plus refusals."""

from __future__ import annotations

import pytest

from connectors import fieldtypes as ft
from connectors.fieldtypes import ConversionError

OPTIONS = [{"label": "Junior", "value": "jr"}, {"label": "Senior", "value": "sr"},
           {"label": "Old", "value": "old", "isArchived": True}]

# (fieldType, remote value, unified value) for the natural unified type, both directions.
ROUND_TRIPS = [
    ("String", "Staff Engineer", "Staff Engineer"),
    ("LongText", "line one\nline two", "line one\nline two"),
    ("Url", "https://example.com/p", "https://example.com/p"),
    ("Email", "a@example.com", "a@example.com"),
    ("Phone", "+1 415 555 0100", "+1 415 555 0100"),
    ("UUID", "5b2a7f1e-3c4d-4e9a-9b1f-2d6c8e0a1b23", "5b2a7f1e-3c4d-4e9a-9b1f-2d6c8e0a1b23"),
    ("Number", 7, 7),
    ("Number", 7.5, 7.5),
    ("Boolean", True, True),
    ("Boolean", False, False),
    ("Date", "2026-03-01T00:00:00.000Z", "2026-03-01"),
    ("Currency", {"value": 120000, "currencyCode": "USD"}, {"amount": 120000, "currency": "USD"}),
    ("NumberRange", {"type": "number-range", "minValue": 2, "maxValue": 5}, {"min": 2, "max": 5}),
    ("CompensationRange",
     {"type": "compensation-range", "minValue": 100, "maxValue": 150, "currencyCode": "EUR", "interval": "1 YEAR"},
     {"min": 100, "max": 150, "currency": "EUR", "interval": "1 YEAR"}),
]


@pytest.mark.parametrize(("field_type", "remote", "unified"), ROUND_TRIPS)
def test_round_trip_natural_type(field_type, remote, unified):
    assert ft.to_unified(field_type, remote) == unified
    assert ft.to_remote(field_type, unified) == remote


def test_every_ashby_type_has_a_natural_type_and_is_compatible_with_it():
    for field_type in ft.ASHBY_TYPES:
        assert ft.natural_type(field_type) in ft.compatible_types(field_type)
        assert ft.check_compatible(field_type, None) == ft.natural_type(field_type)


def test_null_reads_and_writes_as_null():
    for field_type in ft.ASHBY_TYPES:
        assert ft.to_unified(field_type, None) is None
        assert ft.to_remote(field_type, None) is None


def test_value_select_by_label_and_by_value():
    assert ft.to_unified("ValueSelect", "sr", options=OPTIONS) == "Senior"
    assert ft.to_unified("ValueSelect", "sr", options=OPTIONS, value_label="Senior (L5)") == "Senior (L5)"
    assert ft.to_unified("ValueSelect", "sr", options=OPTIONS, select_by="value") == "sr"
    # Unknown option values are passed through rather than lost.
    assert ft.to_unified("ValueSelect", "zz", options=OPTIONS) == "zz"
    assert ft.to_remote("ValueSelect", "Senior", options=OPTIONS) == "sr"
    assert ft.to_remote("ValueSelect", "senior", options=OPTIONS) == "sr"  # labels match case-insensitively
    assert ft.to_remote("ValueSelect", "jr", options=OPTIONS) == "jr"  # a value is accepted too
    assert ft.to_remote("ValueSelect", "jr", options=OPTIONS, select_by="value") == "jr"
    with pytest.raises(ConversionError, match="Junior, Senior"):
        ft.to_remote("ValueSelect", "Principal", options=OPTIONS, what="seniority")
    with pytest.raises(ConversionError, match="options are unknown"):
        ft.to_remote("ValueSelect", "Senior", options=[])
    assert ft.to_remote("ValueSelect", "sr", options=[], select_by="value") == "sr"
    assert ft.to_unified("ValueSelect", "sr", options=OPTIONS, unified_type="string") == "Senior"


def test_multi_value_select():
    assert ft.to_unified("MultiValueSelect", ["jr", "sr"], options=OPTIONS) == ["Junior", "Senior"]
    assert ft.to_unified("MultiValueSelect", ["jr", "sr"], options=OPTIONS, select_by="value") == ["jr", "sr"]
    assert ft.to_unified("MultiValueSelect", ["jr", "sr"], options=OPTIONS, unified_type="string") == "Junior, Senior"
    assert ft.to_remote("MultiValueSelect", ["Junior", "sr", "Senior"], options=OPTIONS) == ["jr", "sr"]
    assert ft.to_remote("MultiValueSelect", "Junior, Senior", options=OPTIONS, unified_type="string") == ["jr", "sr"]
    with pytest.raises(ConversionError, match=r"langs\[1\]"):
        ft.to_remote("MultiValueSelect", ["Junior", "Nope"], options=OPTIONS, what="langs")
    with pytest.raises(ConversionError):
        ft.to_remote("MultiValueSelect", "Junior", options=OPTIONS)


def test_conversions_to_other_unified_types():
    assert ft.to_unified("Number", 7, unified_type="string") == "7"
    assert ft.to_remote("Number", "7", unified_type="string") == 7
    assert ft.to_unified("String", "12", unified_type="number") == 12
    assert ft.to_remote("String", 12, unified_type="number") == "12"
    assert ft.to_unified("String", "yes", unified_type="boolean") is True
    assert ft.to_remote("String", False, unified_type="boolean") == "false"
    assert ft.to_unified("Boolean", True, unified_type="string") == "true"
    assert ft.to_remote("Boolean", "false", unified_type="string") is False
    assert ft.to_unified("Date", "2026-03-01T10:30:00.000Z", unified_type="datetime") == "2026-03-01T10:30:00.000Z"
    assert ft.to_remote("Date", "2026-03-01T12:30:00+02:00", unified_type="datetime") == "2026-03-01T10:30:00.000Z"
    assert ft.to_unified("Date", "2026-03-01T10:30:00.000Z", unified_type="string") == "2026-03-01"
    assert ft.to_unified("Currency", {"value": 5, "currencyCode": "USD"}, unified_type="number") == 5
    assert ft.to_remote("Currency", 5, unified_type="number", currency="usd") == {"value": 5, "currencyCode": "USD"}
    assert ft.to_remote("Currency", {"amount": 5}, currency="GBP") == {"value": 5, "currencyCode": "GBP"}


def test_compensation_range_defaults_interval_and_checks_it():
    value = ft.to_remote("CompensationRange", {"min": 1, "max": 2, "currency": "USD"})
    assert value["interval"] == "1 YEAR"
    with pytest.raises(ConversionError, match="interval"):
        ft.to_remote("CompensationRange", {"min": 1, "max": 2, "currency": "USD", "interval": "fortnightly"})
    with pytest.raises(ConversionError, match="currency"):
        ft.to_remote("CompensationRange", {"min": 1, "max": 2})


@pytest.mark.parametrize(("field_type", "value", "message"), [
    ("Number", "seven", "must be a number"),
    ("Number", True, "must be a number"),
    ("Boolean", "maybe", "true or false"),
    ("Boolean", 1, "true or false"),
    ("Date", "31/01/2026", "date"),
    ("Email", "not-an-email", "email"),
    ("Url", "ftp://x", "URL"),
    ("Phone", "call me", "phone"),
    ("UUID", "nope", "UUID"),
    ("String", 5, "must be a string"),
    ("Currency", {"amount": 5}, "currency"),
    ("Currency", {"amount": 5, "currency": "USD", "extra": 1}, "unknown keys"),
    ("Currency", 5, "object"),
    ("NumberRange", {"min": 5, "max": 1}, "greater than max"),
    ("NumberRange", {}, "min or max"),
    ("NumberRange", [1, 2], "object"),
])
def test_bad_values_are_refused_with_a_sentence(field_type, value, message):
    with pytest.raises(ConversionError, match=message):
        ft.to_remote(field_type, value, what="field")


@pytest.mark.parametrize(("field_type", "unified_type"), [
    ("Boolean", "object"), ("Currency", "boolean"), ("MultiValueSelect", "number"), ("NumberRange", "string"),
    ("Email", "number"), ("Date", "number"), ("CompensationRange", "number"),
])
def test_incompatible_types_are_refused(field_type, unified_type):
    with pytest.raises(ConversionError, match="cannot be mapped"):
        ft.check_compatible(field_type, unified_type)


def test_unknown_ashby_type_is_refused():
    with pytest.raises(ConversionError, match="not supported"):
        ft.check_compatible("Hologram", None)


def test_describe_a_remote_field():
    definition = {"id": "f1", "title": "Seniority", "fieldType": "ValueSelect", "isPrivate": True,
                  "isRequired": False, "selectableValues": OPTIONS}
    out = ft.describe(definition)
    assert out["key"] == "f1" and out["name"] == "Seniority" and out["type"] == "enum"
    assert out["options"] == [{"value": "jr", "label": "Junior"}, {"value": "sr", "label": "Senior"}]
    assert out["isCustom"] is True and out["isValueReadOnly"] is False
    assert out["remote"] == {"id": "f1", "title": "Seniority", "fieldType": "ValueSelect", "isPrivate": True}
    money = ft.describe({"id": "f2", "title": "Salary", "fieldType": "Currency"}, key="salary", read_only=True)
    assert money["key"] == "salary" and money["format"] == "currency" and money["isValueReadOnly"] is True
