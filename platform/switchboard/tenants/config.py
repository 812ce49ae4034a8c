"""Per-process caching of the tenant configuration that every API call reads.

A resources call needs the tenant's field mappings for the model and its connector settings:
two queries per call otherwise (~1 ms of a 100-record page on SQLite). Any change to that
configuration gives the tenant a new `config_token` (the signals below); each API request reads
the tenant row fresh during authentication, so a cache keyed by (tenant, token) can never serve
configuration older than the request's own view of the tenant, in any process.

Only tenants loaded by the request's authentication (`mark_fresh`) use the cache. Background
work and direct service calls load from the database as before: their tenant instance may be
minutes old, and they are not latency-bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.db.models.signals import post_delete, post_save

MAX_ENTRIES = 4096

_entries: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def mark_fresh(tenant) -> None:
    """`tenant` was just read from the database for this request: its token is current."""
    tenant._config_fresh = True


def cached(tenant, key: Hashable, load: Callable[[], Any]) -> Any:
    """`load()`, remembered per (tenant, config token, key) when the tenant is fresh."""
    if tenant is None or not getattr(tenant, "_config_fresh", False):
        return load()
    entry_key = (tenant.pk, tenant.config_token, key)
    with _lock:
        if entry_key in _entries:
            _entries.move_to_end(entry_key)
            return _entries[entry_key]
    value = load()
    with _lock:
        _entries[entry_key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()


def changed(tenant_id) -> None:
    """Give the tenant a new config token: every process's cached configuration for it is stale."""
    from switchboard.tenants.models import Tenant, new_config_token

    if tenant_id is not None:
        Tenant.objects.filter(pk=tenant_id).update(config_token=new_config_token())


def _on_change(sender, instance, **kwargs) -> None:
    changed(getattr(instance, "tenant_id", None))


def watch(model) -> None:
    """Call from an app's ready(): saving or deleting a `model` row (it has a `tenant` foreign
    key) changes its tenant's configuration."""
    uid = f"tenant-config:{model._meta.label}"
    post_save.connect(_on_change, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(_on_change, sender=model, weak=False, dispatch_uid=uid + ":delete")
