"""Shared fixed-window counters: both backends count atomically per window and expire."""

import threading

import pytest
from django.db import connection

from switchboard.core import counters
from switchboard.core.models import Counter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_cache")]


@pytest.fixture
def clock(monkeypatch):
    t = {"now": 1_800_000_000.0}
    monkeypatch.setattr(counters, "now", lambda: t["now"])
    return t


@pytest.mark.parametrize("backend", ["database", "cache"])
def test_counts_per_name_and_window(monkeypatch, clock, backend):
    monkeypatch.setattr(counters, "_uses_database", lambda: backend == "database")
    assert counters.hit("a", 60) == (1, 60.0)
    clock["now"] += 15
    assert counters.hit("a", 60) == (2, 45.0)
    assert counters.hit("b", 60)[0] == 1          # another name has its own count
    clock["now"] += 45                             # the next window starts from zero
    assert counters.hit("a", 60) == (1, 60.0)


def test_database_rows_carry_their_expiry_and_are_swept(monkeypatch, clock):
    monkeypatch.setattr(counters, "_uses_database", lambda: True)
    counters.hit("old", 60)
    assert Counter.objects.get(name="old:30000000").expires == 1_800_000_060.0
    clock["now"] += 120
    monkeypatch.setattr(counters, "SWEEP_ONE_IN", 1)  # sweep on this hit
    counters.hit("new", 60)
    assert list(Counter.objects.values_list("name", flat=True)) == ["new:30000002"]


@pytest.mark.django_db(transaction=True)
def test_database_increments_are_atomic_across_threads(monkeypatch, clock):
    """Each thread has its own database connection, as separate processes would."""
    monkeypatch.setattr(counters, "_uses_database", lambda: True)
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite database is not shared between connections")
    seen, errors = [], []

    def work():
        try:
            for _ in range(20):
                seen.append(counters.hit("shared", 60)[0])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert sorted(seen) == list(range(1, 81))  # no lost update, no duplicate count


def test_the_hourly_task_sweeps_expired_rows(monkeypatch, clock):
    from switchboard.celery import app
    from switchboard.core.tasks import sweep_counters

    monkeypatch.setattr(counters, "_uses_database", lambda: True)
    counters.hit("a", 60)
    counters.hit("b", 3600)
    clock["now"] += 120
    assert sweep_counters() == 1
    assert list(Counter.objects.values_list("name", flat=True)) == [f"b:{int(1_800_000_000 // 3600)}"]
    assert "switchboard.core.tasks.sweep_counters" in {e["task"] for e in app.conf.beat_schedule.values()}
