"""`POST /v1/proxy`: any Ashby endpoint, with the connection's key injected."""
