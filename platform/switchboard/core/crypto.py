"""Encryption at rest for credentials and other secrets.

MultiFernet over ENCRYPTION_KEYS: the first key encrypts, every key decrypts, so an operator
rotates by prepending a new key and running `manage.py rotate_encryption_keys`. Keys may be any
string: they are stretched to Fernet keys with SHA-256 so operators need not know Fernet's format.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet_for(key: str) -> Fernet:
    digest = hashlib.sha256(key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("ENCRYPTION_KEYS is empty: set at least one key.")
    return MultiFernet([_fernet_for(k) for k in keys])


def _cipher() -> MultiFernet:
    return _multifernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt_str(plaintext: str) -> str:
    return _cipher().encrypt(plaintext.encode()).decode()


def decrypt_str(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with any key in ENCRYPTION_KEYS; "
            "was a key removed before rotation finished?"
        ) from None


def encrypt_json(value) -> str:
    return encrypt_str(json.dumps(value, separators=(",", ":")))


def decrypt_json(token: str):
    return json.loads(decrypt_str(token)) if token else None


def rotate(token: str) -> str:
    """Re-encrypt under the first key (used by the rotation command)."""
    return _cipher().rotate(token.encode()).decode()
