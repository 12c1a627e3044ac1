"""Reports' write use cases, one module per area, the public names re-exported here."""

from reports.services.schedules import (
    report_schedule_delete,
    report_schedule_save,
    report_schedule_send,
    scheduled_reports_send,
)

__all__ = [
    "report_schedule_delete",
    "report_schedule_save",
    "report_schedule_send",
    "scheduled_reports_send",
]
