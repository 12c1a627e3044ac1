"""The customers report: new and returning customers per day / week / month, the member tier mix and its
movement, and the RFM segments.

New and returning come from the purchases themselves (paid orders not cancelled or closed, orders.selectors
.purchases), not from the nightly `Customer.first_order_at`: a buyer is *new* in the bucket holding their first
purchase ever and *returning* in a bucket where they buy again after an earlier purchase. One grouped query over the
period's purchases; each customer's first purchase is a subquery on the orders_customer_placed index.

Tier movement reads the TierChange rows of the period (customers records every tier change). RFM segments are
only kept as the current segment of each customer (no history is recorded), so the report shows today's mix.
"""

from django.db.models import Count, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from customers.models import Customer, TierChange
from customers.selectors import member_tiers, rfm_segments  # noqa: F401  (the tier mix and the RFM segments)
from orders.selectors import purchases

TRUNCS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def _first_purchase():
    """The outer row's customer's first purchase ever (placed_at): the orders_customer_placed index answers it."""
    return (
        purchases()
        .filter(customer_id=OuterRef("customer_id"))
        .order_by()
        .values("customer_id")
        .annotate(at=Min("placed_at"))
        .values("at")
    )


def new_and_returning(*, start, end, group="day") -> list[dict]:
    """Per bucket (local day / week / month) of [start, end): ``bucket`` (a date), ``buyers`` (distinct customers
    who purchased), ``new`` (their first purchase ever falls in the bucket) and ``returning`` (buyers - new)."""
    first = _first_purchase()
    rows = (
        purchases()
        .filter(placed_at__gte=start, placed_at__lt=end, customer__isnull=False)
        .annotate(first_at=Subquery(first), bucket=TRUNCS[group]("placed_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("bucket")
        .annotate(
            buyers=Count("customer_id", distinct=True),
            new=Count("customer_id", distinct=True, filter=Q(placed_at=F("first_at"))),
        )
        .order_by("bucket")
    )
    result = []
    for row in rows:
        bucket = row["bucket"]
        day = timezone.localtime(bucket).date() if hasattr(bucket, "hour") else bucket
        result.append(
            {"bucket": day, "buyers": row["buyers"], "new": row["new"], "returning": row["buyers"] - row["new"]}
        )
    return result


def buyers(*, start, end) -> dict:
    """Over all of [start, end): ``buyers`` (distinct customers who purchased), ``new`` (their first purchase ever
    is in the period) and ``returning`` (they had bought before the period)."""
    first = _first_purchase()
    found = (
        purchases()
        .filter(placed_at__gte=start, placed_at__lt=end, customer__isnull=False)
        .annotate(first_at=Subquery(first))
        .aggregate(
            buyers=Count("customer_id", distinct=True),
            new=Count("customer_id", distinct=True, filter=Q(first_at__gte=start)),
        )
    )
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
