"""Reads of the rollups for the reports and the dashboard; none of them touches the orders table.

Every function takes a reports.periods.Period (local days, inclusive) and reads through `read_alias()`
(the replica when DATABASE_REPLICA_URL is set).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from catalog.models import Brand, Category, Product
from reports.models import SalesDay, SalesDaySku, SalesDimension, SalesHour
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


def sales_by(period, field: str) -> list[dict]:
    """Order-level figures per value of `field` (channel, province, payment_method), from the per-dimension
    rollup: a few rows a day whatever the range."""
    rows = (
        _in(period, SalesDimension.objects)
        .filter(dimension=field)
        .values("value")
        .annotate(**{f: Sum(f) for f in ORDER_FIGURES})
        .order_by("value")
    )
    return [_with_net({field: r.pop("value"), **r}) for r in rows]


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


def payment_rollup_mismatches(*, days=7, today=None) -> list[str]:
    """The (local day, method) pairs of the last `days` whose PaymentDay figures (payments, gross, fees) differ
    from the payments captured or flagged that day: a lost event or a write that bypassed the services."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from payments.models import Payment
    from reports.models import PaymentDay

    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    received = Payment.objects.filter(
        paid_at__gte=day_start(start), status__in=(Payment.Status.CAPTURED, Payment.Status.FLAGGED)
    )
    raw = {
        (r["day"], r["method_id"]): (r["n"], r["g"], r["f"])
        for r in received.annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "method_id")
        .annotate(n=Count("pk"), g=Sum("amount"), f=Sum("fee"))
    }
    rolled = {
        (r["day"], r["method_id"]): (r["n"], r["g"], r["f"])
        for r in PaymentDay.objects.filter(day__gte=start)
        .values("day", "method_id")
        .annotate(n=Sum("payments"), g=Sum("gross"), f=Sum("fees"))
        if r["n"]
    }
    keys = sorted(set(raw) | set(rolled))
    return [f"{day} method {method}: rollup {rolled.get(key)} payments {raw.get(key)}"
            for key in keys if raw.get(key) != rolled.get(key) for day, method in [key]]  # fmt: skip
