"""Log rows written after the answer has left, not while the caller waits.

While an API request runs, upstream-call rows collect here instead of being inserted one by one.
When the response is closed (after the WSGI server has sent the body), the request's own row is
built and, with its upstream rows, handed to this process's log writer: a thread that writes
whatever has arrived within `LINGER` seconds as one batch, in one transaction. A commit per API
call (two ORM inserts, compiled each time, and the commit: ~1-2 ms of CPU on SQLite, an fsync on
PostgreSQL) becomes a commit per batch. Outside a request (workers, beat, the connect page) rows
are written immediately. `REQUEST_LOG_WRITER = "inline"` writes each request's rows at close
instead (the test suite does: its data lives in transactions no other thread can see).

The trade: rows of the last `LINGER` seconds are lost if a process is killed outright (a normal
exit flushes them). They are operator diagnostics, not events; events and deliveries are never
deferred. The queue is bounded: under a flood the request thread writes its own rows.
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import os
import queue
import threading
import time

from django.db import IntegrityError, transaction
from django.db import connection as db

logger = logging.getLogger("switchboard.logs")

LINGER = 0.1        # seconds the writer waits for more rows before writing a batch
MAX_BATCH = 500     # requests per batch (each with its upstream rows)
MAX_QUEUED = 10_000  # beyond this the request thread writes its own rows (no unbounded memory)
IDLE_CLOSE = 5.0    # seconds without rows after which the writer closes its database connection

_pending: contextvars.ContextVar[list | None] = contextvars.ContextVar("switchboard_log_rows", default=None)


def begin() -> contextvars.Token:
    return _pending.set([])


def end(token: contextvars.Token) -> list:
    """Stop collecting for this request (the thread may serve another) and return the rows."""
    rows = _pending.get() or []
    _pending.reset(token)
    return rows


def defer(build) -> bool:
    """Queue a function that builds an unsaved row, called when the request's rows are written
    (building a model instance is work the caller need not wait for); False outside a request."""
    rows = _pending.get()
    if rows is None:
        return False
    rows.append(build)
    return True


def can_defer() -> bool:
    """Not with an in-memory SQLite database (the test suite's): its one connection is shared by
    the live server's threads, so a write after the response would race the next request."""
    return not (db.vendor == "sqlite" and db.is_in_memory_db())


def submit(request_row, upstream_rows: list) -> None:
    """Hand one request's rows to the writer (or write them now, per `REQUEST_LOG_WRITER`)."""
    from django.conf import settings

    if getattr(settings, "REQUEST_LOG_WRITER", "background") == "background" and writer.submit(
            (request_row, upstream_rows)):
        return
    write(request_row, upstream_rows)


def write(request_row, upstream_rows: list) -> None:
    """Insert one request's rows now, in one transaction (each may be given as a function that
    builds it)."""
    write_batch([(request_row, upstream_rows)])


def write_batch(items: list) -> None:
    """Insert the rows of several requests in one transaction. If a connection they name is gone
    (deleted meanwhile), the foreign key fails; the rows are then written again without it rather
    than lost. The common case costs no extra query. Never raises: logging must not break anything."""
    requests, upstream = [], []
    for request_row, upstream_rows in items:
        try:
            if callable(request_row):
                request_row = request_row()
            built = [row() if callable(row) else row for row in upstream_rows]
        except Exception:
            logger.exception("could not build request and upstream-call log rows")
            continue
        if request_row is not None:
            requests.append(request_row)
        upstream.extend(built)
    if not requests and not upstream:
        return
    try:
        try:
            _insert(requests, upstream)
        except IntegrityError:
            _forget_deleted_connections([*requests, *upstream])
            _insert(requests, upstream)
    except Exception:  # say so loudly instead
        logger.exception("could not record request and upstream-call logs")


def _insert(requests: list, upstream: list) -> None:
    from switchboard.logs.models import RequestLog, UpstreamCallLog

    with transaction.atomic():
        if requests:
            RequestLog.objects.bulk_create(requests)
        if upstream:
            UpstreamCallLog.objects.bulk_create(upstream)


def _forget_deleted_connections(rows: list) -> None:
    from switchboard.connections.models import Connection

    for r in rows:
        r.pk = None  # a failed transaction may have handed out ids; insert afresh
    wanted = {r.connection_id for r in rows if r.connection_id is not None}
    live = set(Connection.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    for r in rows:
        if r.connection_id is not None and r.connection_id not in live:
            r.connection = None


class LogWriter:
    """One per process: a daemon thread that writes queued rows in batches.

    Started on first use and again in a forked child (Celery's prefork pool, a preloading
    server), where the parent's thread does not exist. `flush()` waits until everything submitted
    so far is written; `stop()` flushes, closes the thread's database connection and ends it
    (at interpreter exit, and in tests)."""

    def __init__(self):
        self._queue: queue.Queue = queue.Queue(maxsize=MAX_QUEUED)
        self._lock = threading.Condition()
        self._unwritten = 0
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._atexit = False

    def submit(self, item) -> bool:
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._start()
            self._unwritten += 1
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._done(1)
            return False  # the caller writes it itself
        return True

    def flush(self, timeout: float = 10.0) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: self._unwritten == 0, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            thread = self._thread if self._pid == os.getpid() else None
        if thread is None or not thread.is_alive():
            return
        self.flush(timeout)
        self._queue.put(None)  # the thread's signal to close its connection and end
        thread.join(timeout)

    def _after_fork(self) -> None:
        # A forked child has a copy of the parent's queue and lock (possibly held) but not its
        # thread: start afresh; the parent writes its own rows.
        self._lock = threading.Condition()
        self._queue = queue.Queue(maxsize=MAX_QUEUED)
        self._unwritten, self._thread, self._pid = 0, None, None

    def _start(self) -> None:
        # Rows already queued (if a previous thread ended) stay queued and counted for the new one.
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="switchboard-log-writer", daemon=True)
        self._thread.start()
        if not self._atexit:
            atexit.register(self.stop)
            self._atexit = True

    def _done(self, count: int) -> None:
        with self._lock:
            self._unwritten -= count
            if self._unwritten <= 0:
                self._unwritten = 0
                self._lock.notify_all()

    def _run(self) -> None:
        from django.db import close_old_connections

        while True:
            try:
                first = self._queue.get(timeout=IDLE_CLOSE)
            except queue.Empty:
                _quietly(db.close)  # idle: give the connection back (PostgreSQL counts them)
                continue
            if first is None:
                _quietly(db.close)
                return
            batch, stop = [first], False
            deadline = time.monotonic() + LINGER
            while len(batch) < MAX_BATCH:
                remaining = deadline - time.monotonic()
                try:
                    item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            try:
                _quietly(close_old_connections)  # CONN_MAX_AGE and broken connections, as a request would
                write_batch(batch)  # never raises
            finally:
                self._done(len(batch))
            if stop:
                _quietly(db.close)
                return


def _quietly(action) -> None:
    """The writer thread must outlive a database that is briefly away: log, carry on."""
    try:
        action()
    except Exception:
        logger.exception("log writer: %s failed", getattr(action, "__name__", action))


writer = LogWriter()
os.register_at_fork(after_in_child=writer._after_fork)
