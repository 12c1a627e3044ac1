"""Read-only admin for operators: after-sales records change only through the services (the back-office pages)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.models import (
    AftersalesEvidence,
    AftersalesExcludedCategory,
    AftersalesLine,
    AftersalesReason,
    AftersalesRequest,
    AutoApprovalRule,
    Complaint,
    ComplaintNote,
    ComplaintSla,
    FaqArticle,
    FaqCategory,
    ModerationKeyword,
    Review,
    ReviewImage,
    Survey,
)
from orders.models import Order
from shop.admin import OperatorAdmin, RelatedLink, add_related


# -- requests --
@admin.register(AftersalesRequest)
class AftersalesRequestAdmin(OperatorAdmin):
    list_display = ("number", "order", "kind", "status", "submitted_at", "assignee")
    list_filter = ("status", "kind")
    search_fields = ("number", "order__number")


@admin.register(AftersalesLine)
class AftersalesLineAdmin(OperatorAdmin):
    list_display = ("request", "order_line", "quantity", "amount_asked", "amount_refunded", "outcome")


@admin.register(AftersalesEvidence)
class AftersalesEvidenceAdmin(OperatorAdmin):
    list_display = ("request", "image", "uploaded_at")


@admin.register(AftersalesReason)
class AftersalesReasonAdmin(OperatorAdmin):
    list_display = ("name", "code", "freight_payer", "no_reason", "is_active", "position")


@admin.register(AftersalesExcludedCategory)
class AftersalesExcludedCategoryAdmin(OperatorAdmin):
    list_display = ("category", "note", "created_at")


@admin.register(AutoApprovalRule)
class AutoApprovalRuleAdmin(OperatorAdmin):
    list_display = ("name", "kind", "max_amount", "only_unshipped", "is_active", "position")


# -- reviews and surveys ---------------------------------------------------------------------------------
@admin.register(Review)
class ReviewAdmin(OperatorAdmin):
    list_display = ("order_number", "sku_code", "rating", "status", "is_default", "created_at")
    list_filter = ("status", "rating", "is_default")
    search_fields = ("order_number", "sku_code")
    raw_id_fields = ("order_line", "order", "product", "sku", "customer")


@admin.register(ModerationKeyword)
class ModerationKeywordAdmin(OperatorAdmin):
    list_display = ("word", "created_at")


@admin.register(Survey)
class SurveyAdmin(OperatorAdmin):
    list_display = ("kind", "order_number", "request_number", "sent_at", "answered_at", "csat", "nps")
    list_filter = ("kind",)
    search_fields = ("order_number", "request_number")
    exclude = ("token",)  # the customer's link: not for the admin
    raw_id_fields = ("order", "customer")


# -- complaints and the knowledge base --------------------------------------------------------------------
@admin.register(Complaint)
class ComplaintAdmin(OperatorAdmin):
    list_display = ("id", "customer", "order", "category", "priority", "status", "escalation_level", "assignee")
    list_filter = ("status", "priority", "escalation_level")
    search_fields = ("=id", "=order__number", "=customer__phone")
    date_hierarchy = "created_at"
    staff_page = "aftersales:complaint_list"


@admin.register(ComplaintNote)
class ComplaintNoteAdmin(OperatorAdmin):
    list_display = ("complaint", "kind", "author_label", "created_at")
    list_filter = ("kind",)
    search_fields = ("=complaint__id",)


@admin.register(ComplaintSla)
class ComplaintSlaAdmin(OperatorAdmin):
    list_display = ("priority", "hours", "escalate_hours")
    staff_page = "aftersales:complaint_sla"


@admin.register(FaqCategory)
class FaqCategoryAdmin(OperatorAdmin):
    list_display = ("name", "position")
    staff_page = "aftersales:faq_category_list"


@admin.register(FaqArticle)
class FaqArticleAdmin(OperatorAdmin):
    list_display = ("question", "category", "published", "views", "updated_at")
    list_filter = ("published",)
    search_fields = ("question",)
    staff_page = "aftersales:faq_list"


@admin.register(ReviewImage)
class ReviewImageAdmin(OperatorAdmin):
    list_display = ("review", "image", "position")


# an order's admin page links its after-sales requests, complaints and reviews (orders never imports aftersales)
add_related(
    Order,
    RelatedLink(_("After-sales requests"), "aftersales.aftersalesrequest", "order__id__exact"),
    RelatedLink(_("Complaints"), "aftersales.complaint", "order__id__exact"),
    RelatedLink(_("Reviews"), "aftersales.review", "order__id__exact"),
)
