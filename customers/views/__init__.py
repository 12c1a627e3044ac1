"""The customer pages, one module per area (profile: list, detail, edit, tags, addresses)."""
