"""Reads of the anomaly findings (the reads of the rollups are in reports/selectors.py, the dashboard's in
reports/dashboard.py)."""

from reports.models import Anomaly


def anomalies():
    return Anomaly.objects.select_related("acknowledged_by")
