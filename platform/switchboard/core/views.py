"""Health endpoints: /healthz says the process is up; /readyz checks what it depends on."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse


def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return None
    except Exception as exc:  # any driver error means not ready
        return f"database unreachable: {exc.__class__.__name__}"


def _check_broker() -> str | None:
    from switchboard.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return None
    except Exception as exc:
        return f"broker unreachable: {exc.__class__.__name__}"


def readyz(request):
    problems = {name: msg for name, msg in (("database", _check_database()), ("broker", _check_broker())) if msg}
    if problems:
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ok"})
