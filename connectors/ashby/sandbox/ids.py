"""Deterministic identifiers, request ids and timestamps.

Seeded records are never stored: their UUID encodes (kind, index) so `candidate.info` can turn an
id back into the index and regenerate the record in O(1). The first 20 hex digits are a per-seed,
per-kind prefix; the last 12 are the index. The result is a well-formed lowercase v4-style UUID.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
import uuid
from datetime import UTC, datetime

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


_MASK48 = (1 << 48) - 1


class IdCodec:
    def __init__(self, seed: int, kind: str):
        h = hashlib.sha256(f"switchboard-sandbox:{seed}:{kind}".encode()).hexdigest()
        self.kind = kind
        self.prefix = f"{h[0:8]}-{h[8:12]}-4{h[12:15]}-a{h[15:18]}-"
        # index -> (index * odd) ^ key is a bijection on 48 bits: consecutive records get
        # random-looking ids, and decoding stays O(1).
        self._mul = int(h[18:30], 16) | 1
        self._inv = pow(self._mul, -1, 1 << 48)
        self._key = int(h[30:42], 16)

    def encode(self, index: int) -> str:
        return f"{self.prefix}{((index * self._mul) & _MASK48) ^ self._key:012x}"

    def decode(self, value) -> int | None:
        if not isinstance(value, str) or len(value) != 36 or not value.startswith(self.prefix):
            return None
        try:
            return ((int(value[24:], 16) ^ self._key) * self._inv) & _MASK48
        except ValueError:
            return None


def new_uuid(rng: random.Random | None = None) -> str:
    if rng is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def ulid() -> str:
    """26-char Crockford base32 ULID, the format of Ashby's x-ashby-request-id."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    out = []
    for _ in range(26):
        out.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(out))


def iso_ms(ms: int) -> str:
    dt = datetime.fromtimestamp(ms // 1000, UTC)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def now_ms() -> int:
    return int(time.time() * 1000)


def now_iso() -> str:
    return iso_ms(now_ms())


def parse_iso_ms(value) -> int | None:
    """ISO-8601 string -> epoch ms; None when it does not parse."""
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def rng_for(seed: int, kind: str, index: int) -> random.Random:
    # String seeds are hashed with SHA-512 by `random`, so this is stable across processes
    # (unlike hash(), which PYTHONHASHSEED randomises).
    return random.Random(f"{seed}:{kind}:{index}")
