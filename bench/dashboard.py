"""Benchmark: the dashboard at two sizes (default 10,000 and 1,000,000 orders) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_dashboard .venv/bin/python bench/dashboard.py [N ...]

For each size: empties the orders, generates N orders over a year with bench/orders_list.py's set-based
generator, rebuilds the rollups (reports' rebuild_rollups) and the dashboard's customer days for that year
(BENCH_REUSE=1 keeps the last run's orders and rollups when N matches), then times the whole page (in-process
test client, the view with its rendering) for each period as the owner (every figure) and as the warehouse (no
money), without and with the one-minute cache, and prints median / p95 / SQL ms / the query count. Then the
EXPLAIN of the work-queue counts. Not a pass/fail test.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
SIZES = [int(a) for a in sys.argv[1:]] or [10_000, 1_000_000]
sys.argv[1:] = [str(SIZES[0])]  # bench.orders_list reads its N from argv when imported

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

import bench.orders_list as generator  # noqa: E402
from reports.services import customer_days_rebuild  # noqa: E402

REQUESTS = 60
PERIODS = ["today", "yesterday", "7d", "30d"]


def customers():
    """orders_list's 200,000 customers ('186...' phones), with every column the customer table has today."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_customer WHERE phone LIKE '186%%'")
        if cursor.fetchone()[0] >= generator.CUSTOMERS:
            return
        cursor.execute(
            """
            INSERT INTO customers_customer (phone, name, email, created_at, updated_at, blacklist_reason, blacklisted,
                gender, source, lifetime_spend, order_count, orders_12m, points_balance, rfm_segment, spend_12m)
            SELECT '186' || lpad(i::text, 8, '0'), '顾客' || i, '', now() - (i || ' minutes')::interval, now(), '',
                   false, 'unknown', 'web', 0, 0, 0, 0, '', 0
            FROM generate_series(1, %s) i ON CONFLICT DO NOTHING""",
            [generator.CUSTOMERS],
        )


def prepare(n):
    customers()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_order WHERE external_id LIKE 'BENCH-%%'")
        have = cursor.fetchone()[0]
        if have == n and os.environ.get("BENCH_REUSE"):
            return  # BENCH_REUSE=1: the orders and the rollups of the last run at this size
        if have != n:
            cursor.execute("TRUNCATE orders_order, orders_orderline, orders_shipment, orders_orderevent CASCADE")
            generator.N = n
            generator.generate()
    today = timezone.localdate()
    started = time.perf_counter()
    start = (today - timezone.timedelta(days=366)).isoformat()
    call_command("rebuild_rollups", "--from", start, "--to", today.isoformat(), verbosity=0)
    customer_days_rebuild(start=today - timezone.timedelta(days=366), end=today)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"rollups and customer days rebuilt in {time.perf_counter() - started:.1f} s")


def user(role):
    u, created = get_user_model().objects.get_or_create(username=f"bench_dash_{role}")
    if created:
        u.groups.add(Group.objects.get(name=role))
    return u


def timed(client, period, url="/"):
    params = {"period": period} if period else {}
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
    return statistics.median(times), times[int(len(times) * 0.95) - 1], sql_ms, len(queries)


def explain():
    from django.db.models import Q

    from customers.selectors import messages_waiting
    from inventory.selectors import low_stock
    from orders.models import Order
    from orders.selectors import QUEUES, _waiting
    from payments.models import Refund, RiskAssessment

    where = Q(is_abnormal=True)
    for name in QUEUES:
        where |= _waiting(name)
    cases = {
        "orders work_counts": Order.objects.filter(where),
        "refunds awaiting approval": Refund.objects.filter(status=Refund.Status.REQUESTED),
        "risk held": RiskAssessment.objects.filter(decision=RiskAssessment.Decision.HELD),
        "low stock": low_stock().order_by(),
        "messages over SLA": messages_waiting().filter(sla_breached_at__isnull=False),
    }
    for label, qs in cases.items():
        plan = qs.order_by().values("pk").explain(analyze=True)
        print(f"-- {label}\n{plan}")


def bench(n):
    prepare(n)
    print(f"\n{n:,} orders")
    print(f"{'role':10} {'period':10} {'cache':>6} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>7} {'queries':>8}")
    for seconds in (0, 60):  # every request reads the rollups / the figures kept a minute (DASHBOARD_CACHE_SECONDS)
        settings.DASHBOARD_CACHE_SECONDS = seconds
        for role in ("owner", "warehouse"):
            client = Client()
            client.force_login(user(role))
            for period in PERIODS:
                cache.clear()
                median, p95, sql_ms, queries = timed(client, period)
                print(f"{role:10} {period:10} {seconds:6} {median:10.1f} {p95:8.1f} {sql_ms:7.1f} {queries:8}")
    median, p95, sql_ms, queries = timed(client, None, url="/notifications/")  # the floor: a trivial staff page
    print(f"{'floor: /notifications/':28} {median:10.1f} {p95:8.1f} {sql_ms:7.1f} {queries:8}")


if __name__ == "__main__":
    assert connection.vendor == "postgresql", "run it on PostgreSQL (DATABASE_URL)"
    call_command("migrate", verbosity=0)
    for size in SIZES:
        bench(size)
        explain()
