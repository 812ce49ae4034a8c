"""Helpers for queueing Celery tasks safely."""

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
