"""Inventory write use cases, one module per use-case area; callers import the names from here.

Every stock change is `_post`ed as a ledger row under the row locks taken by `lock_levels` (the one helper
that locks stock rows, always in primary-key order) — both in `ledger`. Top-level services are durable;
`stock_reserve`, `stock_release` and `stock_commit` join the caller's transaction, because order intake
and shipping call them inside their own.

    ledger          lock_levels, _post, batches: the one place stock moves; OutOfStock, InvalidQuantity
    rollup          the per-SKU rollup the low-stock scan reads (rollup_rebuild, rollup_rebuild_skus, rollup_backfill,
                    rollup_sku_saved)
    stock           stock_receive, stock_return (after-sales), stock_adjust, stock_transfer, stock_sync (ERP)
    reservations    stock_reserve, stock_release, stock_commit, stock_reservation_move
    setup           warehouse_save, low_stock_rule_set, low_stock_rule_delete
    low_stock       low_stock_alerts_run
    purchasing      supplier_save, supplier_sku_set/remove, purchase_order_create/place/cancel/receive
    stocktakes      stocktake_start, stocktake_count, stocktake_approve
    replenishment   replenishment_rule_set/delete, replenishment_need, replenishment_suggestions_run
"""

from inventory.services.ledger import InvalidQuantity, Kind, OutOfStock, lock_levels
from inventory.services.low_stock import low_stock_alerts_run
from inventory.services.purchasing import (
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_place,
    purchase_order_receive,
    supplier_save,
    supplier_sku_remove,
    supplier_sku_set,
)
from inventory.services.replenishment import (
    replenishment_need,
    replenishment_rule_delete,
    replenishment_rule_set,
    replenishment_suggestions_run,
)
from inventory.services.reservations import stock_commit, stock_release, stock_reservation_move, stock_reserve
from inventory.services.rollup import rollup_backfill, rollup_rebuild, rollup_rebuild_skus, rollup_sku_saved
from inventory.services.setup import low_stock_rule_delete, low_stock_rule_set, warehouse_save
from inventory.services.stock import stock_adjust, stock_receive, stock_return, stock_sync, stock_transfer
from inventory.services.stocktakes import stocktake_approve, stocktake_count, stocktake_start

__all__ = [
    "InvalidQuantity",
    "Kind",
    "OutOfStock",
    "lock_levels",
    "low_stock_alerts_run",
    "low_stock_rule_delete",
    "low_stock_rule_set",
    "purchase_order_cancel",
    "purchase_order_create",
    "purchase_order_place",
    "purchase_order_receive",
    "replenishment_need",
    "replenishment_rule_delete",
    "replenishment_rule_set",
    "replenishment_suggestions_run",
    "rollup_backfill",
    "rollup_rebuild",
    "rollup_rebuild_skus",
    "rollup_sku_saved",
    "stock_adjust",
    "stock_commit",
    "stock_receive",
    "stock_release",
    "stock_reservation_move",
    "stock_reserve",
    "stock_return",
    "stock_sync",
    "stock_transfer",
    "stocktake_approve",
    "stocktake_count",
    "stocktake_start",
    "supplier_save",
    "supplier_sku_remove",
    "supplier_sku_set",
    "warehouse_save",
]
