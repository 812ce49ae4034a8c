"""The hosted connect page (`/connect/<token>`) and the OAuth2 callback (`/oauth/callback`).

Server-rendered; one small static script adds the popup/redirect hand-off. Every state is a full
page render (form, form with an error, connected with missing permissions, connected, expired),
so the page also works without JavaScript and each state is easy to test.
"""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import urlsplit

from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string, select_template
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from connectors.errors import (
    ConnectorError,
    InsufficientPermissions,
    InvalidCredentials,
    RateLimited,
    UpstreamError,
    UpstreamTimeout,
)
from switchboard.api.errors import ApiError
from switchboard.connect import oauth
from switchboard.connect.models import Session
from switchboard.connect.services import SPENT_LINK, origin_of, resolve_session, validate_redirect_url
from switchboard.connections.models import Connection, ConnectorConfig
from switchboard.connections.services import check_and_store_credentials, connector_or_404

logger = logging.getLogger("switchboard.connect")

MAX_ATTEMPTS = 20
MESSAGE_TYPE = "switchboard:connect"
DEFAULT_COLOR = "#4f46e5"
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


# -- presentation helpers ---------------------------------------------------------------------------

def humanize_permission(permission: str) -> dict:
    """`hiringProcessMetadataWrite` -> {module: "Hiring Process Metadata", access: "Write"}."""
    module, access = permission, ""
    for suffix in ("Read", "Write"):
        if permission.endswith(suffix) and len(permission) > len(suffix):
            module, access = permission[: -len(suffix)], suffix
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", module).split()
    label = " ".join(w[:1].upper() + w[1:] for w in words)
    return {"key": permission, "module": label.replace("Api ", "API "), "access": access}


def branding(tenant, connector) -> dict:
    cfg = ConnectorConfig.objects.filter(tenant=tenant, connector_id=connector.id).first()
    color = cfg.brand_color if cfg and _HEX.match(cfg.brand_color or "") else DEFAULT_COLOR
    logo = cfg.brand_logo_url if cfg and urlsplit(cfg.brand_logo_url or "").scheme in ("http", "https") else ""
    return {"name": (cfg.brand_name if cfg and cfg.brand_name else tenant.name), "logo_url": logo, "color": color,
            "initial": ((cfg.brand_name if cfg and cfg.brand_name else tenant.name) or "?")[:1].upper()}


def permission_rows(connector, operations: list[str]) -> list[dict]:
    """Each permission the operations need, with the operations that need it (for the checklist)."""
    rows: dict[str, dict] = {}
    if oauth.is_oauth(connector):
        for op in operations:
            for scope in connector.auth.oauth.scopes.get(op, ()):
                rows.setdefault(scope, {"key": scope, "module": scope, "access": "", "operations": []})
                rows[scope]["operations"].append(op)
        return list(rows.values())
    for op in operations:
        for perm in connector.permissions_for([op]):
            rows.setdefault(perm, {**humanize_permission(perm), "operations": []})
            rows[perm]["operations"].append(op)
    return list(rows.values())


def _mark_missing(rows: list[dict], connection: Connection | None, state: str) -> list[dict]:
    """After a check, flag the permissions the key lacks so the user sees which boxes to tick."""
    if connection is not None and state == "partial":
        granted = set(connection.granted_permissions)
        for row in rows:
            row["missing"] = row["key"] not in granted
    return rows


def _message(status: str, connection: Connection | None, error: dict | None = None) -> dict:
    body = {"type": MESSAGE_TYPE, "status": status,
            "connection": connection.to_json() if connection is not None else None}
    if error:
        body["error"] = error
    return body


class _Page:
    """Where the result goes: popup opener (postMessage to a known origin) or a redirect URL."""

    def __init__(self, request, session: Session | None = None, *, mode: str = "", opener_origin: str = "",
                 redirect_url: str = ""):
        self.request = request
        self.mode = mode if mode in ("popup", "redirect") else ""
        self.opener_origin = opener_origin
        self.redirect_url = redirect_url
        self.session = session

    @classmethod
    def from_request(cls, request, session: Session | None):
        redirect = session.redirect_url if session is not None and session.redirect_url else ""
        if not redirect:
            try:
                redirect = validate_redirect_url(request.GET.get("redirectUrl"))
            except ApiError:
                redirect = ""  # an unusable redirect is ignored rather than followed
        return cls(request, session, mode=request.GET.get("mode", ""),
                   opener_origin=origin_of(request.GET.get("origin")), redirect_url=redirect)

    @property
    def target_origin(self) -> str:
        # Never "*": the message names the connection, so only the opener's (or the redirect's)
        # origin may read it; a wrong origin makes the browser drop it.
        return self.opener_origin or origin_of(self.redirect_url)

    def render(self, state: str, *, connection: Connection | None = None, connector=None, error: str = "",
               message: dict | None = None, status: int = 200, auto_finish: bool = False, extra: dict | None = None):
        nonce = secrets.token_urlsafe(12)
        tenant = connection.tenant if connection is not None else None
        operations = list(connection.operations) if connection is not None else []
        missing = list(connection.missing_operations) if connection is not None and state in ("partial", "success") \
            else []
        instructions = None
        if connector is not None:
            instructions = select_template([f"connect/instructions/{connector.id}.html",
                                            "connect/instructions/default.html"]).template.name
        ctx = {
            "state": state,
            "nonce": nonce,
            "brand": branding(tenant, connector) if tenant is not None and connector is not None else
            {"name": "Switchboard", "logo_url": "", "color": DEFAULT_COLOR, "initial": "S"},
            "connector": connector,
            "is_oauth": bool(connector is not None and oauth.is_oauth(connector)),
            "auth_settings": list(connector.auth.settings) if connector is not None else [],
            "permissions": _mark_missing(permission_rows(connector, operations) if connector is not None else [],
                                         connection, state),
            "operations": operations,
            "granted_operations": [op for op in operations if op not in missing],
            "missing_operations": missing,
            "error": error,
            "instructions_template": instructions,
            "form_action": self.request.get_full_path(),
            "redirect_host": urlsplit(self.redirect_url).netloc if self.redirect_url else "",
            "config": {"state": state, "mode": self.mode, "targetOrigin": self.target_origin,
                       "redirectUrl": self.redirect_url, "message": message, "autoFinish": auto_finish},
            **(extra or {}),
        }
        html = render_to_string("connect/page.html", ctx, request=self.request)
        response = HttpResponse(html, status=status)
        form_targets = "'self'"
        if connector is not None and oauth.is_oauth(connector):
            # The "Continue" form answers with a redirect to the provider; CSP form-action covers it.
            parts = urlsplit(connector.auth.oauth.authorize_url)
            form_targets += f" {parts.scheme}://{parts.netloc}"
        response["Content-Security-Policy"] = (
            f"default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; img-src 'self' https: data:; "
            f"form-action {form_targets}; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")
        # The token is in the URL: keep it out of other sites' Referer headers and out of caches.
        # "same-origin", not "no-referrer": with no-referrer Chromium sends `Origin: null` on the
        # form post and Django's CSRF origin check (rightly) refuses it.
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "no-store"
        _keep_opener(response)
        return response


def _keep_opener(response):
    """Django's default COOP (`same-origin`) would cut the popup off from the developer's page that
    opened it (another origin): `window.opener` becomes null and the opener sees the popup as
    closed, so postMessage could never arrive. The page is frame-proof (frame-ancestors, XFO) and
    only ever posts to a known origin, so giving up COOP here costs nothing it relied on."""
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


def _session_or_page(request, token: str):
    """(session, None) or (None, an expired/invalid page)."""
    try:
        return resolve_session(token, purposes=(Session.Purpose.API, Session.Purpose.CONNECT)), None
    except ApiError as exc:
        page = _Page.from_request(request, None)
        expired = exc.code == "MORPH::SESSION::EXPIRED"
        text = ("This connection link has expired. Go back to the app that sent you here and start again."
                if expired else SPENT_LINK if exc.message == SPENT_LINK else
                "This connection link is not valid. Go back to the app that sent you here and start again.")
        return None, page.render("expired" if expired else "invalid", error=text, status=401 if expired else 400,
                                 message=_message("error", None, {"code": exc.code, "message": text}),
                                 auto_finish=True)


def explain(exc: Exception, connector_name: str) -> tuple[str, str]:
    """(code, plain-words sentence) for a failed credential check."""
    if isinstance(exc, ApiError):
        if exc.code == "MORPH::CONNECTION::NOT_AUTHORIZED":
            return exc.code, (f"{connector_name} did not accept this API key. Check that you copied the whole "
                              f"key and that it has not been revoked, then try again.")
        if exc.code == "MORPH::CONNECTION::MISSING_REQUIRED_AUTHORIZATION_SETTINGS":
            return exc.code, f"Paste your {connector_name} API key first."
        return exc.code, exc.message
    if isinstance(exc, InvalidCredentials):
        return exc.code, f"{connector_name} did not accept this API key. Check it and try again."
    if isinstance(exc, InsufficientPermissions):
        perm = getattr(exc, "permission", None)
        what = f" the “{humanize_permission(perm)['module']} {humanize_permission(perm)['access']}” permission" \
            if perm else " a permission it needs"
        return exc.code, (f"This key is missing{what}, so we could not check it. Edit the key in "
                          f"{connector_name} to tick the permissions listed above, then try again.")
    if isinstance(exc, RateLimited):
        return exc.code, (f"{connector_name} is limiting requests for this account right now. Wait a minute and "
                          f"try again; your key was not saved.")
    if isinstance(exc, UpstreamTimeout):
        return exc.code, (f"{connector_name} did not answer in time. Your key was not saved; please try again "
                          f"in a minute.")
    if isinstance(exc, UpstreamError):
        return exc.code, (f"We could not reach {connector_name} just now (it reported a problem on its side). "
                          f"Your key was not saved; please try again in a minute.")
    if isinstance(exc, ConnectorError):
        return exc.code, f"{connector_name} refused the key: {exc.message}"
    return "MORPH::INTERNAL_SERVER_ERROR", "Something went wrong on our side. Please try again."


def _result_page(page: _Page, connection: Connection, connector):
    connection.refresh_from_db()
    if connection.missing_operations:
        # Usable, but some requested operations will fail: let the user fix the key or go on
        # (so the link stays valid until it expires).
        return page.render("partial", connection=connection, connector=connector,
                           message=_message("success", connection))
    session = page.session
    if session is not None and session.purpose == Session.Purpose.CONNECT:
        # A connect link travels in URLs (history, chat, logs). Once it has connected the
        # account it is spent: nobody holding it later can swap in another key.
        session.revoke()
    return page.render("success", connection=connection, connector=connector,
                       message=_message("success", connection), auto_finish=True)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def connect_page(request, token: str):
    session, denied = _session_or_page(request, token)
    if denied is not None:
        return denied
    connection = session.connection
    connector = connector_or_404(connection.connector_id)
    page = _Page.from_request(request, session)
    if request.method == "GET":
        return page.render("form", connection=connection, connector=connector)
    if oauth.is_oauth(connector):
        return _oauth_start(request, page, session, connection, connector)

    # Count before calling the provider, atomically, so parallel posts cannot slip past the cap.
    Session.objects.filter(pk=session.pk).update(attempts=F("attempts") + 1)
    session.refresh_from_db(fields=["attempts"])
    if session.attempts > MAX_ATTEMPTS:
        return page.render("form", connection=connection, connector=connector, status=429,
                           error="Too many attempts with this link. Go back to the app and start again.")
    credentials = {}
    for setting in connector.auth.settings:
        value = (request.POST.get(setting.key) or "").strip()
        if value:
            credentials[setting.key] = value
    try:
        check_and_store_credentials(connection, credentials, request_id=getattr(request, "request_id", None))
    except (ApiError, ConnectorError) as exc:
        code, text = explain(exc, connector.name)
        logger.info("connect page: credential check failed for connection %s: %s", connection.pk, code)
        return page.render("form", connection=connection, connector=connector, error=text, status=400,
                           extra={"error_code": code})
    return _result_page(page, connection, connector)


def _oauth_start(request, page: _Page, session, connection, connector):
    try:
        url = oauth.start(connection, session=session, mode=page.mode, opener_origin=page.opener_origin,
                          return_url=page.redirect_url)
    except oauth.OAuthFlowError as exc:
        return page.render("form", connection=connection, connector=connector, error=exc.message, status=400)
    return _keep_opener(HttpResponseRedirect(url))


@never_cache
@require_GET
def oauth_callback(request):
    try:
        attempt = oauth.consume_state(request.GET.get("state"))
    except oauth.OAuthFlowError as exc:
        page = _Page(request)
        return page.render("invalid", error=exc.message, status=400,
                           message=_message("error", None, {"code": f"OAUTH::{exc.code.upper()}",
                                                            "message": exc.message}), auto_finish=True)
    connection = attempt.connection
    connector = connector_or_404(connection.connector_id)
    page = _Page(request, attempt.session, mode=attempt.mode, opener_origin=attempt.opener_origin,
                 redirect_url=attempt.return_url)
    if request.GET.get("error"):
        denied = request.GET.get("error") == "access_denied"
        text = (f"You did not allow access in {connector.name}, so nothing was connected."
                if denied else f"{connector.name} reported a problem ({request.GET.get('error')[:60]}).")
        text += " Go back to the app and start again if you want to connect."
        return page.render("oauth_error", connection=connection, connector=connector, error=text, status=400,
                           message=_message("error", connection, {"code": "OAUTH::DENIED" if denied else
                                                                  "OAUTH::PROVIDER_ERROR", "message": text}),
                           auto_finish=True)
    code = request.GET.get("code")
    try:
        if not code:
            raise oauth.OAuthFlowError("no_code", f"{connector.name} sent no authorization code; please start again.")
        oauth.complete(attempt, code)
    except oauth.OAuthFlowError as exc:
        return page.render("oauth_error", connection=connection, connector=connector, error=exc.message, status=400,
                           message=_message("error", connection, {"code": f"OAUTH::{exc.code.upper()}",
                                                                  "message": exc.message}), auto_finish=True)
    except ConnectorError as exc:
        _, text = explain(exc, connector.name)
        return page.render("oauth_error", connection=connection, connector=connector, error=text, status=502,
                           message=_message("error", connection, {"code": exc.code, "message": text}),
                           auto_finish=True)
    return _result_page(page, connection, connector)

