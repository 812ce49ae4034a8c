"""The Ashby connector (ATS). Importing this package registers it."""

from connectors.ashby.client import AshbyClient, SyncResult
from connectors.ashby.connector import AshbyConnector
from connectors.ashby.webhooks import map_webhook_event, verify_signature, webhook_types_for
from connectors.registry import register

register(AshbyConnector())

__all__ = ["AshbyConnector", "AshbyClient", "SyncResult", "map_webhook_event", "verify_signature",
           "webhook_types_for"]
