"""Tenants (a developer's project), their members and their API key pairs."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def hash_secret(secret: str) -> str:
    # Secrets are 32 random bytes, so a fast hash is enough (no dictionary to attack) and lets
    # us look a key up by its hash in one indexed query.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_config_token() -> str:
    return secrets.token_hex(8)


class Tenant(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True, blank=True, help_text="Left empty, made from the name.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Changes whenever configuration that API calls read (field mappings, connector settings)
    # changes: processes cache that configuration per token (see tenants.config).
    config_token = models.CharField(max_length=32, default=new_config_token, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        DEVELOPER = "developer", "Developer"
        VIEWER = "viewer", "Viewer"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.DEVELOPER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} ({self.role})"


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, tenant__is_active=True)


class ApiKey(models.Model):
    """A public/secret pair. The public key identifies the tenant (safe in browsers); the secret
    is shown once at creation and only its hash is stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, default="default")
    public_key = models.CharField(max_length=64, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    secret_hint = models.CharField(max_length=16, editable=False, help_text="Last characters, to recognise a key.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.public_key} ({self.tenant})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, tenant: Tenant, name: str = "default") -> tuple[ApiKey, str]:
        """Create a key pair; returns (key, secret). The secret is not recoverable afterwards."""
        secret = "sk_" + secrets.token_urlsafe(32)
        key = cls.objects.create(
            tenant=tenant, name=name, public_key="pk_" + secrets.token_urlsafe(18),
            secret_hash=hash_secret(secret), secret_hint=secret[-4:],
        )
        return key, secret

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    def touch(self) -> None:
        # At most one write a minute per key: last-used is for humans, not an audit log.
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
