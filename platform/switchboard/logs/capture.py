"""Log rows written after the answer has left, not while the caller waits.

While an API request runs, upstream-call rows collect here instead of being inserted one by one;
when the response is closed (after the WSGI server has sent the body), the request's own row and
its upstream rows are written in one transaction. On a 100-record list page that takes two
inserts and their commits (~1 ms on SQLite) off the time the developer sees, and folds two
transactions into one. Outside a request (workers, beat, the connect page) rows are written
immediately as before.

The trade: a process killed between sending a response and closing it loses that request's log
rows. They are operator diagnostics, not events; events and deliveries are never deferred.
"""

from __future__ import annotations

import contextvars
import logging

from django.db import IntegrityError, transaction
from django.db import connection as db

logger = logging.getLogger("switchboard.logs")

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


def write(request_row, upstream_rows: list) -> None:
    """Insert the request's rows in one transaction (each may be given as a function that builds
    it). If a connection they name is gone (deleted by this request or a concurrent one), the
    foreign key fails; the rows are then written again without it rather than lost. The common
    case costs no extra query."""
    try:
        if callable(request_row):
            request_row = request_row()
        upstream_rows = [row() if callable(row) else row for row in upstream_rows]
        try:
            _insert(request_row, upstream_rows)
        except IntegrityError:
            _forget_deleted_connections([request_row, *upstream_rows])
            _insert(request_row, upstream_rows)
    except Exception:  # logging must never break anything; say so loudly instead
        logger.exception("could not record request and upstream-call logs")


def _insert(request_row, upstream_rows: list) -> None:
    from switchboard.logs.models import UpstreamCallLog

    with transaction.atomic():
        if request_row is not None:
            request_row.save(force_insert=True)
        if upstream_rows:
            UpstreamCallLog.objects.bulk_create(upstream_rows)


def _forget_deleted_connections(rows: list) -> None:
    from switchboard.connections.models import Connection

    rows = [r for r in rows if r is not None]
    for r in rows:
        r.pk = None  # a failed transaction may have handed out ids; insert afresh
    wanted = {r.connection_id for r in rows if r.connection_id is not None}
    live = set(Connection.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    for r in rows:
        if r.connection_id is not None and r.connection_id not in live:
            r.connection = None
