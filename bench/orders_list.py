"""Benchmark: the staff order list over 1,000,000 orders (keyset pagination, filters, searches).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench_ord .venv/bin/python bench/orders_list.py [N]

Generates N orders (default 1,000,000) over a year, ~2 lines each, shipments for the shipped ones and
200,000 customers with set-based INSERT ... SELECT generate_series (PostgreSQL) when they are not there,
then times the list page (in-process test client, a logged-in owner: the whole view with rendering)
and prints median / p95 and the query count of each case. Not a pass/fail test.
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
from django.utils import timezone  # noqa: E402

from orders.models import Order  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
CUSTOMERS = 200_000
REQUESTS = 50
PROVINCES = ["北京", "上海", "广东", "浙江", "江苏", "四川", "湖北", "山东", "河南", "福建", "湖南", "新疆", "西藏"]
METHODS = ["alipay", "wechat", "unionpay", "card", "cod"]


def _array(values):
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


@transaction.atomic
def generate():
    if Order.objects.filter(external_id__startswith="BENCH-").count() >= N:
        return
    assert connection.vendor == "postgresql", "the generator uses generate_series: run it on PostgreSQL"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_sku")
        if cursor.fetchone()[0] < 1000:
            cursor.execute("""
                INSERT INTO catalog_product (code, name, subtitle, description, keywords, weight_g, length_mm,
                    width_mm, height_mm, no_reason_returns, exchange_only, status, schedule_reason, created_at,
                    updated_at)
                SELECT 'OB' || i, '订单压测商品 ' || i, '', '', '', 300, 0, 0, 0, true, false, 'published', '',
                       now(), now() FROM generate_series(1, 10000) i""")
            cursor.execute("""
                INSERT INTO catalog_sku (product_id, code, barcode, price, weight_g, options, position, is_active)
                SELECT id, code || '-1', '', 10 + id % 500, 300, '', 0, true FROM catalog_product
                WHERE code LIKE 'OB%'""")
        cursor.execute("SELECT min(id), max(id) FROM catalog_sku")
        sku_lo, sku_hi = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM customers_customer WHERE phone LIKE '186%%'")
        if cursor.fetchone()[0] < CUSTOMERS:
            cursor.execute(
                """
                INSERT INTO customers_customer (phone, name, email, created_at, updated_at)
                SELECT '186' || lpad(i::text, 8, '0'), '顾客' || i, '', now() - (i || ' minutes')::interval, now()
                FROM generate_series(1, %s) i ON CONFLICT DO NOTHING""",
                [CUSTOMERS],
            )
        cursor.execute("SELECT min(id) FROM customers_customer WHERE phone LIKE '186%%'")
        customer_lo = cursor.fetchone()[0]
        # Age grows with i: one order every ~31.5 s over a year. Recent ones are unpaid or in the warehouse.
        cursor.execute(
            f"""
            INSERT INTO orders_order (number, status, customer_id, channel, external_id, subtotal, discount,
                shipping_fee, adjustment, total, payment_method, coupon_code, points_used, weight_g, placed_at,
                pay_by, paid_at, shipped_at, delivered_at, completed_at, cancelled_at, cancel_reason, ship_name,
                ship_phone, ship_province, ship_city, ship_district, ship_detail, ship_postcode, note, is_abnormal,
                abnormal_reason, abnormal_note, priority_boost, priority_at, dispatch_note)
            SELECT to_char(t.placed AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')
                       || lpad(((i::bigint * 7919) %% 10000000000)::text, 10, '0'),
                   t.status, {customer_lo} + (i * 7) %% {CUSTOMERS}, 'web', 'BENCH-' || i,
                   t.amount, 0, 0, 0, t.amount, ({_array(METHODS)})[1 + i %% 5], '', 0, 600, t.placed,
                   t.placed + interval '30 minutes',
                   CASE WHEN t.status IN ('pending_payment', 'cancelled', 'closed') THEN NULL
                        ELSE t.placed + interval '3 minutes' END,
                   CASE WHEN t.status IN ('shipped', 'delivered', 'completed') THEN t.placed + interval '1 day' END,
                   CASE WHEN t.status IN ('delivered', 'completed') THEN t.placed + interval '4 days' END,
                   CASE WHEN t.status = 'completed' THEN t.placed + interval '12 days' END,
                   CASE WHEN t.status IN ('cancelled', 'closed') THEN t.placed + interval '30 minutes' END, '',
                   '收件人' || (i %% 50000), '139' || lpad((i %% 100000000)::text, 8, '0'),
                   ({_array(PROVINCES)})[1 + (i * 31) %% {len(PROVINCES)}], '市', '区', '某路' || (i %% 999) || '号',
                   '', '', i %% 500 = 0, CASE WHEN i %% 500 = 0 THEN 'risk' ELSE '' END, '', 0,
                   CASE WHEN t.status IN ('pending_payment', 'cancelled', 'closed') THEN NULL
                        ELSE t.placed + interval '3 minutes' END, ''
            FROM generate_series(1, %s) i
            CROSS JOIN LATERAL (SELECT now() - (i * 31.5 || ' seconds')::interval AS placed,
                (10 + (i * 37) %% 2000)::numeric(14, 2) + 0.9 AS amount,
                CASE WHEN i < 60 THEN 'pending_payment' WHEN i < 2000 THEN 'paid' WHEN i < 3000 THEN 'allocated'
                     WHEN i < 4000 THEN 'picking' WHEN i < 25000 THEN 'shipped' WHEN i < 40000 THEN 'delivered'
                     WHEN i %% 20 = 0 THEN 'cancelled' WHEN i %% 33 = 0 THEN 'closed'
                     ELSE 'completed' END AS status) t""",
            [N],
        )
        cursor.execute(
            f"""
            INSERT INTO orders_orderline (order_id, sku_id, sku_code, name, options, quantity, unit_price, discount,
                line_total, weight_g)
            SELECT o.id, {sku_lo} + (o.id * 13 + j * 101) %% ({sku_hi} - {sku_lo} + 1), 'SKU', '压测商品', '', 1,
                   o.total / 2, 0, o.total / 2, 300
            FROM orders_order o CROSS JOIN generate_series(1, 2) j WHERE o.external_id LIKE 'BENCH-%%'""",
            [],
        )
        cursor.execute(
            "INSERT INTO orders_carrier (name, code, tracking_pattern, tracking_url, is_active) "
            "VALUES ('顺丰速运', 'bench-sf', 'SF\\d{12}', '', true) ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            """
            INSERT INTO orders_shipment (order_id, carrier_id, tracking_number, shipped_at)
            SELECT o.id, (SELECT id FROM orders_carrier WHERE code = 'bench-sf'), 'SF' || lpad(o.id::text, 12, '0'),
                   o.shipped_at
            FROM orders_order o WHERE o.shipped_at IS NOT NULL AND o.external_id LIKE 'BENCH-%%'""",
            [],
        )
        cursor.execute("ANALYZE")
    print(f"generated {N:,} orders, {2 * N:,} lines and their shipments in {time.perf_counter() - started:.1f} s")


def timed(client, url, params):
    times = []
    for _i in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    times.sort()
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    rows = response.content.decode().count('data-testid="order-link"')
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries), rows, sql_ms


def bench_list():
    owner, _created = get_user_model().objects.get_or_create(
        username="bench_owner", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(owner)
    ordered = Order.objects.order_by("-placed_at", "-pk")
    deep = ordered.values_list("placed_at", "pk")[N // 2]
    deep_cursor = f"{deep[0].isoformat()}|{deep[1]}"
    sample = Order.objects.filter(external_id=f"BENCH-{N // 3 + 7}").values_list("number", "ship_phone").first()
    today = timezone.localdate()
    month_ago = (today - timezone.timedelta(days=31)).isoformat()
    cases = {
        "page 1, no filter (20 rows)": {},
        "page 1, 200 rows": {"per_page": 200},
        f"deep keyset page (row {N // 2:,})": {"after": deep_cursor},
        "status=paid": {"status": "paid"},
        "status=completed + 31-day range": {"status": "completed", "placed_from": month_ago},
        "province + payment method": {"province": "广东", "payment_method": "wechat"},
        "amount range 100–200": {"total_min": "100", "total_max": "200"},
        "abnormal only": {"abnormal": "true"},
        "sort by total, deep keyset": {"o": "-total", "after": "1000.90|1"},
        "order-number prefix (12 digits)": {"q": sample[0][:12]},
        "order-number prefix (8 digits, one day)": {"q": sample[0][:8]},
        "recipient phone": {"q": sample[1]},
        "tracking number": {"q": "SF" + "0" * 6 + "500001"},
    }
    print(f"{'case':42} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>7} {'queries':>8} {'rows':>5}")
    for label, params in cases.items():
        median, p95, queries, rows, sql_ms = timed(client, "/orders/", params)
        print(f"{label:42} {median:10.1f} {p95:8.1f} {sql_ms:7.1f} {queries:8} {rows:5}")


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    generate()
    bench_list()
