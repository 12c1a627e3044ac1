"""Report jobs (DESIGN §5): each only calls a service; each is safe to run twice."""

from shop.jobs import crontab, job


@job("anomaly_watch", crontab(minute=5))
def anomaly_watch():
    from reports import services

    return len(services.anomalies_detect())


@job("send_scheduled_reports", crontab(minute="*/15"))
def send_scheduled_reports():
    from reports.services import scheduled_reports_send

    return scheduled_reports_send()
