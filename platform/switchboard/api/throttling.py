"""Per-tenant throttling. The counter is shared by every web process (`core.counters`: Redis or
one atomic database statement), so the limit holds across processes and machines."""

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from switchboard.core import counters


class TenantRateThrottle(BaseThrottle):
    """`API_RATE_LIMIT` calls per window per tenant, counted in fixed windows.

    DRF's SimpleRateThrottle keeps every request's timestamp in one cache value and rewrites the
    whole list on each call: its cost grows with the rate. A fixed-window count is O(1)."""

    scope = "tenant"

    def __init__(self):
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        # DRF's own rate syntax ("600/min"), parsed by DRF so the setting means what it always did.
        self.num_requests, self.duration = SimpleRateThrottle.parse_rate(None, rate)
        self._wait = None

    def allow_request(self, request, view):
        tenant = getattr(request._request, "tenant", None) or getattr(request, "tenant", None)
        if tenant is None or self.num_requests is None:
            return True  # unauthenticated calls fail before they cost anything
        count, left = counters.hit(f"throttle:{self.scope}:{tenant.pk}", self.duration)
        if count <= self.num_requests:
            return True
        self._wait = left
        return False

    def wait(self):
        return self._wait
