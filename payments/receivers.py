"""Handlers of the orders signals (DESIGN §1: orders never imports payments).

`order_placing` runs inside intake and may refuse the order, so it calls the service directly.
`refund_requested` arrives inside the cancellation's transaction and writes the refund request there, so the
request commits with the cancellation or not at all (no queue between them to lose it). `order_paid` arrives after
the order's transaction committed and hands the risk scoring to a task; the `risk_sweep` job scores any paid order
whose task never ran.
"""

from django.dispatch import receiver

from orders.models import Order
from orders.signals import (
    order_paid,
    order_payments_requested,
    order_placing,
    order_risk_held,
    payment_method_default,
    refund_requested,
)
from payments import selectors, services, tasks
from shop.outbox import enqueue


@receiver(order_placing, dispatch_uid="payments.check_method")
def check_payment_method(sender, order, **kwargs):
    """Refuse the order (422) when its payment method is off or a limit is broken; score COD orders now."""
    services.payment_method_check(order=order)
    if order.payment_method == Order.PaymentMethod.COD:
        services.risk_assess_at_intake(order=order)


@receiver(order_paid, dispatch_uid="payments.assess_risk")
def assess_risk(sender, order, **kwargs):
    enqueue(tasks.risk_assess, order.pk)


@receiver(refund_requested, dispatch_uid="payments.request_refund")
def request_refund(sender, order, amount, reason="", **kwargs):
    services.refund_request_for_order(order=order, amount=amount, reason=str(reason or ""))


@receiver(order_risk_held, dispatch_uid="payments.risk_hold")
def record_risk_hold(sender, order, actor=None, note="", **kwargs):
    """A risk hold put on by hand (or by the rules) is a held assessment in the risk review queue."""
    services.risk_hold_record(order=order, actor=actor, note=note)


@receiver(payment_method_default, dispatch_uid="payments.default_method")
def default_payment_method(sender, **kwargs):
    """No store setting names one, so the default is the first enabled method by display order."""
    method = selectors.default_method()
    return method.code if method else None


@receiver(order_payments_requested, dispatch_uid="payments.order_payments")
def order_payments(sender, order, **kwargs):
    return selectors.order_payments(order)
