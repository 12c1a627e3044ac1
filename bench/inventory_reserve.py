"""Inventory benchmarks on PostgreSQL (DESIGN §11): hot-SKU reservation and the low-stock scan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench_inv \
        .venv/bin/python bench/inventory_reserve.py

1. 32 processes reserve one unit at a time on one hot SKU through `stock_reserve` until it is sold out,
   20 runs: oversold units (must be 0), reservations/s, p50/p99 latency.
2. pgbench doing the same work in SQL (lock the row, UPDATE, INSERT a ledger row, COMMIT), 32 clients.
3. The low-stock scan (`selectors.low_stock()`, read from the per-SKU rollup) over 100,000 SKUs with
   stock in 3 warehouses (bench/inventory_low_stock.py times it alone, with the page's queries).
Prints figures; never fails on them.
"""

import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("REDIS_URL", "")
os.environ.setdefault("CONN_MAX_AGE", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from catalog.models import Product, Sku  # noqa: E402
from inventory import selectors, services  # noqa: E402
from inventory.models import SkuStock, StockBatch, StockLevel, StockMovement, Warehouse  # noqa: E402

CLIENTS, RUNS, UNITS = 32, 20, 400
SCAN_SKUS = 100_000


def setup_hot_sku():
    warehouse, _c = Warehouse.objects.get_or_create(code="BENCH", defaults={"name": "压测仓", "province": "上海"})
    product, _c = Product.objects.get_or_create(code="BENCH-HOT", defaults={"name": "压测爆款"})
    sku, _c = Sku.objects.get_or_create(code="BENCH-HOT", defaults={"product": product, "price": Decimal("9.90")})
    return sku, warehouse


def reset(sku, warehouse, units):
    """Empty the hot SKU's ledger and stock, then receive `units` through the service."""
    StockMovement.objects.filter(sku=sku).delete()
    StockLevel.objects.filter(sku=sku).delete()
    StockBatch.objects.filter(sku=sku).delete()
    SkuStock.objects.filter(sku=sku).delete()  # recreated, from the stock rows, by the next lock
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=units, actor="bench")


def _client(args):
    """One buyer process: reserve one unit at a time until sold out.

    Returns (sold, first start, last end, latencies)."""
    sku_pk, n = args
    sku = Sku.objects.get(pk=sku_pk)
    latencies, began = [], time.time()
    while True:
        start = time.perf_counter()
        try:
            services.stock_reserve(items=[(sku, 1)], reference=f"B{n}-{len(latencies)}")
        except services.OutOfStock:
            break
        latencies.append(time.perf_counter() - start)
    connection.close()
    return len(latencies), began, time.time(), latencies


def reserve_run(pool, sku, warehouse):
    reset(sku, warehouse, UNITS)
    connections.close_all()  # the forked buyers open their own
    results = pool.map(_client, [(sku.pk, n) for n in range(CLIENTS)])
    sold = sum(r[0] for r in results)
    elapsed = max(r[2] for r in results) - min(r[1] for r in results)
    latencies = [t for r in results for t in r[3]]
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    balanced = not selectors.ledger_mismatches().filter(sku=sku).exists()
    return {
        "sold": sold,
        "oversold": max(sold - UNITS, 0) + max(level.reserved - level.on_hand, 0),
        "tps": sold / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": statistics.quantiles(latencies, n=100)[98] * 1000,
        "balanced": balanced,
    }


def pgbench(sku, warehouse):
    reset(sku, warehouse, 10**9)
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    script = f"""BEGIN;
SELECT on_hand, reserved FROM inventory_stocklevel WHERE id = {level.pk} FOR UPDATE;
UPDATE inventory_stocklevel SET reserved = reserved + 1, updated_at = now() WHERE id = {level.pk};
INSERT INTO inventory_stockmovement (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, reason,
  reference_type, reference, actor_label, created_at)
  VALUES ({sku.pk}, {warehouse.pk}, 'reservation', 0, 1, '', 'order', 'PGB' || :client_id, 'bench', now());
COMMIT;
"""
    settings = connection.settings_dict
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        [
            "pgbench",
            "-h",
            settings["HOST"] or "127.0.0.1",
            "-p",
            str(settings["PORT"] or 5432),
            "-U",
            settings["USER"],
            "-c",
            str(CLIENTS),
            "-j",
            "2",
            "-T",
            "10",
            "-n",
            "-r",
            "-f",
            f.name,
            settings["NAME"],
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""},
    )
    os.unlink(f.name)
    tps = next((line for line in out.stdout.splitlines() if line.startswith("tps")), out.stderr.strip())
    latency = next((line for line in out.stdout.splitlines() if line.startswith("latency average")), "")
    reset(sku, warehouse, 1)
    return tps, latency


def setup_scan_data():
    """100,000 SKUs, each stocked in 3 warehouses (bulk inserts; reused between runs)."""
    if Sku.objects.filter(code__startswith="SCAN-").count() >= SCAN_SKUS:
        services.rollup_backfill()
        return
    warehouses = [
        Warehouse.objects.get_or_create(code=f"SCAN{i}", defaults={"name": f"扫描仓{i}", "province": "浙江"})[0]
        for i in range(3)
    ]
    batch = 10_000
    for start in range(0, SCAN_SKUS, batch):
        products = Product.objects.bulk_create(
            [Product(code=f"SCAN-P{n}", name=f"商品{n}") for n in range(start, start + batch)]
        )
        skus = Sku.objects.bulk_create(
            [
                Sku(product=p, code=f"SCAN-{n}", price=Decimal("19.90"))
                for n, p in zip(range(start, start + batch), products, strict=True)
            ]
        )
        StockLevel.objects.bulk_create(
            [
                StockLevel(sku=s, warehouse=w, on_hand=(s.pk * 7 + i) % 40)
                for s in skus
                for i, w in enumerate(warehouses)
            ]
        )
    services.rollup_backfill()  # bulk-created SKUs get their low-stock rollup rows, as the job does
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def scan_ms():
    timings = []
    for _run in range(7):
        start = time.perf_counter()
        n = len(list(selectors.low_stock().values_list("pk", flat=True)))
        timings.append((time.perf_counter() - start) * 1000)
    return n, statistics.median(timings), min(timings)


def main():
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    sku, warehouse = setup_hot_sku()
    runs = []
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(CLIENTS) as pool:
        for n in range(RUNS):
            runs.append(reserve_run(pool, sku, warehouse))
            run = runs[-1]
            print(
                f"run {n + 1:2d}: sold {run['sold']}/{UNITS}, oversold {run['oversold']}, "
                f"{run['tps']:.0f}/s, p99 {run['p99']:.1f} ms, ledger balanced {run['balanced']}"
            )
    tps = statistics.median(r["tps"] for r in runs)
    print(
        f"\nreserve via stock_reserve, {CLIENTS} clients, {RUNS} runs of {UNITS} units: "
        f"oversold in {sum(r['oversold'] > 0 for r in runs)} of {RUNS} runs; "
        f"median {tps:.0f} reservations/s; p50 {statistics.median(r['p50'] for r in runs):.1f} ms; "
        f"worst p99 {max(r['p99'] for r in runs):.1f} ms"
    )
    tps_line, latency = pgbench(sku, warehouse)
    print(f"pgbench lock+UPDATE+INSERT, {CLIENTS} clients, 10 s: {tps_line}; {latency}")
    try:
        sql_tps = float(tps_line.split("=")[1].split()[0])
        print(f"stock_reserve reaches {tps / sql_tps:.0%} of the SQL rate")
    except (IndexError, ValueError):
        pass
    setup_scan_data()
    for label in ("server defaults", "jit = off"):
        if label == "jit = off":
            with connection.cursor() as cursor:
                cursor.execute("SET jit = off")
        n, median, best = scan_ms()
        print(
            f"low-stock scan over {Sku.objects.count():,} SKUs ({label}): {n:,} low; "
            f"median {median:.0f} ms, best {best:.0f} ms"
        )
    connections.close_all()


if __name__ == "__main__":
    main()
