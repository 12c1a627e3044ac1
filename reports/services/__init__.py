"""Reports' write use cases, one module per area, the public names re-exported here."""

from reports.services.rollups import (
    refund_line_shares,
    rollup_order_recorded,
    rollup_payment_failure,
    rollup_refund_succeeded,
    rollups_rebuild,
)

__all__ = [
    "refund_line_shares",
    "rollup_order_recorded",
    "rollup_payment_failure",
    "rollup_refund_succeeded",
    "rollups_rebuild",
]
