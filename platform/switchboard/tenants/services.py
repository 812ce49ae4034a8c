"""Creating tenants (admin and `create_tenant` command share this)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from switchboard.tenants.models import ApiKey, Tenant


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "tenant"
    slug, n = base, 1
    while Tenant.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_tenant(name: str) -> tuple[Tenant, ApiKey, str]:
    tenant = Tenant.objects.create(name=name, slug=unique_slug(name))
    key, secret = ApiKey.issue(tenant)
    return tenant, key, secret
