from django.contrib import admin

from customers.models import (
    BestSeller,
    Customer,
    CustomerAddress,
    CustomerMessage,
    CustomerTag,
    InteractionNote,
    MemberTier,
    OutboundMessage,
    PointsEntry,
    ProductPair,
    TierChange,
)
from shop.web import ReadOnlyAdmin


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("name", "masked_phone", "email", "gender", "source", "blacklisted", "erased_at", "created_at")
    list_filter = ("gender", "source", "blacklisted")
    search_fields = ("phone", "name")
    exclude = ("phone",)  # full phone numbers are shown only through customers.privacy (audited)


@admin.register(CustomerTag)
class CustomerTagAdmin(ReadOnlyAdmin):
    search_fields = ("name",)


@admin.register(CustomerAddress)
class CustomerAddressAdmin(ReadOnlyAdmin):
    list_display = ("customer", "name", "province", "city", "is_default")
    raw_id_fields = ("customer",)


@admin.register(MemberTier)
class MemberTierAdmin(ReadOnlyAdmin):
    list_display = ("rank", "name", "threshold_kind", "threshold", "discount_percent", "free_shipping")


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ("customer", "from_tier", "to_tier", "reason", "reference", "created_at")
    list_filter = ("reason",)
    list_select_related = ("customer", "from_tier", "to_tier")
    raw_id_fields = ("customer",)


@admin.register(ProductPair)
class ProductPairAdmin(ReadOnlyAdmin):
    list_display = ("product", "rank", "other", "together", "score", "lift", "computed_at")
    raw_id_fields = ("product", "other")


@admin.register(BestSeller)
class BestSellerAdmin(ReadOnlyAdmin):
    list_display = ("rank", "product", "orders", "computed_at")
    raw_id_fields = ("product",)


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "customer", "kind", "points", "balance_after", "order_number", "reason")
    list_filter = ("kind",)
    search_fields = ("customer__phone", "order_number")
    raw_id_fields = ("customer",)
    exclude = ("phone",)


@admin.register(InteractionNote)
class InteractionNoteAdmin(ReadOnlyAdmin):
    list_display = ("customer", "kind", "follow_up_at", "assignee", "done", "reminded_at", "created_at")
    list_filter = ("kind", "done")
    raw_id_fields = ("customer",)


@admin.register(CustomerMessage)
class CustomerMessageAdmin(ReadOnlyAdmin):
    list_display = ("subject", "customer", "status", "assignee", "created_at", "first_reply_at", "sla_breached_at")
    list_filter = ("status",)
    raw_id_fields = ("customer",)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    """Every text sent to a customer, with what the provider (or the sandbox) answered."""

    list_display = ("created_at", "channel", "to", "status", "provider", "provider_id", "error", "purpose")
    list_filter = ("channel", "status", "purpose")
    search_fields = ("to", "provider_id")
    raw_id_fields = ("customer",)
