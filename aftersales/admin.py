from django.contrib import admin

from aftersales.models import ModerationKeyword, Review, Survey
from shop.web import ReadOnlyAdmin


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
