"""Reports listens to every module's events (nothing imports reports). Each receiver runs inside the
transaction of its event, so a rollup figure commits, or rolls back, with the change it counts."""

from django.dispatch import receiver

from orders.signals import order_recorded
from payments.signals import payment_failed, payment_received, payment_recovered, payments_settled, refund_succeeded
from reports.services import (
    customer_day_record,
    rollup_order_recorded,
    rollup_payment_failure,
    rollup_payment_received,
    rollup_payments_settled,
    rollup_refund_succeeded,
)


@receiver(order_recorded, dispatch_uid="reports.rollups.order_recorded")
def _order_recorded(sender, order, kind, previous_province=None, **kwargs):
    rollup_order_recorded(order=order, kind=kind, previous_province=previous_province)


@receiver(refund_succeeded, dispatch_uid="reports.rollups.refund_succeeded")
def _refund_succeeded(sender, refund, **kwargs):
    rollup_refund_succeeded(refund=refund)


@receiver(payment_failed, dispatch_uid="reports.rollups.payment_failed")
def _payment_failed(sender, payment, **kwargs):
    rollup_payment_failure(payment=payment, delta=1)


@receiver(payment_recovered, dispatch_uid="reports.rollups.payment_recovered")
def _payment_recovered(sender, payment, **kwargs):
    rollup_payment_failure(payment=payment, delta=-1)


@receiver(payment_received, dispatch_uid="reports.rollups.payment_received")
def _payment_received(sender, payment, **kwargs):
    rollup_payment_received(payment=payment)


@receiver(payments_settled, dispatch_uid="reports.rollups.payments_settled")
def _payments_settled(sender, batch, **kwargs):
    rollup_payments_settled(batch=batch)


# -- dashboard: new and returning customers per day
@receiver(order_recorded, dispatch_uid="reports.dashboard.customer_day")
def _customer_paid(sender, order, kind, **kwargs):
    if kind == "paid":
        customer_day_record(order=order)
