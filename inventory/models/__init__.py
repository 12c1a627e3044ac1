"""Warehouses, stock per SKU per warehouse, the stock ledger, low-stock rules and alerts, suppliers,
purchase orders, stocktakes, replenishment rules — one module per area, every model re-exported here.

The ledger invariant (DESIGN §3): for every SKU × warehouse, the sum of `StockMovement.on_hand_delta`
equals `StockLevel.on_hand` and the sum of `reserved_delta` equals `StockLevel.reserved`. Only
inventory.services writes these tables, always under the row locks of `services.ledger.lock_levels`.
"""

from inventory.models.purchasing import PurchaseOrder, PurchaseOrderLine, ReplenishmentRule, Supplier, SupplierSku
from inventory.models.stock import (
    LowStockAlert,
    LowStockRule,
    SkuStock,
    StockBatch,
    StockLevel,
    StockMovement,
    Warehouse,
)
from inventory.models.stocktakes import Stocktake, StocktakeLine

__all__ = [
    "LowStockAlert",
    "LowStockRule",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "ReplenishmentRule",
    "SkuStock",
    "StockBatch",
    "StockLevel",
    "StockMovement",
    "Stocktake",
    "StocktakeLine",
    "Supplier",
    "SupplierSku",
    "Warehouse",
]
