"""Benchmark: exports of the order list at 100,000 and 1,000,000 orders (rows/s, peak memory growth), and the
list exports of the demo store.

    createdb -h 127.0.0.1 -U postgres houtai_exports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_exports .venv/bin/python bench/exports.py 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_exports .venv/bin/python bench/exports.py 1000000
    DEBUG=true DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/exports.py demo
    (add "csv" after the number to time only the background CSV)

With a number: tops the orders up to N (set-based INSERT ... SELECT generate_series, every NOT NULL column the
schema has today filled, so the generator follows migrations), then, as a logged-in owner (full phone numbers:
the costlier path, with its audit entry), times
- the CSV of all N orders as the background task writes it (shop.exports.ExportJob: the file on disk),
- the streamed CSV of the page's export (the sync path, consumed in-process),
- the XLSX of the first 100,000 orders as the background task writes it,
and the CSV of all orders with the old per-instance column readers, at most 100,000 rows of it (rows/s).
Memory: peak RSS during each run minus RSS before it, sampled every 20 ms by a thread. Not a pass/fail test.
"""

import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402

PROVINCES = ["北京", "上海", "广东", "浙江", "江苏", "四川", "湖北", "山东", "河南", "福建", "湖南", "新疆", "西藏"]
METHODS = ["alipay", "wechat", "unionpay", "card", "cod"]
CUSTOMERS = 20_000
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _array(values):
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


_FILLER = {
    "text": "''",
    "character varying": "''",
    "integer": "0",
    "bigint": "0",
    "smallint": "0",
    "numeric": "0",
    "double precision": "0",
    "boolean": "false",
    "timestamp with time zone": "now()",
    "date": "current_date",
    "jsonb": "'{}'::jsonb",
    "uuid": "gen_random_uuid()",
}


def insert_select(cursor, table, given, tail, params=()):
    """INSERT INTO table (...) SELECT ... tail, with every NOT NULL column not given filled with a neutral
    value (the schema grows: a fixed column list breaks)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    columns = dict(given)
    for name, data_type in cursor.fetchall():
        if name not in columns:
            columns[name] = _FILLER[data_type]
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns.values())} {tail}", list(params)
    )


@transaction.atomic
def generate(n):
    from orders.models import Order

    have = Order.objects.filter(external_id__startswith="BENCH-").count()
    if have >= n:
        return
    assert connection.vendor == "postgresql", "the generator uses generate_series: run it on PostgreSQL"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_customer WHERE phone LIKE '186%%'")
        if cursor.fetchone()[0] < CUSTOMERS:
            insert_select(
                cursor,
                "customers_customer",
                {
                    "phone": "'186' || lpad(i::text, 8, '0')",
                    "name": "'顾客' || i",
                    "created_at": "now() - (i || ' minutes')::interval",
                    "updated_at": "now()",
                },
                "FROM generate_series(1, %s) i ON CONFLICT DO NOTHING",
                [CUSTOMERS],
            )
        cursor.execute("SELECT min(id) FROM customers_customer WHERE phone LIKE '186%%'")
        customer_lo = cursor.fetchone()[0]
        not_paid = "t.status IN ('pending_payment', 'cancelled', 'closed')"
        insert_select(
            cursor,
            "orders_order",
            {
                "number": "to_char(t.placed AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') "
                "|| lpad(((i::bigint * 7919) %% 10000000000)::text, 10, '0')",
                "status": "t.status",
                "customer_id": f"{customer_lo} + (i * 7) %% {CUSTOMERS}",
                "channel": "'web'",
                "external_id": "'BENCH-' || i",
                "subtotal": "t.amount",
                "total": "t.amount",
                "payment_method": f"({_array(METHODS)})[1 + i %% 5]",
                "weight_g": "600",
                "placed_at": "t.placed",
                "pay_by": "t.placed + interval '30 minutes'",
                "paid_at": f"CASE WHEN {not_paid} THEN NULL ELSE t.placed + interval '3 minutes' END",
                "ship_name": "'收件人' || (i %% 50000)",
                "ship_phone": "'139' || lpad((i %% 100000000)::text, 8, '0')",
                "ship_province": f"({_array(PROVINCES)})[1 + (i * 31) %% {len(PROVINCES)}]",
                "ship_city": "'市'",
                "ship_district": "'区'",
                "ship_detail": "'某路' || (i %% 999) || '号'",
                "is_abnormal": "i %% 500 = 0",
                "priority_at": f"CASE WHEN {not_paid} THEN NULL ELSE t.placed + interval '3 minutes' END",
            },
            """FROM generate_series(%s, %s) i
            CROSS JOIN LATERAL (SELECT now() - (i * 31.5 || ' seconds')::interval AS placed,
                (10 + (i * 37) %% 2000)::numeric(14, 2) + 0.9 AS amount,
                CASE WHEN i < 60 THEN 'pending_payment' WHEN i < 2000 THEN 'paid' WHEN i < 3000 THEN 'allocated'
                     WHEN i < 4000 THEN 'picking' WHEN i < 25000 THEN 'shipped' WHEN i < 40000 THEN 'delivered'
                     WHEN i %% 20 = 0 THEN 'cancelled' WHEN i %% 33 = 0 THEN 'closed'
                     ELSE 'completed' END AS status) t""",
            [have + 1, n],
        )
        cursor.execute("ANALYZE orders_order")
    print(f"generated orders {have + 1:,}..{n:,} in {time.perf_counter() - started:.1f} s")


class PeakRss:
    """Peak resident memory above the level at the start, sampled by a thread."""

    def __enter__(self):
        self.start = self.peak = self.rss()
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def rss(self):
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE_SIZE

    def sample(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def growth_mb(self):
        return (self.peak - self.start) / 2**20


def _request(user, **params):
    request = RequestFactory().get("/orders/", params)
    request.user = user
    request.LANGUAGE_CODE = "zh-hans"
    return request


def bench_orders(n, only_csv=False):
    from orders.lists import OrderList
    from shop import exports, progress

    owner, _created = get_user_model().objects.get_or_create(
        username="bench_owner", defaults={"is_superuser": True, "is_staff": True}
    )
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {n:,} orders")
    print(f"{'case':58} {'rows':>10} {'s':>7} {'rows/s':>9} {'+MB':>6}")

    def report(label, rows, seconds, memory):
        print(f"{label:58} {rows:10,} {seconds:7.2f} {rows / seconds:9,.0f} {memory.growth_mb:6.1f}")

    formats = (("csv", {}), ("xlsx", {"total_max": "210"} if n > 100_000 else {}))
    for fmt, params in formats[:1] if only_csv else formats:
        run = progress.start(kind=exports.KIND, label="bench", user=owner)
        job = exports.ExportJob(run.pk)
        with PeakRss() as memory:
            started = time.perf_counter()
            job.write(OrderList(_request(owner, **params)), fmt)
            seconds = time.perf_counter() - started
        size = os.path.getsize(Path(exports.default_storage.path(job.stored)))
        report(
            f"background {fmt.upper()} to a file ({size / 2**20:.0f} MB){' ' + str(params) if params else ''}",
            job.rows,
            seconds,
            memory,
        )
        exports.default_storage.delete(job.stored)
    if only_csv:
        return
    with PeakRss() as memory:
        started = time.perf_counter()
        rows = -1
        for chunk in OrderList(_request(owner)).csv_response().streaming_content:
            rows += chunk.count(b"\n")
        seconds = time.perf_counter() - started
    report("streamed CSV response (the download at once)", rows, seconds, memory)
    slow = OrderList(_request(owner))
    slow_rows = slow.results[:100_000]
    readers = slow.export_readers()
    with PeakRss() as memory:
        started = time.perf_counter()
        count = sum(1 for row in slow_rows.iterator(chunk_size=2000) if [exports._csv_cell(r(row)) for r in readers])
        seconds = time.perf_counter() - started
    report("before: model instances + column readers (100,000 rows)", count, seconds, memory)
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


# -- the demo store's lists ------------------------------------------------------------------------------
DEMO_PAGES = ["/orders/", "/catalog/", "/inventory/", "/payments/", "/customers/", "/settings/audit/"]


def demo():
    def fetch(client, url, fmt):
        response = client.get(url, {"export": fmt})
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, (url, response.status_code)
        return body

    client = Client()
    client.force_login(get_user_model().objects.get(username="owner"))
    print(f"{'page':<20}{'format':<8}{'bytes':>10}{'rows':>8}{'median ms':>11}")
    for url in DEMO_PAGES:
        for fmt in ("csv", "xlsx"):
            body = fetch(client, url, fmt)
            times = []
            for _ in range(5):
                start = time.perf_counter()
                fetch(client, url, fmt)
                times.append((time.perf_counter() - start) * 1000)
            rows = body.count(b"\n") - 1 if fmt == "csv" else "-"
            print(f"{url:<20}{fmt:<8}{len(body):>10}{rows:>8}{statistics.median(times):>11.0f}")


if __name__ == "__main__":
    if sys.argv[1:] == ["demo"]:
        demo()
    else:
        from django.core.management import call_command

        N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
        call_command("migrate", verbosity=0)
        generate(N)
        bench_orders(N, only_csv="csv" in sys.argv[2:])
