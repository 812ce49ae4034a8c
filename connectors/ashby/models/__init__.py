"""Per-model handlers of the Ashby connector."""
