"""The after-sales request's state machine (shop.state.StateMachine), declared once.

    submitted -> approved | rejected | cancelled (by the customer)
    approved -> awaiting_return (the customer sent the goods back) -> received -> inspected
    inspected -> refunded (return) | replacement_shipped (exchange)
    approved -> refunded (refund-only: no goods come back)
    refunded | replacement_shipped -> closed
A warehouse may receive a parcel that arrives before the customer gave its tracking number (approved -> received).
"""

from functools import partial

from django.utils.translation import gettext_lazy as _

from aftersales.models import AftersalesRequest
from shop.state import StateMachine

S = AftersalesRequest.Status
K = AftersalesRequest.Kind

TRANSITIONS = {
    "approve": ((S.SUBMITTED,), S.APPROVED),
    "reject": ((S.SUBMITTED,), S.REJECTED),
    "cancel": ((S.SUBMITTED,), S.CANCELLED),
    "ship_back": ((S.APPROVED, S.AWAITING_RETURN), S.AWAITING_RETURN),
    "receive": ((S.APPROVED, S.AWAITING_RETURN), S.RECEIVED),
    "inspect": ((S.RECEIVED,), S.INSPECTED),
    "refund": ((S.INSPECTED,), S.REFUNDED),
    "ship_replacement": ((S.INSPECTED,), S.REPLACEMENT_SHIPPED),
    "close": ((S.REFUNDED, S.REPLACEMENT_SHIPPED), S.CLOSED),
}
LABELS = {
    "approve": _("approved"),
    "reject": _("rejected"),
    "cancel": _("cancelled"),
    "ship_back": _("given a return tracking number"),
    "receive": _("received"),
    "inspect": _("inspected"),
    "refund": _("refunded"),
    "ship_replacement": _("sent a replacement"),
    "close": _("closed"),
}
# Steps that only some kinds take: a refund-only request has no goods coming back; only an exchange ships a
# replacement; an exchange is never refunded.
KIND_ACTIONS = {
    K.REFUND_ONLY: {"approve", "reject", "cancel", "refund", "close"},
    K.RETURN: {"approve", "reject", "cancel", "ship_back", "receive", "inspect", "refund", "close"},
    K.EXCHANGE: {"approve", "reject", "cancel", "ship_back", "receive", "inspect", "ship_replacement", "close"},
}


def _extra(request, action) -> tuple:
    if action == "refund" and request.kind == K.REFUND_ONLY:
        return (S.APPROVED,)
    return ()


REQUEST_MACHINE = StateMachine(
    transitions=TRANSITIONS,
    labels={k: partial(str, v) for k, v in LABELS.items()},
    extra_sources=_extra,
    stamps={
        "approve": "approved_at",
        "reject": "rejected_at",
        "cancel": "cancelled_at",
        "ship_back": "return_shipped_at",
        "receive": "received_at",
        "inspect": "inspected_at",
        "refund": "refunded_at",
        "ship_replacement": "replacement_shipped_at",
        "close": "closed_at",
    },
)


def request_allows(request, action) -> bool:
    """Whether the request's kind takes this step and its status allows it now."""
    return action in KIND_ACTIONS[request.kind] and REQUEST_MACHINE.allows(request, action)


def request_next_actions(request) -> list[str]:
    """The steps open to the request now, in the machine's order."""
    return [a for a in TRANSITIONS if request_allows(request, a)]
