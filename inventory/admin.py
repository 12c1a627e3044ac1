"""Read-only admin views: stock and its ledger change only through inventory.services."""

from django.contrib import admin

from inventory.models import StockLevel, StockMovement, Warehouse


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Warehouse)
class WarehouseAdmin(ReadOnly):
    list_display = ["code", "name", "province", "priority", "is_active"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnly):
    list_display = ["sku", "warehouse", "on_hand", "reserved"]
    list_select_related = ["sku", "warehouse"]
    raw_id_fields = ["sku"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnly):
    list_display = ["created_at", "sku", "warehouse", "kind", "on_hand_delta", "reserved_delta", "reference"]
    list_filter = ["kind", "warehouse"]
    list_select_related = ["sku", "warehouse"]
