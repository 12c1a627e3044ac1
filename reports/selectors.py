"""Reads of the rollups for the reports and the dashboard; none of them touches the orders table.

Every function takes a reports.periods.Period (local days, inclusive) and reads through `read_alias()`
(the replica when DATABASE_REPLICA_URL is set).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from catalog.models import Brand, Category, Product
from reports.models import SalesDay, SalesDaySku, SalesHour, SalesMonth
from reports.periods import day_start
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


def month_split(period) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """The period as ([day ranges read from SalesDay], (first month, last month) read from SalesMonth)."""
    start, end = period.start, period.end
    first_full = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    last_full = (end + timedelta(days=1)).replace(day=1) - timedelta(days=1)  # last day of the last whole month
    if first_full > last_full:
        return [(start, end)], None
    edges = [(start, first_full - timedelta(days=1)), (last_full + timedelta(days=1), end)]
    return [(a, b) for a, b in edges if a <= b], (first_full, last_full.replace(day=1))


def sales_by(period, field: str) -> list[dict]:
    """Order-level figures per value of `field` (channel, province, payment_method): the whole months of the
    period from SalesMonth, its first and last days from SalesDay."""
    edges, months = month_split(period)
    sums = {f: Sum(f) for f in ORDER_FIGURES}
    db = read_alias()
    parts = [SalesDay.objects.using(db).filter(day__gte=a, day__lte=b) for a, b in edges]
    if months:
        parts.append(SalesMonth.objects.using(db).filter(month__gte=months[0], month__lte=months[1]))
    rows = [dict(r) for qs in parts for r in qs.values(field).annotate(**sums).order_by(field)]
    return sum_rows(rows, field)


def sum_rows(rows, by: str, figures=ORDER_FIGURES) -> list[dict]:
    """Add up rows by one of their keys (money stays Decimal), with net."""
    totals: dict = {}
    for row in rows:
        key = row[by]
        if key not in totals:
            totals[key] = {by: key, **{f: row[f] or 0 for f in figures}}
        else:
            for f in figures:
                totals[key][f] += row[f] or 0
    return [_with_net(totals[k]) for k in totals]


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


# -- invariants (DESIGN §3; shop.invariants) ---------------------------------------------------------------
def rollup_mismatches(*, days=7, today=None) -> list[str]:
    """The local days of the last `days` whose SalesDay figures (orders paid, gross, discounts, paid) differ
    from the orders paid that day: a lost event or a write that bypassed the services."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from orders.models import Order

    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    since = day_start(start)
    raw = {
        r["day"]: (r["n"], r["g"], r["d"], r["p"])
        for r in Order.objects.filter(paid_at__gte=since)
        .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"), g=Sum("subtotal"), d=Sum("discount"), p=Sum("total"))
    }
    rolled = {
        r["day"]: (r["n"], r["g"], r["d"], r["p"])
        for r in SalesDay.objects.filter(day__gte=start)
        .values("day")
        .annotate(n=Sum("orders_paid"), g=Sum("gross"), d=Sum("discounts"), p=Sum("paid"))
        if r["n"]
    }
    return [f"{day}: rollup {rolled.get(day)} orders {raw.get(day)}" for day in sorted(set(raw) | set(rolled))
            if raw.get(day) != rolled.get(day)]  # fmt: skip
