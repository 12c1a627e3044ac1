"""Receivers of the orders signals that hand an order's news to an earlier module's service.

Each is a small named function that only calls that module's service (orders may import customers).
"""

import logging

from django.dispatch import receiver

from orders.signals import order_completed

log = logging.getLogger(__name__)


@receiver(order_completed, dispatch_uid="customers.member_order_completed")
def member_order_completed(sender, order, **kwargs):
    """Refresh the customer's purchase figures and upgrade their member tier at once (never downgrade).

    It runs after the completion committed (and inside the auto-complete sweep's loop): a failure is logged,
    not raised, so it never fails the completion or stops the sweep; the nightly recomputation catches up."""
    from customers.services import member_order_completed

    try:
        member_order_completed(customer=order.customer, reference=order.number)
    except Exception:
        log.exception("member tier upgrade failed for order %s", order.number)
