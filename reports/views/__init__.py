"""Report pages, one module per area (dashboard, sales, inventory, finance, staff, marketing, customers, anomalies)."""
