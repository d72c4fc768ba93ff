"""Pages of elderly care (one module per area of work)."""
