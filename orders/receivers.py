"""What orders does when earlier modules signal (orders may import customers, DESIGN §1).

Each receiver is a named function connected here with a dispatch_uid; other areas add theirs to this file.
"""

from django.dispatch import receiver

from customers.signals import customer_erased, customer_erasing
from orders import services


@receiver(customer_erasing, dispatch_uid="orders.refuse_erasing_with_orders_on_their_way")
def refuse_erasing_with_orders_on_their_way(sender, customer, **kwargs):
    """A customer whose orders are still to be paid, packed or delivered keeps their address until then."""
    services.orders_refuse_erasure(customer=customer)


@receiver(customer_erased, dispatch_uid="orders.anonymise_orders_of_erased_customer")
def anonymise_orders_of_erased_customer(sender, customer, actor=None, **kwargs):
    """An erased customer's orders lose their recipients, phones and street addresses (totals stay)."""
    services.orders_anonymise_customer(customer=customer)
