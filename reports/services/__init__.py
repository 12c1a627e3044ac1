"""Report writes, one module per area, the public names re-exported here.

monitoring   anomaly_watch: the hour-of-week baseline, findings, acknowledging them
"""

from reports.services.monitoring import anomalies_detect, anomaly_acknowledge

__all__ = ["anomalies_detect", "anomaly_acknowledge"]
