"""Inventory in the operators' admin: read-only (stock and its ledger change only through inventory.services);
the rollup repair rebuilds chosen SKUs' rollup rows through `rollup_rebuild_skus` (audited)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalog.models import Sku
from inventory import services
from inventory.models import (
    LowStockAlert,
    LowStockRule,
    PurchaseOrder,
    PurchaseOrderLine,
    ReplenishmentRule,
    SkuStock,
    StockBatch,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeLine,
    Supplier,
    SupplierSku,
    Warehouse,
)
from shop.admin import OperatorAdmin, ReadOnlyInline, RelatedLink, add_related, repair_action

MOVEMENTS = RelatedLink(_("Stock movements"), "inventory.stockmovement", "sku__id__exact", "sku_id")
LEVELS = RelatedLink(_("Stock per warehouse"), "inventory.stocklevel", "sku__id__exact", "sku_id")


@admin.register(Warehouse)
class WarehouseAdmin(OperatorAdmin):
    list_display = ("code", "name", "province", "city", "priority", "is_active")
    list_filter = ("is_active", "province")
    search_fields = ("=code", "name")
    staff_page = "inventory:warehouse_list"


@admin.register(StockLevel)
class StockLevelAdmin(OperatorAdmin):
    list_display = ("sku", "warehouse", "on_hand", "reserved", "updated_at")
    list_filter = ("warehouse",)
    search_fields = ("=sku__code",)
    related = [MOVEMENTS]
    staff_page = "inventory:stock_list"


@admin.register(StockMovement)
class StockMovementAdmin(OperatorAdmin):
    list_display = (
        "created_at",
        "sku",
        "warehouse",
        "kind",
        "on_hand_delta",
        "reserved_delta",
        "reference_type",
        "reference",
        "actor_label",
    )
    list_filter = ("kind", "warehouse", "reference_type")
    search_fields = ("=sku__code", "=reference")
    date_hierarchy = "created_at"
    staff_page = "inventory:movement_list"


def _rebuild(rollup, *, actor, reason):
    services.rollup_rebuild_skus(sku_ids=[rollup.sku_id], actor=actor, reason=reason)


@admin.register(SkuStock)
class SkuStockAdmin(OperatorAdmin):
    list_display = ("sku", "on_hand", "reserved", "available", "threshold", "cover_days", "is_low", "sku_active")
    list_filter = ("is_low", "sku_active")
    search_fields = ("=sku__code",)
    related = [LEVELS, MOVEMENTS]
    actions = [
        repair_action(
            "rebuild_rollup",
            _("Rebuild the stock rollup"),
            _rebuild,
            permission="shop.repair_rebuild_rollup",
            help_text=_("The rollup is recomputed from the stock rows of active warehouses and the low-stock rules."),
        )
    ]


@admin.register(LowStockRule)
class LowStockRuleAdmin(OperatorAdmin):
    list_display = ("sku", "kind", "value")
    list_filter = ("kind",)
    search_fields = ("=sku__code",)
    staff_page = "inventory:rule_list"


@admin.register(LowStockAlert)
class LowStockAlertAdmin(OperatorAdmin):
    list_display = ("sku", "available", "threshold", "opened_at", "closed_at")
    list_filter = (("closed_at", admin.EmptyFieldListFilter),)
    search_fields = ("=sku__code",)
    date_hierarchy = "opened_at"


@admin.register(StockBatch)
class StockBatchAdmin(OperatorAdmin):
    list_display = ("sku", "warehouse", "received_on", "expires_on", "quantity", "remaining", "reference")
    list_filter = ("warehouse",)
    search_fields = ("=sku__code", "=reference")
    date_hierarchy = "expires_on"


@admin.register(Supplier)
class SupplierAdmin(OperatorAdmin):
    list_display = ("name", "contact_name", "phone", "email", "lead_time_days", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "=phone")
    staff_page = "inventory:supplier_list"


@admin.register(SupplierSku)
class SupplierSkuAdmin(OperatorAdmin):
    list_display = ("supplier", "sku", "cost")
    search_fields = ("=sku__code", "supplier__name")


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = ("sku", "quantity", "received", "unit_cost")
    max_rows = 50


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(OperatorAdmin):
    list_display = ("pk", "supplier", "warehouse", "status", "created_at", "ordered_at", "created_by")
    list_filter = ("status", "warehouse")
    search_fields = ("=id", "supplier__name")
    date_hierarchy = "created_at"
    inlines = [PurchaseOrderLineInline]
    related = [RelatedLink(_("Lines"), "inventory.purchaseorderline", "order__id__exact")]
    staff_page = "inventory:po_list"


@admin.register(PurchaseOrderLine)
class PurchaseOrderLineAdmin(OperatorAdmin):
    list_display = ("order", "sku", "quantity", "received", "unit_cost")
    search_fields = ("=sku__code", "=order__id")


@admin.register(ReplenishmentRule)
class ReplenishmentRuleAdmin(OperatorAdmin):
    list_display = ("sku", "supplier", "kind", "reorder_point", "order_up_to", "pack_size", "safety_stock")
    list_filter = ("kind",)
    search_fields = ("=sku__code",)
    staff_page = "inventory:replenishment_list"


class StocktakeLineInline(ReadOnlyInline):
    model = StocktakeLine
    fields = ("sku", "expected", "counted")
    max_rows = 50


@admin.register(Stocktake)
class StocktakeAdmin(OperatorAdmin):
    list_display = ("pk", "warehouse", "status", "created_at", "approved_at", "created_by")
    list_filter = ("status", "warehouse")
    date_hierarchy = "created_at"
    inlines = [StocktakeLineInline]
    related = [RelatedLink(_("Lines"), "inventory.stocktakeline", "stocktake__id__exact")]
    staff_page = "inventory:stocktake_list"


@admin.register(StocktakeLine)
class StocktakeLineAdmin(OperatorAdmin):
    list_display = ("stocktake", "sku", "expected", "counted")
    search_fields = ("=sku__code",)


# inventory -> catalog: a SKU's stock and its ledger, linked from the SKU's admin.
add_related(
    Sku,
    RelatedLink(_("Stock per warehouse"), "inventory.stocklevel", "sku__id__exact"),
    RelatedLink(_("Stock movements"), "inventory.stockmovement", "sku__id__exact"),
    RelatedLink(_("Stock rollup"), "inventory.skustock", "sku__id__exact"),
)
