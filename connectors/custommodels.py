"""Custom models: tenant-declared models read from Ashby list/info endpoints.

A definition (plain JSON, stored by the platform) names the Ashby endpoints that feed the model,
where the id and timestamps are, and one JSON path plus optional transforms per field:

    {"name": "atsDepartment", "title": "Department",
     "source": {"list": {"endpoint": "department.list", "body": {"includeArchived": true}},
                "retrieve": {"endpoint": "department.info", "idParam": "departmentId"}},
     "idPath": "id", "createdAtPath": "createdAt", "updatedAtPath": "updatedAt",
     "fields": [{"key": "name", "type": "string", "path": "name"},
                {"key": "parent", "type": "ref", "ref": "atsDepartment", "path": "parentId"}],
     "filters": [{"key": "isArchived", "path": "isArchived"}],
     "where": [{"path": "isArchived", "equals": false}]}

This module parses and checks such a definition (`parse_definition`, errors name the offending
key), turns raw records into unified resources (`to_resource`), and pages through the endpoints
with any `call(endpoint, body) -> envelope` function: the platform passes the connector's own
Ashby client, so logging, rate limiting, retries and error translation are the connector's.
Only read endpoints (`*.list*`, `*.info`, `*.search`) may be named: a model is served on GET.
Pure Python: no Django, no HTTP of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from connectors import errors, unified
from connectors.mapping import step as path_step

NAME = re.compile(r"^[a-z][A-Za-z0-9]{1,63}$")
KEY = re.compile(r"^[a-zA-Z][A-Za-z0-9_]{0,63}$")
READ_ENDPOINT = re.compile(r"^[a-z][A-Za-z]{1,40}\.(list[A-Za-z]*|info|search)$")
FIELD_TYPES = ("string", "number", "boolean", "date", "datetime", "enum", "array", "object", "ref")
PAGINATION = ("cursor", "none")
MANAGED_BODY_KEYS = {"cursor", "syncToken", "limit"}   # the pager owns these
MAX_FIELDS = 100
MAX_PAGE = 100          # Ashby's page size cap
SKIP_EMPTY_PAGES = 10   # pages read to fill one list page when local filters drop every record
RETRIEVE_SCAN_PAGES = 50  # without an info endpoint, retrieve scans at most this many list pages

Call = Callable[[str, dict], dict]


class DefinitionError(ValueError):
    """A definition is not valid; `field` is the JSON path of the offending key."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# -- JSON paths --------------------------------------------------------------------------------------

def _path_parts(path: str) -> list[str]:
    text = path.strip()
    if text in ("", "$"):
        return []
    if text.startswith("$."):
        text = text[2:]
    text = re.sub(r"\[(\d+|\*)\]", r".\1", text)  # a[0].b and a[*].b read like a.0.b / a.*.b
    return [p for p in text.split(".") if p != ""]


def check_path(path: Any, where: str) -> str:
    if not isinstance(path, str) or len(path) > 300:
        raise DefinitionError(where, "must be a JSON path such as 'name', 'job.id' or 'interviewers.*.email'.")
    for part in _path_parts(path):
        if not re.match(r"^([A-Za-z0-9_\-]+|\*)$", part):
            raise DefinitionError(where, f"has an invalid path segment {part!r}.")
    return path


def resolve(record: Any, path: str | None) -> Any:
    """Read a dotted path; `*` maps over a list (results are flattened one level). Missing or
    null steps give None, never an error: Ashby omits keys as often as it nulls them."""
    if path is None:
        return None
    return _resolve(record, _path_parts(path))


def _resolve(current: Any, parts: list[str]) -> Any:
    for i, part in enumerate(parts):
        if current is None:
            return None
        if part == "*":
            if not isinstance(current, list):
                return None
            rest = parts[i + 1:]
            out = []
            for item in current:
                value = _resolve(item, rest)
                if isinstance(value, list) and any(p == "*" for p in rest):
                    out.extend(value)
                elif value is not None:
                    out.append(value)
            return out
        current = path_step(current, part)
    return current


# -- transforms --------------------------------------------------------------------------------------

def _t_string(v, _):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return v if isinstance(v, str) else (None if v is None else str(v))


def _t_number(v, _):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return v
    try:
        n = float(str(v).strip())
    except ValueError:
        raise ValueError(f"{v!r} is not a number") from None
    return int(n) if n.is_integer() else n


def _t_boolean(v, _):
    if isinstance(v, bool) or v is None:
        return v
    text = str(v).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0", ""):
        return False
    raise ValueError(f"{v!r} is not a boolean")


def _t_date(v, _):
    return None if v is None else date.fromisoformat(str(v)[:10]).isoformat()


def _t_datetime(v, _):
    if v is None:
        return None
    datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    return str(v)


def _t_pluck(v, arg):
    if isinstance(v, list):
        return [x for x in (resolve(item, arg) for item in v) if x is not None]
    return resolve(v, arg)


def _t_map(v, arg):
    if isinstance(v, list):
        return [arg.get(str(x), x) for x in v]
    return arg.get(str(v), v) if v is not None else None


def _t_join(v, arg):
    return arg.join(str(x) for x in v if x is not None) if isinstance(v, list) else v


def _t_split(v, arg):
    return [p.strip() for p in v.split(arg) if p.strip()] if isinstance(v, str) else v


TRANSFORMS: dict[str, tuple[Callable[[Any, Any], Any], type | None]] = {
    # name: (function(value, argument), argument type or None when it takes none)
    "string": (_t_string, None),
    "number": (_t_number, None),
    "boolean": (_t_boolean, None),
    "date": (_t_date, None),
    "datetime": (_t_datetime, None),
    "lower": (lambda v, _: v.lower() if isinstance(v, str) else v, None),
    "upper": (lambda v, _: v.upper() if isinstance(v, str) else v, None),
    "trim": (lambda v, _: v.strip() if isinstance(v, str) else v, None),
    "first": (lambda v, _: (v[0] if v else None) if isinstance(v, list) else v, None),
    "last": (lambda v, _: (v[-1] if v else None) if isinstance(v, list) else v, None),
    "count": (lambda v, _: len(v) if isinstance(v, list | dict | str) else 0, None),
    "exists": (lambda v, _: v is not None and v != [] and v != "", None),
    "compact": (lambda v, _: [x for x in v if x not in (None, "")] if isinstance(v, list) else v, None),
    "pluck": (_t_pluck, str),
    "map": (_t_map, dict),
    "join": (_t_join, str),
    "split": (_t_split, str),
    "default": (lambda v, arg: arg if v is None else v, object),
}


def _parse_transforms(raw: Any, where: str) -> tuple[tuple[str, Any], ...]:
    if raw is None:
        return ()
    steps = raw if isinstance(raw, list) else [raw]
    out = []
    for i, step in enumerate(steps):
        at = f"{where}[{i}]" if isinstance(raw, list) else where
        if isinstance(step, str):
            name, arg = step, None
        elif isinstance(step, dict) and len(step) == 1:
            name, arg = next(iter(step.items()))
        else:
            raise DefinitionError(at, "a transform is a name (\"lower\") or a one-key object ({\"join\": \", \"}).")
        spec = TRANSFORMS.get(name)
        if spec is None:
            raise DefinitionError(at, f"unknown transform {name!r}; known: {', '.join(sorted(TRANSFORMS))}.")
        arg_type = spec[1]
        if arg_type is None and arg is not None:
            raise DefinitionError(at, f"transform {name!r} takes no argument.")
        if arg_type is not None and arg_type is not object and not isinstance(arg, arg_type):
            raise DefinitionError(at, f"transform {name!r} needs a {arg_type.__name__} argument.")
        if name == "pluck":
            check_path(arg, at)
        out.append((name, arg))
    return tuple(out)


def apply_transforms(value: Any, transforms: tuple[tuple[str, Any], ...]) -> Any:
    for name, arg in transforms:
        value = TRANSFORMS[name][0](value, arg)
    return value


# -- the definition -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomField:
    key: str
    type: str
    path: str | None
    name: str = ""
    description: str = ""
    transforms: tuple[tuple[str, Any], ...] = ()
    options: tuple[str, ...] = ()
    ref: str | None = None
    many: bool = False
    items: str | None = None

    def as_json(self) -> dict:
        out: dict[str, Any] = {"key": self.key, "name": self.name or self.key, "type": self.type}
        if self.type == "ref":
            out.update({"format": self.ref, "model": self.ref, "isMany": self.many})
        if self.type == "array" and self.items:
            out["items"] = self.items
        if self.options:
            out["options"] = [{"value": o, "label": o} for o in self.options]
        if self.description:
            out["description"] = self.description
        remote: dict[str, Any] = {"path": self.path}
        if self.transforms:
            remote["transform"] = [n if a is None else {n: a} for n, a in self.transforms]
        out.update({"isCustom": True, "isRequired": False, "isValueReadOnly": True, "remote": remote})
        return out


@dataclass(frozen=True)
class FilterSpec:
    key: str
    param: str | None = None   # sent to the list endpoint
    path: str | None = None    # compared with the record locally


@dataclass(frozen=True)
class Condition:
    path: str
    op: str      # equals | notEquals | in | exists
    value: Any = None

    def test(self, record: dict) -> bool:
        got = resolve(record, self.path)
        if self.op == "equals":
            return got == self.value
        if self.op == "notEquals":
            return got != self.value
        if self.op == "in":
            return got in self.value
        return (got is not None) == bool(self.value)


@dataclass(frozen=True)
class CustomModelDef:
    name: str
    title: str
    list_endpoint: str
    fields: tuple[CustomField, ...]
    description: str = ""
    list_body: dict = field(default_factory=dict)
    pagination: str = "cursor"
    results_path: str = "results"
    retrieve_endpoint: str | None = None
    retrieve_param: str = "id"
    id_path: str = "id"
    created_path: str | None = "createdAt"
    updated_path: str | None = "updatedAt"
    filters: tuple[FilterSpec, ...] = ()
    where: tuple[Condition, ...] = ()

    def field(self, key: str) -> CustomField | None:
        return next((f for f in self.fields if f.key == key), None)

    def endpoints(self) -> list[str]:
        return [e for e in (self.list_endpoint, self.retrieve_endpoint) if e]


def _obj(raw: Any, where: str) -> dict:
    if not isinstance(raw, dict):
        raise DefinitionError(where, "must be an object.")
    return raw


def _endpoint(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not READ_ENDPOINT.match(raw):
        raise DefinitionError(where, "must be an Ashby read endpoint such as 'department.list', "
                                     "'department.info' or 'candidate.search' (write endpoints are refused).")
    return raw


def _opt_str(raw: dict, key: str, where: str, default: str | None = None, *, limit: int = 200) -> str | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise DefinitionError(f"{where}{key}", f"must be a string of at most {limit} characters.")
    return value


def parse_definition(raw: Any, *, builtin_models: tuple[str, ...] | None = None,
                     known_models: set[str] | None = None) -> CustomModelDef:
    """Check a definition and return it parsed. Raises DefinitionError naming the bad key.

    `known_models` are the model names a `ref` field may point to (built-in plus the tenant's
    custom models); the model may always reference itself.
    """
    raw = _obj(raw, "definition")
    builtin = builtin_models if builtin_models is not None else tuple(unified.model_names())
    name = raw.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise DefinitionError("name", "must start with a lowercase letter and contain only letters and digits "
                                      "(2-64 characters), e.g. 'atsDepartment'.")
    if name in builtin:
        raise DefinitionError("name", f"{name!r} is a built-in unified model; choose another name.")
    title = _opt_str(raw, "title", "", name, limit=200) or name
    description = _opt_str(raw, "description", "", "", limit=2000) or ""

    source = _obj(raw.get("source"), "source")
    unknown = sorted(set(source) - {"list", "retrieve"})
    if unknown:
        raise DefinitionError(f"source.{unknown[0]}", "is not a known key (use list and retrieve).")
    lst = source.get("list")
    if isinstance(lst, str):
        lst = {"endpoint": lst}
    lst = _obj(lst, "source.list")
    list_endpoint = _endpoint(lst.get("endpoint"), "source.list.endpoint")
    body = lst.get("body", {})
    if not isinstance(body, dict) or len(body) > 30:
        raise DefinitionError("source.list.body", "must be an object of at most 30 request parameters.")
    managed = sorted(set(body) & MANAGED_BODY_KEYS)
    if managed:
        raise DefinitionError(f"source.list.body.{managed[0]}", "is managed by Switchboard's pagination; "
                                                               "leave it out.")
    pagination = lst.get("pagination", "cursor")
    if pagination not in PAGINATION:
        raise DefinitionError("source.list.pagination", f"must be one of {', '.join(PAGINATION)}.")
    results_path = check_path(lst.get("resultsPath", "results"), "source.list.resultsPath")

    retrieve_endpoint, retrieve_param = None, "id"
    ret = source.get("retrieve")
    if ret is not None:
        if isinstance(ret, str):
            ret = {"endpoint": ret}
        ret = _obj(ret, "source.retrieve")
        retrieve_endpoint = _endpoint(ret.get("endpoint"), "source.retrieve.endpoint")
        retrieve_param = ret.get("idParam", "id")
        if not isinstance(retrieve_param, str) or not KEY.match(retrieve_param):
            raise DefinitionError("source.retrieve.idParam", "must be the name of the id request parameter.")

    id_path = check_path(raw.get("idPath", "id"), "idPath")
    created = raw.get("createdAtPath", "createdAt")
    updated = raw.get("updatedAtPath", "updatedAt")
    created = None if created is None else check_path(created, "createdAtPath")
    updated = None if updated is None else check_path(updated, "updatedAtPath")

    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise DefinitionError("fields", "must be a non-empty list of fields.")
    if len(raw_fields) > MAX_FIELDS:
        raise DefinitionError("fields", f"may hold at most {MAX_FIELDS} fields.")
    refs_ok = set(known_models or ()) | set(builtin) | {name}
    fields: list[CustomField] = []
    seen: set[str] = set()
    for i, rf in enumerate(raw_fields):
        at = f"fields[{i}]"
        rf = _obj(rf, at)
        key = rf.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            raise DefinitionError(f"{at}.key", "must be an identifier such as 'name' or 'parentId'.")
        if key in seen:
            raise DefinitionError(f"{at}.key", f"{key!r} is declared twice.")
        seen.add(key)
        unknown = sorted(set(rf) - {"key", "name", "type", "path", "transform", "options", "ref", "many",
                                    "items", "description"})
        if unknown:
            raise DefinitionError(f"{at}.{unknown[0]}", "is not a known field property.")
        ftype = rf.get("type", "string")
        if ftype not in FIELD_TYPES:
            raise DefinitionError(f"{at}.type", f"must be one of {', '.join(FIELD_TYPES)}.")
        path = check_path(rf.get("path", key), f"{at}.path")
        options = rf.get("options", [])
        if ftype == "enum":
            if not isinstance(options, list) or not options or not all(isinstance(o, str) for o in options):
                raise DefinitionError(f"{at}.options", "an enum field needs a list of string options.")
        elif options:
            raise DefinitionError(f"{at}.options", "only enum fields have options.")
        ref = rf.get("ref")
        if ftype == "ref":
            if not isinstance(ref, str) or ref not in refs_ok:
                raise DefinitionError(f"{at}.ref", f"must name a model ({', '.join(sorted(refs_ok))}).")
        elif ref is not None:
            raise DefinitionError(f"{at}.ref", "only ref fields reference a model.")
        items = rf.get("items")
        if items is not None and (ftype != "array" or items not in FIELD_TYPES[:-1]):
            raise DefinitionError(f"{at}.items", "only array fields have items, one of the scalar types.")
        fields.append(CustomField(
            key=key, type=ftype, path=path, name=_opt_str(rf, "name", f"{at}.") or "",
            description=_opt_str(rf, "description", f"{at}.", limit=2000) or "",
            transforms=_parse_transforms(rf.get("transform"), f"{at}.transform"),
            options=tuple(options) if ftype == "enum" else (), ref=ref, many=bool(rf.get("many")), items=items))

    filters: list[FilterSpec] = []
    raw_filters = raw.get("filters", [])
    if not isinstance(raw_filters, list):
        raise DefinitionError("filters", "must be a list of {key, param} or {key, path}.")
    for i, rf in enumerate(raw_filters):
        at = f"filters[{i}]"
        rf = _obj(rf, at)
        key = rf.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            raise DefinitionError(f"{at}.key", "must be an identifier (used as filter[<key>]=...).")
        param, path = rf.get("param"), rf.get("path")
        if (param is None) == (path is None):
            raise DefinitionError(at, "give exactly one of param (sent to Ashby) or path (matched locally).")
        if param is not None and (not isinstance(param, str) or not KEY.match(param) or param in MANAGED_BODY_KEYS):
            raise DefinitionError(f"{at}.param", "must be a request parameter name of the list endpoint.")
        filters.append(FilterSpec(key, param=param, path=None if path is None else check_path(path, f"{at}.path")))

    where: list[Condition] = []
    raw_where = raw.get("where", [])
    if not isinstance(raw_where, list):
        raise DefinitionError("where", "must be a list of conditions such as {\"path\": \"isArchived\", "
                                       "\"equals\": false}.")
    for i, rc in enumerate(raw_where):
        at = f"where[{i}]"
        rc = _obj(rc, at)
        path = check_path(rc.get("path"), f"{at}.path")
        ops = [op for op in ("equals", "notEquals", "in", "exists") if op in rc]
        if len(ops) != 1 or set(rc) - {"path", *ops}:
            raise DefinitionError(at, "needs a path and exactly one of equals, notEquals, in, exists.")
        value = rc[ops[0]]
        if ops[0] == "in" and not isinstance(value, list):
            raise DefinitionError(f"{at}.in", "must be a list.")
        where.append(Condition(path, ops[0], value))

    unknown = sorted(set(raw) - {"name", "title", "description", "source", "idPath", "createdAtPath",
                                 "updatedAtPath", "fields", "filters", "where"})
    if unknown:
        raise DefinitionError(unknown[0], "is not a known key of a custom model definition.")
    return CustomModelDef(
        name=name, title=title, description=description, list_endpoint=list_endpoint, list_body=dict(body),
        pagination=pagination, results_path=results_path, retrieve_endpoint=retrieve_endpoint,
        retrieve_param=retrieve_param, id_path=id_path, created_path=created, updated_path=updated,
        fields=tuple(fields), filters=tuple(filters), where=tuple(where))


def fields_json(defn: CustomModelDef) -> list[dict]:
    return [f.as_json() for f in defn.fields]


# -- records -> resources --------------------------------------------------------------------------------

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "number": (int, float), "boolean": (bool,), "date": (str,), "datetime": (str,),
    "enum": (str,), "array": (list,), "object": (dict,)}


def _typed(f: CustomField, value: Any, warnings: list[dict]) -> Any:
    if value is None:
        return None
    if f.type == "ref":
        ids = value if isinstance(value, list) else [value]
        refs = [unified.resource_ref(f.ref, str(v)) for v in ids if isinstance(v, str | int) and v != ""]
        if f.many or isinstance(value, list):
            return refs
        return refs[0] if refs else None
    expected = _PY_TYPES[f.type]
    ok = isinstance(value, expected) and not (f.type == "number" and isinstance(value, bool))
    if ok and f.type == "enum" and f.options and value not in f.options:
        warnings.append({"field": f.key, "code": "unknownEnumValue", "value": value,
                         "message": f"The value {value!r} is not one of the declared options; passed through."})
    elif not ok:
        warnings.append({"field": f.key, "code": "typeMismatch", "value": value,
                         "message": f"Expected {f.type}, got {type(value).__name__}; passed through unchanged."})
    return value


def record_fields(defn: CustomModelDef, record: dict, only: set[str] | None = None) -> tuple[dict, list[dict]]:
    out: dict[str, Any] = {}
    warnings: list[dict] = []
    for f in defn.fields:
        if only is not None and f.key not in only:
            continue
        try:
            value = apply_transforms(resolve(record, f.path), f.transforms)
        except Exception as exc:  # one odd value must not lose the whole record
            warnings.append({"field": f.key, "code": "transformFailed",
                             "message": f"Could not read this field: {exc}."})
            value = None
        out[f.key] = _typed(f, value, warnings)
    return out, warnings


def record_id(defn: CustomModelDef, record: dict) -> str | None:
    value = resolve(record, defn.id_path)
    return None if value is None or isinstance(value, dict | list) else str(value)


def to_resource(defn: CustomModelDef, record: dict, *, include_remote: bool = False,
                only: set[str] | None = None) -> dict:
    rid = record_id(defn, record)
    if not rid:
        raise errors.UpstreamError(f"A {defn.list_endpoint} record has no id at {defn.id_path!r}; check the "
                                   f"{defn.name} definition's idPath.", remote_code="custom_model_no_id")
    fields, warnings = record_fields(defn, record, only)
    created = resolve(record, defn.created_path) if defn.created_path else None
    updated = resolve(record, defn.updated_path) if defn.updated_path else None
    return unified.resource(defn.name, rid, fields, created_at=created if isinstance(created, str) else None,
                            updated_at=(updated if isinstance(updated, str) else None) or
                            (created if isinstance(created, str) else None),
                            remote=record, warnings=warnings, include_remote=include_remote)


# -- fetching ------------------------------------------------------------------------------------------

def filter_plan(defn: CustomModelDef, filters: dict | None) -> tuple[dict, list[Condition]]:
    """`filter[key]=value` -> (list request params, local conditions). Unknown keys are a 400."""
    params: dict[str, Any] = {}
    local: list[Condition] = []
    by_key = {f.key: f for f in defn.filters}
    unknown = sorted(k for k in (filters or {}) if k not in by_key)
    if unknown:
        supported = ", ".join(sorted(by_key)) or "none"
        raise errors.BadRequest(f"Cannot filter {defn.name} by {', '.join(unknown)}; supported: {supported}.",
                                field="filter")
    for key, value in (filters or {}).items():
        spec = by_key[key]
        if spec.param:
            params[spec.param] = value
        else:
            local.append(_LooseEquals(spec.path, value))
    return params, local


class _LooseEquals(Condition):
    """Query strings carry text: `filter[isArchived]=false` must match the boolean false."""

    def __init__(self, path: str, value: Any):
        super().__init__(path, "equals", value)

    def test(self, record: dict) -> bool:
        got = resolve(record, self.path)
        if isinstance(got, list):
            return any(_loose(item, self.value) for item in got)
        return _loose(got, self.value)


def _loose(got: Any, wanted: Any) -> bool:
    if got == wanted:
        return True
    if isinstance(got, bool):
        return str(wanted).lower() == ("true" if got else "false")
    if got is None:
        return str(wanted).lower() in ("null", "none")
    return str(got) == str(wanted)


def _results(defn: CustomModelDef, env: Any, endpoint: str) -> Any:
    if not isinstance(env, dict):
        raise errors.UpstreamError(f"Ashby {endpoint} returned a body that is not an object.",
                                   remote_code="malformed_body")
    return resolve(env, defn.results_path)


def _keep(defn: CustomModelDef, record: Any, local: list[Condition]) -> bool:
    return isinstance(record, dict) and all(c.test(record) for c in (*defn.where, *local))


def list_page(defn: CustomModelDef, call: Call, *, limit: int, state: dict, filters: dict | None = None
              ) -> tuple[list[dict], dict | None]:
    """One page of raw records and the state of the next page (None at the end).

    Cursor endpoints send Ashby's own cursor; unpaginated endpoints are read whole and sliced by
    offset. Records dropped by local filters can make a page short; up to SKIP_EMPTY_PAGES Ashby
    pages are read so a page is only empty when nothing is left or the filter is very selective.
    """
    params, local = filter_plan(defn, filters)
    body = {**defn.list_body, **params}
    if defn.pagination == "none":
        env = call(defn.list_endpoint, body)
        items = _results(defn, env, defn.list_endpoint)
        items = [r for r in (items if isinstance(items, list) else []) if _keep(defn, r, local)]
        offset = int(state.get("o", 0))
        page = items[offset:offset + limit]
        return page, ({"o": offset + limit} if offset + limit < len(items) else None)
    cursor = state.get("c")
    out: list[dict] = []
    for _ in range(SKIP_EMPTY_PAGES):
        request = {**body, "limit": min(limit, MAX_PAGE)}
        if cursor:
            request["cursor"] = cursor
        env = call(defn.list_endpoint, request)
        items = _results(defn, env, defn.list_endpoint)
        out.extend(r for r in (items if isinstance(items, list) else []) if _keep(defn, r, local))
        more = bool(env.get("moreDataAvailable")) and isinstance(env.get("nextCursor"), str)
        cursor = env.get("nextCursor") if more else None
        if out or not more:
            break
    return out, ({"c": cursor} if cursor else None)


def iter_records(defn: CustomModelDef, call: Call, *, max_pages: int = 10_000) -> Iterator[dict]:
    """Every record (a full pass), for polling. The model's `where` conditions apply."""
    state: dict = {}
    for _ in range(max_pages):
        records, state = list_page(defn, call, limit=MAX_PAGE, state=state)
        yield from records
        if state is None:
            return
    raise errors.UpstreamError(f"Stopped reading {defn.name} after {max_pages} pages (page cap).",
                               remote_code="page_cap")


def retrieve_record(defn: CustomModelDef, call: Call, id: str) -> dict:
    """One raw record by id: the info endpoint when declared, else a bounded scan of the list."""
    if defn.retrieve_endpoint:
        env = call(defn.retrieve_endpoint, {defn.retrieve_param: id})
        record = _results(defn, env, defn.retrieve_endpoint)
        if isinstance(record, dict) and _keep(defn, record, []):
            return record
        raise errors.NotFound(f"No {defn.name} with id {id}.")
    state: dict = {}
    for _ in range(RETRIEVE_SCAN_PAGES):
        records, state = list_page(defn, call, limit=MAX_PAGE, state=state)
        for record in records:
            if record_id(defn, record) == id:
                return record
        if state is None:
            raise errors.NotFound(f"No {defn.name} with id {id}.")
    raise errors.NotFound(f"No {defn.name} with id {id} in the first {RETRIEVE_SCAN_PAGES * MAX_PAGE} records; "
                          f"{defn.list_endpoint} has no info endpoint, so retrieve scans the list. Declare "
                          "source.retrieve for a direct lookup.")
