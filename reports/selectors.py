"""Reads of the rollups for the reports and the dashboard; none of them touches the orders table.

Every function takes a reports.periods.Period (local days, inclusive) and reads through `read_alias()`
(the replica when DATABASE_REPLICA_URL is set).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from catalog.models import Brand, Category, Product
from reports.models import SalesDay, SalesDaySku, SalesHour
from reports.routers import read_alias

ZERO = Decimal("0.00")
ORDER_FIGURES = ("orders_placed", "orders_paid", "units", "gross", "discounts", "shipping", "adjustments", "paid",
                 "refunds", "refund_count", "cancellations", "cancelled_paid")  # fmt: skip
SKU_FIGURES = ("orders_paid", "units", "gross", "discounts", "refunds", "refund_units")
HOUR_FIGURES = ("orders_placed", "orders_paid", "paid", "gross", "discounts", "refunds", "refund_count",
                "cancellations", "payment_failures", "shipped", "ship_seconds")  # fmt: skip


def _in(period, queryset):
    return queryset.using(read_alias()).filter(day__gte=period.start, day__lte=period.end)


def _with_net(row: dict) -> dict:
    """net = gross - discounts - refunds (every money figure a Decimal, never None)."""
    for key in ("gross", "discounts", "refunds", "shipping", "adjustments", "paid"):
        if key in row and row[key] is None:
            row[key] = ZERO
    row["net"] = row["gross"] - row["discounts"] - row["refunds"]
    return row


def sales_by(period, field: str) -> list[dict]:
    """Order-level figures per value of `field` (channel, province, payment_method, day)."""
    rows = _in(period, SalesDay.objects).values(field).annotate(**{f: Sum(f) for f in ORDER_FIGURES}).order_by(field)
    return [_with_net(dict(r)) for r in rows]


def sales_totals(period) -> dict:
    row = _in(period, SalesDay.objects).aggregate(**{f: Sum(f) for f in ORDER_FIGURES})
    row = {k: (v if v is not None else (ZERO if k in ("gross", "discounts", "shipping", "adjustments", "paid",
                                                          "refunds") else 0)) for k, v in row.items()}  # fmt: skip
    return _with_net(row)


def sales_per_day(period) -> dict:
    """{day: paid, gross, discounts, refunds, net, orders...} from the hour table (24 rows a day: cheap at any
    range) for the trend charts and the dashboard."""
    rows = _in(period, SalesHour.objects).values("day").annotate(**{f: Sum(f) for f in HOUR_FIGURES}).order_by("day")
    return {r["day"]: _with_net(dict(r)) for r in rows}


def sku_sales_by(period, field: str) -> list[dict]:
    """Line-level figures per `field` of the SKU rollup (sku_id, sku__product_id, sku__product__brand_id,
    sku__product__category_id)."""
    rows = (
        _in(period, SalesDaySku.objects)
        .values(key=F(field))
        .annotate(**{f: Sum(f) for f in SKU_FIGURES})
        .order_by("key")
    )
    return [_with_net(dict(r)) for r in rows]


def hours_of_day(period) -> list[dict]:
    """Figures per local hour of day 0-23 summed over the period."""
    rows = _in(period, SalesHour.objects).values("hour").annotate(**{f: Sum(f) for f in HOUR_FIGURES}).order_by("hour")
    return [dict(r) for r in rows]


def hours_of(day) -> list[dict]:
    """The 24 hours of one local day (the dashboard's today), empty hours included."""
    found = {h.hour: h for h in SalesHour.objects.using(read_alias()).filter(day=day)}
    return [
        {"hour": hour, **{f: getattr(found[hour], f) if hour in found else 0 for f in HOUR_FIGURES}}
        for hour in range(24)
    ]


def product_names(ids) -> dict:
    return dict(Product.objects.using(read_alias()).filter(pk__in=ids).values_list("pk", "name"))


def brand_names(ids) -> dict:
    return dict(Brand.objects.using(read_alias()).filter(pk__in=ids).values_list("pk", "name"))


def category_rollup(period, parent: Category | None) -> list[dict]:
    """Line figures per child of `parent` (the root categories when None), each with its whole subtree;
    products directly in `parent` come as one row with key "self"; uncategorised products as key "none"."""
    by_category = {r["key"]: r for r in sku_sales_by(period, "sku__product__category_id")}
    paths = dict(
        Category.objects.using(read_alias()).filter(pk__in=[k for k in by_category if k]).values_list("pk", "path")
    )
    depth = (parent.depth if parent else 0) + 1
    step = Category.steplen
    tree = Category.objects.db_manager(read_alias())
    nodes = tree.get_root_nodes() if parent is None else tree.get_children(parent)
    children = {c.path: c for c in nodes}
    totals: dict = defaultdict(lambda: dict.fromkeys(SKU_FIGURES, 0))
    labels: dict = {}
    key: Any
    for category_id, figures in by_category.items():
        if category_id is None:
            if parent is None:
                key, labels["none"] = "none", None
            else:
                continue
        else:
            path = paths.get(category_id, "")
            if parent is not None and (not path.startswith(parent.path) or path == parent.path):
                if path == parent.path:
                    key, labels["self"] = "self", parent.name
                else:
                    continue
            else:
                child = children.get(path[: depth * step])
                if child is None:
                    continue
                key, labels[child.pk] = child.pk, child.name
        for f in SKU_FIGURES:
            totals[key][f] = totals[key][f] + (figures[f] or 0)
    return [{"key": key, "label": labels[key], **_with_net(dict(figures))} for key, figures in totals.items()]
