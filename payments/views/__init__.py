"""Payment pages, one module per area; thin — parse the request, call a service or a selector, render.

    payments.py  the payment list and detail, the refund form, cash collected on delivery
    refunds.py   the refund queue, approve / reject
    risk.py      the risk review queue, risk rules and the hold score, the blacklist
    finance.py   payment methods, settlements, reconciliation, the finance summary

The list pages are declared in payments/lists.py. urls.py names the views through this package.
"""

from payments.views.finance import (
    method_edit,
    method_list,
    reconciliation_detail,
    reconciliation_import,
    reconciliation_list,
    settlement_list,
    summary,
)
from payments.views.payments import cod_collect, payment_detail, payment_list, refund_request
from payments.views.refunds import refund_approve, refund_list, refund_reject
from payments.views.risk import (
    blacklist,
    blacklist_add,
    blacklist_remove,
    risk_approve,
    risk_queue,
    risk_reject,
    risk_rule_edit,
    risk_rules,
)

__all__ = [
    "blacklist",
    "blacklist_add",
    "blacklist_remove",
    "cod_collect",
    "method_edit",
    "method_list",
    "payment_detail",
    "payment_list",
    "reconciliation_detail",
    "reconciliation_import",
    "reconciliation_list",
    "refund_approve",
    "refund_list",
    "refund_reject",
    "refund_request",
    "risk_approve",
    "risk_queue",
    "risk_reject",
    "risk_rule_edit",
    "risk_rules",
    "settlement_list",
    "summary",
]
