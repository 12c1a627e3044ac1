"""Reports listens to the earlier modules' signals (DESIGN §1: nothing imports reports)."""

from django.dispatch import receiver

from orders.signals import order_paid
from reports import services


@receiver(order_paid, dispatch_uid="reports.customer_day")
def count_paying_customer(sender, order, **kwargs):
    services.customer_day_record(order=order)
