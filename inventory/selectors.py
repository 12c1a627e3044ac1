"""Inventory reads shared by pages, the API, jobs and reports."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Sku
from inventory.models import (
    LowStockAlert,
    LowStockRule,
    PurchaseOrder,
    PurchaseOrderLine,
    ReplenishmentRule,
    SkuStock,
    StockBatch,
    StockLevel,
    StockMovement,
    Stocktake,
    Supplier,
    SupplierSku,
    Warehouse,
)
from inventory.state import PO_OPEN
from shop.dates import day_start
from shop.money import to_cents
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


def sku_available(sku_ids) -> dict[int, int]:
    """{sku id: on hand minus reserved over active warehouses} from the per-SKU rollup, one query."""
    return dict(SkuStock.objects.filter(sku_id__in=list(sku_ids)).values_list("sku_id", "available"))


def sku_stock(*, now=None):
    """Active SKUs with `on_hand`, `reserved` and `available` over active warehouses, and their
    low-stock `threshold`: the SKU's rule (units, or days of cover at the last 30 days' sales), else
    the store default. Read from the per-SKU rollup (`SkuStock`) that the ledger postings keep."""
    default = store_settings().low_stock_default_threshold
    return (
        Sku.objects.filter(is_active=True)
        .select_related("product")
        .annotate(
            on_hand=Coalesce(F("stock_rollup__on_hand"), 0),
            reserved=Coalesce(F("stock_rollup__reserved"), 0),
            available=Coalesce(F("stock_rollup__available"), 0),
            threshold=Coalesce(F("stock_rollup__threshold"), Value(default)),
        )
    )


def available_by_sku(*, product_id) -> dict:
    """{sku_id: available units over active warehouses} for the SKUs of one product, in one query."""
    return dict(SkuStock.objects.filter(sku__product_id=product_id).values_list("sku_id", "available"))


def low_stock(*, now=None):
    """Rollup rows of active SKUs at or under their low-stock threshold (`limit`: their own, else the
    store default). Reads only the low rows, through the partial indexes on `is_low` (own threshold)
    and on `threshold IS NULL` (store default); never joins the SKU table to find them."""
    default = store_settings().low_stock_default_threshold
    return (
        SkuStock.objects.filter(
            Q(sku_active=True, is_low=True) | Q(sku_active=True, threshold__isnull=True, available__lte=default)
        )
        .prefetch_related("sku__product")  # for the shown page only: counting and sorting stay on the rollup
        .annotate(limit=Coalesce(F("threshold"), Value(default)))
    )


def rollup_mismatches():
    """Rollup rows that differ from the sum of their SKU's stock rows in active warehouses: always
    empty unless something bypassed the services."""
    levels = (
        StockLevel.objects.filter(sku=OuterRef("sku"), warehouse__is_active=True)
        .order_by()
        .values("sku")
        .annotate(h=Sum("on_hand"), r=Sum("reserved"))
    )
    return SkuStock.objects.annotate(
        level_on_hand=Coalesce(Subquery(levels.values("h")), 0),
        level_reserved=Coalesce(Subquery(levels.values("r")), 0),
    ).exclude(on_hand=F("level_on_hand"), reserved=F("level_reserved"), available=F("on_hand") - F("reserved"))


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
    rows = (
        PurchaseOrderLine.objects.filter(sku_id__in=sku_ids, order__status__in=PO_OPEN, quantity__gt=F("received"))
        .values("sku_id")
        .annotate(n=Sum(F("quantity") - F("received")))
        .order_by()
    )
    return {row["sku_id"]: row["n"] for row in rows}


def batches():
    """Batches with units left, with their SKU, product and warehouse."""
    return StockBatch.objects.filter(remaining__gt=0).select_related("sku__product", "warehouse")


def expiring_batches(*, within_days=None, today=None):
    """Batches with units left that expire within `within_days` days (those already expired too),
    soonest first."""
    qs = batches().filter(expires_on__isnull=False)
    if within_days is not None:
        qs = qs.filter(expires_on__lte=(today or timezone.localdate()) + timedelta(days=within_days))
    return qs.order_by("expires_on", "pk")


def batch_mismatches():
    """Stock rows whose batches do not sum to their on-hand: always empty unless something bypassed
    the services."""
    left = (
        StockBatch.objects.filter(sku=OuterRef("sku"), warehouse=OuterRef("warehouse"))
        .order_by()
        .values("sku")
        .annotate(n=Sum("remaining"))
        .values("n")
    )
    return StockLevel.objects.annotate(batched=Coalesce(Subquery(left), 0)).exclude(on_hand=F("batched"))


def daily_sales(rules, *, now=None) -> dict:
    """{sku_id: Decimal units shipped per day} for forecast rules: the simple moving average of the
    sale (shipment) movements over each rule's window of `window_days` days before `now` — one
    aggregate query per distinct window."""
    now = now or timezone.now()
    by_window: dict[int, list[int]] = {}
    for rule in rules:
        by_window.setdefault(rule.window_days, []).append(rule.sku_id)
    result = {}
    for days, sku_ids in by_window.items():
        rows = (
            StockMovement.objects.filter(
                sku_id__in=sku_ids, kind=StockMovement.Kind.SALE, created_at__gte=now - timedelta(days=days)
            )
            .values("sku_id")
            .annotate(n=-Sum("on_hand_delta"))
            .order_by()
        )
        result.update({row["sku_id"]: Decimal(row["n"]) / days for row in rows})
    return result


# -- turnover report ------------------------------------------------------------------------------------
TURNOVER_GROUPS = {
    "sku": ("sku_id", "sku__code", "sku__product__name"),
    "category": ("sku__product__category_id", "sku__product__category__name"),
    "warehouse": ("warehouse_id", "warehouse__name"),
}
_VALUE = DecimalField(max_digits=20, decimal_places=2)


def turnover(*, start, end, group="sku", dead_days=90, slow_days=90, status=""):
    """Stock turnover between `start` and `end` (aware datetimes, end excluded), one row per SKU,
    category or warehouse, from one aggregate query over the ledger valued at the SKU's cost:

    opening/closing units and value (on-hand at `start` / `end`), units sold and cost of goods sold
    (sale movements in the period), the last sale before `end`. `status` keeps only dead stock (units
    at `end`, no sale in the `dead_days` before it) or slow movers (stock but no sale in the period, or
    more than `slow_days` days of inventory). Turnover ratio and days of inventory come from these
    exact sums (`turnover_figures`)."""
    cost = Coalesce(F("sku__cost"), Value(Decimal("0.00")), output_field=_VALUE)
    value = ExpressionWrapper(F("on_hand_delta") * cost, output_field=_VALUE)
    before_start, before_end = Q(created_at__lt=start), Q(created_at__lt=end)
    sale = Q(kind=StockMovement.Kind.SALE)
    in_period = sale & Q(created_at__gte=start) & before_end
    zero = Value(Decimal("0.00"), output_field=_VALUE)
    rows = (
        StockMovement.objects.filter(before_end)
        .values(*TURNOVER_GROUPS[group])
        .annotate(
            opening_units=Coalesce(Sum("on_hand_delta", filter=before_start), 0),
            closing_units=Coalesce(Sum("on_hand_delta"), 0),
            opening_value=Coalesce(Sum(value, filter=before_start, output_field=_VALUE), zero),
            closing_value=Coalesce(Sum(value, output_field=_VALUE), zero),
            sold_units=Coalesce(-Sum("on_hand_delta", filter=in_period), 0),
            cogs=Coalesce(-Sum(value, filter=in_period, output_field=_VALUE), zero),
            last_sale=Max("created_at", filter=sale),
        )
    )
    if status == "dead":
        rows = rows.filter(Q(last_sale__isnull=True) | Q(last_sale__lt=end - timedelta(days=dead_days)))
        rows = rows.filter(closing_units__gt=0)
    elif status == "slow":
        days = max((end - start).days, 1)
        # days of inventory > slow_days  <=>  days × (opening + closing) / 2 > slow_days × COGS
        double_value = ExpressionWrapper(F("opening_value") + F("closing_value"), output_field=_VALUE)
        rows = rows.alias(
            double_value=double_value,
            days_value=ExpressionWrapper(double_value * days, output_field=_VALUE),
            slow_cogs=ExpressionWrapper(F("cogs") * (2 * slow_days), output_field=_VALUE),
        ).filter(Q(cogs=0, double_value__gt=0) | Q(cogs__gt=0, days_value__gt=F("slow_cogs")))
    return rows


@dataclass(frozen=True)
class TurnoverReport:
    start: date
    end: date
    days: int  # the period's length, both ends included
    group: str
    rows: Any


def turnover_report(*, start, end, group="sku", status="", dead_days=90, slow_days=90) -> TurnoverReport:
    """The turnover report over the local days `start` to `end`, both included (the report form's options)."""
    rows = turnover(
        start=day_start(start),
        end=day_start(end + timedelta(days=1)),
        group=group,
        dead_days=dead_days,
        slow_days=slow_days,
        status=status,
    )
    return TurnoverReport(start=start, end=end, days=(end - start).days + 1, group=group, rows=rows)


def turnover_figures(row, *, days) -> dict:
    """Average stock value ((opening + closing) / 2, to the cent, half up), turnover ratio (COGS /
    average value, 2 places) and days of inventory (period days × average value / COGS, 1 place) of one
    turnover row; None where a division has nothing to divide by."""
    average = to_cents((row["opening_value"] + row["closing_value"]) / 2)
    cogs = to_cents(row["cogs"])
    ratio = to_cents(cogs / average) if average > 0 else None
    cover = (days * average / cogs).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if cogs > 0 else None
    return {"average_value": average, "turnover": ratio, "days_of_inventory": cover}
