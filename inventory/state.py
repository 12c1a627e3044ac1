"""The purchase-order and stocktake status machines, declared once on shop.state.StateMachine.

Purchase order: draft -> ordered -> partial -> received; cancelled exits from draft or ordered. Each receipt
moves the order to partial (staying there while lines are outstanding) and the last one on to received.
Stocktake: counting -> approved; counts are entered only while counting.

A refused move raises shop.state.IllegalTransition (409, code "illegal_transition") with the messages below.
"""

from django.utils.translation import gettext as _

from inventory.models import PurchaseOrder, Stocktake
from shop.state import StateMachine

PO = PurchaseOrder.Status
PO_TRANSITIONS = {  # action -> (states it may start from, the state it leads to)
    "place": ((PO.DRAFT,), PO.ORDERED),
    "cancel": ((PO.DRAFT, PO.ORDERED), PO.CANCELLED),
    "receive": ((PO.ORDERED, PO.PARTIAL), PO.PARTIAL),
    "complete": ((PO.PARTIAL,), PO.RECEIVED),
}
PO_OPEN = (PO.DRAFT, PO.ORDERED, PO.PARTIAL)  # orders whose outstanding lines count as on order


def _po_refusal(order, action) -> str:
    if action in ("receive", "complete"):
        message = _("Purchase order %(po)s is %(status)s; nothing can be received against it.")
    else:
        message = _("Purchase order %(po)s is %(status)s; it cannot be changed that way.")
    return message % {"po": order.number, "status": order.get_status_display()}


PO_MACHINE = StateMachine(transitions=PO_TRANSITIONS, stamps={"place": "ordered_at"}, refusal=_po_refusal)

ST = Stocktake.Status


def _stocktake_refusal(stocktake, action) -> str:
    return _("Stocktake %(st)s is already approved.") % {"st": stocktake.number}


STOCKTAKE_MACHINE = StateMachine(
    transitions={"count": ((ST.COUNTING,), ST.COUNTING), "approve": ((ST.COUNTING,), ST.APPROVED)},
    stamps={"approve": "approved_at"},
    refusal=_stocktake_refusal,
)


def purchase_order_actions(order) -> set[str]:
    """The actions this purchase order's status allows (the page shows their buttons)."""
    return PO_MACHINE.allowed(order)


def stocktake_actions(stocktake) -> set[str]:
    """The actions this stocktake's status allows (counting and approving)."""
    return STOCKTAKE_MACHINE.allowed(stocktake)
