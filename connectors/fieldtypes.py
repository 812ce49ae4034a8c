"""Ashby custom-field types and their conversion to and from unified values.

A custom field in Ashby has a `fieldType`; a field mapping exposes it under a unified key with a
unified type (`string`, `number`, `boolean`, `date`, `datetime`, `enum`, `array`, `object`). Each
Ashby type has one natural unified type and a few others it can be converted to (a String field
that holds numbers can be read as a number). Everything here is pure: no HTTP, no Django.

Value shapes on the wire (API-NOTES 3.7):
  String, LongText, Url, Email, Phone, UUID   "text"
  Number                                      7
  Boolean                                     true
  Date                                        "2026-01-31T00:00:00.000Z"
  ValueSelect                                 "<option value>" (records also carry `valueLabel`)
  MultiValueSelect                            ["<option value>", ...]
  Currency                                    {"value": 120000, "currencyCode": "USD"}
  NumberRange                                 {"type": "number-range", "minValue": 1, "maxValue": 5}
  CompensationRange                           {"type": "compensation-range", "minValue", "maxValue",
                                               "currencyCode", "interval"}
Unified shapes of the object types use the same words as the unified models (`salary{amount,
currency}`): Currency {amount, currency}; NumberRange {min, max}; CompensationRange {min, max,
currency, interval}.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import Any

TEXT_TYPES = ("String", "LongText", "Url", "Email", "Phone", "UUID")
ASHBY_TYPES = (*TEXT_TYPES, "Number", "Boolean", "Date", "ValueSelect", "MultiValueSelect", "Currency",
               "NumberRange", "CompensationRange")
UNIFIED_TYPES = ("string", "number", "boolean", "date", "datetime", "enum", "array", "object")

COMPENSATION_INTERVALS = ("NONE", "1 TIME", "1 HOUR", "1 DAY", "1 WEEK", "2 WEEK", "1 MONTH", "2 MONTH",
                          "1 YEAR", "6 MONTH", "0.5 MONTH", "3 MONTH")

# Ashby type -> (natural unified type, format shown in /models/{model}/fields).
NATURAL: dict[str, tuple[str, str | None]] = {
    "String": ("string", None), "LongText": ("string", "multiline"), "Url": ("string", "uri"),
    "Email": ("string", "email"), "Phone": ("string", "phone"), "UUID": ("string", "uuid"),
    "Number": ("number", None), "Boolean": ("boolean", None), "Date": ("date", None),
    "ValueSelect": ("enum", None), "MultiValueSelect": ("array", None),
    "Currency": ("object", "currency"), "NumberRange": ("object", "number-range"),
    "CompensationRange": ("object", "compensation-range"),
}

# Ashby type -> every unified type a mapping may declare for it (natural type first). Anything
# else is refused when the mapping is saved, so conversion never has to guess at read time.
COMPATIBLE: dict[str, tuple[str, ...]] = {
    "String": ("string", "number", "boolean", "date", "datetime", "enum"),
    "LongText": ("string",), "Url": ("string",), "Email": ("string",), "Phone": ("string",), "UUID": ("string",),
    "Number": ("number", "string"),
    "Boolean": ("boolean", "string"),
    "Date": ("date", "datetime", "string"),
    "ValueSelect": ("enum", "string"),
    "MultiValueSelect": ("array", "string"),
    "Currency": ("object", "number"),
    "NumberRange": ("object",),
    "CompensationRange": ("object",),
}

SELECT_BY = ("label", "value")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TRUE = {"true", "yes", "1", "y", "on"}
_FALSE = {"false", "no", "0", "n", "off"}


class ConversionError(ValueError):
    """A value cannot be converted; the message is a sentence fit for an API error."""


def is_known(field_type: str) -> bool:
    return field_type in NATURAL


def natural_type(field_type: str) -> str:
    return NATURAL.get(field_type, ("string", None))[0]


def compatible_types(field_type: str) -> tuple[str, ...]:
    return COMPATIBLE.get(field_type, ())


def check_compatible(field_type: str, unified_type: str | None) -> str:
    """The unified type to use for a field of `field_type`; raises ConversionError when the
    declared type cannot represent it (e.g. a Boolean field declared as an object)."""
    if field_type not in NATURAL:
        raise ConversionError(f"Ashby field type {field_type!r} is not supported; supported types: "
                              f"{', '.join(ASHBY_TYPES)}.")
    if unified_type is None:
        return natural_type(field_type)
    if unified_type not in compatible_types(field_type):
        raise ConversionError(f"An Ashby {field_type} field cannot be mapped as {unified_type!r}; "
                              f"compatible types: {', '.join(compatible_types(field_type))}.")
    return unified_type


def options_of(definition: dict | None) -> list[dict]:
    """Selectable values of a custom field definition (archived ones kept: old records use them)."""
    values = (definition or {}).get("selectableValues") or []
    return [v for v in values if isinstance(v, dict) and "value" in v]


def describe(definition: dict, *, key: str | None = None, unified_type: str | None = None,
             read_only: bool | None = None) -> dict:
    """A remote custom field as a unified-field object (the `/models/{model}/fields` shape)."""
    field_type = definition.get("fieldType") or "String"
    kind = unified_type or natural_type(field_type)
    out: dict[str, Any] = {"key": key or definition.get("id"), "name": definition.get("title") or key,
                           "type": kind}
    fmt = NATURAL.get(field_type, ("string", None))[1]
    if fmt and kind == natural_type(field_type):
        out["format"] = fmt
    if kind == "array" and field_type == "MultiValueSelect":
        out["items"] = "string"
    options = options_of(definition)
    if options and field_type in ("ValueSelect", "MultiValueSelect"):
        out["options"] = [{"value": o["value"], "label": o.get("label", o["value"])} for o in options
                          if not o.get("isArchived")]
    out.update({
        "isCustom": True,
        "isRequired": bool(definition.get("isRequired")),
        "isValueReadOnly": bool(read_only),
        "remote": {"id": definition.get("id"), "title": definition.get("title"), "fieldType": field_type,
                   "isPrivate": bool(definition.get("isPrivate"))},
    })
    return out


# -- helpers ---------------------------------------------------------------------------------------

def _number(value: Any, what: str) -> int | float:
    if isinstance(value, bool):
        raise ConversionError(f"{what} must be a number, not a boolean.")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ConversionError(f"{what} must be a finite number.")
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            parsed = float(text)
        except ValueError:
            raise ConversionError(f"{what} must be a number; got {value!r}.") from None
        if not math.isfinite(parsed):
            raise ConversionError(f"{what} must be a finite number.")
        return int(parsed) if parsed.is_integer() else parsed
    raise ConversionError(f"{what} must be a number; got {type(value).__name__}.")


def _boolean(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ConversionError(f"{what} must be true or false; got {value!r}.")


def _text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    raise ConversionError(f"{what} must be a string; got {type(value).__name__}.")


def _number_text(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _date_part(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ConversionError(f"{what} must be a date (YYYY-MM-DD); got {type(value).__name__}.")
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        raise ConversionError(f"{what} must be a date (YYYY-MM-DD); got {value!r}.") from None


def _iso_datetime(value: Any, what: str) -> str:
    """An ISO date or date-time as Ashby stores Date fields: `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC)."""
    if not isinstance(value, str) or not value.strip():
        raise ConversionError(f"{what} must be an ISO-8601 date or date-time.")
    text = value.strip()
    if len(text) == 10:
        return f"{_date_part(text, what)}T00:00:00.000Z"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConversionError(f"{what} must be an ISO-8601 date or date-time; got {value!r}.") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}Z"


def _label_for(value: Any, options: list[dict]) -> Any:
    for opt in options:
        if opt.get("value") == value:
            return opt.get("label", value)
    return value


def _option_value(given: Any, options: list[dict], select_by: str, what: str) -> Any:
    """The option value Ashby expects, from a label or a value. Both are accepted whichever
    `select_by` says (it decides which one wins when a label equals another option's value)."""
    if not isinstance(given, str):
        raise ConversionError(f"{what} must be one of the field's options (a string).")
    if not options:
        if select_by == "value":
            return given  # no definitions at hand: trust the caller's value, Ashby re-checks it
        raise ConversionError(f"{what}: the field's options are unknown, so the label {given!r} cannot be "
                              "resolved; retry later or map by value.")
    by_value = {o["value"]: o for o in options}
    by_label = {str(o.get("label", "")).casefold(): o for o in options}
    order = ("label", "value") if select_by == "label" else ("value", "label")
    for kind in order:
        if kind == "value" and given in by_value:
            return given
        if kind == "label" and given.casefold() in by_label:
            return by_label[given.casefold()]["value"]
    allowed = ", ".join(str(o.get("label", o["value"]) if select_by == "label" else o["value"])
                        for o in options if not o.get("isArchived"))
    raise ConversionError(f"{what} must be one of: {allowed}; got {given!r}.")


def _currency_code(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value.strip().upper()):
        raise ConversionError(f"{what} needs a three-letter currency code (e.g. USD); got {value!r}.")
    return value.strip().upper()


def _object(value: Any, what: str, allowed: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise ConversionError(f"{what} must be an object with {', '.join(allowed)}.")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ConversionError(f"{what} has unknown keys {', '.join(unknown)}; allowed: {', '.join(allowed)}.")
    return value


def _range(value: dict, what: str) -> tuple[Any, Any]:
    low = None if value.get("min") is None else _number(value["min"], f"{what}.min")
    high = None if value.get("max") is None else _number(value["max"], f"{what}.max")
    if low is None and high is None:
        raise ConversionError(f"{what} needs min or max.")
    if low is not None and high is not None and low > high:
        raise ConversionError(f"{what}: min ({low}) is greater than max ({high}).")
    return low, high


# -- remote -> unified -----------------------------------------------------------------------------

def to_unified(field_type: str, value: Any, *, unified_type: str | None = None, options: list[dict] | None = None,
               select_by: str = "label", value_label: Any = None, what: str = "value") -> Any:
    """Convert a value read from Ashby into the mapping's unified type. Null stays null."""
    if value is None:
        return None
    kind = check_compatible(field_type, unified_type)
    options = options or []
    if field_type in TEXT_TYPES:
        text = value if isinstance(value, str) else str(value)
        if kind == "string":
            return text
        if kind == "number":
            return _number(text, what)
        if kind == "boolean":
            return _boolean(text, what)
        if kind == "date":
            return _date_part(text, what)
        if kind == "datetime":
            return _iso_datetime(text, what)
        return text  # enum: the text itself
    if field_type == "Number":
        number = _number(value, what)
        return _number_text(number) if kind == "string" else number
    if field_type == "Boolean":
        flag = _boolean(value, what)
        return ("true" if flag else "false") if kind == "string" else flag
    if field_type == "Date":
        if kind == "datetime":
            return _iso_datetime(value, what)
        return _date_part(value, what)
    if field_type == "ValueSelect":
        if select_by == "value":
            return value
        if value_label is not None:
            return value_label
        return _label_for(value, options)
    if field_type == "MultiValueSelect":
        items = value if isinstance(value, list) else [value]
        out = [item if select_by == "value" else _label_for(item, options) for item in items]
        return ", ".join(str(v) for v in out) if kind == "string" else out
    if field_type == "Currency":
        if not isinstance(value, dict):
            raise ConversionError(f"{what}: Ashby returned a Currency value that is not an object.")
        amount = None if value.get("value") is None else _number(value.get("value"), what)
        if kind == "number":
            return amount
        return {"amount": amount, "currency": value.get("currencyCode")}
    if field_type == "NumberRange":
        if not isinstance(value, dict):
            raise ConversionError(f"{what}: Ashby returned a NumberRange value that is not an object.")
        return {"min": value.get("minValue"), "max": value.get("maxValue")}
    if field_type == "CompensationRange":
        if not isinstance(value, dict):
            raise ConversionError(f"{what}: Ashby returned a CompensationRange value that is not an object.")
        return {"min": value.get("minValue"), "max": value.get("maxValue"), "currency": value.get("currencyCode"),
                "interval": value.get("interval")}
    raise ConversionError(f"Ashby field type {field_type!r} is not supported.")  # pragma: no cover


# -- unified -> remote -----------------------------------------------------------------------------

def to_remote(field_type: str, value: Any, *, unified_type: str | None = None, options: list[dict] | None = None,
              select_by: str = "label", currency: str | None = None, interval: str | None = None,
              what: str = "value") -> Any:
    """Convert a unified value into the `fieldValue` Ashby's customField.setValues expects.

    Raises ConversionError with a sentence naming `what` when the value does not fit; callers
    turn that into a 422 before anything is written, so a bad value never half-applies.
    Null clears the field.
    """
    if value is None:
        return None
    kind = check_compatible(field_type, unified_type)
    options = options or []
    if field_type in TEXT_TYPES:
        if kind == "number":
            text = _number_text(_number(value, what))
        elif kind == "boolean":
            text = "true" if _boolean(value, what) else "false"
        elif kind == "date":
            text = _date_part(value, what)
        elif kind == "datetime":
            text = _iso_datetime(value, what)
        else:
            text = _text(value, what)
        if field_type == "Email" and text and "@" not in text:
            raise ConversionError(f"{what} must be an email address; got {text!r}.")
        if field_type == "Url" and text and not re.match(r"^https?://\S+$", text):
            raise ConversionError(f"{what} must be an http(s) URL; got {text!r}.")
        if field_type == "Phone" and text and not re.match(r"^[+0-9()./ \-x]{3,}$", text):
            raise ConversionError(f"{what} must be a phone number; got {text!r}.")
        if field_type == "UUID" and text and not re.match(r"^[0-9a-fA-F-]{32,36}$", text):
            raise ConversionError(f"{what} must be a UUID; got {text!r}.")
        return text
    if field_type == "Number":
        if kind == "number" and isinstance(value, str):
            raise ConversionError(f"{what} must be a number; got a string.")
        return _number(value, what)
    if field_type == "Boolean":
        if kind == "boolean" and not isinstance(value, bool):
            raise ConversionError(f"{what} must be true or false.")
        return _boolean(value, what)
    if field_type == "Date":
        if kind == "date":
            return _iso_datetime(_date_part(value, what), what)
        return _iso_datetime(value, what)
    if field_type == "ValueSelect":
        return _option_value(value, options, select_by, what)
    if field_type == "MultiValueSelect":
        if kind == "string":
            items = [part.strip() for part in _text(value, what).split(",") if part.strip()]
        elif isinstance(value, list):
            items = value
        else:
            raise ConversionError(f"{what} must be a list of options.")
        converted = [_option_value(item, options, select_by, f"{what}[{i}]") for i, item in enumerate(items)]
        return list(dict.fromkeys(converted))
    if field_type == "Currency":
        if kind == "number":
            if not currency:
                raise ConversionError(f"{what}: this mapping writes a Currency field from a number, so it needs "
                                      "a currency option (e.g. USD).")
            return {"value": _number(value, what), "currencyCode": _currency_code(currency, what)}
        obj = _object(value, what, ("amount", "currency"))
        if obj.get("amount") is None:
            raise ConversionError(f"{what}.amount is required.")
        code = obj.get("currency") or currency
        return {"value": _number(obj["amount"], f"{what}.amount"), "currencyCode": _currency_code(code, what)}
    if field_type == "NumberRange":
        low, high = _range(_object(value, what, ("min", "max")), what)
        return {"type": "number-range", "minValue": low, "maxValue": high}
    if field_type == "CompensationRange":
        obj = _object(value, what, ("min", "max", "currency", "interval"))
        low, high = _range(obj, what)
        chosen = obj.get("interval") or interval or "1 YEAR"
        if chosen not in COMPENSATION_INTERVALS:
            raise ConversionError(f"{what}.interval must be one of {', '.join(COMPENSATION_INTERVALS)}; "
                                  f"got {chosen!r}.")
        return {"type": "compensation-range", "minValue": low, "maxValue": high,
                "currencyCode": _currency_code(obj.get("currency") or currency, what), "interval": chosen}
    raise ConversionError(f"Ashby field type {field_type!r} is not supported.")  # pragma: no cover
