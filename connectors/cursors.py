"""Opaque, signed list cursors.

The `next` cursor we hand out wraps the provider's cursor (and any position of our own, e.g. an
offset inside a provider page) together with the model and a hash of the list parameters, as
base64url JSON signed with HMAC-SHA256. Decoding checks the signature, the model, the parameter
hash and the age, so a tampered, foreign, stale or mismatched cursor is a 400 (`InvalidCursor`),
never a 500 and never a request forwarded to the provider with attacker-chosen content.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from connectors import errors

FALLBACK_SECRET = "switchboard-cursor-v1"  # used only when the platform gives no secret
MAX_AGE_SECONDS = 24 * 3600  # provider cursors expire long before this; older ones are stale


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def params_hash(params: dict[str, Any]) -> str:
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _sign(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:18]


def encode_cursor(state: dict[str, Any], *, model: str, params: dict[str, Any], secret: str | None) -> str:
    payload = json.dumps({"m": model, "h": params_hash(params), "t": int(time.time()), "s": state},
                         separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_sign(secret or FALLBACK_SECRET, payload))}"


def decode_cursor(token: str, *, model: str, params: dict[str, Any], secret: str | None,
                  max_age: int = MAX_AGE_SECONDS) -> dict[str, Any]:
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 4096:
        raise errors.InvalidCursor("The cursor is not valid.", field="cursor")
    body, sig = token.split(".")
    try:
        payload = _unb64(body)
        given = _unb64(sig)
    except (ValueError, TypeError):
        raise errors.InvalidCursor("The cursor is not valid.", field="cursor") from None
    if not hmac.compare_digest(given, _sign(secret or FALLBACK_SECRET, payload)):
        raise errors.InvalidCursor("The cursor is not valid (signature mismatch).", field="cursor")
    try:
        data = json.loads(payload)
        state = data["s"]
        if not isinstance(state, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise errors.InvalidCursor("The cursor is not valid.", field="cursor") from None
    if data.get("m") != model:
        raise errors.InvalidCursor("The cursor belongs to another model.", field="cursor")
    if data.get("h") != params_hash(params):
        raise errors.InvalidCursor("The cursor was issued for different list parameters; "
                                   "repeat the same filters, search and limit, or start over.", field="cursor")
    if not isinstance(data.get("t"), int) or time.time() - data["t"] > max_age:
        raise errors.InvalidCursor("The cursor has expired; start the listing over.", field="cursor")
    return state
