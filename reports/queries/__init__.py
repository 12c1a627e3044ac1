"""Report queries, one module per area (inventory, staff, marketing, customers). Each returns the rows of one
period: `start` and `end` are aware datetimes, `end` excluded. Reports reads every module; nothing imports it."""
