"""Sessions: creating them, reading a token back, and the connect-page link `authorize()` returns.

A token is `st_` + a Django-signed object `{s: session id, e: expiry, n: nonce}`. The signature
lets us tell a forged or altered token (TOKEN_VALIDATION_FAILED) from an expired one
(SESSION::EXPIRED) without trusting the database alone, and the stored hash makes every token
revocable. The expiry inside the token means an expired token is still recognised as expired
after its row has been pruned.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.utils import timezone

from switchboard.api.errors import ApiError
from switchboard.connect.models import Session
from switchboard.connections.models import Connection

TOKEN_PREFIX = "st_"
_SALT = "switchboard.connect.session"
DEFAULT_EXPIRES_IN = 1800
MIN_EXPIRES_IN = 60
MAX_EXPIRES_IN = 86400


def _signer() -> signing.Signer:
    # "." keeps the token URL-safe: it goes into the connect page's path.
    return signing.Signer(salt=_SALT, sep=".")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _expired() -> ApiError:
    return ApiError("MORPH::SESSION::EXPIRED",
                    "This session has expired: create a new one on your server and retry.", 401)


def _invalid(message: str = "The session token is not valid (it was altered, forged or revoked).") -> ApiError:
    return ApiError("MORPH::SESSION::TOKEN_VALIDATION_FAILED", message, 401)


def validate_expires_in(value) -> int:
    if value is None:
        return DEFAULT_EXPIRES_IN
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError("MORPH::BAD_REQUEST", "expiresIn must be a whole number of seconds.", 400)
    if not MIN_EXPIRES_IN <= value <= MAX_EXPIRES_IN:
        raise ApiError("MORPH::BAD_REQUEST",
                       f"expiresIn must be between {MIN_EXPIRES_IN} and {MAX_EXPIRES_IN} seconds.", 400)
    return value


def validate_redirect_url(url: str | None) -> str:
    """Only absolute http(s) URLs: a `javascript:` or `data:` URL here would run in our origin."""
    if not url:
        return ""
    if not isinstance(url, str) or len(url) > 2000:
        raise ApiError("MORPH::BAD_REQUEST", "redirectUrl must be an http or https URL (at most 2000 characters).",
                       400)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in url for c in "\r\n\t <>\"'\\"):
        raise ApiError("MORPH::BAD_REQUEST", "redirectUrl must be an absolute http or https URL.", 400)
    return url


def origin_of(url: str | None) -> str:
    """`scheme://host[:port]` of an http(s) URL, or "" if it is not one (used as postMessage target)."""
    if not url or not isinstance(url, str) or len(url) > 300:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return ""
    if any(c in parts.netloc for c in " \r\n\t<>\"'\\/"):
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


SPENT_LINK = ("This link has already been used to connect the account. If you need to connect again, "
              "go back to the app that sent you here for a new link.")


def create_session(connection: Connection, *, expires_in: int = DEFAULT_EXPIRES_IN,
                   purpose: str = Session.Purpose.API, redirect_url: str = "") -> tuple[Session, str]:
    """Returns (session, token). The token is not recoverable afterwards."""
    expires_at = timezone.now() + timedelta(seconds=expires_in)
    session = Session(tenant_id=connection.tenant_id, connection=connection, purpose=purpose,
                      operations=list(connection.operations), redirect_url=redirect_url,
                      expires_at=expires_at.replace(microsecond=0))
    token = TOKEN_PREFIX + _signer().sign_object(
        {"s": session.public_id.hex, "e": int(session.expires_at.timestamp()), "n": secrets.token_urlsafe(16)})
    session.token_hash = hash_token(token)
    session.save()
    return session, token


def resolve_session(token: str | None, *, purposes: tuple[str, ...] = (Session.Purpose.API,)) -> Session:
    """The live session a token names, or ApiError (EXPIRED / TOKEN_VALIDATION_FAILED)."""
    if not token or not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 512:
        raise _invalid()
    try:
        payload = _signer().unsign_object(token[len(TOKEN_PREFIX):])
    except (signing.BadSignature, ValueError, TypeError):
        raise _invalid() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), int):
        raise _invalid()
    if payload["e"] <= timezone.now().timestamp():
        raise _expired()
    session = (Session.objects.select_related("connection", "tenant")
               .filter(token_hash=hash_token(token)).first())
    if session is not None and session.revoked_at is not None and session.purpose == Session.Purpose.CONNECT:
        raise _invalid(SPENT_LINK)
    if session is None or session.revoked_at is not None:
        raise _invalid("This session token has been revoked; create a new session.")
    if session.is_expired:
        raise _expired()
    if session.purpose not in purposes:
        raise _invalid("This token is a connect-page link; it does not open the API. "
                       "Create a session with POST /v1/connections/{connectorId}/{ownerId}/sessions.")
    if not session.tenant.is_active:
        raise _invalid("This project is disabled.")
    now = timezone.now()
    if session.last_used_at is None or (now - session.last_used_at).total_seconds() > 60:
        Session.objects.filter(pk=session.pk).update(last_used_at=now)
    return session


def connect_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/connect/{token}"


def authorization_url(connection: Connection, redirect_url: str | None = None) -> str:
    """The hosted connect page for this connection (what `authorize()` without settings returns)."""
    redirect_url = validate_redirect_url(redirect_url)
    _, token = create_session(connection, purpose=Session.Purpose.CONNECT, redirect_url=redirect_url,
                              expires_in=DEFAULT_EXPIRES_IN)
    return connect_url(token)


def revoke_sessions(connection: Connection) -> int:
    return Session.objects.filter(connection=connection, revoked_at__isnull=True).update(revoked_at=timezone.now())
