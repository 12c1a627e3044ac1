"""The dashboard's reads: the figures of a period against the previous one, the work waiting, the sales trend and
the top products. Every figure comes from the rollups (a period is at most 60 day rows, or 48 hour rows), every
queue count from an indexed count its module offers (the `dashboard_work` hook): nothing reads the orders table
row by row, so the page costs the same at ten thousand orders as at a million.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Sku
from reports.framework import change_percent
from reports.models import CustomerDay, SalesDaySku, SalesHour, SalesSkuSpan
from reports.periods import Period, preset_range
from reports.selectors import sales_per_day
from shop.hooks import hook_answers
from shop.money import to_cents

PERIODS = [("today", _("Today")), ("yesterday", _("Yesterday")), ("7d", _("Last 7 days")), ("30d", _("Last 30 days"))]
# A role sees money when it may open payments or the sales reports (warehouse and customer service open reports for
# their own figures and stock reports only: no money).
MONEY_MODULES = ("payments", "reports.view_sales_reports")
TOP_PRODUCTS = 8
WORK_CACHE_SECONDS = 10


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any
    kind: str  # money | count | percent | hours
    modules: tuple  # shown when the user may open one of these modules
    help: Any = ""


FIGURES = [
    Figure("gmv", _("GMV"), "money", MONEY_MODULES, _("Paid order totals, by the day they were paid")),
    Figure("paid_orders", _("Paid orders"), "count", ("orders",)),
    Figure("aov", _("Average order value"), "money", MONEY_MODULES),
    Figure("refunds", _("Refunds"), "money", MONEY_MODULES, _("Refunds confirmed, by the day they were made")),
    Figure("net", _("Net sales"), "money", MONEY_MODULES, _("Goods after discounts, less refunds")),
    Figure("new_customers", _("New customers"), "count", ("customers",), _("Customers whose first order was paid")),
    Figure(
        "returning_customers",
        _("Returning customers"),
        "count",
        ("customers",),
        _("Customers who paid again, counted once on each day they bought"),
    ),
    Figure("conversion", _("Created-to-paid conversion"), "percent", ("orders",), _("Orders paid per order placed")),
    Figure("ship_hours", _("Average time to ship"), "hours", ("orders",), _("Hours from payment to shipping")),
]
# Lower is better for these: the page colours their rise red.
LOWER_IS_BETTER = {"refunds", "ship_hours"}


def dashboard_period(key: str, today: date) -> Period:
    """The dashboard's period (today, yesterday, last 7 or 30 days; anything else: today), compared with the
    period of the same length just before it."""
    key = key if key in dict(PERIODS) else "today"
    start, end = preset_range(key, today)
    return Period(start, end, preset=key, compare="previous", group="day")


def may_open(user, modules) -> bool:
    """Whether `user` may open one of `modules` (a module code, or a permission with its app label)."""
    return any(user.has_perm(m if "." in m else f"shop.access_{m}") for m in modules)


def visible_figures(user) -> list[Figure]:
    return [f for f in FIGURES if may_open(user, f.modules)]


def _ratio(part, whole, places="0.01"):
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _customer_days(period: Period) -> dict:
    rows = CustomerDay.objects.filter(day__gte=period.start, day__lte=period.end).values(
        "day", "new_customers", "returning_customers"
    )
    return {row["day"]: row for row in rows}


def _sum(rows: dict, period: Period, key: str):
    total: Any = 0
    for day, row in rows.items():
        if period.start <= day <= period.end:
            total += row[key] or 0
    return total


def _figures_of(period: Period, sales: dict, ships: dict, customers: dict) -> dict:
    paid_orders = _sum(sales, period, "orders_paid")
    gmv = to_cents(_sum(sales, period, "paid"))
    refunds = to_cents(_sum(sales, period, "refunds"))
    shipped = _sum(ships, period, "shipped")
    ship_seconds = _sum(ships, period, "ship_seconds")
    return {
        "gmv": gmv,
        "paid_orders": paid_orders,
        "aov": to_cents(gmv / paid_orders) if paid_orders else None,
        "refunds": refunds,
        "net": to_cents(_sum(sales, period, "gross") - _sum(sales, period, "discounts") - refunds),
        "new_customers": _sum(customers, period, "new_customers"),
        "returning_customers": _sum(customers, period, "returning_customers"),
        "conversion": _ratio(paid_orders * 100, _sum(sales, period, "orders_placed"), "0.1"),
        "ship_hours": _ratio(ship_seconds, shipped * 3600, "0.1") if shipped else None,
    }


def _hours(period: Period, previous: Period) -> tuple[dict, dict]:
    """({day: shipped, ship_seconds}, {(day, hour): paid, orders_paid}) from the hourly rollup in one read: a
    one-day period (and the day before it) by hour, for its trend too; a longer one grouped by day."""
    rows = SalesHour.objects.filter(day__gte=previous.start, day__lte=period.end)
    if period.days == 1:
        hourly = {(r["day"], r["hour"]): r for r in rows.values("day", "hour", *HOUR_FIELDS)}
        days: dict = {}
        for (day, _hour), r in hourly.items():
            total = days.setdefault(day, {"shipped": 0, "ship_seconds": 0})
            total["shipped"] += r["shipped"]
            total["ship_seconds"] += r["ship_seconds"]
        return days, hourly
    grouped = rows.values("day").annotate(shipped=Sum("shipped"), ship_seconds=Sum("ship_seconds")).order_by()
    return {r["day"]: r for r in grouped}, {}


HOUR_FIELDS = ("paid", "orders_paid", "shipped", "ship_seconds")


def dashboard_figures(user, period: Period) -> dict:
    """{"figures": [{key, label, kind, help, value, previous, change, worse}], "trend": chart data} for the figures
    this user may see, in three reads of the rollups: the day rollup over both periods (the trend of a longer
    period comes out of the same rows), the hourly rollup (shipping; a one-day period's trend), the customer days.
    Kept DASHBOARD_CACHE_SECONDS (default 60) per period and set of figures."""
    figures = visible_figures(user)
    keys = sorted(f.key for f in figures)
    cache_key = f"reports:dashboard:figures:{period.start}:{period.end}:{','.join(keys)}"
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 60)
    cached = cache.get(cache_key) if seconds else None
    if cached is None:
        cached = _dashboard_figures(figures, period)
        if seconds:
            cache.set(cache_key, cached, seconds)
    return cached


def _dashboard_figures(figures, period: Period) -> dict:
    previous = period.previous()
    both = replace(period, start=previous.start)
    keys = {f.key for f in figures}
    sales = sales_per_day(both) if keys - {"new_customers", "returning_customers"} else {}
    wants_hours = "ship_hours" in keys or (period.days == 1 and keys & {"gmv", "paid_orders"})
    ships, hourly = _hours(period, previous) if wants_hours else ({}, {})
    customers = _customer_days(both) if keys & {"new_customers", "returning_customers"} else {}
    now_values = _figures_of(period, sales, ships, customers)
    then_values = _figures_of(previous, sales, ships, customers)
    shown = []
    for f in figures:
        value, before = now_values[f.key], then_values[f.key]
        change = change_percent(value, before) if value is not None and before is not None else None
        worse = change is not None and ((change > 0) if f.key in LOWER_IS_BETTER else (change < 0))
        shown.append(
            {
                "key": f.key,
                "label": f.label,
                "kind": f.kind,
                "help": f.help,
                "value": value,
                "previous": before,
                "change": change,
                "worse": worse,
            }
        )
    trend = None
    if "gmv" in keys or "paid_orders" in keys:
        trend = sales_trend(period, sales, hourly, measure="paid" if "gmv" in keys else "orders_paid")
    return {"figures": shown, "trend": trend}


def sales_trend(period: Period, sales: dict, hourly: dict, *, measure: str) -> dict:
    """Sales (`measure`: "paid" or "orders_paid") per day of the period with the previous period's day beside it
    (the chart dashes it). A one-day period is drawn by hour from the hourly rollup's rows."""
    previous = period.previous()
    if period.days == 1:
        labels = [f"{h:02d}:00" for h in range(24)]
        now = [_plain((hourly.get((period.start, h)) or {}).get(measure) or 0) for h in range(24)]
        then = [_plain((hourly.get((previous.start, h)) or {}).get(measure) or 0) for h in range(24)]
    else:
        days = [period.start + timedelta(days=i) for i in range(period.days)]
        labels = [d.isoformat() for d in days]
        now = [_plain((sales.get(d) or {}).get(measure) or 0) for d in days]
        then = [_plain((sales.get(d - timedelta(days=period.days)) or {}).get(measure) or 0) for d in days]
    return {"measure": measure, "labels": labels, "current": now, "previous": then}


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def _span_built(first: date, last: date) -> None:
    """SalesSkuSpan of the closed days first..last, summed when it has no rows (one statement when it has), the
    spans of earlier days dropped then (a dashboard period's closed days end yesterday). Two first loads at once
    insert the same rows once."""
    span = SalesSkuSpan._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {span} (first_day, last_day, sku_id, units, sales) "
            f"SELECT %s, %s, sku_id, SUM(units), SUM(gross - discounts) FROM {SalesDaySku._meta.db_table} "
            f"WHERE day >= %s AND day <= %s AND NOT EXISTS (SELECT 1 FROM {span} WHERE first_day = %s AND "
            "last_day = %s) GROUP BY sku_id ON CONFLICT DO NOTHING",
            [first, last, first, last, first, last],
        )
        if cursor.rowcount > 0:
            SalesSkuSpan.objects.filter(last_day__lt=last).delete()
            if connection.vendor == "postgresql":  # its new days are in no statistics yet: plan by the sales index
                cursor.execute(f"ANALYZE {span}")


def _best_skus(period: Period, today: date, limit: int) -> list:
    """[(sku id, [units, net line sales in cents])] of the period's `limit` best SKUs, by sales then SKU id, in one
    statement: the rows of today (the days from today on) plus the closed days' span, of which only the SKUs
    within today's best SKU sales of the span's `limit`-th sales can make the list (any other has `limit` SKUs
    ahead of it: its span sales plus at most that are below theirs; sales only grow)."""
    closed_last = min(period.end, today - timedelta(days=1))
    open_first = max(period.start, today)
    span, sku = SalesSkuSpan._meta.db_table, SalesDaySku._meta.db_table
    params: list = [open_first, period.end]
    parts = ["SELECT sku_id, units, sales FROM open_days"]
    if period.start <= closed_last:
        _span_built(period.start, closed_last)
        key = "first_day = %s AND last_day = %s"
        parts.append(
            f"SELECT sku_id, units, sales FROM {span} WHERE {key} AND sales >= "
            f"COALESCE((SELECT sales FROM {span} WHERE {key} ORDER BY sales DESC LIMIT 1 OFFSET %s), 0) "
            "- COALESCE((SELECT MAX(sales) FROM open_days), 0)"
        )
        params += [period.start, closed_last, period.start, closed_last, limit - 1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH open_days AS (SELECT sku_id, SUM(units) AS units, SUM(gross - discounts) AS sales FROM {sku} "
            f"WHERE day >= %s AND day <= %s GROUP BY sku_id) SELECT sku_id, SUM(units), SUM(sales) FROM "
            f"({' UNION ALL '.join(parts)}) u GROUP BY sku_id ORDER BY SUM(sales) DESC, sku_id LIMIT %s",
            [*params, limit],
        )
        rows = cursor.fetchall()
    return [(sku_id, [units or 0, int(to_cents(sales or 0) * 100)]) for sku_id, units, sales in rows]


def top_products(user, period: Period, limit=TOP_PRODUCTS, today: date | None = None) -> list[dict]:
    """The best-selling SKUs of the period by net line sales (gross less discounts), from the day x SKU rollup
    (its closed days through their SalesSkuSpan); units only for roles that see no money."""
    if not may_open(user, ("catalog", "orders", *MONEY_MODULES)):
        return []
    today = today or timezone.localdate()
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 60)
    key = f"reports:dashboard:top:{period.start}:{period.end}:{limit}"
    best = cache.get(key) if seconds else None
    if best is None:
        best = _best_skus(period, today, limit)
        if seconds:
            cache.set(key, best, seconds)
    if not best:
        return []
    skus: dict[int, Any] = {
        r["pk"]: r
        for r in Sku.objects.filter(pk__in=[k for k, _v in best]).values("pk", "code", "product__name", "product_id")
    }
    money = may_open(user, MONEY_MODULES)
    return [
        {
            "sku": (skus.get(sku_id) or {}).get("code", ""),
            "name": (skus.get(sku_id) or {}).get("product__name", ""),
            "product_id": (skus.get(sku_id) or {}).get("product_id"),
            "units": units,
            "sales": Decimal(cents) / 100 if money else None,
        }
        for sku_id, (units, cents) in best
    ]


def work_waiting(user) -> list[dict]:
    """What waits for this user's roles: every module's `dashboard_work(user)` hook answer ({key, label, count,
    url, permission}), kept only when the user holds its permission and may open its module. Kept per user
    WORK_CACHE_SECONDS (less when DASHBOARD_CACHE_SECONDS is less; none at 0): a queue is counted anew within
    seconds of its change, not on every load."""
    seconds = min(getattr(settings, "DASHBOARD_CACHE_SECONDS", 60), WORK_CACHE_SECONDS)
    key = f"reports:dashboard:work:{user.pk}"  # the labels are lazy: each request renders its language
    items = cache.get(key) if seconds else None
    if items is None:
        items = _work_waiting(user)
        if seconds:
            cache.set(key, items, seconds)
    return items


def _work_waiting(user) -> list[dict]:
    items = []
    for answer in hook_answers("dashboard_work", user):
        for item in answer or ():
            permission = item.get("permission") or ""
            module = permission.split(".", 1)[0]
            if permission and user.has_perm(permission) and user.has_perm(f"shop.access_{module}"):
                items.append(item)
    return items
