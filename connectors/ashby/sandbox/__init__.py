"""A faithful local Ashby: `python -m connectors.ashby.sandbox --port 8765 --api-key KEY`.

See README.md in this folder. Pure standard library; no Django.
"""

from .api import ENDPOINTS, LEGACY_ALIASES, WEBHOOK_TYPES
from .permissions import ALL_PERMISSIONS, ALL_SCOPES, READ_PERMISSIONS, scope_name
from .server import DEFAULT_FAULTS, SandboxServer
from .webhooks import sign

__all__ = ["ALL_PERMISSIONS", "ALL_SCOPES", "READ_PERMISSIONS", "DEFAULT_FAULTS", "ENDPOINTS", "LEGACY_ALIASES",
           "WEBHOOK_TYPES", "SandboxServer", "scope_name", "sign"]
