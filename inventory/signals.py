"""Inventory's handlers of other modules' signals: each only touches inventory's own tables."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from catalog.models import Sku
from inventory.models import SkuStock


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
