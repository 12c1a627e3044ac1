"""Payment write use cases, one module per area (import them from here: `from payments import services`):

    methods.py          payment methods: staff edits, limits and fees, `payment_method_check` at intake
    callbacks.py        money in: provider payment callbacks, cash collected on delivery, recording existing payments
    refunds.py          refunds asked for and decided: requesting, approving, rejecting
    refund_delivery.py  refunds going out: sending to the provider, refund callbacks, the timeouts job
    risk.py             risk review: assessment and holds, approve / reject, rule weights, the blacklist
    settlement.py       the daily settlement batches and provider statement reconciliation
    common.py           what they share (the finance role, settled statuses, a local day's bounds)

Rules kept here:
- a top-level service is one durable transaction and writes its audit entry inside it;
- the gateway is never called inside a transaction or a row lock: record the intent, commit, call,
  then record the result (`refund_send`);
- a payment row is locked (`select_for_update`) before any refund against it is reserved, and the
  reservation is a guarded UPDATE backed by a check constraint: refunds never exceed the capture;
- money is Decimal, rounded half-up to the cent (shop.money).
"""

from payments.services.callbacks import (
    CallbackResult,
    cod_collect,
    payment_callback_handle,
    payment_callback_record,
    payment_record_existing,
)
from payments.services.common import FINANCE, SETTLED_STATUSES, local_day_bounds
from payments.services.methods import METHOD_FIELDS, fee_for, payment_method_check, payment_method_update
from payments.services.refund_delivery import (
    refund_callback_handle,
    refund_callback_record,
    refund_send,
    refund_timeouts_run,
)
from payments.services.refunds import refund_approve, refund_reject, refund_request, refund_request_for_order
from payments.services.risk import (
    blacklist_add,
    blacklist_remove,
    risk_approve,
    risk_assess,
    risk_assess_at_intake,
    risk_hold_record,
    risk_reject,
    risk_rule_update,
    risk_settings,
    risk_settings_update,
    risk_sweep,
)
from payments.services.settlement import (
    MAX_STATEMENT_ROWS,
    reconciliation_import,
    settle_payments_run,
    settlement_build,
)

__all__ = [
    "FINANCE",
    "MAX_STATEMENT_ROWS",
    "METHOD_FIELDS",
    "SETTLED_STATUSES",
    "CallbackResult",
    "blacklist_add",
    "blacklist_remove",
    "cod_collect",
    "fee_for",
    "local_day_bounds",
    "payment_callback_handle",
    "payment_callback_record",
    "payment_method_check",
    "payment_method_update",
    "payment_record_existing",
    "reconciliation_import",
    "refund_approve",
    "refund_callback_handle",
    "refund_callback_record",
    "refund_reject",
    "refund_request",
    "refund_request_for_order",
    "refund_send",
    "refund_timeouts_run",
    "risk_approve",
    "risk_assess",
    "risk_sweep",
    "risk_assess_at_intake",
    "risk_hold_record",
    "risk_reject",
    "risk_rule_update",
    "risk_settings",
    "risk_settings_update",
    "settle_payments_run",
    "settlement_build",
]
