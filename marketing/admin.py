"""Marketing in the operators' admin: read-only. Promotions are configuration edited on their staff pages (the
pricing engine's rules are validated there); coupons and flash-sale / group-buy records are looked up here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from marketing.models import (
    Activity,
    Bundle,
    BundleItem,
    Coupon,
    CouponTemplate,
    Experiment,
    ExperimentAssignment,
    ExperimentVariant,
    FlashClaim,
    FlashPurchase,
    FlashSaleItem,
    FlashSession,
    GroupBuy,
    GroupBuyGroup,
    GroupBuyKey,
    GroupBuyMember,
    MemberPrice,
    OrderPromotion,
    StackingRule,
    TimedDiscount,
)
from shop.admin import OperatorAdmin, ReadOnlyInline, RelatedLink

WINDOW = ("starts_at", "ends_at", "is_enabled", "exclusive", "priority")


@admin.register(StackingRule)
class StackingRuleAdmin(OperatorAdmin):
    list_display = ("kind", "combines_with", "priority", "note")
    staff_page = "marketing:stacking_list"


@admin.register(MemberPrice)
class MemberPriceAdmin(OperatorAdmin):
    list_display = ("sku", "tier", "price", "created_at")
    list_filter = ("tier",)
    search_fields = ("=sku__code",)
    staff_page = "marketing:member_price_list"


@admin.register(TimedDiscount)
class TimedDiscountAdmin(OperatorAdmin):
    list_display = ("name", "scope", "percent_off", *WINDOW)
    list_filter = ("scope", "is_enabled")
    search_fields = ("name",)
    date_hierarchy = "starts_at"
    staff_page = "marketing:timed_list"


@admin.register(Activity)
class ActivityAdmin(OperatorAdmin):
    list_display = ("name", "scope", "mode", "tiers", *WINDOW)
    list_filter = ("scope", "mode", "is_enabled")
    search_fields = ("name",)
    date_hierarchy = "starts_at"
    staff_page = "marketing:activity_list"


@admin.register(CouponTemplate)
class CouponTemplateAdmin(OperatorAdmin):
    list_display = ("name", "type", "amount", "percent_off", "min_spend", "issued", "total_quantity", "is_enabled")
    list_filter = ("type", "scope", "is_enabled")
    search_fields = ("name", "=claim_code")
    date_hierarchy = "created_at"
    related = [RelatedLink(_("Coupons"), "marketing.coupon", "template__id__exact")]
    staff_page = "marketing:coupon_list"


@admin.register(Coupon)
class CouponAdmin(OperatorAdmin):
    list_display = ("code", "template", "customer", "state", "claimed_at", "expires_at", "used_at", "order_number")
    list_filter = ("state",)
    search_fields = ("=code", "=order_number", "=customer__phone")
    date_hierarchy = "created_at"
    staff_page = "marketing:code_list"


@admin.register(OrderPromotion)
class OrderPromotionAdmin(OperatorAdmin):
    list_display = ("created_at", "order_number", "kind", "name", "amount")
    list_filter = ("kind",)
    search_fields = ("=order_number",)
    date_hierarchy = "created_at"


class BundleItemInline(ReadOnlyInline):
    model = BundleItem
    fields = ("sku", "quantity")


@admin.register(Bundle)
class BundleAdmin(OperatorAdmin):
    list_display = ("name", "price", *WINDOW)
    list_filter = ("is_enabled",)
    search_fields = ("name",)
    date_hierarchy = "starts_at"
    inlines = [BundleItemInline]
    staff_page = "marketing:bundle_list"


@admin.register(BundleItem)
class BundleItemAdmin(OperatorAdmin):
    list_display = ("bundle", "sku", "quantity")
    search_fields = ("=sku__code",)


class VariantInline(ReadOnlyInline):
    model = ExperimentVariant
    fields = ("position", "name", "weight", "template")


@admin.register(Experiment)
class ExperimentAdmin(OperatorAdmin):
    list_display = ("name", "starts_at", "ends_at", "ended_at", "winner")
    search_fields = ("name",)
    date_hierarchy = "starts_at"
    inlines = [VariantInline]
    staff_page = "marketing:experiment_list"


@admin.register(ExperimentVariant)
class ExperimentVariantAdmin(OperatorAdmin):
    list_display = ("experiment", "position", "name", "weight", "template")


@admin.register(ExperimentAssignment)
class ExperimentAssignmentAdmin(OperatorAdmin):
    list_display = ("assigned_at", "experiment", "variant", "customer", "coupon")
    search_fields = ("=customer__phone",)
    date_hierarchy = "assigned_at"


class FlashItemInline(ReadOnlyInline):
    model = FlashSaleItem
    fields = ("sku", "sale_price", "quantity", "remaining", "returned", "per_customer_limit")
    max_rows = 50


@admin.register(FlashSession)
class FlashSessionAdmin(OperatorAdmin):
    list_display = ("name", "starts_at", "ends_at", "settled_at")
    search_fields = ("name",)
    date_hierarchy = "starts_at"
    inlines = [FlashItemInline]
    staff_page = "marketing:flash_session_list"


@admin.register(FlashSaleItem)
class FlashSaleItemAdmin(OperatorAdmin):
    list_display = ("session", "sku", "sale_price", "quantity", "remaining", "returned")
    search_fields = ("=sku__code",)


@admin.register(FlashPurchase)
class FlashPurchaseAdmin(OperatorAdmin):
    list_display = ("item", "customer", "quantity")
    search_fields = ("=customer__phone",)


@admin.register(FlashClaim)
class FlashClaimAdmin(OperatorAdmin):
    list_display = ("created_at", "item", "customer", "order_number", "quantity", "returned_at")
    search_fields = ("=order_number",)
    date_hierarchy = "created_at"


@admin.register(GroupBuyKey)
class GroupBuyKeyAdmin(OperatorAdmin):
    list_display = ("pk",)


@admin.register(GroupBuy)
class GroupBuyAdmin(OperatorAdmin):
    list_display = ("name", "sku", "group_size", "group_price", "starts_at", "ends_at", "fill_hours")
    search_fields = ("name", "=sku__code")
    date_hierarchy = "starts_at"
    related = [RelatedLink(_("Groups"), "marketing.groupbuygroup", "activity__id__exact")]
    staff_page = "marketing:group_buy_list"


class GroupMemberInline(ReadOnlyInline):
    model = GroupBuyMember
    fields = ("customer", "order_number", "status", "is_leader", "joined_at", "paid_at")


@admin.register(GroupBuyGroup)
class GroupBuyGroupAdmin(OperatorAdmin):
    list_display = ("pk", "activity", "status", "size", "joined", "paid", "opened_at", "deadline", "finished_at")
    list_filter = ("status",)
    date_hierarchy = "opened_at"
    inlines = [GroupMemberInline]


@admin.register(GroupBuyMember)
class GroupBuyMemberAdmin(OperatorAdmin):
    list_display = ("group", "customer", "order_number", "status", "is_leader", "joined_at", "paid_at")
    list_filter = ("status",)
    search_fields = ("=order_number", "=customer__phone")
    date_hierarchy = "joined_at"
