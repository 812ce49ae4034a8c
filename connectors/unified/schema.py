"""Building blocks of the unified models: field and model descriptions, body validation, the
`/models/{model}/fields` shape and JSON-schema (OpenAPI) components. The models themselves are
declared in `connectors.unified.models`; everything else derives from that one declaration."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from connectors import errors

TYPES = ("string", "number", "boolean", "date", "datetime", "enum", "array", "object", "ref")


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    name: str = ""
    description: str = ""
    options: tuple[str, ...] = ()            # enum values
    ref: str | None = None                   # target model of a relation
    many: bool = False                       # a list of refs (type "ref")
    items: str | None = None                 # item type of an array ("string", "object", ...)
    properties: tuple[Field, ...] = ()       # object (or array-of-object) members
    required: bool = False                   # required on create
    read_only: bool = False
    nullable: bool = True
    format: str | None = None                # "email", "uri", ...

    def __post_init__(self):
        assert self.type in TYPES, self.type
        if self.type == "ref":
            assert self.ref, self.key

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return re.sub(r"(?<!^)([A-Z])", r" \1", self.key).capitalize()


@dataclass(frozen=True)
class Model:
    name: str
    title: str
    fields: tuple[Field, ...]
    description: str = ""
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def field(self, key: str) -> Field | None:
        if not self._index:
            self._index.update({f.key: f for f in self.fields})
        return self._index.get(key)

    def keys(self) -> list[str]:
        return [f.key for f in self.fields]

    def relations(self) -> list[Field]:
        return [f for f in self.fields if f.type == "ref"]


# -- validation ------------------------------------------------------------------------------------

def _fail(path: str, message: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(f"Field '{path}': {message}", field=path)


def _ref_id(value: Any, f: Field, path: str) -> str:
    """A relation may be written as an id or as a resourceRef; we store the id."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        model = value.get("model")
        if model not in (None, f.ref):
            raise _fail(path, f"must reference a {f.ref}, not a {model}.")
        return value["id"]
    raise _fail(path, f"must be a {f.ref} id or a resourceRef {{model, id}}.")


def _parse_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def _check_scalar(f: Field, value: Any, path: str, item_type: str | None = None) -> Any:
    kind = item_type or f.type
    if kind == "string":
        if not isinstance(value, str):
            raise _fail(path, "must be a string.")
        if f.format == "email" and value and "@" not in value:
            raise _fail(path, "must be an email address.")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(path, "must be a number.")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _fail(path, "must be true or false.")
        return value
    if kind == "date":
        if not isinstance(value, str):
            raise _fail(path, "must be a date (YYYY-MM-DD).")
        try:
            date.fromisoformat(value[:10])
        except ValueError:
            raise _fail(path, "must be a date (YYYY-MM-DD).") from None
        return value
    if kind == "datetime":
        if not isinstance(value, str) or not _parse_datetime(value):
            raise _fail(path, "must be an ISO-8601 date-time.")
        return value
    if kind == "enum":
        if value not in f.options:
            raise _fail(path, f"must be one of {', '.join(f.options)}.")
        return value
    if kind == "ref":
        return _ref_id(value, f, path)
    if kind == "object":
        return _check_object(f, value, path)
    raise _fail(path, f"has an unsupported type {kind}.")


def _check_object(f: Field, value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object.")
    if not f.properties:
        return dict(value)
    props = {p.key: p for p in f.properties}
    out = {}
    for key, item in value.items():
        sub = props.get(key)
        if sub is None:
            raise _fail(f"{path}.{key}", "is not a known field.")
        out[key] = None if item is None else _check_value(sub, item, f"{path}.{key}")
    for sub in f.properties:
        if sub.required and out.get(sub.key) is None:
            raise _fail(f"{path}.{sub.key}", "is required.")
    return out


def _check_value(f: Field, value: Any, path: str) -> Any:
    if f.type == "ref" and f.many or f.type == "array":
        if not isinstance(value, list):
            raise _fail(path, "must be a list.")
        if f.type == "ref":
            return [_ref_id(v, f, f"{path}[{i}]") for i, v in enumerate(value)]
        item_type = f.items or "string"
        return [_check_scalar(f, v, f"{path}[{i}]", item_type) for i, v in enumerate(value)]
    return _check_scalar(f, value, path)


def validate_body(model: Model, body: Any, *, partial: bool, allow_extra: tuple[str, ...] = ()) -> dict:
    """Check a create (`partial=False`) or update (`partial=True`) body of unified fields.

    Returns the cleaned fields: relations are reduced to ids. Raises ValidationFailed (422) naming
    the first offending field: unknown, read-only, mistyped, or missing when required on create.
    `allow_extra` lets the platform pass through keys it handles itself (mapped custom fields).
    """
    if not isinstance(body, dict):
        raise errors.ValidationFailed("The body must be a JSON object of fields.", field="fields")
    cleaned: dict[str, Any] = {}
    for key, value in body.items():
        f = model.field(key)
        if f is None:
            if key in allow_extra:
                cleaned[key] = value
                continue
            raise _fail(key, f"is not a field of {model.name}.")
        if f.read_only:
            raise _fail(key, "is read-only.")
        if value is None:
            if f.required and not partial:
                raise _fail(key, "is required.")
            if not f.nullable:
                raise _fail(key, "may not be null.")
            cleaned[key] = None
            continue
        cleaned[key] = _check_value(f, value, key)
    if not partial:
        for f in model.fields:
            if f.required and cleaned.get(f.key) is None:
                raise _fail(f.key, "is required.")
    if partial and not cleaned:
        raise errors.ValidationFailed("Nothing to update: give at least one field.", field="fields")
    return cleaned


# -- descriptions ----------------------------------------------------------------------------------

def field_json(f: Field) -> dict:
    out: dict[str, Any] = {"key": f.key, "name": f.label, "type": f.type}
    if f.format:
        out["format"] = f.format
    if f.type == "ref":
        out["format"] = f.ref
        out["model"] = f.ref
        out["isMany"] = f.many
    if f.type == "array" and f.items:
        out["items"] = f.items
    if f.options:
        out["options"] = [{"value": o, "label": o} for o in f.options]
    if f.description:
        out["description"] = f.description
    out.update({"isCustom": False, "isRequired": f.required, "isValueReadOnly": f.read_only})
    return out


def fields_json(model: Model) -> list[dict]:
    return [field_json(f) for f in model.fields]


def _schema_of(f: Field, item_type: str | None = None) -> dict:
    kind = item_type or f.type
    if f.type == "array" and item_type is None:
        return {"type": "array", "items": _schema_of(f, f.items or "string")}
    if kind == "ref":
        ref = {"$ref": "#/components/schemas/ResourceRef"}
        return {"type": "array", "items": ref} if f.many else ref
    base: dict[str, Any]
    if kind == "string":
        base = {"type": "string"}
        if f.format:
            base["format"] = f.format
    elif kind == "number":
        base = {"type": "number"}
    elif kind == "boolean":
        base = {"type": "boolean"}
    elif kind == "date":
        base = {"type": "string", "format": "date"}
    elif kind == "datetime":
        base = {"type": "string", "format": "date-time"}
    elif kind == "enum":
        base = {"type": "string", "enum": list(f.options)}
    elif kind == "object":
        base = {"type": "object"}
        if f.properties:
            base["properties"] = {p.key: _schema_of(p) for p in f.properties}
    else:
        base = {}
    return base


def model_schema(model: Model, *, for_write: bool = False) -> dict:
    props = {}
    for f in model.fields:
        if for_write and f.read_only:
            continue
        schema = _schema_of(f)
        if f.type == "ref" and for_write:
            schema = {"type": "array", "items": {"type": "string"}} if f.many else {"type": "string",
                                                                                 "description": f"{f.ref} id"}
        if f.nullable and "$ref" not in schema:
            schema = {**schema, "nullable": True}
        if f.description:
            schema = {**schema, "description": f.description} if "$ref" not in schema else schema
        if f.read_only and not for_write and "$ref" not in schema:
            schema = {**schema, "readOnly": True}
        props[f.key] = schema
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if for_write:
        required = [f.key for f in model.fields if f.required and not f.read_only]
        if required:
            out["required"] = required
    if model.description:
        out["description"] = model.description
    return out
