"""Reports, one module per area, every model re-exported here.

rollups     sales rollups (per day x channel x province x payment method; per day x SKU x channel x province;
            per hour; payments per day x method x settlement batch), kept up to date on events
dashboard   the dashboard's customer figures per day (new, returning); per-SKU sums of closed days
monitoring  anomaly baselines and findings
schedules   scheduled report emails
"""

from reports.models.dashboard import (
    CustomerDay,
    SalesSkuSpan,
)
from reports.models.monitoring import (
    VALUE,
    Anomaly,
)
from reports.models.rollups import (
    OrderFigures,
    PaymentDay,
    SalesDay,
    SalesDaySku,
    SalesDimension,
    SalesHour,
)
from reports.models.schedules import (
    ReportDelivery,
    ReportSchedule,
    owner_only,
)

__all__ = [
    "Anomaly",
    "CustomerDay",
    "OrderFigures",
    "PaymentDay",
    "ReportDelivery",
    "ReportSchedule",
    "SalesDay",
    "SalesDaySku",
    "SalesDimension",
    "SalesHour",
    "SalesSkuSpan",
    "VALUE",
    "owner_only",
]
