"""Where webhooks may go: refused at subscribe time and again at delivery time (DNS rebinding),
and the delivery connects to the address that was checked."""

from __future__ import annotations

import pytest

from switchboard.webhooks import delivery as dl
from switchboard.webhooks import urlsafety
from switchboard.webhooks.models import Delivery, DeliveryAttempt, Event
from switchboard.webhooks.services import emit_for_connection
from tests.switchboard.webhooks.conftest import subscribe

pytestmark = pytest.mark.django_db

PRIVATE = [
    "http://127.0.0.1/h", "http://127.1.2.3:8080/h", "http://10.0.0.5/h", "http://172.16.3.4/h",
    "http://192.168.1.1/h", "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/h",
    "http://0.0.0.0/h", "http://[::1]/h", "http://[fe80::1]/h", "http://[fc00::1]/h",
    "http://[::ffff:127.0.0.1]/h", "http://224.0.0.1/h", "http://240.0.0.1/h", "http://localhost:9000/h",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_private_loopback_link_local_multicast_reserved_are_refused(api, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    r = api.post("/v1/webhooks", {"url": url, "events": ["*"]}, format="json")
    assert r.status_code == 400, url
    assert "url refused" in r.json()["message"]


def test_host_names_resolving_to_private_addresses_are_refused(api, settings, dns):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    dns.table["internal.example.com"] = ["93.184.216.34", "10.1.2.3"]  # one bad answer is enough
    r = api.post("/v1/webhooks", {"url": "https://internal.example.com/h", "events": ["*"]}, format="json")
    assert r.status_code == 400 and "10.1.2.3" in r.json()["message"]
    r = api.post("/v1/webhooks", {"url": "https://nowhere.invalid/h", "events": ["*"]}, format="json")
    assert r.status_code == 400 and "does not resolve" in r.json()["message"]


@pytest.mark.parametrize("url, fragment", [
    ("ftp://a.example.com/h", "http or https"),
    ("https://user:pw@a.example.com/h", "credentials"),
    ("https:///h", "no host"),
    ("not a url", "http or https"),
    ("https://a.example.com:99999/h", "port"),
])
def test_malformed_urls(api, url, fragment):
    r = api.post("/v1/webhooks", {"url": url, "events": ["*"]}, format="json")
    assert r.status_code == 400 and fragment in r.json()["message"], r.json()


def test_production_requires_https(api, settings):
    settings.PRODUCTION = True
    r = api.post("/v1/webhooks", {"url": "http://a.example.com/h", "events": ["*"]}, format="json")
    assert r.status_code == 400 and "https" in r.json()["message"]
    assert api.post("/v1/webhooks", {"url": "https://a.example.com/h", "events": ["*"]},
                    format="json").status_code == 201


def test_operator_setting_allows_private_addresses(api, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    assert api.post("/v1/webhooks", {"url": "http://127.0.0.1:9/h", "events": ["*"]}, format="json").status_code == 201
    # Multicast and unspecified addresses make no sense even for a demo.
    assert api.post("/v1/webhooks", {"url": "http://224.0.0.1/h", "events": ["*"]}, format="json").status_code == 400


def test_dns_rebinding_is_caught_at_delivery_time(connection, settings, dns, receiver):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    dns.table["hooks.example.com"] = ["93.184.216.34"]
    sub = subscribe(connection.tenant, f"http://hooks.example.com:{receiver.port}/h", ["*"], connection)
    urlsafety.check(sub.url)  # fine when subscribed ...
    dns.table["hooks.example.com"] = ["127.0.0.1"]  # ... then the name is pointed inside
    event = emit_for_connection(connection, "atsJob::created", {"id": "j"}, source=Event.Source.POLL)
    d = Delivery.objects.get(event=event)
    assert dl.attempt(d.pk) == "retry"
    attempt = DeliveryAttempt.objects.get(delivery=d)
    assert attempt.error.startswith("refused:") and "127.0.0.1" in attempt.error
    assert receiver.requests == []  # nothing was sent


def test_delivery_connects_to_the_checked_address_with_the_host_name(connection, dns, receiver):
    # The name resolves once, to the address that passed the check; the request carries the name.
    dns.table["pinned.example.com"] = ["127.0.0.1"]
    subscribe(connection.tenant, f"http://pinned.example.com:{receiver.port}/h?x=1", ["*"], connection)
    event = emit_for_connection(connection, "atsJob::created", {"id": "j"}, source=Event.Source.POLL)
    assert dl.attempt(Delivery.objects.get(event=event).pk) == "succeeded"
    [request] = receiver.requests
    assert request["headers"]["host"] == f"pinned.example.com:{receiver.port}"
    assert request["path"] == "/h?x=1"
    assert dns.lookups.count("pinned.example.com") == 1


def test_redirects_are_not_followed(connection, receiver):
    receiver.statuses = [302]
    subscribe(connection.tenant, receiver.url, ["*"], connection)
    event = emit_for_connection(connection, "atsJob::created", {"id": "j"}, source=Event.Source.POLL)
    assert dl.attempt(Delivery.objects.get(event=event).pk) == "retry"
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("address, public", [
    ("93.184.216.34", True), ("8.8.8.8", True), ("2606:4700:4700::1111", True),
    ("10.0.0.1", False), ("::ffff:10.0.0.1", False), ("2002:0a00:0001::1", False), ("198.18.0.1", False),
])
def test_is_public(address, public):
    import ipaddress

    assert urlsafety.is_public(ipaddress.ip_address(address)) is public
