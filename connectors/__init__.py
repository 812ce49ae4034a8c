"""Pure-Python connector framework. Never import Django or `switchboard` from here: the platform
calls connectors, connectors know nothing of the platform (DESIGN.md, section 1)."""
