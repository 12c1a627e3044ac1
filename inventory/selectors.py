"""Inventory reads shared by pages, the API, jobs and reports."""

from datetime import timedelta

from django.db.models import Case, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Sku
from inventory.models import (
    LowStockAlert,
    LowStockRule,
    PurchaseOrder,
    PurchaseOrderLine,
    ReplenishmentRule,
    StockLevel,
    StockMovement,
    Stocktake,
    Supplier,
    SupplierSku,
    Warehouse,
)
from shop.selectors import store_settings

SALES_WINDOW_DAYS = 30


def warehouses():
    return Warehouse.objects.all()


def active_warehouses():
    return Warehouse.objects.filter(is_active=True)


def stock_levels():
    return StockLevel.objects.select_related("sku__product", "warehouse").annotate(
        available_units=F("on_hand") - F("reserved")
    )


def movements():
    return StockMovement.objects.select_related("sku", "warehouse")


def sku_by_code(code):
    return Sku.objects.select_related("product").filter(code=code.strip()).first()


def skus_by_code(codes):
    return Sku.objects.filter(code__in=codes)


def _sum(expression, **extra):
    return Coalesce(Sum(expression, filter=Q(stock_levels__warehouse__is_active=True), **extra), 0)


def sku_stock(*, now=None):
    """Active SKUs with `on_hand`, `reserved` and `available` over active warehouses, and their
    low-stock `threshold`: the SKU's rule (units, or days of cover at the last 30 days' sales), else
    the store default."""
    since = (now or timezone.now()) - timedelta(days=SALES_WINDOW_DAYS)
    sold = (
        StockMovement.objects.filter(sku=OuterRef("pk"), kind=StockMovement.Kind.SALE, created_at__gte=since)
        .order_by()
        .values("sku")
        .annotate(n=-Sum("on_hand_delta"))
        .values("n")
    )
    per_day_cover = ExpressionWrapper(
        (Coalesce(Subquery(sold), 0) * F("low_stock_rule__value") + SALES_WINDOW_DAYS - 1)
        / SALES_WINDOW_DAYS,
        output_field=IntegerField(),
    )
    return (
        Sku.objects.filter(is_active=True)
        .select_related("product", "low_stock_rule")
        .annotate(
            on_hand=_sum("stock_levels__on_hand"),
            reserved=_sum("stock_levels__reserved"),
            available=_sum(F("stock_levels__on_hand") - F("stock_levels__reserved")),
            threshold=Case(
                When(low_stock_rule__kind=LowStockRule.Kind.ABSOLUTE, then=F("low_stock_rule__value")),
                When(low_stock_rule__kind=LowStockRule.Kind.DAYS_OF_COVER, then=per_day_cover),
                default=Value(store_settings().low_stock_default_threshold),
                output_field=IntegerField(),
            ),
        )
    )


def low_stock(*, now=None):
    """Active SKUs at or under their low-stock threshold."""
    return sku_stock(now=now).filter(available__lte=F("threshold"))


def open_alerts():
    return LowStockAlert.objects.filter(closed_at__isnull=True)


def low_stock_rules():
    return LowStockRule.objects.select_related("sku__product")


def ledger_mismatches():
    """Stock rows whose ledger does not sum to them: always empty unless something bypassed the services."""
    ledger = (
        StockMovement.objects.filter(sku=OuterRef("sku"), warehouse=OuterRef("warehouse"))
        .order_by()
        .values("sku")
        .annotate(h=Sum("on_hand_delta"), r=Sum("reserved_delta"))
    )
    return StockLevel.objects.annotate(
        ledger_on_hand=Coalesce(Subquery(ledger.values("h")), 0),
        ledger_reserved=Coalesce(Subquery(ledger.values("r")), 0),
    ).exclude(on_hand=F("ledger_on_hand"), reserved=F("ledger_reserved"))


def suppliers():
    return Supplier.objects.all()


def purchase_orders():
    return PurchaseOrder.objects.select_related("supplier", "warehouse")


def supplier_items():
    return SupplierSku.objects.select_related("supplier", "sku")


def stocktakes():
    return Stocktake.objects.select_related("warehouse")


def replenishment_rules():
    return ReplenishmentRule.objects.select_related("sku__product", "supplier")


def on_order(sku_ids) -> dict:
    """{sku_id: units ordered and not yet received} over open purchase orders."""
    open_states = [PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.ORDERED, PurchaseOrder.Status.PARTIAL]
    rows = (
        PurchaseOrderLine.objects.filter(
            sku_id__in=sku_ids, order__status__in=open_states, quantity__gt=F("received")
        )
        .values("sku_id")
        .annotate(n=Sum(F("quantity") - F("received")))
        .order_by()
    )
    return {row["sku_id"]: row["n"] for row in rows}
