"""Payment jobs and tasks: each only calls a service and is safe to run twice."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from orders.models import Order
from payments import services
from payments.gateways import GatewayUnavailable
from shop.jobs import crontab, job, schedule


@job("refund_timeouts", schedule(15 * 60))
def refund_timeouts():
    return services.refund_timeouts_run(now=timezone.now())


@job("risk_sweep", schedule(15 * 60))
def risk_sweep():
    """Paid orders whose risk-scoring task was lost (a broker outage after their payment) are scored now."""
    return services.risk_sweep(now=timezone.now())


@job("settle_payments", crontab(hour=2, minute=0))
def settle_payments():
    return [batch.pk for batch in services.settle_payments_run(now=timezone.now())]


@shared_task(
    name="houtai.payments.refund_send",
    acks_late=True,
    max_retries=8,
    retry_backoff=True,
    autoretry_for=(OperationalError, GatewayUnavailable),
)
def refund_send(refund_id):
    """Send one approved refund to its provider (idempotent: the provider dedupes by the refund's key)."""
    return services.refund_send(refund_id=refund_id).status


@shared_task(
    name="houtai.payments.risk_assess",
    acks_late=True,
    max_retries=5,
    retry_backoff=True,
    autoretry_for=(OperationalError,),
)
def risk_assess(order_id):
    """Score a paid order (once: a second run finds the assessment)."""
    return services.risk_assess(order=Order.objects.get(pk=order_id)).decision
