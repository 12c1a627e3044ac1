"""Report reads, one module per area, the public names re-exported here.

dashboard    the dashboard's figures, work waiting, trends and top products
monitoring   the anomaly findings
"""

from reports.selectors.monitoring import anomalies

__all__ = ["anomalies"]
