"""Reports, one module per area, every model re-exported here.

rollups     sales rollups (per day x SKU x channel x province; per hour for today), kept up to date on events
dashboard   the dashboard's customer figures per day (new, returning)
monitoring  anomaly baselines and findings
schedules   scheduled report emails
"""

from reports.models.dashboard import CustomerDay
from reports.models.monitoring import Anomaly

__all__ = ["Anomaly", "CustomerDay"]
