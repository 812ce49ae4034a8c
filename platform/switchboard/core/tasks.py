"""Helpers for queueing Celery tasks safely, and the core app's housekeeping tasks."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction


def enqueue(task, *args, **kwargs) -> None:
    """Queue `task` only once the surrounding transaction commits, so a worker never sees an id
    whose row is not yet visible (and a rolled-back row is never processed)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


@shared_task(name="switchboard.core.tasks.touch")
def touch(path: str) -> str:
    """A no-op-ish task the test suite and operators use to prove a worker consumes the broker."""
    from pathlib import Path

    Path(path).write_text("ok")
    return path


@shared_task(name="switchboard.core.tasks.sweep_counters")
def sweep_counters() -> int:
    """Beat, hourly: drop expired counter rows even on a quiet install (hits sweep now and then
    too, but only when there are hits)."""
    from switchboard.core import counters

    return counters.sweep()
