"""Signals catalog sends to later modules (DESIGN §1: catalog never imports inventory).

- `sku_stock_requested(sku_ids)`: sent by the products API for the SKUs of one page; a receiver answers
  `{sku_id: available}` (inventory: units on hand minus reserved over active warehouses, one query).
"""

from django.dispatch import Signal

sku_stock_requested = Signal()
