"""Read-mostly admin for operators: orders change only through the services (the back-office pages)."""

from django.contrib import admin

from orders.models import Carrier, DispatchRule, FreightRegion, FreightTemplate, Order, OrderEvent, OrderLine, Shipment
from shop.web import ReadOnlyAdmin


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class LineInline(_ReadOnlyInline):
    model = OrderLine
    readonly_fields = ("sku_code", "name", "quantity", "unit_price", "discount", "line_total")
    fields = readonly_fields


class EventInline(_ReadOnlyInline):
    model = OrderEvent
    readonly_fields = fields = ("created_at", "kind", "from_status", "to_status", "actor_label", "message")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "placed_at",
        "status",
        "ship_name",
        "ship_province",
        "payment_method",
        "total",
        "is_abnormal",
    )
    list_filter = ("status", "payment_method", "channel", "is_abnormal")
    search_fields = ("=number", "=ship_phone", "=external_id")
    show_full_result_count = False
    inlines = [LineInline, EventInline]
    raw_id_fields = ("customer", "merged_into")
    exclude = ("ship_phone",)  # full phone numbers are shown only through customers.privacy (audited)


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "carrier", "order", "shipped_at")
    search_fields = ("=tracking_number",)
    raw_id_fields = ("order",)


class RegionInline(admin.TabularInline):
    model = FreightRegion
    extra = 0


@admin.register(FreightTemplate)
class FreightTemplateAdmin(ReadOnlyAdmin):
    list_display = ("name", "basis", "first_fee", "additional_fee", "free_over", "is_default", "is_active")
    inlines = [RegionInline]


@admin.register(Carrier)
class CarrierAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "tracking_pattern", "is_active")


@admin.register(DispatchRule)
class DispatchRuleAdmin(ReadOnlyAdmin):
    list_display = ("position", "name", "provinces", "carrier", "priority_boost", "hold", "is_active")
