"""The one registry of connectors. A connector package registers itself on import; the list of
packages to import lives here so adding a connector is one line."""

from __future__ import annotations

import importlib

from connectors.base import Connector

_REGISTRY: dict[str, Connector] = {}
_BUILTIN = ("connectors.ashby",)
_loaded = False


def register(connector: Connector) -> Connector:
    _REGISTRY[connector.id] = connector
    return connector


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _BUILTIN:
            importlib.import_module(module)


def get_connector(connector_id: str) -> Connector | None:
    _load()
    return _REGISTRY.get(connector_id)


def all_connectors() -> list[Connector]:
    _load()
    return list(_REGISTRY.values())
