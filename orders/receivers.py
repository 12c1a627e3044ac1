"""Receivers of the orders signals that hand an order's news to an earlier module's service.

Each is a small named function that only calls that module's service (orders may import customers).
`order_completed` is sent on commit of the completion, so each handler runs its own transaction. Orders also
answers the signals earlier modules send: customers (a customer's erasure) and marketing (DESIGN §1: marketing
imports neither inventory nor orders, so orders, which may import both, does the stock work of a flash sale and
cancels the orders of a failed group buy). Each receiver is a named function connected here with a dispatch_uid.
"""

import logging

from django.dispatch import receiver
from django.utils.translation import gettext as _

from customers.services import points_earn_for_order
from customers.signals import customer_erased, customer_erasing
from inventory.services import stock_release, stock_reserve
from marketing import flash
from marketing.signals import flash_stock_hold, flash_stock_release, group_buy_failed
from orders import services
from orders.models import Order
from orders.selectors import order_payments
from orders.services.cancelling import _cancel
from orders.signals import order_completed
from orders.state import UNSHIPPED

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


@receiver(customer_erasing, dispatch_uid="orders.refuse_erasing_with_orders_on_their_way")
def refuse_erasing_with_orders_on_their_way(sender, customer, **kwargs):
    """A customer whose orders are still to be paid, packed or delivered keeps their address until then."""
    services.orders_refuse_erasure(customer=customer)


@receiver(customer_erased, dispatch_uid="orders.anonymise_orders_of_erased_customer")
def anonymise_orders_of_erased_customer(sender, customer, actor=None, **kwargs):
    """An erased customer's orders lose their recipients, phones and street addresses (totals stay)."""
    services.orders_anonymise_customer(customer=customer)


@receiver(flash_stock_hold, dispatch_uid="orders.flash_stock_hold")
def hold_flash_stock(sender, item, quantity, actor=None, **kwargs):
    """Reserve a flash-sale SKU's units under the session's reference (OutOfStock, a 409, when short)."""
    stock_reserve(
        items=[(item.sku, quantity)], reference=item.reference, reference_type=flash.REFERENCE_TYPE, actor=actor
    )
    return True


@receiver(flash_stock_release, dispatch_uid="orders.flash_stock_release")
def release_flash_stock(sender, item, actor=None, reason="", **kwargs):
    """A session ended: what is still held under its reference goes back to normal stock."""
    stock_release(reference=item.reference, reference_type=flash.REFERENCE_TYPE, actor=actor, reason=reason)
    return True


@receiver(group_buy_failed, dispatch_uid="orders.group_buy_failed")
def cancel_failed_group(sender, group, order_numbers, **kwargs):
    """Cancel (unpaid: close) each member's open order; `_cancel` releases the stock and, for a paid order,
    requests its refund in the same transaction (orders.signals.refund_requested -> payments, once per order)."""
    reason = _("Group buy %(id)s did not fill in time") % {"id": group.pk}
    orders = Order.objects.select_for_update().filter(number__in=order_numbers, status__in=UNSHIPPED).order_by("pk")
    for order in orders:
        action = "close" if order.status == Order.Status.PENDING_PAYMENT else "cancel"
        _cancel(order, actor=None, reason=reason, action=action)
    return True
