"""Command groups of the `pantau` CLI, one module per area."""
