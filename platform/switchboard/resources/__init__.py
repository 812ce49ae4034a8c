"""The unified resources API: `/v1/resources/{model}[/{id}]` and `/v1/models/{model}/fields`."""
