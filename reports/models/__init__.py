"""Reports, one module per area, every model re-exported here.

rollups     sales rollups (per day x SKU x channel x province; per hour for today), kept up to date on events
monitoring  anomaly baselines and findings
schedules   scheduled report emails
"""

from reports.models.schedules import ReportDelivery, ReportSchedule

__all__ = ["ReportDelivery", "ReportSchedule"]
