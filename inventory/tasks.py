from django.utils import timezone

from inventory import services
from shop.jobs import crontab, job, schedule


@job("low_stock_alerts", schedule(15 * 60))
def low_stock_alerts():
    return services.low_stock_alerts_run(now=timezone.now())


@job("replenishment_suggestions", crontab(hour=6, minute=0))
def replenishment_suggestions():
    return [order.pk for order in services.replenishment_suggestions_run()]
