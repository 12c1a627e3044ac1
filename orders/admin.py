"""Orders in the operators' admin: read-only (orders move only through orders.services); related records
linked (lines, timeline, payments, refunds, shipments, stock movements); the reservation repair releases
what a closed or cancelled order still holds (`order_reservation_release`, audited)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from orders import services
from orders.models import (
    Carrier,
    DispatchRule,
    FreightRegion,
    FreightTemplate,
    IntakeKey,
    Order,
    OrderEvent,
    OrderLine,
    Shipment,
    TrackingEvent,
)
from shop.admin import OperatorAdmin, ReadOnlyInline, RelatedLink, add_related, repair_action


class LineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("sku_code", "name", "options", "quantity", "unit_price", "discount", "line_total")
    max_rows = 50


class EventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor_label", "message")
    ordering = ("-created_at", "-id")
    max_rows = 30


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ("carrier", "tracking_number", "shipped_at")
    max_rows = 10


def _release(order, *, actor, reason):
    services.order_reservation_release(order=order, actor=actor, reason=reason)


@admin.register(Order)
class OrderAdmin(OperatorAdmin):
    list_display = (
        "number",
        "placed_at",
        "status",
        "ship_name",
        "ship_province",
        "payment_method",
        "total",
        "is_abnormal",
        "customer",
    )
    list_filter = ("status", "payment_method", "channel", "is_abnormal")
    search_fields = ("=number", "=ship_phone", "=external_id")
    search_help_text = _("Order number, phone or external id (exact).")
    date_hierarchy = "placed_at"
    inlines = [LineInline, EventInline, ShipmentInline]
    exclude = ("ship_phone",)  # full phone numbers are shown only through customers.privacy (audited)
    related = [  # payments adds its own (payments/admin.py), as later modules do
        RelatedLink(_("Lines"), "orders.orderline", "order__id__exact"),
        RelatedLink(_("Timeline"), "orders.orderevent", "order__id__exact"),
        RelatedLink(_("Shipments"), "orders.shipment", "order__id__exact"),
        RelatedLink(_("Stock movements"), "inventory.stockmovement", "reference", "number"),
    ]
    staff_page = "orders:order_list"
    actions = [
        repair_action(
            "release_reservation",
            _("Release the reservation of closed or cancelled orders"),
            _release,
            permission="shop.repair_release_reservation",
            help_text=_(
                "Only a closed or cancelled order's leftover reservation is released; live orders are refused."
            ),
        ),
    ]


@admin.register(OrderLine)
class OrderLineAdmin(OperatorAdmin):
    list_display = ("order", "sku_code", "name", "quantity", "unit_price", "discount", "line_total")
    search_fields = ("=order__number", "=sku_code")


@admin.register(OrderEvent)
class OrderEventAdmin(OperatorAdmin):
    list_display = ("created_at", "order", "kind", "from_status", "to_status", "actor_label", "message")
    list_filter = ("kind",)
    search_fields = ("=order__number",)
    date_hierarchy = "created_at"


@admin.register(IntakeKey)
class IntakeKeyAdmin(OperatorAdmin):
    list_display = ("created_at", "scope", "key", "order")
    search_fields = ("=key", "=order__number")
    date_hierarchy = "created_at"


class TrackingInline(ReadOnlyInline):
    model = TrackingEvent
    fields = ("occurred_at", "location", "description")
    ordering = ("-occurred_at",)
    max_rows = 30


@admin.register(Shipment)
class ShipmentAdmin(OperatorAdmin):
    list_display = ("tracking_number", "carrier", "order", "shipped_at", "created_by")
    list_filter = ("carrier",)
    search_fields = ("=tracking_number", "=order__number")
    date_hierarchy = "shipped_at"
    inlines = [TrackingInline]


@admin.register(TrackingEvent)
class TrackingEventAdmin(OperatorAdmin):
    list_display = ("occurred_at", "shipment", "location", "description")
    search_fields = ("=shipment__tracking_number",)
    date_hierarchy = "occurred_at"


class RegionInline(ReadOnlyInline):
    model = FreightRegion
    fields = ("provinces", "first_fee", "additional_fee")


@admin.register(FreightTemplate)
class FreightTemplateAdmin(OperatorAdmin):
    list_display = ("name", "basis", "first_fee", "additional_fee", "free_over", "is_default", "is_active")
    list_filter = ("basis", "is_active")
    search_fields = ("name",)
    inlines = [RegionInline]
    staff_page = "orders:freight_list"


@admin.register(FreightRegion)
class FreightRegionAdmin(OperatorAdmin):
    list_display = ("template", "provinces", "first_fee", "additional_fee")
    staff_page = "orders:freight_list"


@admin.register(Carrier)
class CarrierAdmin(OperatorAdmin):
    list_display = ("name", "code", "tracking_pattern", "is_active")
    list_filter = ("is_active",)
    search_fields = ("=code", "name")
    staff_page = "orders:carrier_list"


@admin.register(DispatchRule)
class DispatchRuleAdmin(OperatorAdmin):
    list_display = ("position", "name", "provinces", "carrier", "priority_boost", "hold", "is_active")
    list_filter = ("is_active", "hold")
    search_fields = ("name",)
    staff_page = "orders:rule_list"


# orders -> inventory, customers: the stock an order moved and a customer's orders, linked from their admins.
add_related(Customer, RelatedLink(_("Orders"), "orders.order", "customer__id__exact"))
