from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")
    nav = [
        ("inventory:stock_list", _("Stock"), "inventory.view_stocklevel"),
        ("inventory:movement_list", _("Stock ledger"), "inventory.view_stockmovement"),
        ("inventory:low_stock", _("Low stock"), "inventory.view_stocklevel"),
        ("inventory:rule_list", _("Low-stock thresholds"), "inventory.view_lowstockrule"),
        ("inventory:replenishment_list", _("Replenishment"), "inventory.view_replenishmentrule"),
        ("inventory:stocktake_list", _("Stocktakes"), "inventory.view_stocktake"),
        ("inventory:warehouse_list", _("Warehouses"), "inventory.view_warehouse"),
        ("inventory:supplier_list", _("Suppliers"), "inventory.view_supplier"),
        ("inventory:po_list", _("Purchase orders"), "inventory.view_purchaseorder"),
    ]
