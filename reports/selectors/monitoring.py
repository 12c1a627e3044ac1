"""Reads of the anomaly findings."""

from reports.models import Anomaly


def anomalies():
    return Anomaly.objects.select_related("acknowledged_by")
