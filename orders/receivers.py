"""Receivers of the orders signals that hand an order's news to an earlier module's service.

Each is a small named function that only calls that module's service (orders may import customers).
"""

from django.dispatch import receiver

from orders.signals import order_completed


@receiver(order_completed, dispatch_uid="customers.member_order_completed")
def member_order_completed(sender, order, **kwargs):
    """Refresh the customer's purchase figures and upgrade their member tier at once (never downgrade)."""
    from customers.services import member_order_completed

    member_order_completed(customer=order.customer, reference=order.number)
