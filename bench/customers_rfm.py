"""Benchmark: the nightly RFM + tier recomputation, the customer list's member filters, a customer's page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench_tiers .venv/bin/python bench/customers_rfm.py [N]
    (add --pages to time only the pages)

Generates (when not there) 200,000 customers with a default address, N orders (default 1,000,000) over a
year — ~93% paid, the rest unpaid, cancelled or closed — plus one customer with 500 orders, and four member
tiers, with set-based INSERT ... SELECT generate_series (PostgreSQL). Then it times
rfm_and_tiers_recompute (first run: every customer gets figures, scores and a tier; second run: nothing
changes; a run a month later: recency and the 12-month window move), the customer list with each member
filter (in-process test client, a logged-in owner; median / p95 / query count) and the 500-order customer's
page. Not a pass/fail test.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
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

from customers.models import Customer, MemberTier  # noqa: E402
from customers.services import rfm_and_tiers_recompute  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 1_000_000
CUSTOMERS = 200_000
HEAVY_ORDERS = 500
REQUESTS = 50
PROVINCES = ["北京", "上海", "广东", "浙江", "江苏", "四川", "湖北", "山东", "河南", "福建", "湖南", "新疆"]
METHODS = ["alipay", "wechat", "unionpay", "card", "cod"]
HEAVY_PHONE = "18899999999"


def _array(values):
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def _orders_sql(count_param, customer_expr, prefix):
    """INSERT of orders i = 1..count over a year (one every ~31.5 s), mostly completed."""
    return f"""
        INSERT INTO orders_order (number, status, customer_id, channel, external_id, subtotal, discount,
            shipping_fee, adjustment, total, payment_method, coupon_code, points_used, weight_g, placed_at,
            pay_by, paid_at, shipped_at, delivered_at, completed_at, cancelled_at, cancel_reason, ship_name,
            ship_phone, ship_province, ship_city, ship_district, ship_detail, ship_postcode, note, is_abnormal,
            abnormal_reason, abnormal_note, priority_boost, priority_at, dispatch_note)
        SELECT '{prefix}' || lpad(i::text, 12, '0'), t.status, {customer_expr}, 'web', '{prefix}-' || i,
               t.amount, 0, 0, 0, t.amount, ({_array(METHODS)})[1 + i %% 5], '', 0, 600, t.placed,
               t.placed + interval '30 minutes',
               CASE WHEN t.status IN ('pending_payment', 'cancelled', 'closed') THEN NULL
                    ELSE t.placed + interval '3 minutes' END,
               NULL, NULL, CASE WHEN t.status = 'completed' THEN t.placed + interval '12 days' END,
               CASE WHEN t.status IN ('cancelled', 'closed') THEN t.placed + interval '30 minutes' END, '',
               '收件人', '13900000000', '上海', '市', '区', '某路1号', '', '', false, '', '', 0, NULL, ''
        FROM generate_series(1, %s) i
        CROSS JOIN LATERAL (SELECT now() - ((i::bigint * 31536000 / {count_param}) || ' seconds')::interval AS placed,
            (10 + (i * 37) %% 2000)::numeric(14, 2) + 0.9 AS amount,
            CASE WHEN i < 60 THEN 'pending_payment' WHEN i < 4000 THEN 'paid'
                 WHEN i %% 20 = 0 THEN 'cancelled' WHEN i %% 33 = 0 THEN 'closed'
                 ELSE 'completed' END AS status) t"""


@transaction.atomic
def generate():
    assert connection.vendor == "postgresql", "the generator uses generate_series: run it on PostgreSQL"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_customer WHERE phone LIKE '187%%'", [])
        if cursor.fetchone()[0] < CUSTOMERS:
            # Every NOT NULL column: Django's defaults are not database defaults.
            cursor.execute(
                """
                INSERT INTO customers_customer (phone, name, email, gender, source, blacklisted, blacklist_reason,
                    created_at, order_count, lifetime_spend, orders_12m, spend_12m, rfm_segment, points_balance,
                    updated_at)
                SELECT '187' || lpad(i::text, 8, '0'), '会员' || i, '', 'unknown', 'web', false, '',
                       now() - (i || ' minutes')::interval, 0, 0, 0, 0, '', 0, now()
                FROM generate_series(1, %s) i ON CONFLICT DO NOTHING""",
                [CUSTOMERS],
            )
            cursor.execute(
                f"""
                INSERT INTO customers_customeraddress (customer_id, name, phone, province, city, district, detail,
                    postcode, is_default, created_at)
                SELECT id, name, phone, ({_array(PROVINCES)})[1 + (id * 31) %% {len(PROVINCES)}], '市', '区',
                       '某路1号', '', true, now()
                FROM customers_customer WHERE phone LIKE '187%%'""",
                [],
            )
        cursor.execute("SELECT min(id) FROM customers_customer WHERE phone LIKE '187%%'", [])
        customer_lo = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM orders_order WHERE external_id LIKE 'RFM-%%'", [])
        if cursor.fetchone()[0] < N:
            # Half the orders spread evenly over the customers ((i * 7919) mod 200,000), half skewed towards the
            # first customers (that number squared / 200,000): a few buy often, most buy a few times a year.
            spread = f"((i::bigint * 7919) %% {CUSTOMERS})"
            who = f"{customer_lo} + CASE WHEN i %% 2 = 0 THEN {spread} ELSE {spread} * {spread} / {CUSTOMERS} END"
            cursor.execute(_orders_sql(N, who, "RFM"), [N])
        cursor.execute(
            "INSERT INTO customers_customer (phone, name, email, gender, source, blacklisted, blacklist_reason, "
            "created_at, order_count, lifetime_spend, orders_12m, spend_12m, rfm_segment, points_balance, updated_at) "
            "VALUES (%s, '五百单', '', 'unknown', 'web', false, '', now(), 0, 0, 0, 0, '', 0, now()) "
            "ON CONFLICT DO NOTHING",
            [HEAVY_PHONE],
        )
        cursor.execute("SELECT id FROM customers_customer WHERE phone = %s", [HEAVY_PHONE])
        heavy = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM orders_order WHERE customer_id = %s", [heavy])
        if cursor.fetchone()[0] < HEAVY_ORDERS:
            cursor.execute(_orders_sql(HEAVY_ORDERS, str(heavy), "HEAVY"), [HEAVY_ORDERS])
        cursor.execute("ANALYZE")
    for name, rank, kind, threshold in (
        ("普通会员", 0, "spend", 0),
        ("银卡", 1, "spend", 3000),
        ("金卡", 2, "orders", 8),
        ("钻石", 3, "spend", 12000),
    ):
        MemberTier.objects.get_or_create(
            name=name, defaults={"rank": rank, "threshold_kind": kind, "threshold": threshold}
        )
    print(f"data ready in {time.perf_counter() - started:.1f} s")
    return heavy


def reset():
    """Back to 'never computed', so the first run does the full work (every customer changes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE customers_customer SET tier_id = NULL, order_count = 0, lifetime_spend = 0, orders_12m = 0, "
            "spend_12m = 0, first_order_at = NULL, last_order_at = NULL, rfm_r = NULL, rfm_f = NULL, "
            "rfm_m = NULL, rfm_segment = ''"
        )
        cursor.execute("DELETE FROM customers_tierchange")
        cursor.execute("VACUUM ANALYZE customers_customer")


def bench_recompute():
    reset()
    for label, now in (
        ("first run (every customer changes)", None),
        ("second run (nothing changes)", None),
        ("a month later (recency, 12-month window)", timezone.now() + timedelta(days=30)),
        ("back to today", None),
    ):
        started = time.perf_counter()
        result = rfm_and_tiers_recompute(now=now)
        elapsed = time.perf_counter() - started
        print(
            f"recompute, {label:42} {elapsed:6.2f} s  updated {result['figures_updated']:>7,}  "
            f"up {result['upgraded']:>7,}  down {result['downgraded']:>7,}  steps {result['steps']}"
        )


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
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries), sql_ms


def bench_pages(heavy):
    owner, _created = get_user_model().objects.get_or_create(
        username="bench_owner", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(owner)
    client.get("/")
    gold = MemberTier.objects.get(name="金卡")
    diamond = MemberTier.objects.get(name="钻石")
    counts = {t.name: Customer.objects.filter(tier=t).count() for t in MemberTier.objects.all()}
    print("customers per tier:", counts)
    cases = {
        "list, no filter": ("/customers/", {}),
        "list, tier=金卡": ("/customers/", {"tier": gold.pk}),
        "list, tier=钻石": ("/customers/", {"tier": diamond.pk}),
        "list, tier=金卡, 200 rows": ("/customers/", {"tier": gold.pk, "per_page": 200}),
        "list, segment=重要价值": ("/customers/", {"rfm_segment": "champion"}),
        "list, segment=重要挽留": ("/customers/", {"rfm_segment": "win_back"}),
        "list, province=广东": ("/customers/", {"province": "广东"}),
        "list, sort by 12-month spend": ("/customers/", {"o": "-spend_12m"}),
        "list, sort by last order": ("/customers/", {"o": "-last_order_at"}),
        "list, 12-month spend 5000–6000": ("/customers/", {"spend_12m_min": "5000", "spend_12m_max": "6000"}),
        "RFM page (8 segments)": ("/customers/rfm/", {}),
        "tier page": ("/customers/tiers/", {}),
        f"customer page, {HEAVY_ORDERS} orders": (f"/customers/{heavy}/", {}),
    }
    print(f"{'case':42} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>7} {'queries':>8}")
    for label, (url, params) in cases.items():
        median, p95, queries, sql_ms = timed(client, url, params)
        print(f"{label:42} {median:10.1f} {p95:8.1f} {sql_ms:7.1f} {queries:8}")


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    heavy_id = generate()
    if "--pages" not in sys.argv:
        bench_recompute()
    bench_pages(heavy_id)
