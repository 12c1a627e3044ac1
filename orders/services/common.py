"""The helpers every order use case shares: lock the order, write its timeline entry and audit entry,
and move it along the state machine (orders/state.py)."""

from django.utils.translation import gettext as _

from orders import signals
from orders.models import Order, OrderEvent
from orders.state import MACHINE
from shop.actors import Actor
from shop.audit import record
from shop.errors import Conflict, NotFound

S = Order.Status


def _locked(order) -> Order:
    try:
        return Order.objects.select_for_update().get(pk=order.pk)
    except Order.DoesNotExist:
        raise NotFound(_("Order not found.")) from None


def _event(order, kind, *, actor, message="", from_status="", to_status="", data=None) -> OrderEvent:
    who = Actor.of(actor)
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        message=str(message)[:500],
        data=data or {},
        actor=who.user,
        actor_label=who.label,
    )


def _audit(actor, action, order, *, before=None, after=None):
    """Audit staff actions (API clients and jobs leave the timeline entry only)."""
    if Actor.of(actor).is_staff:
        record(actor, action, order, before=before, after=after)


def _move(order, action, *, actor, message="", data=None, now=None, record_now=True) -> Order:
    """Move a locked order along the state machine, with its timeline entry and audit entry.

    `record_now=False`: the caller sends `order_recorded` itself, last in its transaction (the rollups' rows are
    the hottest rows of the store: taken after the stock and customer rows, in the order intake takes them)."""
    before = MACHINE.move(order, action, now=now)
    _event(order, action, actor=actor, message=message, from_status=before, to_status=order.status, data=data)
    _audit(actor, f"orders.{action}", order, before={"status": before}, after={"status": order.status, **(data or {})})
    if action in RECORDED and record_now:
        signals.order_recorded.send(sender=Order, order=order, kind=RECORDED[action])
    return order


RECORDED = {"pay": "paid", "ship": "shipped", "cancel": "cancel", "close": "close"}  # order_recorded kinds


def _refuse_abnormal(order):
    if order.is_abnormal:
        raise Conflict(
            _("Order %(n)s is on hold (%(why)s); resolve it first.")
            % {"n": order.number, "why": order.get_abnormal_reason_display()},
            code="on_hold",
        )
