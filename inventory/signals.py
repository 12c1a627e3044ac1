"""Inventory's handlers of other modules' signals: each only touches inventory's own tables."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from catalog.models import Sku
from catalog.signals import sku_stock_requested
from inventory import selectors
from inventory.models import SkuStock


@receiver(sku_stock_requested, dispatch_uid="inventory_sku_available")
def sku_available(sender, sku_ids, **kwargs):
    """Answer the products API: units available per SKU over active warehouses."""
    return selectors.sku_available(sku_ids)


@receiver(post_save, sender=Sku, dispatch_uid="inventory_sku_rollup")
def sku_created(sender, instance, created, raw=False, **kwargs):
    """Give a new SKU its (empty) stock rollup row, so the low-stock scan sees it from the start, and
    keep the row's copy of `is_active`.

    SKUs bulk-created without signals get theirs from the low_stock_alerts job (`rollup_backfill`)."""
    if raw:
        return
    if created:
        SkuStock.objects.bulk_create(
            [SkuStock(sku_id=instance.pk, sku_active=instance.is_active)], ignore_conflicts=True
        )
    else:  # keep the rollup's copy of is_active
        SkuStock.objects.filter(sku_id=instance.pk).exclude(sku_active=instance.is_active).update(
            sku_active=instance.is_active
        )
