"""Request and upstream-call log rows are written when the response is closed (after the body has
been sent), in one go, and never lost to a connection the request itself deleted."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from switchboard.logs import capture
from switchboard.logs.middleware import RequestLogMiddleware
from switchboard.logs.models import RequestLog, UpstreamCallLog

pytestmark = pytest.mark.django_db


def test_rows_wait_for_the_response_to_close(client, connection, fake, monkeypatch):
    from django.test.client import ClientHandler

    monkeypatch.setattr(capture, "can_defer", lambda: True)  # as on a file database or PostgreSQL
    built = []  # the rows are not even built while the caller waits
    real_row, real_from_call = RequestLogMiddleware._row, UpstreamCallLog.from_call

    def spy_row(self, *args):
        built.append("_row")
        return real_row(self, *args)

    def spy_from_call(*args, **kwargs):  # looked up on the class: no binding, real_from_call is bound
        built.append("from_call")
        return real_from_call(*args, **kwargs)

    monkeypatch.setattr(RequestLogMiddleware, "_row", spy_row)
    monkeypatch.setattr(UpstreamCallLog, "from_call", spy_from_call)
    closed = []
    original = ClientHandler.__call__

    def keep_open(self, environ):
        # Run the request as a server would, but look at the database before close().
        from django.http import HttpResponseBase

        real_close = HttpResponseBase.close
        HttpResponseBase.close = lambda response: closed.append(response)
        try:
            return original(self, environ)
        finally:
            HttpResponseBase.close = real_close

    ClientHandler.__call__ = keep_open
    try:
        response = client.get("/v1/resources/atsJob/j1")
    finally:
        ClientHandler.__call__ = original
    assert response.status_code == 200 and closed
    assert not RequestLog.objects.exists() and not UpstreamCallLog.objects.exists()
    assert built == []
    _close_like_the_test_client(closed[0])
    assert sorted(built) == ["_row", "from_call"]
    log = RequestLog.objects.get()
    assert log.path == "/v1/resources/atsJob/j1" and log.connection_id == connection.pk
    upstream = UpstreamCallLog.objects.get()
    assert upstream.connection_id == connection.pk and upstream.request_id == log.request_id


def _close_like_the_test_client(response):
    """response.close() without the end-of-request hook that would close the test's database
    connection (Django's test client does the same)."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_upstream_rows_outside_a_request_are_written_at_once(connection):
    from connectors.base import UpstreamCall

    call = UpstreamCall(method="POST", url="https://api.ashbyhq.com/job.list", status=200, duration_ms=3.0)
    UpstreamCallLog.record(connection, call, "bg-1")
    assert UpstreamCallLog.objects.filter(request_id="bg-1").exists()


@pytest.mark.django_db(transaction=True)  # foreign keys are checked when a transaction commits
def test_a_connection_deleted_during_the_request_does_not_lose_the_rows(connection):
    from connectors.base import UpstreamCall
    from switchboard.connections.models import Connection

    def view(request):
        from django.http import JsonResponse

        call = UpstreamCall(method="POST", url="https://api.ashbyhq.com/webhook.delete", status=200,
                            duration_ms=1.0)
        UpstreamCallLog.record(connection, call, "del-1")
        Connection.objects.filter(pk=connection.pk).delete()  # another instance: ours keeps its pk
        request.connection = connection
        return JsonResponse({}, status=204)

    request = RequestFactory().delete("/v1/connections/ashby/acme")
    request.request_id = "del-1"
    response = RequestLogMiddleware(view)(request)
    _close_like_the_test_client(response)
    assert RequestLog.objects.get(request_id="del-1").connection_id is None
    assert UpstreamCallLog.objects.get(request_id="del-1").connection_id is None


def test_a_failing_log_write_never_breaks_the_response(connection, monkeypatch, caplog):
    def view(request):
        from django.http import JsonResponse

        return JsonResponse({"ok": True})

    def broken(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(capture, "_insert", broken)
    request = RequestFactory().get("/v1/connectors")
    request.request_id = "x"
    response = RequestLogMiddleware(view)(request)
    _close_like_the_test_client(response)  # the server's close(): logged, not raised
    assert response.status_code == 200
    assert "could not record" in caplog.text


def test_rows_are_deferred_unless_the_database_is_shared_between_threads():
    from django.db import connection as db

    shared = db.vendor == "sqlite" and db.is_in_memory_db()  # the suite's SQLite run
    assert capture.can_defer() is not shared


def test_collection_stops_with_the_request():
    token = capture.begin()
    assert capture.defer(object())
    assert len(capture.end(token)) == 1
    assert capture.defer(object()) is False


# -- the background writer ------------------------------------------------------------------------

def _request_row(tenant, request_id: str) -> RequestLog:
    return RequestLog(tenant=tenant, method="GET", path="/v1/resources/atsJob", status=200, duration_ms=1.0,
                      request_id=request_id, auth="secret")


def _upstream_row(connection, request_id: str):
    from connectors.base import UpstreamCall

    call = UpstreamCall(method="POST", url="https://api.ashbyhq.com/job.list", status=200, duration_ms=2.0)
    return lambda: UpstreamCallLog.from_call(connection, call, request_id)


@pytest.fixture
def background(settings):
    settings.REQUEST_LOG_WRITER = "background"
    yield capture.writer
    capture.writer.stop()  # flushes, closes the thread's database connection


@pytest.mark.django_db(transaction=True)  # the writer's own connection sees only committed rows
def test_the_writer_writes_many_requests_rows_in_one_batch(background, tenant_keys, connection, monkeypatch):
    batches = []
    real = capture.write_batch
    monkeypatch.setattr(capture, "write_batch", lambda items: batches.append(len(items)) or real(items))
    for i in range(20):
        capture.submit(_request_row(tenant_keys[0], f"r{i}"), [_upstream_row(connection, f"r{i}")])
    assert background.flush()
    assert RequestLog.objects.filter(request_id__startswith="r").count() == 20
    assert UpstreamCallLog.objects.filter(connection=connection).count() == 20
    assert sum(batches) == 20 and len(batches) < 20  # a transaction per batch, not per request


@pytest.mark.django_db(transaction=True)
def test_api_calls_reach_the_database_through_the_writer(background, client, fake, connection, monkeypatch):
    monkeypatch.setattr(capture, "can_defer", lambda: True)  # as on a file database or PostgreSQL
    for _ in range(3):
        assert client.get("/v1/resources/atsJob").status_code == 200
    assert background.flush()
    assert RequestLog.objects.filter(path="/v1/resources/atsJob", connection=connection).count() == 3
    assert UpstreamCallLog.objects.filter(connection=connection).count() >= 3


@pytest.mark.django_db(transaction=True)
def test_rows_keep_the_time_of_the_call_not_of_the_write(background, tenant_keys):
    import time

    from django.utils import timezone

    row = _request_row(tenant_keys[0], "late")
    time.sleep(0.05)
    submitted = timezone.now()
    capture.submit(row, [])
    assert background.flush()
    assert RequestLog.objects.get(request_id="late").created_at < submitted


def test_a_full_queue_makes_the_caller_write_its_own_rows(monkeypatch):
    import queue
    import threading

    release = threading.Event()
    monkeypatch.setattr(capture, "write_batch", lambda items: release.wait(5))
    monkeypatch.setattr(capture, "MAX_QUEUED", 1)
    monkeypatch.setattr(capture, "LINGER", 0)
    writer = capture.LogWriter()
    writer._queue = queue.Queue(maxsize=1)
    try:
        assert writer.submit(("a", []))  # taken by the thread, which now waits
        deadline = threading.Event()
        while not writer._queue.empty() and not deadline.wait(0.01):
            pass
        assert writer.submit(("b", []))  # waits in the queue
        assert writer.submit(("c", [])) is False  # no room: not queued, the caller writes it
    finally:
        release.set()
        writer.stop()
    assert writer._unwritten == 0


def test_the_writer_survives_a_database_that_is_briefly_away(monkeypatch, caplog):
    from django import db as django_db

    written = []
    monkeypatch.setattr(capture, "write_batch", lambda items: written.extend(items))
    monkeypatch.setattr(capture, "LINGER", 0)

    def unreachable():
        raise django_db.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(django_db, "close_old_connections", unreachable)
    writer = capture.LogWriter()
    try:
        assert writer.submit(("first", []))
        assert writer.flush(5)
        assert writer.submit(("second", []))  # the same thread, still alive
        assert writer.flush(5)
        assert writer._thread.is_alive()
    finally:
        writer.stop()
    assert [item[0] for item in written] == ["first", "second"]
    assert "log writer" in caplog.text
