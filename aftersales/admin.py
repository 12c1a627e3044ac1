"""Read-only admin for operators: after-sales records change only through the services (the back-office pages)."""

from django.contrib import admin

from aftersales.models import (
    AftersalesEvidence,
    AftersalesExcludedCategory,
    AftersalesLine,
    AftersalesReason,
    AftersalesRequest,
    AutoApprovalRule,
    ModerationKeyword,
    Review,
    Survey,
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


# -- reviews and surveys ---------------------------------------------------------------------------------
@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("order_number", "sku_code", "rating", "status", "is_default", "created_at")
    list_filter = ("status", "rating", "is_default")
    search_fields = ("order_number", "sku_code")
    raw_id_fields = ("order_line", "order", "product", "sku", "customer")


@admin.register(ModerationKeyword)
class ModerationKeywordAdmin(ReadOnlyAdmin):
    list_display = ("word", "created_at")


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("kind", "order_number", "request_number", "sent_at", "answered_at", "csat", "nps")
    list_filter = ("kind",)
    search_fields = ("order_number", "request_number")
    exclude = ("token",)  # the customer's link: not for the admin
    raw_id_fields = ("order", "customer")
