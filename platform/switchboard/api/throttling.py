"""Per-tenant throttling. Counters live in the configured cache (database or Redis), which every
web process shares, so the limit holds across processes and machines."""

from rest_framework.throttling import SimpleRateThrottle


class TenantRateThrottle(SimpleRateThrottle):
    scope = "tenant"

    def get_cache_key(self, request, view):
        tenant = getattr(request._request, "tenant", None) or getattr(request, "tenant", None)
        if tenant is None:
            return None  # unauthenticated calls fail before they cost anything
        return self.cache_format % {"scope": self.scope, "ident": tenant.pk}
