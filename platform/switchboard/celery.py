"""Celery app. Workers and beat read the same Django settings (CELERY_* names)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "switchboard.settings")

app = Celery("switchboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect  # each prefork child
@signals.worker_ready.connect         # the main process (solo and thread pools run tasks there)
def _freeze_startup_objects(**kwargs):
    from switchboard.core.runtime import freeze_startup_objects

    freeze_startup_objects()
