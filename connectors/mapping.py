"""Declarative field mappings between a provider record and a unified model.

A `FieldMap` says: unified key <- remote path (dotted, tolerant of nulls and missing keys), an
optional enum table (unknown values are kept and reported as a warning, never dropped or fatal),
an optional read transform, a relation target (the value is an id, rendered as a resourceRef),
the remote request key and write transform for create/update, and the remote filter key.
Code handles only what a table cannot express (name splitting, composite ids, multi-step writes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from connectors import errors
from connectors.unified import resource_ref

MISSING = object()
_SPLIT_CACHE: dict[str, tuple[str, ...]] = {}


def _split(path: str) -> tuple[str, ...]:
    parts = _SPLIT_CACHE.get(path)
    if parts is None:
        parts = _SPLIT_CACHE[path] = tuple(path.split("."))
    return parts


def get_path(record: Any, path: str | tuple[str, ...] | None) -> Any:
    """Read `a.b.0.c` from nested dicts/lists; None when any step is missing or null."""
    if path is None or path == "":
        return record
    current = record
    for part in (path.split(".") if isinstance(path, str) else path):
        if current is None:
            return None
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit():
            idx = int(part)
            current = current[idx] if idx < len(current) else None
        else:
            return None
    return current


@dataclass(frozen=True)
class FieldMap:
    key: str
    path: str | None = None                       # remote path; None: `read` gets the whole record
    read: Callable[[Any], Any] | None = None      # transform (value at path, or record if path None)
    enum: dict[str, str] | None = None            # remote value -> unified value
    ref: str | None = None                        # relation target model (value is an id / list of ids)
    write_key: str | None = None                  # remote request key; None: not writable by the table
    write: Callable[[Any], Any] | None = None     # unified value -> remote value
    filter_key: str | None = None                 # remote list param for filter[key]
    filter: Callable[[Any], Any] | None = None    # filter value transform
    default: Any = None                           # value when remote is null/missing (e.g. [] for lists)

    @property
    def parts(self) -> tuple[str, ...] | None:
        return None if self.path is None else _split(self.path)

    def reverse_enum(self, value: Any) -> Any:
        if not self.enum:
            return value
        for remote, unified in self.enum.items():
            if unified == value:
                return remote
        return value


class Mapping:
    def __init__(self, model: str, fields: Iterable[FieldMap], *, id_path: str = "id",
                 created_path: str | None = "createdAt", updated_path: str | None = "updatedAt"):
        self.model = model
        self.fields = tuple(fields)
        self.by_key = {f.key: f for f in self.fields}
        self.id_path = id_path
        self.created_path = created_path
        self.updated_path = updated_path

    # -- read ---------------------------------------------------------------------------------
    def read(self, record: dict, *, only: Iterable[str] | None = None) -> tuple[dict, list[dict]]:
        only_set = set(only) if only else None
        out: dict[str, Any] = {}
        warnings: list[dict] = []
        for fm in self.fields:
            if only_set is not None and fm.key not in only_set:
                continue
            try:
                out[fm.key] = self._read_one(fm, record, warnings)
            except Exception as exc:  # one odd value must not lose the whole record
                out[fm.key] = None
                warnings.append({"field": fm.key, "code": "unreadable",
                                 "message": f"Could not read this field from the Ashby record ({type(exc).__name__})."})
        return out, warnings

    def _read_one(self, fm: FieldMap, record: dict, warnings: list[dict]) -> Any:
        value = get_path(record, fm.parts) if fm.path is not None else record
        if fm.read is not None:
            value = fm.read(value)
        if fm.enum is not None and value is not None:
            if value in fm.enum:
                value = fm.enum[value]
            else:
                warnings.append({"field": fm.key, "code": "unknownEnumValue", "value": value,
                                 "message": f"Ashby returned a value this version does not know: {value!r}; "
                                            "it is passed through unchanged."})
        if fm.ref is not None and value is not None:
            if isinstance(value, list):
                value = [resource_ref(fm.ref, v) for v in value if isinstance(v, str) and v]
            elif isinstance(value, str) and value:
                value = resource_ref(fm.ref, value)
            else:
                value = None
        if value is None:
            return fm.default
        return value

    def record_id(self, record: dict) -> str | None:
        value = get_path(record, self.id_path)
        return str(value) if value is not None else None

    def timestamps(self, record: dict) -> tuple[str | None, str | None]:
        created = get_path(record, self.created_path) if self.created_path else None
        updated = get_path(record, self.updated_path) if self.updated_path else None
        return created, updated or created

    # -- write --------------------------------------------------------------------------------
    def write(self, fields: dict, *, keys: Iterable[str] | None = None) -> dict:
        """Remote request body for the table-writable `fields` (restricted to `keys` if given)."""
        allowed = set(keys) if keys is not None else None
        body: dict[str, Any] = {}
        for key, value in fields.items():
            if allowed is not None and key not in allowed:
                continue
            fm = self.by_key.get(key)
            if fm is None or fm.write_key is None:
                continue
            remote = fm.reverse_enum(value)
            if fm.write is not None and value is not None:
                remote = fm.write(value)
            body[fm.write_key] = remote
        return body

    # -- filters ------------------------------------------------------------------------------
    def filters(self, filters: dict | None, *, extra: dict[str, Callable[[Any], dict]] | None = None) -> dict:
        """Translate `filter[key]=value` into remote list params; unknown keys are a 400."""
        params: dict[str, Any] = {}
        unknown = []
        for key, value in (filters or {}).items():
            if extra and key in extra:
                params.update(extra[key](value))
                continue
            fm = self.by_key.get(key)
            if fm is None or fm.filter_key is None:
                unknown.append(key)
                continue
            remote = fm.reverse_enum(value)
            if fm.filter is not None:
                remote = fm.filter(value)
            params[fm.filter_key] = remote
        if unknown:
            supported = sorted([f.key for f in self.fields if f.filter_key] + list(extra or {}))
            raise errors.BadRequest(
                f"Cannot filter {self.model} by {', '.join(sorted(unknown))}"
                f"{'; supported: ' + ', '.join(supported) if supported else '; it has no filters'}.",
                field="filter")
        return params
