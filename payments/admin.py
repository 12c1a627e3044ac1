"""Payments in the operators' admin: read-only (money changes only through payments.services). Repairs:
re-send a stuck refund to its gateway (`refund_resend`) and mark a COD order collected (`cod_collect`),
both audited with the operator's reason. Payment methods and risk rules link to their staff pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from orders.models import Order
from payments import services
from payments.models import (
    BlacklistEntry,
    Payment,
    PaymentMethod,
    ReconciliationLine,
    ReconciliationRun,
    Refund,
    RiskAssessment,
    RiskRule,
    RiskSettings,
    SettlementBatch,
)
from shop.admin import OperatorAdmin, ReadOnlyInline, RelatedLink, add_related, repair_action


@admin.register(PaymentMethod)
class PaymentMethodAdmin(OperatorAdmin):
    list_display = ("name", "code", "is_enabled", "min_amount", "max_amount", "fee_percent", "settlement_days")
    list_filter = ("is_enabled",)
    staff_page = "payments:method_list"


@admin.register(Payment)
class PaymentAdmin(OperatorAdmin):
    list_display = ("transaction_id", "order", "method", "amount", "fee", "status", "flag", "refunded", "paid_at")
    list_filter = ("status", "flag", "method")
    search_fields = ("=transaction_id", "=order__number")
    date_hierarchy = "paid_at"
    related = [RelatedLink(_("Refunds"), "payments.refund", "payment__id__exact")]
    staff_page = "payments:payment_list"


def _resend(refund, *, actor, reason):
    services.refund_resend(refund=refund, actor=actor, reason=reason)


@admin.register(Refund)
class RefundAdmin(OperatorAdmin):
    list_display = (
        "pk",
        "order",
        "payment",
        "amount",
        "status",
        "source",
        "attempts",
        "provider_refund_id",
        "requested_at",
        "decided_at",
    )
    list_filter = ("status", "source", "refund_only")
    search_fields = ("=order__number", "=payment__transaction_id", "=provider_refund_id")
    date_hierarchy = "requested_at"
    staff_page = "payments:refund_list"
    actions = [
        repair_action(
            "resend_refund",
            _("Re-send stuck refunds to their gateway"),
            _resend,
            permission="shop.repair_resend_refund",
            help_text=_("Only an approved refund, or one stuck while sending, is sent again (the gateway dedupes it)."),
        )
    ]


@admin.register(RiskRule)
class RiskRuleAdmin(OperatorAdmin):
    list_display = ("kind", "is_enabled", "weight", "threshold", "window_minutes")
    list_filter = ("is_enabled",)
    staff_page = "payments:risk_rules"


@admin.register(RiskSettings)
class RiskSettingsAdmin(OperatorAdmin):
    list_display = ("hold_score",)
    staff_page = "payments:risk_rules"


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(OperatorAdmin):
    list_display = ("order", "score", "decision", "ip", "assessed_at", "reviewed_by", "reviewed_at")
    list_filter = ("decision",)
    search_fields = ("=order__number", "=ip")
    date_hierarchy = "assessed_at"
    staff_page = "payments:risk_queue"


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(OperatorAdmin):
    list_display = ("kind", "value", "reason", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("=value",)
    date_hierarchy = "created_at"
    staff_page = "payments:blacklist"


@admin.register(SettlementBatch)
class SettlementBatchAdmin(OperatorAdmin):
    list_display = ("day", "method", "payment_count", "refund_count", "gross", "fees", "refunds", "net", "due_on")
    list_filter = ("method",)
    date_hierarchy = "day"
    related = [RelatedLink(_("Payments"), "payments.payment", "settlement__id__exact")]
    staff_page = "payments:settlement_list"


class ReconciliationLineInline(ReadOnlyInline):
    model = ReconciliationLine
    fields = ("transaction_id", "result", "statement_amount", "our_amount", "payment")
    max_rows = 50


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(OperatorAdmin):
    list_display = ("day", "method", "filename", "matched", "missing", "mismatched", "created_by", "created_at")
    list_filter = ("method",)
    date_hierarchy = "day"
    inlines = [ReconciliationLineInline]
    related = [RelatedLink(_("Lines"), "payments.reconciliationline", "run__id__exact")]
    staff_page = "payments:reconciliation_list"


@admin.register(ReconciliationLine)
class ReconciliationLineAdmin(OperatorAdmin):
    list_display = ("run", "transaction_id", "result", "statement_amount", "our_amount", "payment")
    list_filter = ("result",)
    search_fields = ("=transaction_id",)


# -- on the order (payments -> orders: the later module adds its links and its repair to the order's admin) --
def _collect(order, *, actor, reason):
    services.cod_collect(order=order, actor=actor, reason=reason, refuse_repeat=True)


add_related(
    Order,
    RelatedLink(_("Payments"), "payments.payment", "order__id__exact"),
    RelatedLink(_("Refunds"), "payments.refund", "order__id__exact"),
    RelatedLink(_("Risk assessment"), "payments.riskassessment", "order__id__exact"),
    actions=[
        repair_action(
            "collect_cod",
            _("Mark cash-on-delivery orders collected"),
            _collect,
            permission="shop.repair_collect_cod",
            help_text=_("The order total is recorded as collected; an order not yet shipped, or not COD, is refused."),
        )
    ],
)
