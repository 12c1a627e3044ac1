"""Reports' write use cases, one module per area, the public names re-exported here.

rollups      the sales and finance rollups, kept on events and rebuilt
dashboard    the customer figures per day (new, returning), kept on payment and rebuilt
monitoring   anomaly_watch: the hour-of-week baseline, findings, acknowledging them
"""

from reports.services.dashboard import customer_day_record, customer_days_rebuild
from reports.services.monitoring import anomalies_detect, anomaly_acknowledge
from reports.services.rollups import (
    refund_line_shares,
    rollup_order_recorded,
    rollup_payment_failure,
    rollup_payment_received,
    rollup_payments_settled,
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
    "anomalies_detect",
    "anomaly_acknowledge",
    "customer_day_record",
    "customer_days_rebuild",
    "refund_line_shares",
    "report_schedule_delete",
    "report_schedule_save",
    "report_schedule_send",
    "rollup_order_recorded",
    "rollup_payment_failure",
    "rollup_payment_received",
    "rollup_payments_settled",
    "rollup_refund_succeeded",
    "rollups_rebuild",
    "scheduled_reports_send",
]
