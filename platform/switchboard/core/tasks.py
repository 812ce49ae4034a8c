"""Helpers for queueing Celery tasks safely."""

from __future__ import annotations

from django.db import transaction


def enqueue(task, *args, **kwargs) -> None:
    """Queue `task` only once the surrounding transaction commits, so a worker never sees an id
    whose row is not yet visible (and a rolled-back row is never processed)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))
