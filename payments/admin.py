"""Read-only operator views: every change goes through the pages, which call the services."""

from django.contrib import admin

from payments.models import (
    BlacklistEntry,
    Payment,
    PaymentMethod,
    ReconciliationRun,
    Refund,
    RiskAssessment,
    SettlementBatch,
)
from shop.web import ReadOnlyAdmin


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "code",
        "is_enabled",
        "min_amount",
        "max_amount",
        "fee_percent",
        "settlement_days",
    )


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("transaction_id", "order", "method", "amount", "status", "flag", "paid_at")
    list_filter = ("status", "flag", "method")
    search_fields = ("transaction_id", "order__number")
    list_select_related = ("order", "method")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("pk", "order", "amount", "status", "source", "requested_at")
    list_filter = ("status", "source")
    list_select_related = ("order",)


for model in (RiskAssessment, BlacklistEntry, SettlementBatch, ReconciliationRun):
    admin.site.register(model, ReadOnlyAdmin)
