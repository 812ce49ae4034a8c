"""Python client for Switchboard, the self-hostable unified API (Morph-compatible REST surface).

    from switchboard_sdk import Switchboard

    client = Switchboard(public_key="pk_...", secret_key="sk_...", base_url="http://localhost:8000")
    connection = client.connections(connector_id="ashby", owner_id="demo")
    connection.create(operations=["genericContact::list"])
    authorization_url = connection.authorize().authorization_url
"""

from ._version import __version__
from .client import SessionClient, Switchboard
from .errors import (
    AuthenticationError,
    ConflictError,
    ConnectionError,
    NotFoundError,
    NotSupportedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SessionExpiredError,
    SwitchboardError,
    ValidationError,
    WebhookVerificationError,
)
from .types import (
    Authorization,
    Connection,
    Connector,
    Event,
    Page,
    ProxyResponse,
    Resource,
    ResourceRef,
    Session,
    UnifiedField,
    WebhookSubscription,
)
from .webhooks import sign_webhook, verify_webhook

__all__ = [
    "__version__",
    "Switchboard",
    "SessionClient",
    "verify_webhook",
    "sign_webhook",
    "SwitchboardError",
    "AuthenticationError",
    "SessionExpiredError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "NotSupportedError",
    "RateLimitError",
    "ServerError",
    "ConnectionError",
    "WebhookVerificationError",
    "Authorization",
    "Connection",
    "Connector",
    "Event",
    "Page",
    "ProxyResponse",
    "Resource",
    "ResourceRef",
    "Session",
    "UnifiedField",
    "WebhookSubscription",
]
