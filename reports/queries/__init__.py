"""Report queries, one module per area (finance, inventory, staff, marketing, customers). Each returns the rows
of one period: `start` and `end` are aware datetimes, `end` excluded (finance takes the period: its rollup's
local days). Reports reads every module; nothing imports it."""
