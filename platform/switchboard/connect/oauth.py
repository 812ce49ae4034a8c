"""OAuth2 for connectors whose AuthSpec is `oauth2` (Ashby is not one; the platform supports them).

Authorization-code flow with PKCE (S256). `state` is a signed reference to an `OAuthAttempt` row
that is bound to one connection and consumed once. Tokens are stored encrypted in
`connection.credentials` as `{accessToken, refreshToken, tokenType, expiresAt, scope}`.

Other code gets usable credentials with `fresh_credentials(connection)` (refreshes shortly before
expiry) and, after a provider 401, `fresh_credentials(connection, stale_access_token=...)`; or
wraps a call in `call_with_refresh(connection, fn)`, which does both. Refreshing takes a lock in
the shared cache, and whoever waited re-reads the row first, so concurrent workers refresh once.
A refresh token the provider no longer accepts (`invalid_grant`) turns the connection to `error`
with the reason; the end user must reconnect.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from typing import TypeVar
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from connectors.base import Connector, OAuthSpec
from connectors.errors import InvalidCredentials, UpstreamError, UpstreamTimeout
from switchboard.connect.models import OAuthAttempt, Session
from switchboard.connections.models import Connection, ConnectorConfig
from switchboard.connections.services import _emit_connection_event, connector_or_404, store_authorization
from switchboard.env import env_str

logger = logging.getLogger("switchboard.connect.oauth")
T = TypeVar("T")

STATE_TTL = timedelta(minutes=10)
REFRESH_MARGIN_SECONDS = 120  # refresh this long before expiry so a call never starts on a dying token
HTTP_TIMEOUT = 15.0
LOCK_TTL = 30  # seconds; longer than a token call can take (HTTP_TIMEOUT), so a live holder never loses it
_STATE_SALT = "switchboard.connect.oauth.state"


class OAuthFlowError(Exception):
    """Something in the consent round trip failed; `message` is safe to show the end user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def is_oauth(connector: Connector) -> bool:
    return connector.auth.kind == "oauth2" and connector.auth.oauth is not None


def redirect_uri() -> str:
    return f"{settings.PUBLIC_BASE_URL}/oauth/callback"


def client_credentials(tenant_id: int, connector: Connector) -> tuple[str, str]:
    """The tenant's whitelabel client when configured, else the platform's default client
    (`OAUTH_<CONNECTOR>_CLIENT_ID` / `OAUTH_<CONNECTOR>_CLIENT_SECRET`)."""
    cfg = ConnectorConfig.objects.filter(tenant_id=tenant_id, connector_id=connector.id).first()
    if cfg and cfg.oauth_client_id:
        return cfg.oauth_client_id, cfg.oauth_client_secret or ""
    prefix = "OAUTH_" + "".join(c if c.isalnum() else "_" for c in connector.id.upper())
    client_id = getattr(settings, f"{prefix}_CLIENT_ID", None) or env_str(f"{prefix}_CLIENT_ID") or ""
    secret = getattr(settings, f"{prefix}_CLIENT_SECRET", None) or env_str(f"{prefix}_CLIENT_SECRET") or ""
    if not client_id:
        raise OAuthFlowError(
            "oauth_not_configured",
            f"{connector.name} sign-in is not configured on this server yet. The operator must set "
            f"{prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET, or a client for this project in the admin.")
    return client_id, secret


def scopes_for(spec: OAuthSpec, operations: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for op in operations:
        for scope in spec.scopes.get(op, ()):
            seen.setdefault(scope, None)
    return list(seen)


def missing_for_scopes(spec: OAuthSpec, operations: list[str], granted: list[str]) -> list[str]:
    have = set(granted)
    return [op for op in operations if not set(spec.scopes.get(op, ())) <= have]


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:96]  # RFC 7636: 43..128 unreserved characters
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


# -- the consent round trip ------------------------------------------------------------------------

def start(connection: Connection, *, session: Session | None = None, mode: str = "", opener_origin: str = "",
          return_url: str = "") -> str:
    """Record an attempt and return the provider's consent URL to send the user to."""
    connector = connector_or_404(connection.connector_id)
    spec = connector.auth.oauth
    client_id, _ = client_credentials(connection.tenant_id, connector)
    scopes = scopes_for(spec, list(connection.operations))
    verifier, challenge = _pkce_pair()
    attempt = OAuthAttempt.objects.create(
        nonce=secrets.token_urlsafe(24), connection=connection, session=session, code_verifier=verifier,
        redirect_uri=redirect_uri(), scopes=scopes, client_id=client_id, mode=mode[:16],
        opener_origin=opener_origin[:300], return_url=return_url[:2000],
        expires_at=timezone.now() + STATE_TTL)
    state = signing.dumps({"a": attempt.nonce, "c": connection.pk}, salt=_STATE_SALT, compress=False)
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": attempt.redirect_uri,
              "state": state}
    if scopes:
        params["scope"] = " ".join(scopes)
    if spec.pkce:
        params.update({"code_challenge": challenge, "code_challenge_method": "S256"})
    sep = "&" if "?" in spec.authorize_url else "?"
    return f"{spec.authorize_url}{sep}{urlencode(params)}"


def consume_state(state: str | None) -> OAuthAttempt:
    """The attempt a `state` names, marked used; any replay, forgery or timeout is refused."""
    try:
        payload = signing.loads(state or "", salt=_STATE_SALT, max_age=STATE_TTL.total_seconds())
    except signing.SignatureExpired:
        raise OAuthFlowError("state_expired", "This sign-in took too long; please start again.") from None
    except signing.BadSignature:
        raise OAuthFlowError("state_invalid", "This sign-in link is not valid; please start again.") from None
    attempt = (OAuthAttempt.objects.select_related("connection", "connection__tenant", "session")
               .filter(nonce=payload.get("a"), connection_id=payload.get("c")).first())
    if attempt is None:
        raise OAuthFlowError("state_invalid", "This sign-in link is not valid; please start again.")
    # Single use: the conditional update succeeds for exactly one caller, even under a race.
    if not OAuthAttempt.objects.filter(pk=attempt.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise OAuthFlowError("state_used", "This sign-in was already completed; please start again.")
    if attempt.expires_at <= timezone.now():
        raise OAuthFlowError("state_expired", "This sign-in took too long; please start again.")
    return attempt


def _token_request(connector: Connector, tenant_id: int, data: dict) -> tuple[int, dict]:
    client_id, client_secret = client_credentials(tenant_id, connector)
    body = {**data, "client_id": client_id}
    if client_secret:
        body["client_secret"] = client_secret
    try:
        resp = requests.post(connector.auth.oauth.token_url, data=body, timeout=HTTP_TIMEOUT,
                             headers={"Accept": "application/json"})
    except requests.Timeout:
        raise UpstreamTimeout(f"{connector.name} did not answer the token request in time.") from None
    except requests.RequestException as exc:
        raise UpstreamError(f"Could not reach {connector.name} for a token: {type(exc).__name__}.") from None
    try:
        payload = resp.json()
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    return resp.status_code, payload


def _credentials_from(payload: dict, *, previous: dict | None = None, requested: list[str] | None = None) -> dict:
    access = payload.get("access_token")
    if not isinstance(access, str) or not access:
        raise UpstreamError("The provider's token response has no access_token.", remote_code="malformed_body")
    expires_in = payload.get("expires_in")
    scope = payload.get("scope")
    if isinstance(scope, str):
        scopes = scope.split()
    else:  # RFC 6749 5.1: scope may be omitted when it equals what was requested
        scopes = list((previous or {}).get("scope") or requested or [])
    return {
        "accessToken": access,
        # A provider that does not rotate refresh tokens omits it on refresh: keep the old one.
        "refreshToken": payload.get("refresh_token") or (previous or {}).get("refreshToken"),
        "tokenType": payload.get("token_type") or "Bearer",
        "expiresAt": int(time.time() + float(expires_in)) if isinstance(expires_in, int | float) else None,
        "scope": scopes,
    }


def complete(attempt: OAuthAttempt, code: str) -> Connection:
    """Exchange the code (with the PKCE verifier) and store the tokens on the connection."""
    connection = attempt.connection
    connector = connector_or_404(connection.connector_id)
    status, payload = _token_request(connector, connection.tenant_id, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": attempt.redirect_uri,
        "code_verifier": attempt.code_verifier})
    if status >= 400 or "error" in payload:
        reason = payload.get("error_description") or payload.get("error") or f"HTTP {status}"
        raise OAuthFlowError("token_exchange_failed",
                             f"{connector.name} did not accept the sign-in ({reason}); please try again.")
    credentials = _credentials_from(payload, requested=attempt.scopes)
    spec = connector.auth.oauth
    return store_authorization(
        connection, credentials, granted=credentials["scope"],
        missing=missing_for_scopes(spec, list(connection.operations), credentials["scope"]),
        info={"tokenType": credentials["tokenType"], "scope": credentials["scope"]})


# -- keeping tokens fresh --------------------------------------------------------------------------

def _needs_refresh(credentials: dict | None, stale_access_token: str | None) -> bool:
    if not credentials:
        return False
    if stale_access_token is not None:
        # After a 401: refresh only if nobody replaced the token that failed in the meantime.
        return credentials.get("accessToken") == stale_access_token
    expires_at = credentials.get("expiresAt")
    return isinstance(expires_at, int | float) and expires_at - time.time() <= REFRESH_MARGIN_SECONDS


@contextmanager
def _refresh_lock(connection_id: int):
    """A lock in the shared cache (database or Redis), so it holds across processes and machines."""
    key, owner = f"switchboard:oauth-refresh:{connection_id}", secrets.token_hex(8)
    deadline = time.monotonic() + LOCK_TTL + 5
    while True:
        try:
            if cache.add(key, owner, LOCK_TTL):
                break
        except Exception:  # a busy cache table reads as "someone else holds it": wait and retry
            logger.debug("cache busy while taking the refresh lock", exc_info=True)
        if time.monotonic() > deadline:
            raise UpstreamTimeout("Timed out waiting for another worker to refresh the OAuth token.")
        time.sleep(0.05)
    try:
        yield
    finally:
        try:
            if cache.get(key) == owner:
                cache.delete(key)
        except Exception:  # the TTL frees it anyway
            logger.warning("could not release the OAuth refresh lock for connection %s", connection_id)


def _mark_revoked(connection: Connection, reason: str) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.ERROR, last_error=reason, updated_at=timezone.now())
    connection.status, connection.last_error = Connection.Status.ERROR, reason
    _emit_connection_event(connection, "credentialsFailing")


def fresh_credentials(connection: Connection, *, stale_access_token: str | None = None) -> dict:
    """Credentials to call the provider with right now.

    API-key connectors get their stored credentials unchanged. OAuth connectors get a token that
    is not about to expire; pass `stale_access_token` after the provider answered 401 to force one
    refresh (skipped if another worker already replaced that token). Raises InvalidCredentials when
    the refresh token is revoked (and marks the connection `error`).
    """
    connector = connector_or_404(connection.connector_id)
    credentials = connection.credentials or {}
    if not is_oauth(connector) or not _needs_refresh(credentials, stale_access_token):
        return credentials
    with _refresh_lock(connection.pk):
        # Whoever held the lock before us may have refreshed already: decide again on fresh data.
        current = Connection.objects.get(pk=connection.pk)
        credentials = current.credentials or {}
        if not _needs_refresh(credentials, stale_access_token):
            connection.credentials = credentials
            return credentials
        refresh_token = credentials.get("refreshToken")
        if not refresh_token:
            reason = (f"The {connector.name} access token expired and there is no refresh token; "
                      f"the user must reconnect.")
            _mark_revoked(connection, reason)
            raise InvalidCredentials(reason)
        status, payload = _token_request(connector, connection.tenant_id,
                                         {"grant_type": "refresh_token", "refresh_token": refresh_token})
        error = payload.get("error")
        if error in ("invalid_grant", "unauthorized_client", "invalid_client") or (status in (400, 401) and error):
            reason = (f"{connector.name} refused to refresh the access token ({error}): the authorization "
                      f"was revoked or the app's client changed; the user must reconnect.")
            _mark_revoked(connection, reason)
            raise InvalidCredentials(reason, remote_code=str(error))
        if status >= 400:
            raise UpstreamError(f"{connector.name} failed to refresh the access token (HTTP {status}).")
        new = _credentials_from(payload, previous=credentials)
        Connection.objects.filter(pk=connection.pk).update(credentials=new, updated_at=timezone.now())
        connection.credentials = new
        logger.info("refreshed OAuth token for connection %s", connection.pk)
        return new


def call_with_refresh(connection: Connection, fn: Callable[[dict], T]) -> T:
    """Run `fn(credentials)`; on InvalidCredentials (a provider 401) refresh once and retry once."""
    credentials = fresh_credentials(connection)
    try:
        return fn(credentials)
    except InvalidCredentials:
        connector = connector_or_404(connection.connector_id)
        if not is_oauth(connector) or not credentials.get("accessToken"):
            raise
    credentials = fresh_credentials(connection, stale_access_token=credentials["accessToken"])
    return fn(credentials)



def revoke_tokens(connection: Connection) -> bool:
    """Revoke the connection's refresh token at the provider (RFC 7009), so deleting a connection
    in Switchboard also ends the grant. Best effort: the connection is deleted either way, and an
    unreachable provider is logged, not raised. Returns whether the provider accepted it."""
    connector = connector_or_404(connection.connector_id)
    oauth = connector.auth.oauth if is_oauth(connector) else None
    credentials = connection.credentials or {}
    token = credentials.get("refreshToken") or credentials.get("accessToken")
    if oauth is None or not oauth.revoke_url or not token:
        return False
    client_id, client_secret = client_credentials(connection.tenant_id, connector)
    body = {"token": token, "token_type_hint": "refresh_token" if credentials.get("refreshToken")
            else "access_token", "client_id": client_id}
    if client_secret:
        body["client_secret"] = client_secret
    try:
        resp = requests.post(oauth.revoke_url, data=body, timeout=HTTP_TIMEOUT)
    except requests.RequestException as exc:
        logger.warning("could not revoke the %s grant of connection %s: %s", connector.id, connection.pk,
                       type(exc).__name__)
        return False
    return resp.status_code == 200
