"""Fixtures for the Python SDK's tests.

The SDK is its own distribution under sdk/python; putting it on sys.path here lets the project's
single test command import it without installing it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

SDK_ROOT = Path(__file__).resolve().parents[2] / "sdk" / "python"
if str(SDK_ROOT) not in sys.path:
    sys.path.insert(0, str(SDK_ROOT))

from switchboard_sdk import Switchboard  # noqa: E402

BASE = "http://switchboard.test"


def pytest_collection_modifyitems(config, items):
    # The SDK's unit tests also run with `-p no:django`; tests against the live platform then skip
    # instead of failing on missing fixtures.
    if config.pluginmanager.hasplugin("django"):
        return
    skip = pytest.mark.skip(reason="needs pytest-django (live_server)")
    here = Path(__file__).parent
    for item in items:
        # This hook sees the whole session's items; touch only this directory's.
        if here in Path(item.path).parents and "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@pytest.fixture
def rsps():
    # Unmatched requests raise inside `responses`, so a test can never reach a real host.
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    sb = Switchboard(public_key="pk_test", secret_key="sk_test", base_url=BASE, timeout=5, max_retries=2)
    # Record waits instead of sleeping: retry tests assert on the waits, never on wall time.
    sb._t.sleep = sleeps.append
    return sb


def _sent(call) -> tuple[str, str, dict, dict, object]:
    request = call.request
    parts = urlsplit(request.url)
    query = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    body = json.loads(request.body) if request.body else None
    return request.method, parts.path, query, {k.lower(): v for k, v in request.headers.items()}, body


@pytest.fixture
def sent():
    """sent(call) -> (method, path, query, headers, json body) of a recorded request.

    A fixture rather than an import: test directories are not packages, so importing from
    conftest would depend on which conftest Python found first.
    """
    return _sent
