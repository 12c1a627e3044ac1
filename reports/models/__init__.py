"""Reports, one module per area, every model re-exported here.

rollups     sales rollups (per day x channel x province x payment method; per day x SKU x channel x province;
            per hour), kept up to date on events
monitoring  anomaly baselines and findings
schedules   scheduled report emails
"""

from reports.models.rollups import SalesDay, SalesDaySku, SalesHour, SalesMonth
from reports.models.schedules import ReportDelivery, ReportSchedule

__all__ = ["ReportDelivery", "ReportSchedule", "SalesDay", "SalesDaySku", "SalesHour", "SalesMonth"]
