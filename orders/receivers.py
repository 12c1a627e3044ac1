"""Receivers of the orders signals that hand an order's news to an earlier module's service.

Each is a small named function that only calls that module's service (orders may import customers).
`order_completed` is sent on commit of the completion, so each handler runs its own transaction.
"""

from django.dispatch import receiver

from customers.services import points_earn_for_order
from orders.models import Order
from orders.selectors import order_payments
from orders.signals import order_completed


@receiver(order_completed, dispatch_uid="customers.member_order_completed")
def member_order_completed(sender, order, **kwargs):
    """Refresh the customer's purchase figures and upgrade their member tier at once (never downgrade)."""
    from customers.services import member_order_completed

    member_order_completed(customer=order.customer, reference=order.number)


def order_amount_paid(order):
    """What the customer paid for the order and kept: paid less refunded (as payments answers it); an order
    with no payment rows (nothing answering, or nothing to pay) counts its total."""
    summary = order_payments(order)
    if not summary["payments"]:
        return order.total
    return max(summary["paid_amount"] - summary["refunded_amount"], order.total * 0)


@receiver(order_completed, sender=Order, dispatch_uid="orders.earn_points")
def earn_points(sender, order, **kwargs):
    """Grant the customer the points of a completed order (once per order, whatever retries)."""
    points_earn_for_order(customer=order.customer, order_number=order.number, amount=order_amount_paid(order))
