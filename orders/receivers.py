"""Handlers of marketing's signals (DESIGN §1: marketing imports neither inventory nor orders, so orders — which
may import both — does the stock work of a flash sale and cancels the orders of a failed group buy)."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from inventory.services import stock_release, stock_reserve
from marketing import flash
from marketing.signals import flash_stock_hold, flash_stock_release, group_buy_failed
from orders.models import Order
from orders.services.cancelling import _cancel
from orders.state import UNSHIPPED


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
    requests its refund after commit (orders.signals.refund_requested -> payments, once per order)."""
    reason = _("Group buy %(id)s did not fill in time") % {"id": group.pk}
    orders = Order.objects.select_for_update().filter(number__in=order_numbers, status__in=UNSHIPPED).order_by("pk")
    for order in orders:
        action = "close" if order.status == Order.Status.PENDING_PAYMENT else "cancel"
        _cancel(order, actor=None, reason=reason, action=action)
    return True
