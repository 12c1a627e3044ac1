"""Customers in the operators' admin: read-only (points move only through the points ledger's services; full
phone numbers only through customers.privacy, audited). Repair: re-send a failed text (`outbound_resend`)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from customers import services
from customers.models import (
    BestSeller,
    Customer,
    CustomerAddress,
    CustomerErasure,
    CustomerMessage,
    CustomerTag,
    InteractionNote,
    MemberTier,
    MessageReply,
    OutboundMessage,
    PointsEntry,
    ProductPair,
    Segment,
    SegmentMember,
    TierChange,
)
from shop.admin import OperatorAdmin, ReadOnlyInline, RelatedLink, repair_action


@admin.register(Customer)
class CustomerAdmin(OperatorAdmin):
    list_display = (
        "name",
        "masked_phone",
        "tier",
        "order_count",
        "lifetime_spend",
        "points_balance",
        "source",
        "blacklisted",
        "erased_at",
        "created_at",
    )
    list_filter = ("tier", "source", "rfm_segment", "blacklisted", "gender")
    search_fields = ("=phone", "name")
    search_help_text = _("Mobile number (exact) or name.")
    date_hierarchy = "created_at"
    exclude = ("phone",)  # full phone numbers are shown only through customers.privacy (audited)
    related = [
        RelatedLink(_("Points ledger"), "customers.pointsentry", "customer__id__exact"),
        RelatedLink(_("Addresses"), "customers.customeraddress", "customer__id__exact"),
        RelatedLink(_("Messages"), "customers.customermessage", "customer__id__exact"),
        RelatedLink(_("Texts sent"), "customers.outboundmessage", "customer__id__exact"),
        RelatedLink(_("Tier changes"), "customers.tierchange", "customer__id__exact"),
    ]
    staff_page = "customers:customer_list"


@admin.register(CustomerTag)
class CustomerTagAdmin(OperatorAdmin):
    search_fields = ("name",)


@admin.register(CustomerAddress)
class CustomerAddressAdmin(OperatorAdmin):
    list_display = ("customer", "name", "province", "city", "district", "is_default", "created_at")
    list_filter = ("province", "is_default")
    search_fields = ("=customer__phone",)
    exclude = ("phone",)


@admin.register(MemberTier)
class MemberTierAdmin(OperatorAdmin):
    list_display = ("rank", "name", "threshold_kind", "threshold", "discount_percent", "free_shipping")
    staff_page = "customers:tier_list"


@admin.register(TierChange)
class TierChangeAdmin(OperatorAdmin):
    list_display = ("created_at", "customer", "from_tier", "to_tier", "reason", "reference")
    list_filter = ("reason", "to_tier")
    search_fields = ("=customer__phone", "=reference")
    date_hierarchy = "created_at"


@admin.register(ProductPair)
class ProductPairAdmin(OperatorAdmin):
    list_display = ("product", "rank", "other", "together", "score", "lift", "computed_at")
    search_fields = ("=product__code",)


@admin.register(BestSeller)
class BestSellerAdmin(OperatorAdmin):
    list_display = ("rank", "product", "orders", "computed_at")
    search_fields = ("=product__code",)


@admin.register(PointsEntry)
class PointsEntryAdmin(OperatorAdmin):
    list_display = ("created_at", "customer", "kind", "points", "balance_after", "order_number", "reason")
    list_filter = ("kind",)
    search_fields = ("=customer__phone", "=order_number")
    date_hierarchy = "created_at"
    staff_page = "customers:points_list"


@admin.register(InteractionNote)
class InteractionNoteAdmin(OperatorAdmin):
    list_display = ("created_at", "customer", "kind", "follow_up_at", "assignee", "done", "reminded_at")
    list_filter = ("kind", "done")
    search_fields = ("=customer__phone",)
    date_hierarchy = "created_at"


class ReplyInline(ReadOnlyInline):
    model = MessageReply
    fields = ("created_at", "author", "text", "outbound")


@admin.register(CustomerMessage)
class CustomerMessageAdmin(OperatorAdmin):
    list_display = ("created_at", "subject", "customer", "order_number", "status", "assignee", "sla_breached_at")
    list_filter = ("status", "source")
    search_fields = ("=order_number", "=customer__phone")
    date_hierarchy = "created_at"
    inlines = [ReplyInline]
    exclude = ("request_hash",)
    staff_page = "customers:message_list"


@admin.register(MessageReply)
class MessageReplyAdmin(OperatorAdmin):
    list_display = ("created_at", "message", "author", "outbound")
    date_hierarchy = "created_at"


def _resend(outbound, *, actor, reason):
    services.outbound_resend(outbound=outbound, actor=actor, reason=reason)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(OperatorAdmin):
    """Every text sent to a customer, with what the provider (or the sandbox) answered."""

    list_display = ("created_at", "channel", "to", "status", "provider", "provider_id", "error", "purpose")
    list_filter = ("channel", "status", "purpose")
    search_fields = ("=to", "=provider_id")
    date_hierarchy = "created_at"
    actions = [
        repair_action(
            "resend_message",
            _("Re-send failed texts"),
            _resend,
            permission="shop.repair_resend_message",
            help_text=_(
                "A failed text is sent again as a new text; one that was sent, or an erased customer's, is refused."
            ),
        )
    ]


@admin.register(CustomerErasure)
class CustomerErasureAdmin(OperatorAdmin):
    list_display = ("erased_at", "customer", "erased_by", "reason")
    date_hierarchy = "erased_at"


@admin.register(Segment)
class SegmentAdmin(OperatorAdmin):
    list_display = ("name", "member_count", "counted_at", "created_by", "updated_at")
    search_fields = ("name",)
    related = [RelatedLink(_("Members"), "customers.segmentmember", "segment__id__exact")]
    staff_page = "customers:segment_list"


@admin.register(SegmentMember)
class SegmentMemberAdmin(OperatorAdmin):
    list_display = ("segment", "customer")
    search_fields = ("=customer__phone",)
