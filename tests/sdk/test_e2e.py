"""End-to-end: the seed's flow through the SDK against a running platform and the Ashby sandbox.

DRAFT, waiting for a `platform_server` fixture (to be provided by the lead once the platform runs
end to end). Skipped while no such fixture exists; nothing here fakes the platform. The fixture is
expected to start the platform (web + worker) with the Ashby sandbox on loopback, allow webhook
URLs on loopback, and return an object with:

    base_url        e.g. "http://127.0.0.1:8765"
    public_key      the tenant's pk_...
    secret_key      the tenant's sk_...
    ashby_api_key   a sandbox key with every permission
"""

from __future__ import annotations

import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from switchboard_sdk import Switchboard, verify_webhook

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPERATIONS = ["atsJob::list", "genericContact::list", "genericContact::create"]


@pytest.fixture
def platform(request):
    try:
        return request.getfixturevalue("platform_server")
    except pytest.FixtureLookupError:
        pytest.skip("needs the platform_server fixture (platform + Ashby sandbox on loopback)")


class _Receiver(BaseHTTPRequestHandler):
    deliveries: list[tuple[bytes, dict[str, str]]]

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("content-length") or 0)
        self.deliveries.append((self.rfile.read(length), dict(self.headers.items())))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    handler = type("Receiver", (_Receiver,), {"deliveries": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler.deliveries
    server.shutdown()
    server.server_close()


def test_seed_flow(platform, receiver):
    url, deliveries = receiver
    client = Switchboard(public_key=platform.public_key, secret_key=platform.secret_key,
                         base_url=platform.base_url, timeout=30)
    owner_id = f"e2e-{uuid.uuid4().hex[:8]}"

    connection = client.connections(connector_id="ashby", owner_id=owner_id)
    assert connection.create(operations=OPERATIONS).status == "unauthorized"

    # Subscribed before authorizing, so the platform registers what it needs when the key arrives.
    sub = client.webhooks.create(url, ["genericContact::created"], connector_id="ashby", owner_id=owner_id)
    assert sub.secret and sub.secret.startswith("whsec_")

    pending = connection.authorize()
    assert pending.status == "awaitingAuthorization"
    assert pending.authorization_url

    done = connection.authorize(settings={"apiKey": platform.ashby_api_key})
    assert done.status == "authorized"
    assert connection.retrieve().status == "authorized"

    first = connection.resources("atsJob").list(limit=2)
    assert first.next, "the sandbox must seed more than two jobs for this test to page"
    all_jobs = list(connection.resources("atsJob").iter_all(limit=2))
    assert len(all_jobs) > 2
    assert len({job.id for job in all_jobs}) == len(all_jobs)

    email = f"ada+{uuid.uuid4().hex[:8]}@example.com"
    created = connection.resources("genericContact").create(
        {"firstName": "Ada", "lastName": "Lovelace", "email": email}, return_resource=True
    )
    assert created.fields["email"] == email

    # Candidate creation reaches subscribers through change detection; wait for it with a bound
    # (a deadline, not a timing assertion).
    deadline = time.monotonic() + 120
    event = None
    while time.monotonic() < deadline and event is None:
        for body, headers in list(deliveries):
            payload = verify_webhook(body, headers, sub.secret)
            if payload.get("type") == "genericContact::created" and payload["data"]["id"] == created.id:
                event = payload
        time.sleep(0.5)
    assert event is not None, f"no signed genericContact::created delivery; got {len(deliveries)} deliveries"
    assert event["ownerId"] == owner_id
