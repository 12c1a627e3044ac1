"""The low-stock scan over 100,000 SKUs × 3 warehouses (DESIGN §11: ≤ 20 ms), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench_inv \\
        .venv/bin/python bench/inventory_low_stock.py

Reuses the data generator of bench/inventory_reserve.py; bulk-created SKUs get their rollup rows from
`services.rollup_backfill()` (what the low_stock_alerts job does). Times `selectors.low_stock()` fetched
whole, and the low-stock page's own queries (first page of 20 + capped count). Prints figures; never fails.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import inventory_reserve as base
from django.core.management import call_command
from django.db import connection

from catalog.models import Sku
from inventory import selectors, services
from inventory.models import SkuStock


def timed(fn, runs=21):
    timings = []
    for _run in range(runs):
        start = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - start) * 1000)
    return result, statistics.median(timings), min(timings), statistics.quantiles(timings, n=20)[18]


def main():
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    base.setup_scan_data()
    start = time.perf_counter()
    filled = services.rollup_backfill()
    print(f"rollup backfill: {filled:,} rows in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE inventory_skustock")
    print(f"{Sku.objects.count():,} SKUs, {SkuStock.objects.count():,} rollup rows")
    n, median, best, p95 = timed(lambda: len(list(selectors.low_stock().values_list("pk", flat=True))))
    print(f"low_stock() all rows: {n:,} low; median {median:.1f} ms, best {best:.1f} ms, p95 {p95:.1f} ms")

    def page():
        qs = selectors.low_stock().order_by("available", "-pk")
        return len(list(qs[:21])), qs.order_by()[:10_001].count()

    (rows, count), median, best, p95 = timed(page)
    print(
        f"page 1 + capped count: {rows} rows of {count:,}; median {median:.1f} ms, best {best:.1f} ms, p95 {p95:.1f} ms"
    )
    sql, params = selectors.low_stock().values_list("pk", flat=True).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        print("\n".join(row[0] for row in cursor.fetchall()))
    with open("/proc/loadavg") as f:
        print(f"load average: {f.read().strip()}")


if __name__ == "__main__":
    main()
