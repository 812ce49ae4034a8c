"""A unified page is freed when the server drops the response, not when the garbage collector
next runs: DRF ties view, Request and Response into cycles, which the base view cuts once the
body is sent (otherwise a worker's memory grew while paging, and collections got dearer)."""

from __future__ import annotations

import gc
import weakref

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory

from tests.switchboard.resources.conftest import HEADERS

pytestmark = pytest.mark.django_db


def _serve(environ) -> tuple[weakref.ref, bytes, str]:
    """Call the WSGI app the way gunicorn does: start, read the body, close. Without the hooks that
    would close the test's database connection (as Django's test client does too)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    status = []
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return weakref.ref(response), body, status[0]


@pytest.mark.parametrize("path", ["/v1/resources/genericContact", "/v1/resources/genericContact/c1"])
def test_the_response_is_freed_by_reference_counting_once_closed(tenant_keys, connection, fake, path):
    _, public, secret = tenant_keys
    environ = RequestFactory().get(path, HTTP_X_API_KEY=public, HTTP_X_API_SECRET=secret, **HEADERS).environ
    _serve(dict(environ))  # warm: first-use caches are not what this looks at
    gc.collect()
    gc.disable()
    try:
        ref, body, status = _serve(dict(environ))
        assert status.startswith("200"), body
        assert ref() is None  # no cycle kept it (and its page) alive
    finally:
        gc.enable()
