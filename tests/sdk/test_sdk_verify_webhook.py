"""verify_webhook: accept and reject, and agreement with the reference `standardwebhooks` package."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timezone

import pytest

from switchboard_sdk import WebhookVerificationError, sign_webhook, verify_webhook

standardwebhooks = pytest.importorskip("standardwebhooks")

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"another secret, another tenant!!").decode()
BODY = json.dumps({"id": "ev_1", "type": "atsJob::created", "data": {"id": "j1", "title": "Café"}},
                  ensure_ascii=False).encode()


def reference_headers(body: bytes, secret: str, msg_id: str = "msg_1", ts: int | None = None) -> dict[str, str]:
    """Headers as the reference implementation signs them (what Switchboard's platform sends)."""
    ts = int(time.time()) if ts is None else ts
    signature = standardwebhooks.Webhook(secret).sign(
        msg_id, datetime.fromtimestamp(ts, tz=timezone.utc), body.decode()  # noqa: UP017
    )
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": signature}


def test_accepts_a_reference_signature():
    payload = verify_webhook(BODY, reference_headers(BODY, SECRET), SECRET)
    assert payload["data"]["title"] == "Café"


def test_reference_accepts_our_signature():
    headers = sign_webhook(BODY, SECRET, msg_id="msg_x")
    assert standardwebhooks.Webhook(SECRET).verify(BODY, headers)["id"] == "ev_1"
    assert verify_webhook(BODY, headers, SECRET)["id"] == "ev_1"


@pytest.mark.parametrize("msg_id", ["msg_1", "msg_2J9aZ", "a.b.c"])
def test_identical_signatures_to_the_reference(msg_id):
    ts = int(time.time())
    ours = sign_webhook(BODY, SECRET, msg_id=msg_id, timestamp=ts)
    assert ours == reference_headers(BODY, SECRET, msg_id, ts)


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda b, h: (b + b" ", h), id="body changed"),
        pytest.param(lambda b, h: (b, {**h, "webhook-id": "msg_other"}), id="id changed"),
        pytest.param(lambda b, h: (b, {**h, "webhook-timestamp": str(int(h["webhook-timestamp"]) + 1)}),
                     id="timestamp changed"),
        pytest.param(lambda b, h: (b, {**h, "webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()}),
                     id="wrong signature"),
        pytest.param(lambda b, h: (b, {**h, "webhook-signature": h["webhook-signature"].replace("v1,", "v2,")}),
                     id="unknown version"),
        pytest.param(lambda b, h: (b, {**h, "webhook-signature": "garbage"}), id="malformed"),
        pytest.param(lambda b, h: (b, {**h, "webhook-signature": "v1,not*base64"}), id="not base64"),
    ],
)
def test_both_implementations_reject_tampering(mutate):
    body, headers = mutate(BODY, reference_headers(BODY, SECRET))
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, headers, SECRET)
    with pytest.raises(Exception):  # noqa: B017 - the reference raises various types on malformed input
        standardwebhooks.Webhook(SECRET).verify(body, headers)


def test_wrong_secret_is_rejected():
    with pytest.raises(WebhookVerificationError):
        verify_webhook(BODY, reference_headers(BODY, OTHER_SECRET), SECRET)


def test_multiple_signatures_any_valid_one_passes():
    # During a secret rotation the platform sends one signature per active secret.
    old = reference_headers(BODY, OTHER_SECRET)
    new = reference_headers(BODY, SECRET, ts=int(old["webhook-timestamp"]))
    headers = {**new, "webhook-signature": f"v1a,xyz {old['webhook-signature']} {new['webhook-signature']}"}
    assert verify_webhook(BODY, headers, SECRET)["id"] == "ev_1"
    assert verify_webhook(BODY, headers, OTHER_SECRET)["id"] == "ev_1"


@pytest.mark.parametrize("offset", [-301, -3600, 301, 86400])
def test_timestamps_outside_tolerance_are_rejected(offset):
    headers = reference_headers(BODY, SECRET, ts=int(time.time()) + offset)
    with pytest.raises(WebhookVerificationError, match="too"):
        verify_webhook(BODY, headers, SECRET)


def test_tolerance_is_configurable():
    headers = reference_headers(BODY, SECRET, ts=int(time.time()) - 1000)
    assert verify_webhook(BODY, headers, SECRET, tolerance=3600)["id"] == "ev_1"


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers_are_rejected(missing):
    headers = reference_headers(BODY, SECRET)
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify_webhook(BODY, headers, SECRET)


def test_non_integer_timestamp_is_rejected():
    headers = {**reference_headers(BODY, SECRET), "webhook-timestamp": "soon"}
    with pytest.raises(WebhookVerificationError):
        verify_webhook(BODY, headers, SECRET)


def test_header_names_are_case_insensitive_and_str_body_works():
    headers = {k.title(): v for k, v in reference_headers(BODY, SECRET).items()}
    assert verify_webhook(BODY.decode(), headers, SECRET)["id"] == "ev_1"


def test_secret_without_prefix_or_padding_and_raw_bytes():
    raw = b"0123456789abcdef0123456789abcdef"
    headers = reference_headers(BODY, SECRET)
    assert verify_webhook(BODY, headers, SECRET[len("whsec_"):].rstrip("="))["id"] == "ev_1"
    assert verify_webhook(BODY, headers, raw)["id"] == "ev_1"


def test_bad_secret_is_a_configuration_error():
    with pytest.raises(ValueError):
        verify_webhook(BODY, reference_headers(BODY, SECRET), "whsec_***")
    with pytest.raises(ValueError):
        verify_webhook(BODY, reference_headers(BODY, SECRET), "whsec_")


def test_valid_signature_over_non_object_json_is_rejected():
    for body in (b"[1, 2]", b"not json"):
        headers = sign_webhook(body, SECRET)
        with pytest.raises(WebhookVerificationError):
            verify_webhook(body, headers, SECRET)
