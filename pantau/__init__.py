"""The `pantau` command: local stack, services and offline tools."""
