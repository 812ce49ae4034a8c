"""Which events exist, which source produces each, and what a subscription may name.

The minimum is the Webhooks table of Morph's Ashby docs (every ticked model and trigger must produce
events). A connector may add events: its `webhooks` module declares `EVENT_SOURCES` (unified event
-> provider webhook types that push it) and `POLLED_EVENTS`. Any event of the catalogue that no
registered provider webhook pushes is found by polling the model, so nothing ticked is left to luck.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

TRIGGERS = ("created", "updated", "deleted")
CONNECTION_TRIGGERS = ("authorized", "permissionsChanged", "credentialsFailing", "deleted")
CONNECTION_EVENTS = tuple(f"connection::{t}" for t in CONNECTION_TRIGGERS)

# Morph's table: model -> triggers that must produce events.
MINIMUM: dict[str, tuple[str, ...]] = {
    "genericContact": TRIGGERS,
    "genericUser": TRIGGERS,
    "scheduleCalendar": ("created", "updated"),
    "scheduleEventType": TRIGGERS,
    "scheduleEvent": TRIGGERS,
    "atsJob": TRIGGERS,
    "atsApplication": TRIGGERS,
    "atsApplicationStage": TRIGGERS,
    "atsOffer": TRIGGERS,
}


@lru_cache(maxsize=8)
def provider_module(connector_id: str) -> ModuleType | None:
    """The connector's webhook module (`connectors.<id>.webhooks`), if it has one."""
    try:
        return importlib.import_module(f"connectors.{connector_id}.webhooks")
    except ImportError:
        return None


def _connector_events() -> set[str]:
    from connectors.registry import all_connectors

    events: set[str] = set()
    for connector in all_connectors():
        module = provider_module(connector.id)
        if module is not None:
            events.update(getattr(module, "EVENT_SOURCES", {}))
            events.update(getattr(module, "POLLED_EVENTS", ()))
    return events


def model_events() -> list[str]:
    events = {f"{m}::{t}" for m, triggers in MINIMUM.items() for t in triggers} | _connector_events()
    return sorted(events)


def custom_models(tenant) -> set[str]:
    """The tenant's custom models (the mappings app), whose events are found by polling."""
    if tenant is None:
        return set()
    try:
        from switchboard.mappings.services import custom_model_names
    except ImportError:
        return set()
    return set(custom_model_names(tenant))


def custom_events(tenant) -> list[str]:
    if tenant is None:
        return []
    try:
        from switchboard.mappings.services import custom_model_events
    except ImportError:
        return []
    return list(custom_model_events(tenant))


def all_events(tenant=None) -> list[str]:
    return model_events() + custom_events(tenant) + list(CONNECTION_EVENTS)


def validate_events(events, tenant=None) -> list[str]:
    """The cleaned list, or ValueError with a sentence naming the bad entry."""
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise ValueError('events must be a non-empty list like ["atsApplication::updated"] or ["*"].')
    known = set(all_events(tenant))
    for event in events:
        if event == "*":
            continue
        if "::" not in event:
            raise ValueError(f'{event!r} is not an event name: use "<model>::<trigger>" or "*".')
        if event not in known:
            model = event.split("::", 1)[0]
            offered = sorted(e for e in known if e.startswith(model + "::"))
            hint = (f" {model} offers {', '.join(offered)}." if offered
                    else " Known models: " + ", ".join(sorted({e.split('::')[0] for e in known})) + ".")
            raise ValueError(f"{event!r} is not an event Switchboard produces.{hint}")
    return list(dict.fromkeys(events))


def matches(subscribed: list[str], event_type: str) -> bool:
    return "*" in subscribed or event_type in subscribed


def expand(subscribed: list[str], tenant=None) -> set[str]:
    """Model events named by a subscription (`*` = all of them, the tenant's custom models
    included; connection events excluded)."""
    if "*" in subscribed:
        return set(model_events()) | set(custom_events(tenant))
    return {e for e in subscribed if not e.startswith("connection::")}


def pushed_by(connector_id: str, webhook_types: set[str]) -> set[str]:
    """Events that the registered provider webhook types push for this connector."""
    module = provider_module(connector_id)
    sources = getattr(module, "EVENT_SOURCES", {}) if module else {}
    return {event for event, types in sources.items() if set(types) & webhook_types}


def webhook_types_for(connector_id: str, events: set[str]) -> list[str]:
    module = provider_module(connector_id)
    fn = getattr(module, "webhook_types_for", None) if module else None
    return list(fn(sorted(events))) if fn else []
