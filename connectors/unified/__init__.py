"""Unified models: one source of truth for fields, types, enums, relations, required and
read-only flags. Used to validate create/update bodies, to answer `/v1/models/{model}/fields`
and to produce the OpenAPI components."""

from __future__ import annotations

from typing import Any

from connectors.unified import schema
from connectors.unified.models import MODELS
from connectors.unified.schema import Field, Model

__all__ = ["Field", "Model", "get_model", "model_names", "validate_body", "fields_json", "openapi_components",
           "resource", "resource_ref"]

_BY_NAME = {m.name: m for m in MODELS}


def get_model(name: str) -> Model | None:
    return _BY_NAME.get(name)


def model_names() -> list[str]:
    return [m.name for m in MODELS]


def _model(model: str | Model) -> Model:
    if isinstance(model, Model):
        return model
    found = get_model(model)
    if found is None:
        from connectors.errors import BadRequest
        raise BadRequest(f"Unknown model '{model}'.", field="model")
    return found


def validate_body(model: str | Model, body: Any, *, partial: bool, allow_extra: tuple[str, ...] = ()) -> dict:
    return schema.validate_body(_model(model), body, partial=partial, allow_extra=allow_extra)


def fields_json(model: str | Model) -> list[dict]:
    return schema.fields_json(_model(model))


def resource_ref(model: str, id: str) -> dict:
    return {"object": "resourceRef", "model": model, "id": id}


def resource(model: str, id: str, fields: dict, *, created_at: str | None = None, updated_at: str | None = None,
             remote: Any = None, warnings: list | None = None, include_remote: bool = False) -> dict:
    out = {"object": "resource", "model": model, "id": id, "fields": fields,
           "createdAt": created_at, "updatedAt": updated_at}
    if include_remote:
        out["remote"] = remote
    if warnings:
        out["warnings"] = warnings
    return out


def openapi_components() -> dict:
    """JSON-schema components: `<Model>Fields` (read), `<Model>WriteFields` (create/update body
    fields), `<Model>Resource`, `<Model>List`, plus the shared ResourceRef/Warning/Error."""
    comps: dict[str, Any] = {
        "ResourceRef": {"type": "object", "required": ["object", "model", "id"], "properties": {
            "object": {"type": "string", "enum": ["resourceRef"]}, "model": {"type": "string"},
            "id": {"type": "string"}}},
        "ResourceWarning": {"type": "object", "properties": {
            "field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"},
            "value": {}}},
        "Error": {"type": "object", "required": ["error", "message"], "properties": {
            "error": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}},
    }
    for m in MODELS:
        cap = m.name[0].upper() + m.name[1:]
        comps[f"{cap}Fields"] = schema.model_schema(m)
        comps[f"{cap}WriteFields"] = schema.model_schema(m, for_write=True)
        comps[f"{cap}Resource"] = {"type": "object", "required": ["object", "model", "id", "fields"], "properties": {
            "object": {"type": "string", "enum": ["resource"]}, "model": {"type": "string", "enum": [m.name]},
            "id": {"type": "string"}, "fields": {"$ref": f"#/components/schemas/{cap}Fields"},
            "createdAt": {"type": "string", "format": "date-time", "nullable": True},
            "updatedAt": {"type": "string", "format": "date-time", "nullable": True},
            "remote": {"description": "The raw Ashby record (with include=remote)."},
            "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/ResourceWarning"}}}}
        comps[f"{cap}List"] = {"type": "object", "required": ["data", "next"], "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{cap}Resource"}},
            "next": {"type": "string", "nullable": True}}}
    return comps
