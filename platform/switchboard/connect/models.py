"""Sessions (short-lived, one-connection tokens for browsers and the connect page) and OAuth2
authorization attempts (state + PKCE verifier, single use)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from switchboard.connections.models import Connection
from switchboard.core.fields import EncryptedTextField
from switchboard.tenants.models import Tenant


class Session(models.Model):
    """A session token is shown once; only its SHA-256 is stored, so a database leak yields no
    usable token, and deleting or revoking the row kills the token even before it expires."""

    class Purpose(models.TextChoices):
        # `api`: created by the developer's server for browser code (/v1/s/... and the connect page).
        # `connect`: minted by authorize() for the connect-page link; it travels in a URL (browser
        # history), so it opens the connect page only, never /v1/s/....
        API = "api", "API session"
        CONNECT = "connect", "Connect-page link"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="connect_sessions")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sessions")
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.API)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    operations = models.JSONField(default=list, blank=True)
    redirect_url = models.URLField(max_length=2000, blank=True, default="")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Credential checks on the connect page each call the provider; a cap per session keeps a
    # leaked link from being used to test many keys through us.
    attempts = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"session {self.public_id} for {self.connection}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class OAuthAttempt(models.Model):
    """One trip to the provider's consent screen. `state` sent to the provider is a signed
    reference to this row; `used_at` makes it single-use; the PKCE verifier never leaves us."""

    nonce = models.CharField(max_length=64, unique=True, editable=False)
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="oauth_attempts")
    session = models.ForeignKey(Session, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="oauth_attempts")
    code_verifier = EncryptedTextField(editable=False)
    redirect_uri = models.URLField(max_length=2000)
    scopes = models.JSONField(default=list)
    client_id = models.CharField(max_length=255)
    # Where the result goes once the provider sends the user back (popup opener or redirect).
    mode = models.CharField(max_length=16, blank=True, default="")
    opener_origin = models.CharField(max_length=300, blank=True, default="")
    return_url = models.URLField(max_length=2000, blank=True, default="")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"OAuth attempt for {self.connection}"
