"""Benchmark: the sales reports from the rollups, and the rollups' rebuild, over N orders (default 1,000,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_rollups .venv/bin/python bench/reports.py [N] [--rebuild]

Generates N orders over a year, ~2 lines each, 4 channels, 31 provinces, 5 payment methods, a 5 percent
discount on a third of them, 5 percent cancelled, with set-based INSERT ... SELECT generate_series
(PostgreSQL), when they are not there. Rebuilds the rollups for the last 366 local days when they are empty
or --rebuild asks (timed), checks the 365-day figures against a direct aggregate of the orders (to the
cent), then times the 30- and 365-day sales reports (in-process test client, a logged-in owner: the whole
view with rendering): median / p95 / SQL time / queries. Not a pass/fail test.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
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

from customers.models import Customer  # noqa: E402
from orders.models import Order  # noqa: E402
from reports.models import SalesDay, SalesDaySku  # noqa: E402
from reports.periods import day_start  # noqa: E402
from reports.services import rollups_rebuild  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 1_000_000
CUSTOMERS = 20_000
REQUESTS = 20
PROVINCES = [
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
    "青海", "宁夏", "新疆",
]  # fmt: skip
CHANNELS = ["web", "app", "miniprogram", "staff"]
METHODS = ["alipay", "wechat", "unionpay", "card", "cod"]


def _array(values):
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


@transaction.atomic
def generate():
    if Order.objects.filter(external_id__startswith="RBENCH-").count() >= N:
        return
    assert connection.vendor == "postgresql", "the generator uses generate_series: run it on PostgreSQL"
    started = time.perf_counter()
    step = 31.5 * 1_000_000 / N
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_sku")
        if cursor.fetchone()[0] < 1000:
            cursor.execute("""
                INSERT INTO catalog_product (code, name, subtitle, description, keywords, weight_g, length_mm,
                    width_mm, height_mm, no_reason_returns, exchange_only, status, schedule_reason, created_at,
                    updated_at)
                SELECT 'RB' || i, '报表压测商品 ' || i, '', '', '', 300, 0, 0, 0, true, false, 'published', '',
                       now(), now() FROM generate_series(1, 10000) i""")
            cursor.execute("""
                INSERT INTO catalog_sku (product_id, code, barcode, price, weight_g, options, position, is_active)
                SELECT id, code || '-1', '', 10 + id % 500, 300, '', 0, true FROM catalog_product
                WHERE code LIKE 'RB%'""")
        cursor.execute("SELECT min(id), max(id) FROM catalog_sku")
        sku_lo, sku_hi = cursor.fetchone()
        if not Customer.objects.filter(phone__startswith="187").exists():  # the ORM fills every column's default
            Customer.objects.bulk_create(
                (Customer(phone=f"187{i:08d}", name=f"顾客{i}") for i in range(1, CUSTOMERS + 1)), batch_size=5000
            )
        cursor.execute("SELECT min(id) FROM customers_customer WHERE phone LIKE '187%%'")
        customer_lo = cursor.fetchone()[0]
        cursor.execute(
            f"""
            INSERT INTO orders_order (number, status, customer_id, channel, external_id, subtotal, discount,
                shipping_fee, adjustment, total, payment_method, coupon_code, points_used, weight_g, placed_at,
                pay_by, paid_at, shipped_at, cancelled_at, cancel_reason, ship_name, ship_phone, ship_province,
                ship_city, ship_district, ship_detail, ship_postcode, note, is_abnormal, abnormal_reason,
                abnormal_note, priority_boost, priority_at, dispatch_note)
            SELECT 'RB' || lpad(i::text, 12, '0'), t.status, {customer_lo} + (i * 7) %% {CUSTOMERS},
                   ({_array(CHANNELS)})[1 + (i * 3) %% 4], 'RBENCH-' || i,
                   t.amount, t.discount, 8, 0, t.amount - t.discount + 8,
                   ({_array(METHODS)})[1 + i %% 5], '', 0, 600, t.placed, t.placed + interval '30 minutes',
                   CASE WHEN t.status = 'closed' THEN NULL ELSE t.placed + interval '3 minutes' END,
                   CASE WHEN t.status = 'completed' THEN t.placed + interval '1 day' END,
                   CASE WHEN t.status IN ('cancelled', 'closed') THEN t.placed + interval '2 hours' END, '',
                   '收件人', '139' || lpad((i %% 100000000)::text, 8, '0'),
                   ({_array(PROVINCES)})[1 + (i * 31 + i / 7) %% {len(PROVINCES)}], '市', '区', '某路', '', '', false,
                   '', '', 0, NULL, ''
            FROM generate_series(1, %s) i
            CROSS JOIN LATERAL (SELECT now() - (i * {step} || ' seconds')::interval AS placed,
                (20 + (i * 37) %% 2000)::numeric(14, 2) AS amount,
                CASE WHEN i %% 3 = 0 THEN round((20 + (i * 37) %% 2000) * 0.05, 2) ELSE 0 END AS discount,
                CASE WHEN i %% 20 = 0 THEN 'cancelled' WHEN i %% 33 = 0 THEN 'closed'
                     ELSE 'completed' END AS status) t""",
            [N],
        )
        # Two lines: the first carries the whole discount (lines add up to the order, as pricing keeps them).
        cursor.execute(
            f"""
            INSERT INTO orders_orderline (order_id, sku_id, sku_code, name, options, quantity, unit_price, discount,
                line_total, weight_g)
            SELECT o.id, {sku_lo} + (o.id * 13 + j * 101) %% ({sku_hi} - {sku_lo} + 1), 'SKU', '压测商品', '', 1,
                   o.subtotal / 2, CASE WHEN j = 1 THEN o.discount ELSE 0 END,
                   o.subtotal / 2 - CASE WHEN j = 1 THEN o.discount ELSE 0 END, 300
            FROM orders_order o CROSS JOIN generate_series(1, 2) j WHERE o.external_id LIKE 'RBENCH-%%'""",
            [],
        )
        cursor.execute("ANALYZE")
    print(f"generated {N:,} orders and {2 * N:,} lines in {time.perf_counter() - started:.1f} s")


def rebuild():
    today = timezone.localdate()
    started = time.perf_counter()
    result = rollups_rebuild(start=today - timedelta(days=365), end=today)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"rebuild of 366 days: {seconds:.1f} s "
        f"({result['day_rows']:,} day rows, {result['sku_rows']:,} SKU rows, {result['hour_rows']:,} hour rows)"
    )


def check(client):
    """The 365-day report's gross equals the orders' own subtotal over the same local days, to the cent."""
    today = timezone.localdate()
    since, until = day_start(today - timedelta(days=364)), day_start(today + timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(subtotal), 0), COALESCE(SUM(discount), 0), count(*) FROM orders_order "
            "WHERE paid_at >= %s AND paid_at < %s",
            [since, until],
        )
        gross, discount, paid = cursor.fetchone()
    rolled = SalesDay.objects.filter(day__gte=today - timedelta(days=364), day__lte=today)
    from django.db.models import Sum

    sums = rolled.aggregate(g=Sum("gross"), d=Sum("discounts"), n=Sum("orders_paid"))
    sku = SalesDaySku.objects.filter(day__gte=today - timedelta(days=364)).aggregate(g=Sum("gross"))
    print(
        f"365 days, raw: gross {gross} discounts {discount} paid orders {paid:,}; "
        f"rollup: {sums['g']} {sums['d']} {sums['n']:,}; per-SKU gross {sku['g']} -> "
        + ("EQUAL" if (sums["g"], sums["d"], sums["n"], sku["g"]) == (gross, discount, paid, gross) else "DIFFERENT")
    )
    assert isinstance(gross, Decimal)


def timed(client, url, params):
    times = []
    for _i in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    times.sort()
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    touches_orders = any("orders_order" in q["sql"] for q in queries.captured_queries)
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries), sql_ms, touches_orders


def bench_reports():
    owner, _created = get_user_model().objects.get_or_create(
        username="bench_owner", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(owner)
    check(client)
    print(f"{'report':44} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>7} {'queries':>8} orders table")
    for slug in ("sales-channel", "sales-province", "sales-payment-method", "sales-hour", "sales-product"):
        for preset, group in (("30d", "day"), ("365d", "month")):
            median, p95, queries, sql_ms, touches = timed(
                client, f"/reports/{slug}/", {"preset": preset, "group": group, "compare": "previous"}
            )
            label = f"{slug}, {preset} by {group}, vs previous"
            print(f"{label:44} {median:10.1f} {p95:8.1f} {sql_ms:7.1f} {queries:8} {'yes' if touches else 'no'}")


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    generate()
    if "--rebuild" in sys.argv or not SalesDay.objects.exists():
        rebuild()
    bench_reports()
