"""The per-SKU stock rollup (`SkuStock`) the low-stock scan reads: locked, created, rebuilt and kept in
step with each posting."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Case, ExpressionWrapper, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from inventory import selectors
from inventory.models import (
    LowStockRule,
    SkuStock,
    StockLevel,
    StockMovement,
)

Kind = StockMovement.Kind


# -- the per-SKU rollup (low stock) -----------------------------------------------------------------
def _lock_rollups(sku_ids) -> dict:
    """Lock the SKUs' rollup rows in SKU order (created, and filled from the stock rows, when missing)."""
    sku_ids = sorted(set(sku_ids))
    if not sku_ids:
        return {}

    def fetch():
        rows = SkuStock.objects.select_for_update().filter(sku_id__in=sku_ids).order_by("sku_id")
        return {row.sku_id: row for row in rows}

    rollups = fetch()
    missing = [sku_id for sku_id in sku_ids if sku_id not in rollups]
    if missing:
        SkuStock.objects.bulk_create([SkuStock(sku_id=s) for s in missing], ignore_conflicts=True)
        rollup_rebuild(sku_ids=missing)
        rollups = fetch()
    return rollups


def _sold_since(since):
    """Units shipped per SKU since `since`, as a subquery on the outer row's `sku`."""
    return Coalesce(
        Subquery(
            StockMovement.objects.filter(sku=OuterRef("sku"), kind=Kind.SALE, created_at__gte=since)
            .order_by()
            .values("sku")
            .annotate(n=-Sum("on_hand_delta"))
            .values("n")
        ),
        0,
    )


_IS_LOW = Case(When(threshold__isnull=False, available__lte=F("threshold"), then=Value(True)), default=Value(False))


def _refresh_thresholds(rollups, *, now=None):
    """Turn days of cover into units at the last 30 days' sales (rounded up), then set `is_low`."""
    since = (now or timezone.now()) - timedelta(days=selectors.SALES_WINDOW_DAYS)
    days = selectors.SALES_WINDOW_DAYS
    rollups.filter(cover_days__isnull=False).update(
        threshold=ExpressionWrapper(
            (_sold_since(since) * F("cover_days") + days - 1) / days, output_field=IntegerField()
        )
    )
    rollups.update(is_low=_IS_LOW)


@transaction.atomic
def rollup_rebuild(*, sku_ids=None, now=None) -> int:
    """Recompute rollup rows from the stock rows of active warehouses and the SKUs' rules (set-based).

    Used for rows just created, when a warehouse is switched on or off, and by the data migration's
    twin; callers hold the stock rows' locks (or nothing can post yet)."""
    from catalog.models import Sku

    rollups = SkuStock.objects.all() if sku_ids is None else SkuStock.objects.filter(sku_id__in=sku_ids)
    levels = StockLevel.objects.filter(sku=OuterRef("sku"), warehouse__is_active=True).order_by().values("sku")
    rules = LowStockRule.objects.filter(sku=OuterRef("sku"))

    def total(expression):
        return Coalesce(Subquery(levels.annotate(n=Sum(expression)).values("n")), 0)

    n = rollups.update(
        sku_active=Subquery(Sku.objects.filter(pk=OuterRef("sku")).values("is_active")),
        on_hand=total("on_hand"),
        reserved=total("reserved"),
        available=total(F("on_hand") - F("reserved")),
        threshold=Subquery(rules.filter(kind=LowStockRule.Kind.ABSOLUTE).values("value")),
        cover_days=Subquery(rules.filter(kind=LowStockRule.Kind.DAYS_OF_COVER).values("value")),
    )
    _refresh_thresholds(rollups, now=now)
    return n


def _lock_before_update(rollups):
    """Lock these rollup rows in SKU order (the order postings lock them in) before a bulk UPDATE, so a
    job never deadlocks with an order; returns the same queryset, to update."""
    list(rollups.select_for_update(of=("self",)).order_by("sku_id").values_list("sku_id", flat=True))
    return rollups


@transaction.atomic  # the low_stock_alerts job calls it inside its own
def rollup_backfill() -> int:
    """Create the rollup rows of SKUs that have none (SKUs bulk-created by an import), filled, and copy
    `is_active` of SKUs switched on or off in bulk (both set-based)."""
    from catalog.models import Sku

    for active in (True, False):
        switched = SkuStock.objects.filter(sku_active=not active, sku__is_active=active)
        _lock_before_update(switched).update(sku_active=active)
    missing = list(Sku.objects.filter(stock_rollup__isnull=True).values_list("pk", flat=True))
    if missing:
        SkuStock.objects.bulk_create([SkuStock(sku_id=s) for s in missing], ignore_conflicts=True)
        rollup_rebuild(sku_ids=missing)
    return len(missing)


def _post_rollup(level, *, on_hand, reserved, sale):
    """Carry a posting into the SKU's rollup row, locked with the stock row by `lock_levels`."""
    rollup = level.rollup
    if not level.warehouse.is_active:
        return
    rollup.on_hand += on_hand
    rollup.reserved += reserved
    rollup.available = rollup.on_hand - rollup.reserved
    fields = ["on_hand", "reserved", "available", "is_low"]
    if sale and rollup.cover_days is not None:
        since = timezone.now() - timedelta(days=selectors.SALES_WINDOW_DAYS)
        sales = StockMovement.objects.filter(sku_id=level.sku_id, kind=Kind.SALE, created_at__gte=since)
        sold = -(sales.aggregate(n=Sum("on_hand_delta"))["n"] or 0)
        days = selectors.SALES_WINDOW_DAYS
        rollup.threshold = (sold * rollup.cover_days + days - 1) // days
        fields.append("threshold")
    rollup.refresh_low()
    rollup.save(update_fields=fields)


def _rollup_threshold(sku_id):
    """Copy a SKU's rule into its (locked) rollup row and recompute `is_low`."""
    rules = LowStockRule.objects.filter(sku=OuterRef("sku"))
    rollups = SkuStock.objects.filter(sku_id=sku_id)
    rollups.update(
        threshold=Subquery(rules.filter(kind=LowStockRule.Kind.ABSOLUTE).values("value")),
        cover_days=Subquery(rules.filter(kind=LowStockRule.Kind.DAYS_OF_COVER).values("value")),
    )
    _refresh_thresholds(rollups)


def rollup_sku_saved(*, sku, created) -> None:
    """Give a new SKU its (empty) rollup row, so the low-stock scan sees it from the start; keep the row's copy
    of `is_active` when the SKU changes (joins the caller's transaction: catalog saves the SKU)."""
    if created:
        SkuStock.objects.bulk_create([SkuStock(sku_id=sku.pk, sku_active=sku.is_active)], ignore_conflicts=True)
    else:
        SkuStock.objects.filter(sku_id=sku.pk).exclude(sku_active=sku.is_active).update(sku_active=sku.is_active)


_FIGURES = ("on_hand", "reserved", "available", "threshold", "is_low")


@transaction.atomic(durable=True)
def rollup_rebuild_skus(*, sku_ids, actor, reason) -> int:
    """Rebuild the stock rollup of chosen SKUs from their stock rows (an operator's repair of a drifted rollup).

    Takes the stock rows' locks first, in the order postings take them, so no posting lands between the
    read and the write; one audit entry per SKU with its figures before -> after.
    """
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from inventory.services.ledger import lock_levels
    from shop.audit import record
    from shop.errors import DomainError

    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(_("Say why (it goes to the audit log)."), code="reason_required")
    sku_ids = sorted(set(sku_ids))
    if not sku_ids:
        raise DomainError(_("Choose the SKUs to rebuild."), code="nothing_chosen")
    lock_levels(where=Q(sku_id__in=sku_ids))
    _lock_rollups(sku_ids)
    rows = SkuStock.objects.filter(sku_id__in=sku_ids)
    before = {row.sku_id: {f: getattr(row, f) for f in _FIGURES} for row in rows}
    n = rollup_rebuild(sku_ids=sku_ids)
    for row in rows.select_related("sku"):
        after = {f: getattr(row, f) for f in _FIGURES}
        record(
            actor,
            "inventory.rollup_rebuild",
            row.sku,
            before=before.get(row.sku_id),
            after={**after, "reason": reason[:200]},
        )
    return n
