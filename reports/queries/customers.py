"""The customers report: new and returning customers of a period and new customers per day, the member tier
mix and its movement, and the RFM segments.

New and returning come from the purchases themselves (paid orders not cancelled or closed, orders.selectors
.purchases), not from the nightly `Customer.first_order_at`: a buyer is *new* in a period holding their first
purchase ever and *returning* when they had bought before it. Who bought is not additive over days, so no rollup
answers it exactly: one query groups the period's purchases by customer (each buyer once, on the local day of their
first purchase in the period, with one probe of the orders_customer_placed index for an earlier purchase) and
counts those groups per day — a year at a million orders is one pass over the year's purchases (BENCHMARKS.md).

Tier movement reads the TierChange rows of the period (customers records every tier change). RFM segments are
only kept as the current segment of each customer (no history is recorded), so the report shows today's mix.
"""

from datetime import date

from django.db import connections
from django.db.models import Count, Min
from django.db.models.functions import TruncDay
from django.utils import timezone

from customers.models import Customer, TierChange
from customers.selectors import member_tiers, rfm_segments  # noqa: F401  (the tier mix and the RFM segments)
from orders.models import Order
from orders.selectors import purchases
from reports.routers import read_alias


def buyers_per_day(*, start, end) -> dict[date, dict]:
    """The buyers of [start, end), each counted once on the local day of their first purchase in it:
    {day: {"buyers": n, "new": n}} where new buyers had never bought before `start` (so a day's ``new`` is the
    customers whose first purchase ever was that day)."""
    alias = read_alias()
    per_customer = (
        purchases()
        .using(alias)
        .filter(placed_at__gte=start, placed_at__lt=end, customer__isnull=False)
        .order_by()
        .values("customer_id")
        .annotate(first_day=Min(TruncDay("placed_at", tzinfo=timezone.get_current_timezone())))
    )
    earlier = purchases().using(alias).filter(placed_at__lt=start).order_by().values("pk")
    sql, params = per_customer.query.get_compiler(using=alias).as_sql()
    earlier_sql, earlier_params = earlier.query.get_compiler(using=alias).as_sql()
    quote = connections[alias].ops.quote_name
    # the probe for an earlier purchase runs once a buyer (after the grouping), not once an order
    customer = f"{quote(Order._meta.db_table)}.{quote('customer_id')}"
    counted = (
        f"SELECT first_day, COUNT(*), SUM(CASE WHEN EXISTS ({earlier_sql} AND {customer} = buyers.customer_id) "
        f"THEN 0 ELSE 1 END) FROM ({sql}) AS buyers GROUP BY first_day"
    )
    with connections[alias].cursor() as cursor:
        cursor.execute(counted, (*earlier_params, *params))
        rows = cursor.fetchall()
    result = {}
    for day, count, new in rows:
        if isinstance(day, str):  # SQLite answers text
            day = date.fromisoformat(day[:10])
        elif hasattr(day, "hour"):
            day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
        result[day] = {"buyers": count, "new": int(new or 0)}
    return result


def buyers(*, start, end, per_day=None) -> dict:
    """Over all of [start, end): ``buyers`` (distinct customers who purchased), ``new`` (their first purchase ever
    is in the period) and ``returning`` (they had bought before the period). `per_day`: buyers_per_day's answer
    for the same range, when the caller has it."""
    days = buyers_per_day(start=start, end=end) if per_day is None else per_day
    found = {"buyers": sum(d["buyers"] for d in days.values()), "new": sum(d["new"] for d in days.values())}
    return {**found, "returning": found["buyers"] - found["new"]}


def tier_mix() -> list[dict]:
    """Today's tier mix, best tier first, then the customers with no tier: ``tier`` (None for no tier), ``name``,
    ``customers`` and ``share`` (of every customer who is not erased)."""
    tiers = member_tiers()
    everyone = Customer.objects.filter(erased_at__isnull=True).count()
    tiered = sum(t.customer_count for t in tiers)
    rows = [{"tier": t, "name": t.name, "customers": t.customer_count} for t in tiers]
    rows.append({"tier": None, "name": None, "customers": max(everyone - tiered, 0)})
    for row in rows:
        row["share"] = row["customers"] / everyone if everyone else None
    return rows


def tier_movement(*, start, end) -> dict:
    """The tier changes recorded in [start, end): ``upgrades``, ``downgrades`` (by the tiers' rank; no tier ranks
    lowest) and ``moves``: [{"from", "to", "count"}] most frequent first."""
    rows = (
        TierChange.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values("from_tier", "from_tier__name", "from_tier__rank", "to_tier", "to_tier__name", "to_tier__rank")
        .annotate(count=Count("id"))
    )
    up = down = 0
    moves = []
    for row in rows:
        before, after = row["from_tier__rank"], row["to_tier__rank"]
        before, after = -1 if before is None else before, -1 if after is None else after
        up += row["count"] if after > before else 0
        down += row["count"] if after < before else 0
        moves.append({"from": row["from_tier__name"], "to": row["to_tier__name"], "count": row["count"]})
    moves.sort(key=lambda m: (-m["count"], m["from"] or "", m["to"] or ""))
    return {"upgrades": up, "downgrades": down, "moves": moves}
