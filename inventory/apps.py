from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")
    nav = [
        ("inventory:stock_list", _("Stock"), "inventory.view_stocklevel"),
        ("inventory:movement_list", _("Stock ledger"), "inventory.view_stockmovement"),
        ("inventory:low_stock", _("Low stock"), "inventory.view_stocklevel"),
        ("inventory:expiring_batches", _("Expiring batches"), "inventory.view_stockbatch"),
        ("inventory:rule_list", _("Low-stock thresholds"), "inventory.view_lowstockrule"),
        ("inventory:replenishment_list", _("Replenishment"), "inventory.view_replenishmentrule"),
        ("inventory:stocktake_list", _("Stocktakes"), "inventory.view_stocktake"),
        ("inventory:warehouse_list", _("Warehouses"), "inventory.view_warehouse"),
        ("inventory:supplier_list", _("Suppliers"), "inventory.view_supplier"),
        ("inventory:po_list", _("Purchase orders"), "inventory.view_purchaseorder"),
    ]

    def ready(self):
        from inventory import signals  # noqa: F401  (connects the handlers)

    def product_sku_figures(self, user, product):
        """Per-SKU columns for the product page: available stock, for roles that may view stock."""
        from inventory.selectors import available_by_sku

        if not user.has_perm("inventory.view_stocklevel"):
            return []
        return [{"key": "available", "label": _("Available"), "values": available_by_sku(product_id=product.pk)}]

    def product_panels(self, user, product):
        """The product's latest stock movements, for roles that may read the ledger."""
        from inventory.selectors import movements
        from shop.related import related

        if not user.has_perm("inventory.view_stockmovement"):
            return []
        return [
            related(
                movements().filter(sku__product_id=product.pk).order_by("-created_at", "-id"),
                key="stock-movements",
                title=_("Stock movements"),
                template="inventory/_movement_rows.html",
                url=f"{reverse('inventory:movement_list')}?product={product.pk}",
            )
        ]

    def dashboard_work(self, user):
        """The dashboard's work waiting (reports asks every module through this hook): SKUs at or under their
        low-stock threshold, counted on the stock rollup's partial indexes (inventory.selectors.low_stock)."""
        from inventory.selectors import low_stock

        if not user.has_perm("inventory.view_stocklevel"):
            return []
        return [
            {
                "key": "inventory_low_stock",
                "label": _("SKUs at low stock"),
                "count": low_stock().order_by().count(),
                "url": reverse("inventory:low_stock"),
                "permission": "inventory.view_stocklevel",
            }
        ]

    def invariants(self):
        """DESIGN §3's stock invariants (shop.invariants): each queryset is empty when all is well."""
        from django.db.models import F

        from inventory import selectors
        from inventory.models import StockLevel

        return {
            "inventory: stock rows whose ledger does not sum to on-hand and reserved": selectors.ledger_mismatches(),
            "inventory: SKU stock rollups that differ from their warehouses' rows": selectors.rollup_mismatches(),
            "inventory: stock rows whose batches do not sum to their on-hand": selectors.batch_mismatches(),
            "inventory: stock rows with negative available stock": StockLevel.objects.filter(reserved__gt=F("on_hand")),
        }
