"""Benchmark: the nightly recommendations recomputation, a customer's recommendations and the push list.

    createdb -h 127.0.0.1 -U postgres houtai_bench_recs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench_recs .venv/bin/python \
        bench/customers_recommendations.py [ORDERS]

Generates ORDERS orders (default 100,000) over a year with three lines each (300,000 lines), 10,000 products
with one SKU each picked with a popularity skew (product = 10,000 x random()^2, so best sellers exist and pairs
repeat), 50,000 customers, ~5% cancelled or closed and a few awaiting payment, with set-based
INSERT ... SELECT generate_series (PostgreSQL) when they are not there. Then times
`services.recommendations_recompute()` (3 runs), `selectors.customer_recommendations` for 50 customers, and the
push list (CSV) over 9,999 customers through the in-process client. Prints figures; not a pass/fail test.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from customers.models import Customer, ProductPair  # noqa: E402
from customers.selectors import customer_recommendations  # noqa: E402
from customers.services import recommendations_recompute  # noqa: E402
from orders.models import Order  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
PRODUCTS = 10_000
CUSTOMERS = 50_000
LINES = 3


@transaction.atomic
def generate():
    if Order.objects.filter(external_id__startswith="RECS-").count() >= N:
        return
    assert connection.vendor == "postgresql", "the generator uses generate_series: run it on PostgreSQL"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            """
            INSERT INTO catalog_product (code, name, subtitle, description, keywords, weight_g, length_mm,
                width_mm, height_mm, no_reason_returns, exchange_only, status, schedule_reason, created_at,
                updated_at, price_min, price_max)
            SELECT 'RB' || i, '推荐压测商品 ' || i, '', '', '', 300, 0, 0, 0, true, false,
                   CASE WHEN i %% 50 = 0 THEN 'unpublished' ELSE 'published' END, '', now(), now(),
                   10 + i %% 500, 10 + i %% 500
            FROM generate_series(1, %s) i ON CONFLICT DO NOTHING""",
            [PRODUCTS],
        )
        cursor.execute(
            """
            INSERT INTO catalog_sku (product_id, code, barcode, price, weight_g, options, position, is_active)
            SELECT id, code || '-1', '', 10 + id %% 500, 300, '', 0, true FROM catalog_product
            WHERE code LIKE 'RB%%' ON CONFLICT DO NOTHING""",
            [],
        )
        cursor.execute("SELECT min(id) FROM catalog_sku WHERE code LIKE 'RB%%'", [])
        sku_lo = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO customers_customer (phone, name, email, gender, source, blacklisted, blacklist_reason,
                created_at, order_count, lifetime_spend, orders_12m, spend_12m, rfm_segment, points_balance,
                updated_at)
            SELECT '187' || lpad(i::text, 8, '0'), '推荐顾客' || i, '', 'unknown', 'web', false, '',
                   now() - (i || ' minutes')::interval, 0, 0, 0, 0, '', 0, now()
            FROM generate_series(1, %s) i ON CONFLICT DO NOTHING""",
            [CUSTOMERS],
        )
        cursor.execute("SELECT min(id) FROM customers_customer WHERE phone LIKE '187%%'", [])
        customer_lo = cursor.fetchone()[0]
        cursor.execute(
            f"""
            INSERT INTO orders_order (number, status, customer_id, channel, external_id, subtotal, discount,
                shipping_fee, adjustment, total, payment_method, coupon_code, points_used, weight_g, placed_at,
                paid_at, ship_name, ship_phone, ship_province, ship_city, ship_district, ship_detail,
                ship_postcode, note, is_abnormal, abnormal_reason, abnormal_note, priority_boost, dispatch_note,
                cancel_reason)
            SELECT 'RC' || lpad(i::text, 12, '0'),
                   CASE WHEN i < 100 THEN 'pending_payment' WHEN i %% 20 = 0 THEN 'cancelled'
                        WHEN i %% 97 = 0 THEN 'closed' WHEN i < 3000 THEN 'paid' WHEN i < 20000 THEN 'shipped'
                        ELSE 'completed' END,
                   {customer_lo} + (i * 7) %% {CUSTOMERS}, 'web', 'RECS-' || i, 100, 0, 0, 0, 100, 'alipay',
                   '', 0, 900, now() - (i * {31_536_000 / N} || ' seconds')::interval, NULL,
                   '收件人', '13900000000', '上海', '上海市', '浦东新区', '世纪大道1号', '', '', false, '', '', 0,
                   '', ''
            FROM generate_series(1, %s) i""",
            [N],
        )
        cursor.execute(
            f"""
            INSERT INTO orders_orderline (order_id, sku_id, sku_code, name, options, quantity, unit_price, discount,
                line_total, weight_g)
            SELECT o.id, {sku_lo} + floor(power(random(), 2) * {PRODUCTS})::int, 'SKU', '压测商品', '', 1, 33, 0,
                   33, 300
            FROM orders_order o CROSS JOIN generate_series(1, {LINES}) j WHERE o.external_id LIKE 'RECS-%%'""",
            [],
        )
        cursor.execute("ANALYZE")
    print(f"generated {N:,} orders and {LINES * N:,} lines in {time.perf_counter() - started:.1f} s")


def bench_recompute():
    times = []
    for _run in range(3):
        started = time.perf_counter()
        result = recommendations_recompute()
        times.append(time.perf_counter() - started)
    print(
        f"recompute: median {statistics.median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}); "
        f"{result['pairs']:,} pairs for {result['products']:,} products, {result['best_sellers']} best sellers"
    )


def bench_customer():
    customers = list(Customer.objects.filter(phone__startswith="187").order_by("pk")[:50])
    times, counts = [], []
    for customer in customers:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            picks = customer_recommendations(customer)
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(ctx))
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"customer_recommendations: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms,"
        f" queries {sorted(set(counts))}, last customer got {len(picks)} products"
    )


def bench_push_list():
    owner, _created = get_user_model().objects.get_or_create(
        username="bench_owner", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(owner)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/customers/push-list/", {"q": "1870000", "export": "csv"})  # 9,999 customers
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    print(f"push list CSV: {lines:,} customers in {time.perf_counter() - started:.2f} s, {len(ctx)} queries")


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    generate()
    print(f"{ProductPair.objects.count():,} pairs before the runs")
    bench_recompute()
    bench_customer()
    bench_push_list()
