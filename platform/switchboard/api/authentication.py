"""API key authentication, as Morph's client sends it.

`x-api-key: pk_...` (public key) with `x-api-secret: sk_...`, or `Authorization: Bearer sk_...`.
Authentication sets `request.tenant` and `request.api_key`; the base view refuses anything else.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from switchboard.core.lookups import Lookup
from switchboard.tenants import config as tenant_config
from switchboard.tenants.models import ApiKey, Tenant, hash_secret

# Every secret-key call makes these two lookups: SQL compiled once (see core.lookups).
_KEY_BY_HASH = Lookup(ApiKey, "secret_hash")
_TENANT_BY_ID = Lookup(Tenant, "id")


class SecretKeyAuthentication(authentication.BaseAuthentication):
    def authenticate_header(self, request):
        return 'Bearer realm="switchboard"'

    def authenticate(self, request):
        public = request.headers.get("x-api-key", "").strip()
        secret = request.headers.get("x-api-secret", "").strip()
        auth = request.headers.get("Authorization", "")
        if not secret and auth.lower().startswith("bearer "):
            secret = auth[7:].strip()
        if public.startswith("sk_"):
            raise exceptions.AuthenticationFailed(
                "x-api-key must be your public key (pk_...), but a secret key was sent: keep secret keys "
                "in x-api-secret, and out of browsers."
            )
        if secret.startswith("pk_"):
            raise exceptions.AuthenticationFailed(
                "x-api-secret must be your secret key (sk_...), but a public key was sent."
            )
        if not secret:
            if request.headers.get("x-session-token"):
                raise exceptions.AuthenticationFailed(
                    "Session tokens work only under /v1/s/...; this endpoint needs your secret key "
                    "(x-api-secret)."
                )
            raise exceptions.NotAuthenticated(
                "Missing credentials: send x-api-key (pk_...) and x-api-secret (sk_...), "
                "or Authorization: Bearer sk_...."
            )
        key = _KEY_BY_HASH.get(hash_secret(secret))
        if key is not None:
            key.tenant = _TENANT_BY_ID.get(key.tenant_id)  # read now: is_active and config token
        if key is None or (public and key.public_key != public):
            raise exceptions.AuthenticationFailed("The API key pair is not valid.")
        if not key.is_active:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        if not key.tenant.is_active:
            raise exceptions.AuthenticationFailed("This project is disabled.")
        key.touch()
        tenant_config.mark_fresh(key.tenant)  # read just now: its config token is current
        request._request.tenant = key.tenant
        request._request.api_key = key
        return (None, key)


# Documents the scheme in OpenAPI (drf-spectacular discovers extensions on import).

class SecretKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = SecretKeyAuthentication
    name = "apiKeyPair"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "x-api-secret",
                "description": "Secret key (sk_...), sent with x-api-key (pk_...); "
                               "or Authorization: Bearer sk_..."}
