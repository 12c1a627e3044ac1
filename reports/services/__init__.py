"""Report writes, one module per area, the public names re-exported here.

dashboard    the customer figures per day (new, returning), kept on payment and rebuilt
monitoring   anomaly_watch: the hour-of-week baseline, findings, acknowledging them
"""

from reports.services.dashboard import customer_day_record, customer_days_rebuild
from reports.services.monitoring import anomalies_detect, anomaly_acknowledge

__all__ = ["anomalies_detect", "anomaly_acknowledge", "customer_day_record", "customer_days_rebuild"]
