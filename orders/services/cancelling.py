"""Cancelling an unshipped order (by staff, or by the customer while unpaid); closing shares `_cancel`."""

from django.db import transaction
from django.utils.translation import gettext as _

from customers.services import points_return_for_order
from inventory.services import stock_release, stock_reservation_move
from marketing import flash, groupbuy
from marketing.services import coupons_release
from orders import signals
from orders.models import Order
from orders.services.common import RECORDED, S, _locked, _move
from orders.state import PAID_STATES
from shop.audit import record
from shop.errors import Conflict, DomainError
from shop.state import IllegalTransition


def _cancel(order, *, actor, reason, action="cancel", now=None) -> Order:
    was_paid = order.status in PAID_STATES and order.paid_at is not None  # not an uncollected COD order
    # The rollups are bumped last (below): intake takes the stock rows and then the rollup rows, so a cancellation
    # that took the rollup row first and then waited for a stock row deadlocked with it (python -m reliability).
    _move(order, action, actor=actor, message=reason, data={"reason": reason}, now=now, record_now=False)
    order.cancel_reason = reason[:200]
    order.save(update_fields=["cancel_reason"])
    # The redeemed points come back with the cancellation. The customer row is locked before the stock
    # rows, in the order intake locks them, so a cancellation and an intake of one customer never deadlock.
    if order.points_used and order.customer_id:
        points_return_for_order(customer=order.customer, order_number=order.number, actor=actor, now=now)
    if order.flash_sale_id:  # the units go back to the session (unless it has ended: then to normal stock)
        moves = flash.flash_unclaim(order_number=order.number, now=now)
        for sku_id, quantity, reference in moves:
            stock_reservation_move(
                sku_quantities=[(sku_id, quantity)],
                from_reference=order.number,
                from_type="order",
                to_reference=reference,
                to_type=flash.REFERENCE_TYPE,
                actor=actor,
                reason=reason[:200],
            )
    if order.group_buy_id:
        groupbuy.group_buy_member_left(order_number=order.number, now=now)
    stock_release(reference=order.number, reference_type="order", actor=actor, reason=reason[:200])
    coupons_release(order_id=order.pk, now=now)  # the coupon goes back to the customer
    Order.objects.filter(merged_into=order).update(merged_into=None)
    if order.merged_into_id:
        order.merged_into = None
        order.save(update_fields=["merged_into"])
    if was_paid:  # in this transaction: the refund row commits with the cancellation or not at all
        signals.refund_requested.send(sender=Order, order=order, amount=order.total, reason=reason)
    signals.order_recorded.send(sender=Order, order=order, kind=RECORDED[action])
    return order


@transaction.atomic(durable=True)
def order_cancel(*, order, actor, reason, by_customer=False) -> Order:
    """Cancel an unshipped order and release its stock; a paid one gets its refund requested."""
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(
            _("Give a reason for cancelling."), code="reason_required", fields={"reason": _("This field is required.")}
        )
    order = _locked(order)
    if by_customer and order.status != S.PENDING_PAYMENT:
        raise IllegalTransition(
            _("Order %(n)s is %(status)s; only unpaid orders can be cancelled here.")
            % {"n": order.number, "status": order.get_status_display()}
        )
    return _cancel(order, actor=actor, reason=reason)


@transaction.atomic(durable=True)
def order_reservation_release(*, order, actor, reason) -> list:
    """Release the stock still reserved for a closed or cancelled order (a reservation that outlived it).

    An operator's repair (the Django admin): refused for a live order, whose reservation is its stock,
    and for an order that holds nothing; the ledger rows and the audit entry are written together.
    """
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(_("Say why (it goes to the audit log)."), code="reason_required")
    order = _locked(order)
    if order.status not in (S.CANCELLED, S.CLOSED):
        raise Conflict(
            _("Order %(n)s is %(s)s: only a closed or cancelled order's reservation is released.")
            % {"n": order.number, "s": order.get_status_display()},
            code="order_live",
        )
    movements = stock_release(reference=order.number, reference_type="order", actor=actor, reason=reason[:200])
    if not movements:
        raise Conflict(_("Order %(n)s holds no reserved stock.") % {"n": order.number}, code="nothing_reserved")
    record(
        actor,
        "orders.reservation_release",
        order,
        after={"reason": reason[:200], "units": sum(-m.reserved_delta for m in movements)},
    )
    return movements
