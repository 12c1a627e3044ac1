"""After-sales write use cases, one module per area; every name callers use is re-exported here."""
