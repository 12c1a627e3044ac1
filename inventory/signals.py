"""Inventory's handlers of other modules' signals: each only calls a selector or a service of inventory."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from catalog.models import Sku
from catalog.signals import sku_stock_requested
from inventory import selectors, services


@receiver(sku_stock_requested, dispatch_uid="inventory_sku_available")
def sku_available(sender, sku_ids, **kwargs):
    """Answer the products API: units available per SKU over active warehouses."""
    return selectors.sku_available(sku_ids)


@receiver(post_save, sender=Sku, dispatch_uid="inventory_sku_rollup")
def sku_created(sender, instance, created, raw=False, **kwargs):
    """Keep a saved SKU's stock rollup row (created empty for a new SKU, `is_active` copied).

    SKUs bulk-created without signals get theirs from the low_stock_alerts job (`rollup_backfill`)."""
    if not raw:
        services.rollup_sku_saved(sku=instance, created=created)
