"""Reports' write use cases, one module per area, the public names re-exported here."""

from reports.services.rollups import (
    refund_line_shares,
    rollup_order_recorded,
    rollup_payment_failure,
    rollup_refund_succeeded,
    rollups_rebuild,
)
from reports.services.schedules import (
    report_schedule_delete,
    report_schedule_save,
    report_schedule_send,
    scheduled_reports_send,
)

__all__ = [
    "refund_line_shares",
    "report_schedule_delete",
    "report_schedule_save",
    "report_schedule_send",
    "rollup_order_recorded",
    "rollup_payment_failure",
    "rollup_refund_succeeded",
    "rollups_rebuild",
    "scheduled_reports_send",
]
