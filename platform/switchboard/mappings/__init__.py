"""Field mappings (Ashby custom fields and raw paths onto unified models) and custom models."""
