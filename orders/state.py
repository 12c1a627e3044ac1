"""The order state machine (DESIGN §3), declared once on shop.state.StateMachine.

pending_payment -> paid -> allocated -> picking -> shipped -> delivered -> completed; cancelled and closed exit.
Cash on delivery (货到付款) is paid when the carrier hands the parcel over, so a COD order has no pay-by and
joins the shipping queues while it still awaits payment: it may also be sent to the warehouse or shipped from
pending_payment. Its collection (`order_mark_paid` on a shipped or delivered COD order) stamps paid_at
without changing the status.

Other modules ask these functions instead of reading Order.Status themselves (payments: `order_can_pay`).
"""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from orders.models import Order
from shop.state import StateMachine

S = Order.Status
TRANSITIONS = {  # action -> (states it may start from, the state it leads to)
    "pay": ((S.PENDING_PAYMENT,), S.PAID),
    "allocate": ((S.PAID,), S.ALLOCATED),
    "pick": ((S.ALLOCATED,), S.PICKING),
    "ship": ((S.PAID, S.ALLOCATED, S.PICKING), S.SHIPPED),
    "deliver": ((S.SHIPPED,), S.DELIVERED),
    "complete": ((S.DELIVERED,), S.COMPLETED),
    "cancel": ((S.PENDING_PAYMENT, S.PAID, S.ALLOCATED, S.PICKING), S.CANCELLED),
    "close": ((S.PENDING_PAYMENT,), S.CLOSED),
}
COD_SOURCES = {"allocate": (S.PENDING_PAYMENT,), "ship": (S.PENDING_PAYMENT,)}
COD_COLLECTABLE = (S.SHIPPED, S.DELIVERED)
UNSHIPPED = (S.PENDING_PAYMENT, S.PAID, S.ALLOCATED, S.PICKING)
PAID_STATES = (S.PAID, S.ALLOCATED, S.PICKING)
VOID_STATES = (S.CANCELLED, S.CLOSED)  # orders that never counted as a sale

ACTION_LABELS = {  # "Order X is Paid; it cannot be <label>."
    "pay": lambda: pgettext("order action", "marked paid"),
    "allocate": lambda: pgettext("order action", "allocated"),
    "pick": lambda: pgettext("order action", "picked"),
    "ship": lambda: pgettext("order action", "shipped"),
    "deliver": lambda: pgettext("order action", "marked delivered"),
    "complete": lambda: pgettext("order action", "completed"),
    "cancel": lambda: pgettext("order action", "cancelled"),
    "close": lambda: pgettext("order action", "closed"),
}


def is_unpaid_cod(order) -> bool:
    """A cash-on-delivery order whose money the carrier has not collected yet."""
    return order.payment_method == Order.PaymentMethod.COD and order.paid_at is None


def _cod_sources(order, action) -> tuple:
    return COD_SOURCES.get(action, ()) if is_unpaid_cod(order) else ()


def _refusal(order, action_label) -> str:
    return _("Order %(n)s is %(status)s; it cannot be %(action)s.") % {
        "n": order.number,
        "status": order.get_status_display(),
        "action": action_label,
    }


MACHINE = StateMachine(
    transitions=TRANSITIONS,
    labels=ACTION_LABELS,
    refusal=_refusal,
    extra_sources=_cod_sources,
    stamps={
        "pay": "paid_at",
        "ship": "shipped_at",
        "deliver": "delivered_at",
        "complete": "completed_at",
        "cancel": "cancelled_at",
        "close": "cancelled_at",
    },
)


def allowed_actions(order) -> set[str]:
    """The state-machine actions this order's status (and payment method) allows."""
    return MACHINE.allowed(order)


def order_cod_collectable(order) -> bool:
    """A cash-on-delivery order that has shipped and whose money is still to collect."""
    return is_unpaid_cod(order) and order.status in COD_COLLECTABLE


def order_can_pay(order) -> bool:
    """Whether a payment for this order marks it paid: awaiting payment, or cash on delivery to collect."""
    return MACHINE.allows(order, "pay") or order_cod_collectable(order)


def order_is_void(order) -> bool:
    """A cancelled or closed order: a payment for it is refunded, never kept."""
    return order.status in VOID_STATES


def order_address_editable(order) -> bool:
    """The shipping address may still change: the order has not shipped (nor been cancelled or closed)."""
    return order.status in UNSHIPPED


def order_never_shipped(order) -> bool:
    """Nothing of this order left the warehouse (it may since have been cancelled or closed)."""
    return order.status in UNSHIPPED + VOID_STATES
