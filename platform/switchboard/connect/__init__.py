"""Connecting accounts: sessions and session-token auth, the hosted connect page, OAuth2 for
connectors that use it, and the periodic permission re-check."""
