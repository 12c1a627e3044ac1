"""After-sales write use cases, one module per area; every name callers use is re-exported here.

policy     the rules a request must pass (windows, exclusions, exchange-only, quantities, amounts),
           who pays the return freight, the auto-approval rules
requests   submit (API and staff), approve / auto-approve, reject, cancel, assign, note, return parcel
handling   receive, inspect (restock through the stock ledger or write off), refund (through payments),
           the exchange's replacement (reserved, then shipped), close
sla        requests_sla_sweep: the response and refund timers (AftersalesConfig.sla_sweep)
setup      reasons, excluded categories, auto-approval rules, the after-sales store settings
"""

from aftersales.services.common import order_aftersales_status
from aftersales.services.handling import (
    RESERVATION_TYPE,
    request_close,
    request_inspect,
    request_receive,
    request_refund,
    request_ship_replacement,
)
from aftersales.services.policy import LineAsk, auto_approval_rule, line_share, policy_check, units_left
from aftersales.services.requests import (
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    reason_find,
    request_approve,
    request_assign,
    request_cancel,
    request_note,
    request_reject,
    request_return_shipment,
    request_submit,
    requests_approve,
    requests_assign,
    resolve_lines,
)
from aftersales.services.setup import (
    SETTING_FIELDS,
    aftersales_settings_update,
    auto_rule_delete,
    auto_rule_save,
    excluded_category_add,
    excluded_category_remove,
    reason_delete,
    reason_save,
    reasons_reorder,
)
from aftersales.services.sla import overdue_q, requests_sla_sweep

__all__ = [
    "MAX_IMAGES",
    "MAX_IMAGE_BYTES",
    "RESERVATION_TYPE",
    "SETTING_FIELDS",
    "LineAsk",
    "aftersales_settings_update",
    "auto_approval_rule",
    "auto_rule_delete",
    "auto_rule_save",
    "excluded_category_add",
    "excluded_category_remove",
    "line_share",
    "order_aftersales_status",
    "overdue_q",
    "policy_check",
    "reason_delete",
    "reason_find",
    "reason_save",
    "reasons_reorder",
    "request_approve",
    "request_assign",
    "request_cancel",
    "request_close",
    "request_inspect",
    "request_note",
    "request_receive",
    "request_refund",
    "request_reject",
    "request_return_shipment",
    "request_ship_replacement",
    "request_submit",
    "requests_approve",
    "requests_assign",
    "requests_sla_sweep",
    "resolve_lines",
    "units_left",
]
