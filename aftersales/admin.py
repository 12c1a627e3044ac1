"""Read-only admin for operators: after-sales records change only through the services (the back-office pages)."""

from django.contrib import admin

from aftersales.models import (
    AftersalesEvidence,
    AftersalesExcludedCategory,
    AftersalesLine,
    AftersalesReason,
    AftersalesRequest,
    AutoApprovalRule,
)
from shop.web import ReadOnlyAdmin


# -- requests --
@admin.register(AftersalesRequest)
class AftersalesRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "order", "kind", "status", "submitted_at", "assignee")
    list_filter = ("status", "kind")
    search_fields = ("number", "order__number")


@admin.register(AftersalesLine)
class AftersalesLineAdmin(ReadOnlyAdmin):
    list_display = ("request", "order_line", "quantity", "amount_asked", "amount_refunded", "outcome")


@admin.register(AftersalesEvidence)
class AftersalesEvidenceAdmin(ReadOnlyAdmin):
    list_display = ("request", "image", "uploaded_at")


@admin.register(AftersalesReason)
class AftersalesReasonAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "freight_payer", "no_reason", "is_active", "position")


@admin.register(AftersalesExcludedCategory)
class AftersalesExcludedCategoryAdmin(ReadOnlyAdmin):
    list_display = ("category", "note", "created_at")


@admin.register(AutoApprovalRule)
class AutoApprovalRuleAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "max_amount", "only_unshipped", "is_active", "position")
