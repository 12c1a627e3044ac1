"""Inventory reports: turnover, stock value at cost, slow movers and dead stock.

Stock value reads the current stock levels (one grouped query). Turnover (`turnover_rows`) gives the sums of
inventory's turnover (inventory.selectors.turnover, which aggregates the ledger from its first row) as today's stock
levels minus the ledger since the period's start; inventory's `turnover_figures` makes the ratios. Slow movers and
dead stock join the stock rows to the sales of the last `days` days (the ledger's (kind, created_at) index), then
read a kept row's units sold and last sale as subqueries the ledger's (sku, warehouse) index serves, so no query
walks the whole ledger.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from inventory.models import StockLevel, StockMovement
from inventory.selectors import TURNOVER_GROUPS, turnover_figures  # noqa: F401  (the turnover report)

VALUE = DecimalField(max_digits=20, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=VALUE)
_COST = Coalesce(F("sku__cost"), ZERO, output_field=VALUE)

STOCK_VALUE_GROUPS = {
    "warehouse": ("warehouse_id", "warehouse__name"),
    "category": ("sku__product__category_id", "sku__product__category__name"),
}


def stock_value(*, group="warehouse"):
    """On hand × cost per warehouse or per category, now: ``units``, ``value`` and ``skus`` (stock rows with
    units). A SKU without a cost counts at zero; ``uncosted`` counts its units apart so the gap shows."""
    value = ExpressionWrapper(F("on_hand") * _COST, output_field=VALUE)
    return (
        StockLevel.objects.filter(on_hand__gt=0)
        .order_by()
        .values(*STOCK_VALUE_GROUPS[group])
        .annotate(
            units=Sum("on_hand"),
            value=Coalesce(Sum(value, output_field=VALUE), ZERO),
            skus=Sum(Value(1), output_field=IntegerField()),
            uncosted=Coalesce(Sum("on_hand", filter=Q(sku__cost__isnull=True)), 0),
        )
    )


def _sales_since(since, until):
    return StockMovement.objects.filter(
        sku=OuterRef("sku"),
        warehouse=OuterRef("warehouse"),
        kind=StockMovement.Kind.SALE,
        created_at__gte=since,
        created_at__lt=until,
    ).order_by()


def stock_movement_rows(*, sold: bool, days=90, now=None):
    """Stock rows with units on hand that sold in the window (`sold`) or did not, with ``sold`` (units
    shipped in the `days` days before `now`), ``last_sale`` (its latest sale before `now`, any time),
    ``value`` (on hand × cost) and ``cost``.

    The window's sales are a semi- or anti-join (the ledger's (kind, created_at) index), so the per-row
    subqueries run only for the rows kept, ``last_sale`` only for those shown (PostgreSQL computes it after
    ORDER BY … LIMIT). A sale always takes units (inventory's ledger posts -quantity): a row with a sale in
    the window sold more than 0."""
    now = now or timezone.now()
    window = _sales_since(now - timedelta(days=days), now)
    last = (
        StockMovement.objects.filter(
            sku=OuterRef("sku"), warehouse=OuterRef("warehouse"), kind=StockMovement.Kind.SALE, created_at__lt=now
        )
        .order_by()
        .values("sku")
        .annotate(at=Max("created_at"))
        .values("at")
    )
    took = Exists(window.filter(on_hand_delta__lt=0))
    # unsold: NOT IN a hashed list of the rows that sold (an anti-join would sort every row before it)
    kept = took if sold else ~Q(pk__in=StockLevel.objects.filter(took).values("pk"))
    units = window.values("sku").annotate(n=-Sum("on_hand_delta")).values("n")
    return (
        StockLevel.objects.filter(kept, on_hand__gt=0)
        .select_related("sku__product", "warehouse")
        .annotate(
            cost=_COST,
            value=ExpressionWrapper(F("on_hand") * _COST, output_field=VALUE),
            sold=Coalesce(Subquery(units, output_field=IntegerField()), 0) if sold else Value(0),
            last_sale=Subquery(last),
        )
    )


def dead_stock(*, days=90, now=None, top=None):
    """Stock rows with units on hand and no sale in the `days` days before `now`; with `top`, only the `top` of
    highest value (by value, then id), picked by a narrow ORDER BY … LIMIT that keeps only the top rows in
    memory, before the wide rows (SKU, product, warehouse) are read."""
    rows = stock_movement_rows(days=days, now=now, sold=False)
    if top is None:
        return rows
    ranked = rows.select_related(None).order_by("-value", "pk").values("pk")[:top]
    return rows.filter(pk__in=ranked)


def slow_movers(*, days=90, cover_days=90, now=None):
    """Stock rows that sold in the `days` days before `now`, but so little that what is on hand lasts more than
    `cover_days` days at that pace: on_hand × days > sold × cover_days."""
    return (
        stock_movement_rows(days=days, now=now, sold=True)
        .alias(
            stock_days=ExpressionWrapper(F("on_hand") * days, output_field=IntegerField()),
            sold_days=ExpressionWrapper(F("sold") * cover_days, output_field=IntegerField()),
        )
        .filter(stock_days__gt=F("sold_days"))
    )


def days_of_cover(row, *, days) -> Decimal | None:
    """How many days the row's units last at its pace over the window (1 place; None: it did not sell)."""
    if not row.sold:
        return None
    return (Decimal(row.on_hand) * days / row.sold).quantize(Decimal("0.1"))


def stock_now(group="sku") -> dict:
    """Today's stock levels per `group` (TURNOVER_GROUPS): {key tuple: {..., units, value}}, one grouped query."""
    keys = TURNOVER_GROUPS[group]
    value_now = ExpressionWrapper(F("on_hand") * _COST, output_field=VALUE)
    return {
        tuple(r[k] for k in keys): r
        for r in StockLevel.objects.order_by()
        .values(*keys)
        .annotate(units=Sum("on_hand"), value=Coalesce(Sum(value_now, output_field=VALUE), ZERO))
    }


def turnover_rows(*, start, end, group="sku", now=None) -> list[dict]:
    """inventory.selectors.turnover's rows (the same keys and sums) read without walking the whole ledger:
    today's stock levels (`now`: stock_now(group), read here when not given) minus the ledger rows since `start`
    (the inventory_move_created index), since the ledger sums to on-hand. Units and values at `start` / `end`
    (aware, `end` excluded), sale units and COGS in the period, each valued at the SKU's current cost as
    inventory's report does."""
    keys = TURNOVER_GROUPS[group]
    now = stock_now(group) if now is None else now
    delta_value = ExpressionWrapper(F("on_hand_delta") * _COST, output_field=VALUE)
    after_end = Q(created_at__gte=end)
    sold = Q(kind=StockMovement.Kind.SALE, created_at__lt=end)
    moved = {
        tuple(r[k] for k in keys): r
        for r in StockMovement.objects.filter(created_at__gte=start)
        .order_by()
        .values(*keys)
        .annotate(
            since_units=Sum("on_hand_delta"),
            since_value=Coalesce(Sum(delta_value, output_field=VALUE), ZERO),
            after_units=Coalesce(Sum("on_hand_delta", filter=after_end), 0),
            after_value=Coalesce(Sum(delta_value, filter=after_end, output_field=VALUE), ZERO),
            sold_units=Coalesce(-Sum("on_hand_delta", filter=sold), 0),
            cogs=Coalesce(-Sum(delta_value, filter=sold, output_field=VALUE), ZERO),
        )
    }
    rows = []
    for key in set(now) | set(moved):
        level, move = now.get(key, {}), moved.get(key, {})
        units, value = level.get("units", 0), level.get("value", Decimal("0.00"))
        row = dict(zip(keys, key, strict=True))
        row.update(
            opening_units=units - move.get("since_units", 0),
            opening_value=value - move.get("since_value", Decimal("0.00")),
            closing_units=units - move.get("after_units", 0),
            closing_value=value - move.get("after_value", Decimal("0.00")),
            sold_units=move.get("sold_units", 0),
            cogs=move.get("cogs", Decimal("0.00")),
        )
        if row["opening_units"] or row["closing_units"] or row["sold_units"] or row["cogs"]:
            rows.append(row)  # a SKU with nothing at either end and no sale says nothing
    return rows
