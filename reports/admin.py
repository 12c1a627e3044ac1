"""Operators' admin for reports (shop.admin.OperatorAdmin): the rollups read-only, with the repair that rebuilds
them from the raw rows for the chosen days (reports.services.rollups_rebuild, audited with the reason)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reports import services
from reports.models import (
    Anomaly,
    CustomerDay,
    PaymentDay,
    ReportDelivery,
    ReportSchedule,
    SalesDay,
    SalesDaySku,
    SalesDimension,
    SalesHour,
    SalesSkuSpan,
)
from shop.admin import OperatorAdmin, repair_action


def _rebuild(row, *, actor, reason):
    services.rollups_rebuild(start=row.day, end=row.day, actor=actor)


REBUILD = repair_action(
    "rebuild_rollups",
    _("Rebuild the report rollups of these days from the orders"),
    _rebuild,
    permission="shop.repair_rebuild_report_rollup",
)


class RollupAdmin(OperatorAdmin):
    date_hierarchy = "day"
    actions = [REBUILD]


@admin.register(SalesDay)
class SalesDayAdmin(RollupAdmin):
    list_display = ("day", "channel", "province", "payment_method", "orders_paid", "units", "gross", "refunds")
    list_filter = ("channel", "payment_method")


@admin.register(SalesDimension)
class SalesDimensionAdmin(RollupAdmin):
    list_display = ("day", "dimension", "value", "orders_paid", "units", "gross", "refunds")
    list_filter = ("dimension",)


@admin.register(SalesDaySku)
class SalesDaySkuAdmin(RollupAdmin):
    list_display = ("day", "sku", "channel", "province", "units", "gross")
    list_filter = ("channel",)
    search_fields = ("=sku__code",)


@admin.register(SalesHour)
class SalesHourAdmin(RollupAdmin):
    list_display = ("day", "hour", "orders_placed", "orders_paid", "paid", "refunds")


@admin.register(PaymentDay)
class PaymentDayAdmin(RollupAdmin):
    list_display = ("day", "method", "batch", "payments", "gross", "fees", "refunds")
    list_filter = ("method",)


@admin.register(CustomerDay)
class CustomerDayAdmin(OperatorAdmin):
    list_display = ("day", "new_customers", "returning_customers")
    date_hierarchy = "day"


@admin.register(SalesSkuSpan)
class SalesSkuSpanAdmin(OperatorAdmin):
    """The dashboard's per-SKU sums of closed days: a rebuild of the rollups (above) drops the spans it covers."""

    list_display = ("first_day", "last_day", "sku", "units", "sales")


@admin.register(Anomaly)
class AnomalyAdmin(OperatorAdmin):
    list_display = ("metric", "hour", "direction", "observed", "expected", "score")
    list_filter = ("metric", "direction")
    date_hierarchy = "hour"
    staff_page = "reports:anomaly_list"


@admin.register(ReportSchedule)
class ReportScheduleAdmin(OperatorAdmin):
    list_display = ("report", "frequency", "weekday", "send_at", "format", "is_active", "last_sent_at")
    list_filter = ("frequency", "is_active")
    staff_page = "reports:schedule_list"


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(OperatorAdmin):
    list_display = ("schedule", "period_start", "period_end", "sent_at")
