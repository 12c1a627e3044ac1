"""The refund and risk-review state machines, declared once on shop.state.StateMachine (like orders/state.py).

Refund:  requested -> approved -> sending -> sent -> succeeded; rejected (by finance) and failed (the provider
declined it, or sending failed) exit. A retry of a refund left in "sending" sends it again (sending -> sending).
Risk assessment: passed (scored under the hold score) or held; a held order is approved or rejected by review;
any decided order may be held again by hand.

Services move a locked row with `REFUND.move(refund, "approve", ...)`; a move the status does not allow raises
shop.state.IllegalTransition (409, code illegal_transition) with the sentence below.
"""

from django.utils.translation import gettext as _

from payments.models import Refund, RiskAssessment
from shop.state import StateMachine

R = Refund.Status
REFUND_TRANSITIONS = {  # action -> (states it may start from, the state it leads to)
    "approve": ((R.REQUESTED,), R.APPROVED),
    "reject": ((R.REQUESTED,), R.REJECTED),
    "send": ((R.APPROVED, R.SENDING), R.SENDING),  # a resend after a crash starts from sending
    "mark_sent": ((R.SENDING,), R.SENT),
    "confirm": ((R.SENDING, R.SENT), R.SUCCEEDED),  # the provider's callback: refunded
    "decline": ((R.SENDING, R.SENT), R.FAILED),  # the provider's callback: refused
    "fail": ((R.APPROVED, R.SENDING, R.SENT), R.FAILED),  # the provider declined our request
}
REFUND_SETTLED = (R.SUCCEEDED, R.FAILED)  # the provider has answered: a callback replay changes nothing

REFUND_REFUSALS = {  # a refund's refusals are whole sentences (the label is the message)
    "approve": lambda: _("Only a refund awaiting approval can be approved."),
    "reject": lambda: _("Only a refund awaiting approval can be rejected."),
    "confirm": lambda: _("This refund was not sent."),
    "decline": lambda: _("This refund was not sent."),
}

D = RiskAssessment.Decision
RISK_TRANSITIONS = {
    "hold": ((D.PASSED, D.APPROVED, D.REJECTED), D.HELD),  # held by hand (or again)
    "approve": ((D.HELD,), D.APPROVED),
    "reject": ((D.HELD,), D.REJECTED),
}
RISK_REFUSALS = {
    "approve": lambda: _("This order is not waiting for a risk review."),
    "reject": lambda: _("This order is not waiting for a risk review."),
}


def _sentence(_obj, message) -> str:
    return message


REFUND = StateMachine(
    transitions=REFUND_TRANSITIONS,
    labels=REFUND_REFUSALS,
    refusal=_sentence,
    stamps={"approve": "decided_at", "reject": "decided_at", "mark_sent": "sent_at", "confirm": "confirmed_at"},
)
RISK = StateMachine(
    transitions=RISK_TRANSITIONS,
    labels=RISK_REFUSALS,
    refusal=_sentence,
    stamps={"approve": "reviewed_at", "reject": "reviewed_at"},
    field="decision",
)
