"""Rotating a subscription's signing secret: a new secret shown once, both secrets signing during
the grace period (receivers on either secret accept every delivery), then only the new one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from switchboard.webhooks.delivery import sign_headers
from switchboard.webhooks.models import Subscription
from tests.switchboard.webhooks.conftest import subscribe
from tests.switchboard.webhooks.test_delivery import emit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub(api):
    r = api.post("/v1/webhooks", {"url": "https://app.example.com/hooks", "events": ["*"]}, format="json")
    assert r.status_code == 201
    return r.json()


def test_rotation_issues_a_new_secret_once_and_keeps_the_old_one_signing_for_a_while(api, sub):
    r = api.post(f"/v1/webhooks/{sub['id']}/rotate-secret", {"previousSecretTtl": 3600}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != sub["secret"]
    assert body["secretRotatedAt"] and body["previousSecretExpiresAt"]
    shown = api.get(f"/v1/webhooks/{sub['id']}").json()
    assert "secret" not in shown and shown["previousSecretExpiresAt"] == body["previousSecretExpiresAt"]
    stored = Subscription.objects.get(pk=sub["id"])
    assert stored.signing_secrets() == [body["secret"], sub["secret"]]
    # Both encrypted at rest.
    from django.db import connection as db

    with db.cursor() as cur:
        cur.execute("SELECT secret, previous_secret FROM webhooks_subscription WHERE id = %s", [sub["id"]])
        row = cur.fetchone()
    assert body["secret"] not in row[0] and sub["secret"] not in row[1]


def test_default_grace_is_a_day_and_zero_retires_the_old_secret_at_once(api, sub):
    body = api.post(f"/v1/webhooks/{sub['id']}/rotate-secret").json()
    stored = Subscription.objects.get(pk=sub["id"])
    grace = stored.previous_secret_expires_at - stored.secret_rotated_at
    assert grace == timedelta(days=1) and len(stored.signing_secrets()) == 2
    api.post(f"/v1/webhooks/{sub['id']}/rotate-secret", {"previousSecretTtl": 0}, format="json")
    stored.refresh_from_db()
    assert stored.signing_secrets() == [stored.secret] and stored.secret != body["secret"]
    assert api.get(f"/v1/webhooks/{sub['id']}").json()["previousSecretExpiresAt"] is None


def test_the_old_secret_stops_signing_when_its_grace_ends(tenant):
    s = subscribe(tenant, "https://a.example.com/h", ["*"])
    old = s.secret
    s.rotate_secret("whsec_" + "A" * 43 + "=", 60)
    assert s.signing_secrets() == [s.secret, old]
    assert s.signing_secrets(timezone.now() + timedelta(seconds=61)) == [s.secret]


@pytest.mark.parametrize("bad", [{"previousSecretTtl": -1}, {"previousSecretTtl": 8 * 86400},
                                 {"previousSecretTtl": "60"}, {"previousSecretTtl": True}, {"secret": "mine"}])
def test_bad_rotation_requests_are_400(api, sub, bad):
    r = api.post(f"/v1/webhooks/{sub['id']}/rotate-secret", bad, format="json")
    assert r.status_code == 400 and r.json()["error"] == "MORPH::BAD_REQUEST"
    assert Subscription.objects.get(pk=sub["id"]).secret == sub["secret"]  # nothing changed


def test_another_tenants_subscription_cannot_be_rotated(other_api, sub):
    r = other_api.post(f"/v1/webhooks/{sub['id']}/rotate-secret")
    assert r.status_code == 404
    assert Subscription.objects.get(pk=sub["id"]).secret == sub["secret"]


def test_only_post_is_allowed(api, sub):
    assert api.get(f"/v1/webhooks/{sub['id']}/rotate-secret").status_code == 405
    assert api.delete(f"/v1/webhooks/{sub['id']}/rotate-secret").status_code == 405
    assert Subscription.objects.filter(pk=sub["id"]).exists()


def test_signatures_verify_with_either_secret_during_the_grace(tenant):
    s = subscribe(tenant, "https://a.example.com/h", ["*"])
    previous = s.secret
    s.rotate_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 60)
    headers = sign_headers(s.signing_secrets(), "msg_1", '{"a":1}')
    assert len(headers["webhook-signature"].split()) == 2
    Webhook(s.secret).verify('{"a":1}', headers)
    Webhook(previous).verify('{"a":1}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "B" * 43 + "=").verify('{"a":1}', headers)


def test_deliveries_during_the_grace_carry_both_signatures(connection, receiver, eager,
                                                            django_capture_on_commit_callbacks):
    s = subscribe(connection.tenant, receiver.url, ["atsJob::updated"], connection)
    previous = s.secret
    s.rotate_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 3600)
    s.save()
    with django_capture_on_commit_callbacks(execute=True):
        emit(connection)
    [request] = receiver.wait_for(1)
    for secret in (s.secret, previous):  # a receiver on either secret accepts it
        assert Webhook(secret).verify(request["body"], request["headers"])["type"] == "atsJob::updated"
