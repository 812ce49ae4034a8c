"""Verify (and, for tests, sign) Switchboard's webhook deliveries.

Switchboard signs deliveries per Standard Webhooks (https://www.standardwebhooks.com): headers
``webhook-id``, ``webhook-timestamp`` (integer Unix seconds) and ``webhook-signature`` (space-separated
``v1,<base64 HMAC-SHA256>`` entries, several during a secret rotation), over the exact bytes
``"{webhook-id}.{webhook-timestamp}.{body}"``, keyed with the base64-decoded part of the ``whsec_...``
secret.

Written here rather than depending on the ``standardwebhooks`` package so the SDK keeps one
dependency; a unit test checks both accept and reject the same deliveries.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

from .errors import WebhookVerificationError

__all__ = ["verify_webhook", "sign_webhook", "DEFAULT_TOLERANCE"]

# Five minutes, as Standard Webhooks recommends: long enough for clock skew and slow queues, short
# enough that a captured delivery cannot be replayed much later.
DEFAULT_TOLERANCE = 300
_SECRET_PREFIX = "whsec_"


def _secret_bytes(secret: str | bytes) -> bytes:
    if isinstance(secret, bytes):
        key = secret
    else:
        text = secret.strip()
        if text.startswith(_SECRET_PREFIX):
            text = text[len(_SECRET_PREFIX) :]
        try:
            # The reference libraries tolerate missing padding; do the same so secrets pasted
            # without trailing '=' still work.
            key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            # A configuration mistake, not a bad delivery: fail loudly rather than reject everything.
            raise ValueError("webhook secret must be 'whsec_' followed by base64") from exc
    if not key:
        raise ValueError("webhook secret is empty")
    return key


def _sign(key: bytes, msg_id: str, timestamp: str, body: bytes) -> bytes:
    return hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()


def verify_webhook(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str | bytes,
    tolerance: int = DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """Check a delivery and return its JSON payload, or raise :class:`WebhookVerificationError`.

    Pass the body exactly as received (``request.get_data()`` in Flask, ``request.body`` in Django):
    re-serialized JSON will not match the signature. ``headers`` may be any mapping; names are
    matched case-insensitively.
    """
    raw = body.encode() if isinstance(body, str) else bytes(body)
    lowered = {str(k).lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signature_header = lowered.get("webhook-signature")
    if not msg_id or not timestamp or not signature_header:
        raise WebhookVerificationError(
            "missing webhook-id, webhook-timestamp or webhook-signature header"
        )
    key = _secret_bytes(secret)

    timestamp = timestamp.strip()
    if not timestamp.isdigit():
        raise WebhookVerificationError("webhook-timestamp is not an integer Unix time")
    # Checked before the signature so a stale replay is refused even with a valid signature.
    age = time.time() - int(timestamp)
    if age > tolerance:
        raise WebhookVerificationError("webhook-timestamp is too old")
    if age < -tolerance:
        raise WebhookVerificationError("webhook-timestamp is too far in the future")

    expected = _sign(key, msg_id, timestamp, raw)
    matched = False
    for entry in signature_header.split():
        version, _, encoded = entry.partition(",")
        if version != "v1" or not encoded:
            # Other schemes (e.g. v1a, asymmetric) may appear next to v1; they are not ours to check.
            continue
        try:
            candidate = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        # compare_digest: the time taken must not reveal how many leading bytes matched.
        if hmac.compare_digest(expected, candidate):
            matched = True
    if not matched:
        raise WebhookVerificationError("no matching v1 signature in webhook-signature")

    try:
        payload = json.loads(raw)
    except ValueError as exc:
        raise WebhookVerificationError("payload is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise WebhookVerificationError("payload is not a JSON object")
    return payload


def sign_webhook(
    body: bytes | str,
    secret: str | bytes,
    *,
    msg_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    """Headers for a delivery of ``body`` signed with ``secret``: handy for testing a receiver."""
    raw = body.encode() if isinstance(body, str) else bytes(body)
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    ts = str(int(time.time()) if timestamp is None else int(timestamp))
    signature = base64.b64encode(_sign(_secret_bytes(secret), msg_id, ts, raw)).decode()
    return {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": f"v1,{signature}"}
