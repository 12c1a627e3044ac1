"""Recommendations: rebuild the "frequently bought together" pairs and the best sellers (the nightly job).

Both tables are computed in SQL from the purchases the orders app offers (`OrdersConfig.purchase_baskets`,
gathered by `customers.selectors.purchase_baskets`): the basket lines are made distinct per (basket, product),
self-joined on the basket and grouped by product pair; a window function ranks each product's pairs and keeps
the first `TOP_N`. The definitions of together / score (confidence) / lift / rank are in
customers/models/recommendations.py. The old rows are deleted and the new ones inserted in one transaction, so
pages read either the old set or the new one; running the job twice leaves the same rows.

Plain SQL rather than an association-rule library (mlxtend's apriori): the pairs are one GROUP BY inside the
database, with no basket matrix loaded into Python (100,000 orders would be a 100,000 × products one-hot frame),
and it runs the same on SQLite and PostgreSQL.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from customers.models import BestSeller, ProductPair
from customers.selectors import purchase_baskets

TOP_N = 10  # pairs kept per product
MIN_TOGETHER = 2  # a pair seen in a single order is chance, not a pattern
PAIR_DAYS = 365  # pairs come from the last year's orders
BEST_SELLER_DAYS = 90
BEST_SELLERS = 100
_LOCK = 0x72656373  # "recs": one recomputation at a time on PostgreSQL


def _lines_sql(since) -> tuple[str, list]:
    """SELECT DISTINCT source, basket_id, product_id over every purchase source's baskets placed since `since`."""
    parts, params = [], []
    for source, baskets in enumerate(purchase_baskets()):
        sql, sql_params = baskets.filter(placed_at__gte=since).values("basket_id", "product_id").query.sql_with_params()
        parts.append(f"SELECT {source} AS source, b.basket_id, b.product_id FROM ({sql}) b")
        params += list(sql_params)
    if not parts:  # no module offers purchases: an empty basket set
        parts.append("SELECT 0 AS source, 0 AS basket_id, 0 AS product_id WHERE 1 = 0")
    return f"SELECT DISTINCT u.source, u.basket_id, u.product_id FROM ({' UNION ALL '.join(parts)}) u", params


def _pairs_sql(lines, *, table) -> str:
    # Each unordered pair is counted once (product < other) and then written both ways: half the join and the
    # grouping of counting (A, B) and (B, A) separately.
    # lift = (together / baskets) / ((n_A / baskets) * (n_B / baskets)) = together * baskets / (n_A * n_B);
    # ordering A's pairs by lift among equal counts is ordering by n_B ascending (exact integers, no float ties).
    return f"""
        WITH lines AS ({lines}),
        sizes AS (SELECT product_id, COUNT(*) AS n FROM lines GROUP BY product_id),
        baskets AS (SELECT COUNT(*) AS n FROM (SELECT DISTINCT source, basket_id FROM lines) d),
        unordered AS (
            SELECT a.product_id AS lo, b.product_id AS hi, COUNT(*) AS together
            FROM lines a JOIN lines b
              ON b.source = a.source AND b.basket_id = a.basket_id AND b.product_id > a.product_id
            GROUP BY a.product_id, b.product_id
            HAVING COUNT(*) >= %s
        ),
        pairs AS (
            SELECT lo AS product_id, hi AS other_id, together FROM unordered
            UNION ALL SELECT hi, lo, together FROM unordered
        ),
        ranked AS (
            SELECT p.product_id, p.other_id, p.together,
                   CAST(p.together AS DOUBLE PRECISION) / sa.n AS score,
                   CAST(p.together AS DOUBLE PRECISION) * t.n / (CAST(sa.n AS DOUBLE PRECISION) * sb.n) AS lift,
                   ROW_NUMBER() OVER (
                       PARTITION BY p.product_id ORDER BY p.together DESC, sb.n ASC, p.other_id ASC
                   ) AS pair_rank
            FROM pairs p
            JOIN sizes sa ON sa.product_id = p.product_id
            JOIN sizes sb ON sb.product_id = p.other_id
            CROSS JOIN baskets t
        )
        INSERT INTO {table} (product_id, other_id, together, score, lift, {connection.ops.quote_name("rank")},
                             computed_at)
        SELECT product_id, other_id, together, score, lift, pair_rank, %s FROM ranked WHERE pair_rank <= %s"""


def _best_sellers_sql(lines, *, table) -> str:
    return f"""
        WITH lines AS ({lines}),
        counts AS (SELECT product_id, COUNT(*) AS n FROM lines GROUP BY product_id),
        ranked AS (SELECT product_id, n, ROW_NUMBER() OVER (ORDER BY n DESC, product_id ASC) AS seller_rank
                   FROM counts)
        INSERT INTO {table} (product_id, orders, {connection.ops.quote_name("rank")}, computed_at)
        SELECT product_id, n, seller_rank, %s FROM ranked WHERE seller_rank <= %s"""


@transaction.atomic(durable=True)
def recommendations_recompute(
    *, now=None, top_n=TOP_N, min_together=MIN_TOGETHER, pair_days=PAIR_DAYS, best_seller_days=BEST_SELLER_DAYS
) -> dict:
    """Rebuild the bought-together pairs and the best sellers from the purchases, replacing the old rows."""
    now = now or timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            # The self-join and the grouping sort or hash every basket line; give this transaction the memory
            # to do it without spilling to disk (4 MB by default).
            cursor.execute("SET LOCAL work_mem = '64MB'")
        ProductPair.objects.all().delete()
        BestSeller.objects.all().delete()
        lines, params = _lines_sql(now - timedelta(days=pair_days))
        cursor.execute(
            _pairs_sql(lines, table=quote(ProductPair._meta.db_table)), [*params, min_together, stamp, top_n]
        )
        lines, params = _lines_sql(now - timedelta(days=best_seller_days))
        cursor.execute(_best_sellers_sql(lines, table=quote(BestSeller._meta.db_table)), [*params, stamp, BEST_SELLERS])
    return {
        "pairs": ProductPair.objects.count(),  # (a cursor's rowcount is -1 for WITH … INSERT on SQLite)
        "products": ProductPair.objects.values("product_id").distinct().count(),
        "best_sellers": BestSeller.objects.count(),
    }
