"""Reports, one module per area, every model re-exported here.

rollups     sales rollups (per day x channel x province x payment method; per day x SKU x channel x province;
            per hour), kept up to date on events
dashboard   the dashboard's customer figures per day (new, returning)
monitoring  anomaly baselines and findings
schedules   scheduled report emails
"""

from reports.models.dashboard import CustomerDay
from reports.models.monitoring import Anomaly
from reports.models.rollups import SalesDay, SalesDaySku, SalesDimension, SalesHour

__all__ = ["Anomaly", "CustomerDay", "SalesDay", "SalesDaySku", "SalesHour", "SalesDimension"]
