"""Celery is wired: a real worker process consumes the configured broker (the filesystem transport
by default, Redis or RabbitMQ in CI), tasks are queued only on commit, and beat has its schedule."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_enqueue_waits_for_commit(django_capture_on_commit_callbacks, monkeypatch):
    from switchboard.core import tasks

    sent = []
    monkeypatch.setattr(tasks.touch, "delay", lambda *a: sent.append(a))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.enqueue(tasks.touch, "/tmp/x")
        assert sent == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [("/tmp/x",)]


def test_beat_schedule_is_configured():
    from switchboard.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "switchboard.logs.tasks.prune_request_logs" in tasks


@pytest.mark.e2e
def test_a_real_worker_consumes_the_broker(tmp_path):
    from switchboard.celery import app

    marker = tmp_path / "done"
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
           "DJANGO_SETTINGS_MODULE": "switchboard.settings_test"}
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"  # private queue: parallel runs don't steal it
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "switchboard", "worker", "--pool", "solo", "-Q", queue,
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        app.send_task("switchboard.core.tasks.touch", args=[str(marker)], queue=queue)
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        output = "" if worker.poll() is None else worker.stdout.read().decode()
        assert marker.exists(), f"worker did not run the task via {settings.CELERY_BROKER_URL}: {output}"
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_polling_has_its_own_queue_and_a_plain_worker_consumes_both():
    from switchboard.celery import app

    def queue_of(task_name):
        return app.amqp.router.route({}, task_name)["queue"].name

    assert queue_of("switchboard.webhooks.tasks.poll_model") == "polling"
    for name in ("switchboard.webhooks.tasks.deliver", "switchboard.webhooks.tasks.process_inbound",
                 "switchboard.webhooks.tasks.sweep"):
        assert queue_of(name) == "celery"
    # A worker given no -Q consumes every declared queue: one worker alone still runs polling.
    assert {q.name for q in app.conf.task_queues} == {"celery", "polling"}


def test_the_demo_runs_a_worker_per_queue():
    source = (ROOT / "platform/switchboard/core/management/commands/rundemo.py").read_text()
    assert '"-Q", "celery"' in source and '"-Q", "polling"' in source
