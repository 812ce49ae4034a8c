"""Field mappings and custom models: the functions other apps call.

Interfaces (names are stable; see docs/TEAM-NOTES.md):
- `model_fields(connection, model, *, is_custom=None, refresh=False)` -> unified-field objects:
  standard fields, mapped keys, and the connection's remote custom fields (cached briefly).
- `needs_remote(connection, model)` -> whether read mappings need the raw record (`include_remote`).
- `apply_read_mappings(connection, model, resources, *, only=None)` -> adds mapped values to `fields`.
- `split_write(connection, model, body)` -> (unified_body, custom_values); converts and checks mapped
  values before anything is written (422 naming the key).
- `finish_write(connection, model, result, custom_values, *, client=None, main_written=True)` ->
  None or a partial-failure dict; writes custom values with customField.setValues.
- `custom_model_for(tenant, name)` -> a served custom model (list/retrieve/fields) or None.
- `iter_custom_model_records(connection, custom_model)` -> every record as a unified resource.
- `custom_model_names(tenant)`, `custom_model_events(tenant)` -> for webhook subscriptions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from connectors import custommodels, errors, fieldtypes, unified
from connectors.cursors import decode_cursor, encode_cursor
from switchboard.api.errors import ApiError
from switchboard.connections.models import Connection
from switchboard.connections.services import loaded_tenant
from switchboard.mappings.models import CustomModel, FieldMapping
from switchboard.tenants import config

logger = logging.getLogger("switchboard.mappings")

KEY = re.compile(r"^[a-zA-Z][A-Za-z0-9_]{0,63}$")
CACHE_VERSION = "v1"
# Ashby objects whose custom values customField.setValues can write (API-NOTES 3.7).
WRITABLE_OBJECTS = {"Candidate", "Application", "Job", "Opening"}


def remote_fields_ttl() -> int:
    return int(getattr(settings, "MAPPINGS_REMOTE_FIELDS_TTL", 300))


# -- errors -----------------------------------------------------------------------------------------

def _invalid(code: str, message: str, *, field: str | None = None, status: int = 422, **extra) -> ApiError:
    if field:
        extra["field"] = field
    return ApiError(code, message, status, **extra)


COLLISION = "MORPH::FIELD_MAPPING::COLLISION"
REMOTE_MISSING = "MORPH::FIELD_MAPPING::REMOTE_FIELD_NOT_FOUND"
INCOMPATIBLE = "MORPH::FIELD_MAPPING::INCOMPATIBLE_TYPE"
NOT_WRITABLE = "MORPH::FIELD_MAPPING::NOT_WRITABLE"
DUPLICATE = "MORPH::FIELD_MAPPING::DUPLICATE"
PARTIAL_WRITE = "MORPH::FIELD_MAPPING::PARTIAL_WRITE"
INVALID_MODEL = "MORPH::CUSTOM_MODEL::INVALID"


# -- remote custom fields ----------------------------------------------------------------------------

def _cache_key(connection: Connection, model: str) -> str:
    return f"mappings:remote-fields:{CACHE_VERSION}:{connection.pk}:{model}"


def _can_call(connection: Connection) -> bool:
    return connection.status == Connection.Status.AUTHORIZED and bool(connection.credentials)


def remote_custom_fields(connection: Connection, model: str, *, refresh: bool = False, client=None) -> list[dict]:
    """The connection's Ashby custom field definitions for a model (not archived).

    Cached in the shared Django cache for MAPPINGS_REMOTE_FIELDS_TTL seconds per connection and
    model, so every web process and worker sees the same copy and Ashby is asked rarely;
    `refresh=True` asks Ashby now and replaces the cached copy.
    """
    if unified.get_model(model) is None or not _can_call(connection):
        return []
    key = _cache_key(connection, model)
    if not refresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    if client is None:
        from switchboard.connections.services import client_for

        client = client_for(connection)
    lister = getattr(client, "list_custom_fields", None)
    if lister is None:  # a connector without custom fields
        return []
    fields = [f for f in lister(model) if isinstance(f, dict) and f.get("id") and not f.get("isArchived")]
    cache.set(key, fields, remote_fields_ttl())
    return fields


def forget_remote_fields(connection: Connection, model: str | None = None) -> None:
    models = [model] if model else unified.model_names()
    cache.delete_many([_cache_key(connection, m) for m in models])


def _safe_definitions(connection: Connection, model: str, warnings: list[dict] | None = None) -> list[dict] | None:
    """Definitions for reading; None when Ashby cannot tell us (a read must not fail for that:
    values, titles and select labels are also in the record itself)."""
    try:
        return remote_custom_fields(connection, model)
    except errors.ConnectorError as exc:
        logger.info("custom field definitions unavailable for connection %s: %s", connection.pk, exc)
        if warnings is not None:
            warnings.append({"code": "customFieldsUnavailable",
                             "message": f"Custom field definitions could not be read: {exc.message}"})
        return None


def find_definition(mapping: FieldMapping, definitions: Iterable[dict]) -> dict | None:
    """The remote field a custom-field mapping points at: by id, else by title (case-insensitive).
    Raises ApiError when a title matches several fields (the mapping must then use the id)."""
    definitions = list(definitions)
    if mapping.custom_field_id:
        return next((d for d in definitions if d.get("id") == mapping.custom_field_id), None)
    title = (mapping.custom_field_title or "").strip().casefold()
    found = [d for d in definitions if str(d.get("title") or "").strip().casefold() == title]
    if len(found) > 1:
        raise _invalid(REMOTE_MISSING, f"Several Ashby custom fields are titled {mapping.custom_field_title!r}; "
                                       f"map by customFieldId instead ({', '.join(d['id'] for d in found)}).",
                       field="customFieldTitle", key=mapping.key)
    return found[0] if found else None


# -- effective mappings -------------------------------------------------------------------------------

def effective_mappings(connection: Connection, model: str) -> list[FieldMapping]:
    """The mappings that apply to a connection: tenant defaults, each replaced by the
    connection's override for the same key (connection wins); inactive ones are left out.
    Cached per tenant configuration token during API calls (`tenants.config`)."""
    tenant = loaded_tenant(connection)
    return list(config.cached(tenant, ("mappings", connection.pk, model),
                              lambda: _load_effective_mappings(connection, model)))


def _load_effective_mappings(connection: Connection, model: str) -> tuple[FieldMapping, ...]:
    rows = (FieldMapping.objects.filter(tenant_id=connection.tenant_id, model=model)
            .filter(Q(connection__isnull=True) | Q(connection_id=connection.pk)))
    by_key: dict[str, FieldMapping] = {}
    for row in sorted(rows, key=lambda r: (r.connection_id is not None, r.created_at)):
        by_key[row.key] = row
    return tuple(m for m in by_key.values() if m.is_active)


def needs_remote(connection: Connection, model: str) -> bool:
    """True when reading `model` for this connection needs the raw Ashby record: ask the
    connector for it (`include_remote=True`) and let `render_resources` strip it again."""
    if unified.get_model(model) is None:
        return False
    return any(m.reads for m in effective_mappings(connection, model))


def partition_fields(connection: Connection, model: str, fields: Iterable[str] | str | None
                     ) -> tuple[list[str] | None, set[str] | None]:
    """Split a `?fields=` selection into the keys the connector knows and the mapped keys.
    Returns (connector_fields or None for all, requested mapped keys or None for all)."""
    if fields is None:
        return None, None
    wanted = [f.strip() for f in (fields.split(",") if isinstance(fields, str) else fields) if f and f.strip()]
    if not wanted:
        return None, None
    mapped = {m.key for m in effective_mappings(connection, model) if m.reads}
    model_def = unified.get_model(model)
    standard = set(model_def.keys()) if model_def else set()
    mine = {k for k in wanted if k in mapped}
    rest = [k for k in wanted if k not in mine]
    if not rest and standard:
        rest = [next(iter(model_def.keys()))]  # the connector needs at least one key to select
    return rest, mine


# -- reading ----------------------------------------------------------------------------------------

def _infer_type(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, list):
        return "MultiValueSelect"
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "number-range":
            return "NumberRange"
        if kind == "compensation-range":
            return "CompensationRange"
        if "currencyCode" in value:
            return "Currency"
    return "String"


def _coerce_path_value(value: Any, kind: str) -> Any:
    if value is None or not kind:
        return value
    transform = {"string": "string", "number": "number", "boolean": "boolean", "date": "date",
                 "datetime": "datetime"}.get(kind)
    if transform is None:
        return value
    return custommodels.apply_transforms(value, ((transform, None),))


def read_value(mapping: FieldMapping, remote: dict, definitions: list[dict] | None) -> tuple[Any, dict | None]:
    """(unified value, warning or None) of one mapping for one raw record."""
    if mapping.source == FieldMapping.Source.PATH:
        raw = custommodels.resolve(remote, mapping.path)
        try:
            return _coerce_path_value(raw, mapping.type), None
        except (ValueError, TypeError) as exc:
            return None, {"field": mapping.key, "code": "mappingConversionFailed", "value": raw,
                          "message": f"Could not convert {mapping.path!r} to {mapping.type}: {exc}."}
    definition = find_definition(mapping, definitions) if definitions is not None else None
    entries = [e for e in (remote.get("customFields") or []) if isinstance(e, dict)]
    entry = None
    if definition is not None:
        entry = next((e for e in entries if e.get("id") == definition["id"]), None)
    elif mapping.custom_field_id:
        entry = next((e for e in entries if e.get("id") == mapping.custom_field_id), None)
    else:
        title = mapping.custom_field_title.strip().casefold()
        entry = next((e for e in entries if str(e.get("title") or "").strip().casefold() == title), None)
    if definitions is not None and definition is None and entry is None:
        return None, {"field": mapping.key, "code": "remoteFieldMissing",
                      "message": f"This account has no Ashby {mapping.remote_label} for {mapping.key!r}."}
    if entry is None:
        return None, None  # the field exists but this record has no value
    value = entry.get("value")
    # Without definitions: the type seen when the mapping was checked is reliable for an id (or a
    # connection's own mapping); a tenant-wide title may name fields of different types per account.
    snapshot = mapping.remote_field_type if (mapping.custom_field_id or mapping.connection_id) else ""
    field_type = (definition or {}).get("fieldType") or snapshot or _infer_type(value)
    try:
        converted = fieldtypes.to_unified(
            field_type, value, unified_type=mapping.type or None, options=fieldtypes.options_of(definition),
            select_by=mapping.select_by, value_label=entry.get("valueLabel"), what=mapping.key)
    except fieldtypes.ConversionError as exc:
        return None, {"field": mapping.key, "code": "mappingConversionFailed", "value": value, "message": str(exc)}
    return converted, None


def apply_read_mappings(connection: Connection, model: str, resources: list[dict], *,
                        only: set[str] | None = None) -> list[dict]:
    """Add each read mapping's value to `fields` of every resource (in place; also returned).

    Needs each resource's raw record in `remote` (see `needs_remote`). A value that cannot be
    read or converted becomes null with a warning on that resource, never a failed request.
    """
    maps = [m for m in effective_mappings(connection, model) if m.reads and (only is None or m.key in only)]
    if not maps or not resources:
        return resources
    list_warnings: list[dict] = []
    needs_defs = any(m.source == FieldMapping.Source.CUSTOM_FIELD for m in maps)
    definitions = _safe_definitions(connection, model, list_warnings) if needs_defs else None
    for res in resources:
        if not isinstance(res, dict):
            continue
        fields = res.setdefault("fields", {})
        remote = res.get("remote")
        warnings = [*(res.get("warnings") or []), *list_warnings]
        if not isinstance(remote, dict):
            for m in maps:
                fields.setdefault(m.key, None)
            warnings.append({"code": "mappingsSkipped", "message": "Mapped fields need the raw Ashby record, "
                                                                   "which this resource does not carry."})
            res["warnings"] = warnings
            continue
        for m in maps:
            try:
                value, warning = read_value(m, remote, definitions)
            except ApiError as exc:  # e.g. an ambiguous title: report it on the record
                value, warning = None, {"field": m.key, "code": "mappingUnresolved", "message": exc.message}
            fields[m.key] = value
            if warning:
                warnings.append(warning)
        if warnings:
            res["warnings"] = warnings
    return resources


# -- writing ----------------------------------------------------------------------------------------

def _definitions_for_write(connection: Connection, model: str) -> list[dict]:
    try:
        return remote_custom_fields(connection, model)
    except errors.ConnectorError as exc:
        raise exc.__class__(f"Mapped custom fields cannot be written: their definitions could not be read "
                            f"({exc.message})", remote_code=exc.remote_code) from exc


def split_write(connection: Connection, model: str, body: Any) -> tuple[Any, list[dict]]:
    """Separate mapped keys from a create/update body and convert their values for Ashby.

    Returns the body without mapped keys (for the connector) and `custom_values`:
    `[{"fieldId", "value", "key", "unifiedValue"}]`. Every value is checked here, before the
    main write, so a bad value is a 422 naming its key and nothing half-applies.
    """
    if not isinstance(body, dict):
        return body, []
    maps = {m.key: m for m in effective_mappings(connection, model)}
    if not maps or not set(body) & set(maps):
        return body, []
    unified_body: dict[str, Any] = {}
    custom: list[dict] = []
    definitions: list[dict] | None = None
    for key, value in body.items():
        mapping = maps.get(key)
        if mapping is None:
            unified_body[key] = value
            continue
        if not mapping.writes or mapping.source != FieldMapping.Source.CUSTOM_FIELD:
            raise errors.ValidationFailed(f"Field '{key}' is read-only: its mapping to the Ashby "
                                          f"{mapping.remote_label} only reads.", field=key)
        if definitions is None:
            definitions = _definitions_for_write(connection, model)
        try:
            definition = find_definition(mapping, definitions)
        except ApiError as exc:
            raise errors.ValidationFailed(f"Field '{key}': {exc.message}", field=key) from None
        if definition is None:
            raise errors.ValidationFailed(f"Field '{key}' is mapped to the Ashby {mapping.remote_label}, which this "
                                          "account does not have (renamed or archived?).", field=key)
        try:
            remote_value = fieldtypes.to_remote(
                definition.get("fieldType") or "String", value, unified_type=mapping.type or None,
                options=fieldtypes.options_of(definition), select_by=mapping.select_by,
                currency=mapping.currency or None, what=key)
        except fieldtypes.ConversionError as exc:
            raise errors.ValidationFailed(f"Field '{key}': {exc}", field=key) from None
        custom.append({"fieldId": definition["id"], "value": remote_value, "key": key, "unifiedValue": value,
                       "fieldType": definition.get("fieldType")})
    return unified_body, custom


def finish_write(connection: Connection, model: str, result: dict | None, custom_values: list[dict], *,
                 client=None, main_written: bool = True) -> dict | None:
    """Write mapped custom values after the main create/update (same request).

    `result` is what the connector returned (resource or resourceRef); its id is the target. On
    success the written values are put into `result["fields"]` (when it is a full resource) and
    None is returned. When the main write happened but setValues failed, returns a partial-failure
    dict `{error, message, failedFields, cause}` for the caller to send with HTTP 207, so the
    client knows the record exists but the custom fields are not saved. When there was no main
    write (an update of mapped keys only) the error is raised as is.
    """
    if not custom_values:
        return None
    target = (result or {}).get("id")
    if client is None:
        from switchboard.connections.services import client_for

        client = client_for(connection)
    values = [{"fieldId": c["fieldId"], "value": c["value"]} for c in custom_values]
    keys = [c["key"] for c in custom_values]
    try:
        client.set_custom_field_values(model, target, values)
    except errors.ConnectorError as exc:
        if not main_written:
            raise
        logger.warning("custom field write failed after %s %s was saved: %s", model, target, exc)
        return {"error": PARTIAL_WRITE, "status": exc.status,
                "message": f"The {model} {target} was saved, but its mapped fields {', '.join(keys)} were not: "
                           f"{exc.message}",
                "failedFields": keys, "cause": exc.as_dict()}
    if isinstance(result, dict) and result.get("object") == "resource":
        fields = result.setdefault("fields", {})
        for c in custom_values:
            fields[c["key"]] = c["unifiedValue"]
        remote = result.get("remote")
        if isinstance(remote, dict):
            # The raw record predates setValues; bring its customFields up to date so rendering
            # (which re-reads mappings from `remote`) shows what was just written, not stale values.
            entries = [e for e in (remote.get("customFields") or []) if isinstance(e, dict)]
            for c in custom_values:
                entry = next((e for e in entries if e.get("id") == c["fieldId"]), None)
                if entry is None:
                    entry = {"id": c["fieldId"]}
                    entries.append(entry)
                entry["value"] = c["value"]
                entry.pop("valueLabel", None)
            remote["customFields"] = entries
    return None


def partial_failure_body(result: dict, failure: dict) -> dict:
    """The 207 body: the normal answer plus the error, and a warning per field not saved."""
    body = dict(result or {})
    body["error"], body["message"] = failure["error"], failure["message"]
    body["failedFields"], body["cause"] = failure["failedFields"], failure["cause"]
    body["warnings"] = [*(body.get("warnings") or []),
                        *({"field": k, "code": "notSaved", "message": failure["message"]}
                          for k in failure["failedFields"])]
    return body


# -- validating mapping definitions --------------------------------------------------------------------

def _connector_model_writable(connection_or_id: Connection | str, model: str) -> bool:
    from connectors.registry import get_connector

    connector_id = connection_or_id.connector_id if isinstance(connection_or_id, Connection) else connection_or_id
    connector = get_connector(connector_id)
    if connector is None:
        return False
    return any(spec and spec.supported for spec in (connector.operation(f"{model}::create"),
                                                    connector.operation(f"{model}::update")))


def validate_mapping(tenant, data: dict, *, instance: FieldMapping | None = None,
                     scope_connection: Connection | None = None, check_connection: Connection | None = None,
                     refresh: bool = False) -> FieldMapping:
    """Build (unsaved) a FieldMapping from API input and check it; raises ApiError naming the
    problem. `check_connection` is the account the remote field is resolved against (the scope
    connection, or for a tenant-wide mapping one named by the caller)."""
    m = instance or FieldMapping(tenant=tenant)
    if scope_connection is not None or instance is None:
        m.connection = scope_connection

    def take(api_key: str, attr: str, kinds: tuple[type, ...], *, allow_blank=True):
        if api_key not in data:
            return
        value = data[api_key]
        if value is None and allow_blank:
            setattr(m, attr, "" if kinds[0] is str else getattr(m, attr))
            return
        if not isinstance(value, kinds) or (kinds == (bool,) and not isinstance(value, bool)):
            raise _invalid("MORPH::BAD_REQUEST", f"{api_key} must be a {kinds[0].__name__}.", field=api_key,
                           status=400)
        setattr(m, attr, value.strip() if isinstance(value, str) else value)

    take("model", "model", (str,), allow_blank=False)
    take("key", "key", (str,), allow_blank=False)
    take("name", "name", (str,))
    take("description", "description", (str,))
    take("direction", "direction", (str,), allow_blank=False)
    take("type", "type", (str,))
    take("selectBy", "select_by", (str,), allow_blank=False)
    take("currency", "currency", (str,))
    take("overrideStandard", "override_standard", (bool,), allow_blank=False)
    take("isActive", "is_active", (bool,), allow_blank=False)
    sources = [k for k in ("customFieldId", "customFieldTitle", "path") if data.get(k) not in (None, "")]
    if len(sources) > 1:
        raise _invalid("MORPH::BAD_REQUEST", f"Give one of customFieldId, customFieldTitle or path, not "
                                             f"{' and '.join(sources)}.", field=sources[1], status=400)
    if sources:
        # A new target makes the remembered remote type meaningless until it is checked again.
        m.custom_field_id = m.custom_field_title = m.path = m.remote_field_type = ""
        take(sources[0], {"customFieldId": "custom_field_id", "customFieldTitle": "custom_field_title",
                          "path": "path"}[sources[0]], (str,))
        m.source = FieldMapping.Source.PATH if sources[0] == "path" else FieldMapping.Source.CUSTOM_FIELD
        if m.source == FieldMapping.Source.PATH and "direction" not in data:
            m.direction = FieldMapping.Direction.READ
    elif instance is None:
        raise _invalid("MORPH::BAD_REQUEST", "Say what the key maps to: customFieldId, customFieldTitle (resolved "
                                             "per connection) or path (in the raw record).",
                       field="customFieldTitle", status=400)

    # Shape -------------------------------------------------------------------------------------
    model_def = unified.get_model(m.model)
    if model_def is None:
        raise _invalid("CONNECTOR::RESOURCE_MODEL::NOT_FOUND", f"There is no unified model {m.model!r}; field "
                       f"mappings apply to {', '.join(unified.model_names())}.", field="model", status=400)
    if not KEY.match(m.key or ""):
        raise _invalid("MORPH::BAD_REQUEST", "key must be an identifier such as 'yearsOfExperience'.",
                       field="key", status=400)
    if m.direction not in FieldMapping.Direction.values:
        raise _invalid("MORPH::BAD_REQUEST", "direction must be read, write or both.", field="direction", status=400)
    if m.select_by not in FieldMapping.SelectBy.values:
        raise _invalid("MORPH::BAD_REQUEST", "selectBy must be label or value.", field="selectBy", status=400)
    if m.type and m.type not in fieldtypes.UNIFIED_TYPES:
        raise _invalid("MORPH::BAD_REQUEST", f"type must be one of {', '.join(fieldtypes.UNIFIED_TYPES)}.",
                       field="type", status=400)
    if m.currency:
        m.currency = m.currency.upper()
        if not re.match(r"^[A-Z]{3}$", m.currency):
            raise _invalid("MORPH::BAD_REQUEST", "currency must be a three-letter code such as USD.",
                           field="currency", status=400)
    if m.source == FieldMapping.Source.PATH:
        try:
            custommodels.check_path(m.path, "path")
        except custommodels.DefinitionError as exc:
            raise _invalid("MORPH::BAD_REQUEST", f"path {exc.message}", field="path", status=400) from None
        if m.writes:
            raise _invalid(NOT_WRITABLE, f"{m.model}.{m.key} maps a path in the raw record, which can only be read; "
                                         "use direction: read, or map an Ashby custom field to write it.",
                           field="direction", key=m.key)
    if m.writes and not _connector_model_writable(scope_connection or check_connection or "ashby", m.model):
        raise _invalid(NOT_WRITABLE, f"{m.model} cannot be created or updated through Ashby, so {m.key!r} cannot "
                                     "be written; use direction: read.", field="direction", key=m.key)

    # Collisions with the standard fields ---------------------------------------------------------
    standard = model_def.field(m.key)
    if standard is not None:
        if not m.override_standard:
            raise _invalid(COLLISION, f"{m.model} already has a standard field {m.key!r}. Choose another key, or "
                                      "set overrideStandard: true to replace this optional field with the mapped "
                                      "value.", field="key", key=m.key)
        if standard.required:
            raise _invalid(COLLISION, f"{m.model}.{m.key} is required by the unified model and cannot be replaced "
                                      "by a mapping.", field="key", key=m.key)
        if standard.type == "ref":
            raise _invalid(COLLISION, f"{m.model}.{m.key} is a relation and cannot be replaced by a mapping.",
                           field="key", key=m.key)
    elif m.override_standard:
        m.override_standard = False  # nothing to override: the key is simply a new one

    # Duplicates in the same scope -----------------------------------------------------------------
    same = FieldMapping.objects.filter(tenant=tenant, model=m.model, key=m.key, connection=m.connection)
    if m.pk and instance is not None:
        same = same.exclude(pk=m.pk)
    if same.exists():
        scope = "this connection" if m.connection_id else "the tenant-wide defaults"
        raise _invalid(DUPLICATE, f"{m.model}.{m.key} is already mapped in {scope} (mapping {same.first().id}); "
                                  "update that one instead.", field="key", status=409, key=m.key)

    # The remote field, when an account is at hand -------------------------------------------------
    account = scope_connection or m.connection or check_connection
    if m.source == FieldMapping.Source.CUSTOM_FIELD and account is not None:
        if account.tenant_id != tenant.pk:
            raise _invalid("MORPH::CONNECTION::NOT_FOUND", "Connection not found.", status=404)
        if not _can_call(account):
            raise _invalid("MORPH::CONNECTION::NOT_AUTHORIZED", "The connection used to check this mapping is not "
                           "authorized yet, so its custom fields cannot be read.", status=401)
        definitions = remote_custom_fields(account, m.model, refresh=refresh)
        definition = find_definition(m, definitions)
        if definition is None:
            titles = ", ".join(sorted(repr(d.get("title")) for d in definitions)[:25]) or "none"
            raise _invalid(REMOTE_MISSING, f"{account.owner_id}'s Ashby account has no {m.model} {m.remote_label}. "
                                           f"Its custom fields are: {titles}.",
                           field="customFieldId" if m.custom_field_id else "customFieldTitle", key=m.key)
        field_type = definition.get("fieldType") or ""
        _check_types(m, field_type, standard)
        if m.writes and definition.get("objectType") and definition["objectType"] not in WRITABLE_OBJECTS:
            raise _invalid(NOT_WRITABLE, f"Ashby cannot set {definition['objectType']} custom fields through its "
                                         "API; use direction: read.", field="direction", key=m.key)
        m.remote_field_type = field_type
    elif m.source == FieldMapping.Source.CUSTOM_FIELD and m.remote_field_type:
        _check_types(m, m.remote_field_type, standard)
    elif m.source == FieldMapping.Source.PATH:
        m.remote_field_type = ""
        if standard is not None and m.type and not _same_kind(m.type, standard.type):
            raise _invalid(INCOMPATIBLE, f"{m.model}.{m.key} is a {standard.type}; the mapping declares {m.type}.",
                           field="type", key=m.key)
    return m


def _same_kind(mapped: str, standard: str) -> bool:
    return mapped == standard or (standard == "enum" and mapped == "string") or (
        standard == "string" and mapped == "enum")


def _check_types(m: FieldMapping, field_type: str, standard) -> None:
    try:
        kind = fieldtypes.check_compatible(field_type, m.type or None)
    except fieldtypes.ConversionError as exc:
        raise _invalid(INCOMPATIBLE, f"{m.model}.{m.key}: {exc}", field="type", key=m.key,
                       remoteFieldType=field_type) from None
    if m.writes and field_type == "Currency" and kind == "number" and not m.currency:
        raise _invalid(INCOMPATIBLE, f"{m.model}.{m.key} writes a Currency field from a number; give currency "
                                     "(e.g. USD).", field="currency", key=m.key)
    if standard is not None and not _same_kind(kind, standard.type):
        raise _invalid(INCOMPATIBLE, f"{m.model}.{m.key} is a standard {standard.type} field, but the Ashby "
                                     f"{field_type} field reads as {kind}; declare a matching type or use a new key.",
                       field="type", key=m.key, remoteFieldType=field_type)


# -- model fields -------------------------------------------------------------------------------------

def _mapping_field(m: FieldMapping, definition: dict | None, standard_json: dict | None) -> dict:
    info = {"id": str(m.id), "direction": m.direction, "scope": "connection" if m.connection_id else "tenant"}
    if m.source == FieldMapping.Source.PATH:
        out = {"key": m.key, "name": m.name or (standard_json or {}).get("name") or m.key,
               "type": m.type or (standard_json or {}).get("type") or "string", "isCustom": True,
               "isRequired": False, "isValueReadOnly": True, "remote": {"path": m.path}}
    elif definition is not None:
        out = fieldtypes.describe(definition, key=m.key, unified_type=m.type or None, read_only=not m.writes)
        if m.name:
            out["name"] = m.name
    else:
        kind = m.type or (fieldtypes.natural_type(m.remote_field_type) if m.remote_field_type else "string")
        out = {"key": m.key, "name": m.name or m.custom_field_title or m.key, "type": kind, "isCustom": True,
               "isRequired": False, "isValueReadOnly": not m.writes,
               "remote": {"id": m.custom_field_id or None, "title": m.custom_field_title or None,
                          "fieldType": m.remote_field_type or None, "isPrivate": None},
               "warning": "This account has no such Ashby custom field (or its definitions could not be read)."}
    if m.description:
        out["description"] = m.description
    out["mapping"] = info
    return out


def model_fields(connection: Connection, model: str, *, is_custom: bool | None = None,
                 refresh: bool = False) -> list[dict]:
    """Fields of a model for one connection (the `/v1/models/{model}/fields` body's `data`).

    Built-in models: the unified fields, then each mapped key (with its mapping and remote field),
    then the account's Ashby custom fields not mapped yet (key = the Ashby field id; map one to use
    it). Custom models: their declared fields. `is_custom` filters; `refresh` re-reads Ashby.
    """
    model_def = unified.get_model(model)
    if model_def is None:
        served = custom_model_for(connection.tenant, model)
        if served is None:
            raise ApiError("CONNECTOR::RESOURCE_MODEL::NOT_FOUND", f"There is no model {model!r} (neither unified "
                           "nor a custom model of this project).", 404)
        return [] if is_custom is False else served.fields()
    standard = unified.fields_json(model)
    if is_custom is False:
        return standard
    definitions = remote_custom_fields(connection, model, refresh=refresh)
    maps = effective_mappings(connection, model)
    by_key = {f["key"]: f for f in standard}
    mapped_ids: set[str] = set()
    custom: list[dict] = []
    overrides: dict[str, dict] = {}
    for m in maps:
        definition = None
        if m.source == FieldMapping.Source.CUSTOM_FIELD:
            try:
                definition = find_definition(m, definitions)
            except ApiError:
                definition = None
            if definition is not None:
                mapped_ids.add(definition["id"])
        entry = _mapping_field(m, definition, by_key.get(m.key))
        if m.key in by_key:
            overrides[m.key] = entry
        else:
            custom.append(entry)
    for d in definitions:
        if d["id"] not in mapped_ids:
            entry = fieldtypes.describe(d, read_only=True)
            entry["description"] = "Not mapped: map it with POST /v1/field-mappings to read and write it."
            custom.append(entry)
    if is_custom is True:
        return list(overrides.values()) + custom
    return [overrides.get(f["key"], f) for f in standard] + custom


# -- custom models -----------------------------------------------------------------------------------

def validate_custom_model(tenant, definition: Any, *, instance: CustomModel | None = None):
    """Parse a definition for this tenant; raises ApiError 422 naming the bad key."""
    known = set(CustomModel.objects.filter(tenant=tenant).values_list("name", flat=True))
    try:
        parsed = custommodels.parse_definition(definition, known_models=known)
    except custommodels.DefinitionError as exc:
        raise _invalid(INVALID_MODEL, f"Invalid custom model definition: {exc.field}: {exc.message}",
                       field=exc.field) from None
    clash = CustomModel.objects.filter(tenant=tenant, name=parsed.name)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise _invalid(DUPLICATE.replace("FIELD_MAPPING", "CUSTOM_MODEL"),
                       f"A custom model named {parsed.name!r} already exists.", field="name", status=409)
    return parsed


class ServedCustomModel:
    """A tenant's custom model as the resources views serve it (list, retrieve, fields).

    Calls go through the connection's connector client (`client.api.call`), so they are logged,
    rate limited, retried and translated into typed errors like every other Ashby call.
    """

    def __init__(self, row: CustomModel):
        self.row = row
        self.name = row.name
        self.definition = row.parsed()

    def __repr__(self) -> str:
        return f"<ServedCustomModel {self.name}>"

    def fields(self) -> list[dict]:
        return custommodels.fields_json(self.definition)

    def describe(self) -> dict:
        return {"model": self.name, "title": self.definition.title, "description": self.definition.description,
                "isCustom": True, "operations": ["list", "retrieve"], "endpoints": self.definition.endpoints()}

    # -- plumbing -------------------------------------------------------------------------------
    def _call(self, connection: Connection, *, request_id=None, background=False):
        if connection.tenant_id != self.row.tenant_id:
            raise ApiError("CONNECTOR::RESOURCE_MODEL::NOT_FOUND", f"There is no model {self.name!r}.", 404)
        if connection.connector_id != self.row.connector_id:
            raise ApiError("CONNECTOR::RESOURCE_MODEL::NOT_FOUND", f"The custom model {self.name!r} reads "
                           f"{self.row.connector_id}, not {connection.connector_id}.", 404)
        if not _can_call(connection):
            raise ApiError("MORPH::CONNECTION::NOT_AUTHORIZED",
                           "This connection is not authorized yet: authorize it first.", 401)
        from switchboard.connections.services import client_for

        client = client_for(connection, request_id=request_id, background=background)
        api = getattr(client, "api", None)
        if api is None or not hasattr(api, "call"):
            raise errors.NotSupported(f"The {connection.connector_id} connector cannot serve custom models.")

        def call(endpoint: str, body: dict) -> dict:
            return api.call(endpoint, body)

        return call

    def _only(self, fields) -> set[str] | None:
        if fields is None:
            return None
        wanted = {f.strip() for f in (fields.split(",") if isinstance(fields, str) else fields) if f and f.strip()}
        if not wanted:
            return None
        unknown = sorted(wanted - {f.key for f in self.definition.fields})
        if unknown:
            raise errors.BadRequest(f"Unknown fields for {self.name}: {', '.join(unknown)}.", field="fields")
        return wanted

    # -- operations -----------------------------------------------------------------------------
    def list(self, connection: Connection, *, limit: int = 50, cursor: str | None = None,
             filters: dict | None = None, q: str | None = None, fields=None, include_remote: bool = False,
             updated_after: str | None = None, expand: Iterable[str] = (), request_id: str | None = None) -> dict:
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
            raise errors.BadRequest("limit must be an integer between 1 and 100.", field="limit")
        if q:
            raise errors.BadRequest(f"{self.name} is a custom model and cannot be searched with q; use filters.",
                                    field="q")
        if expand:
            raise errors.BadRequest(f"{self.name} is a custom model; expand is not supported.", field="expand")
        since = None
        if updated_after:
            from connectors.ashby.models.base import parse_time

            since = parse_time(updated_after)
            if since is None:
                raise errors.BadRequest("updatedAfter must be an ISO-8601 date-time.", field="updatedAfter")
        only = self._only(fields)
        params = {"filters": dict(filters or {}), "updatedAfter": updated_after}
        secret = settings.SECRET_KEY
        state = decode_cursor(cursor, model=self.name, params=params, secret=secret) if cursor else {}
        call = self._call(connection, request_id=request_id)
        records, next_state = custommodels.list_page(self.definition, call, limit=limit, state=state,
                                                     filters=filters)
        data = [custommodels.to_resource(self.definition, r, include_remote=include_remote, only=only)
                for r in records]
        if since is not None:
            from connectors.ashby.models.base import parse_time

            data = [r for r in data if (parse_time(r.get("updatedAt")) is None
                                        or parse_time(r.get("updatedAt")) > since)]
        nxt = encode_cursor(next_state, model=self.name, params=params, secret=secret) if next_state else None
        return {"data": data, "next": nxt}

    def retrieve(self, connection: Connection, id: str, *, include_remote: bool = False, fields=None,
                 expand: Iterable[str] = (), request_id: str | None = None) -> dict:
        if expand:
            raise errors.BadRequest(f"{self.name} is a custom model; expand is not supported.", field="expand")
        if not isinstance(id, str) or not id.strip():
            raise errors.BadRequest("An id is required.", field="id")
        only = self._only(fields)
        record = custommodels.retrieve_record(self.definition, self._call(connection, request_id=request_id), id)
        return custommodels.to_resource(self.definition, record, include_remote=include_remote, only=only)

    def _read_only(self, operation: str):
        raise errors.NotSupported(f"{self.name} is a custom model read from {self.definition.list_endpoint}; it "
                                  f"cannot be {operation}d through Switchboard.")

    def create(self, connection: Connection, fields: dict, **_):
        self._read_only("create")

    def update(self, connection: Connection, id: str, fields: dict, **_):
        self._read_only("update")

    def delete(self, connection: Connection, id: str, **_):
        self._read_only("delete")

    def iter_resources(self, connection: Connection, *, include_remote: bool = False,
                       background: bool = True) -> Iterator[dict]:
        call = self._call(connection, background=background)
        for record in custommodels.iter_records(self.definition, call):
            yield custommodels.to_resource(self.definition, record, include_remote=include_remote)


def custom_model_for(tenant, name: str) -> ServedCustomModel | None:
    """The tenant's active custom model called `name`, ready to serve, or None.

    A stored definition that no longer parses (e.g. written by hand in the admin) is reported as
    a 500-free 422 so the developer sees what to fix."""
    if tenant is None or not isinstance(name, str) or unified.get_model(name) is not None:
        return None
    row = CustomModel.objects.filter(tenant=tenant, name=name, is_active=True).first()
    if row is None:
        return None
    try:
        return ServedCustomModel(row)
    except custommodels.DefinitionError as exc:
        raise _invalid(INVALID_MODEL, f"The stored definition of {name} is invalid: {exc.field}: {exc.message}",
                       field=exc.field) from None


def custom_model_names(tenant) -> list[str]:
    return list(CustomModel.objects.filter(tenant=tenant, is_active=True).values_list("name", flat=True))


POLLED_TRIGGERS = ("created", "updated", "deleted")


def custom_model_events(tenant) -> list[str]:
    """Event names a tenant may subscribe to for its custom models (all found by polling: full
    passes of `iter_custom_model_records`, compared by fingerprint)."""
    return [f"{name}::{trigger}" for name in custom_model_names(tenant) for trigger in POLLED_TRIGGERS]


def iter_custom_model_records(connection: Connection, custom_model, *, include_remote: bool = False
                              ) -> Iterator[dict]:
    """Every record of a custom model for one connection, as unified resources (a full pass in
    background priority), for the webhooks poller. `custom_model` is a name, a CustomModel row
    or a ServedCustomModel."""
    if isinstance(custom_model, str):
        served = custom_model_for(connection.tenant, custom_model)
        if served is None:
            raise ApiError("CONNECTOR::RESOURCE_MODEL::NOT_FOUND", f"There is no custom model {custom_model!r}.", 404)
    elif isinstance(custom_model, CustomModel):
        served = ServedCustomModel(custom_model)
    else:
        served = custom_model
    yield from served.iter_resources(connection, include_remote=include_remote)
