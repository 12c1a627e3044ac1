"""Benchmark: the customer list filtered by a saved segment, and the segment builder's live count, at 200,000 customers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench_segments \\
        /work/main/.venv/bin/python bench/customers_segments.py [N]

Generates N customers (default 200,000) with member figures (order count, spend, last order, RFM segment), four
member tiers, 20 tags (0–3 per customer), a default address each (a third also have a second one) — set-based
INSERT ... SELECT generate_series on PostgreSQL — then saves three segments (broad, mid, narrow) and times, through
the in-process test client as a logged-in owner (the whole view with rendering): the customer list with
`?segment=<id>` at page 1 and at a deep keyset page, and the live count endpoint. Prints median / p95, the SQL time
and the query count of each case. Not a pass/fail test.
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

from customers.models import Customer, CustomerTag, MemberTier, Segment  # noqa: E402
from customers.selectors import segment_customers  # noqa: E402
from customers.services import segment_save  # noqa: E402
from shop.keyset import encode_cursor  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
REQUESTS = 50
PROVINCES = ["广东省", "浙江", "上海", "北京市", "江苏省", "四川", "湖北", "山东", "河南", "福建", "湖南", "新疆"]
RFM = [
    "champion",
    "develop",
    "keep",
    "win_back",
    "general_value",
    "general_develop",
    "general_keep",
    "general_win_back",
]
SOURCES = ["web", "app", "mini_program", "offline", "import"]


def _array(values):
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


@transaction.atomic
def generate():
    if Customer.objects.filter(phone__startswith="187").count() >= N:
        return
    assert connection.vendor == "postgresql", "the generator uses generate_series: run it on PostgreSQL"
    started = time.perf_counter()
    for rank, (name, threshold) in enumerate([("普通", 0), ("银卡", 500), ("金卡", 2000), ("钻石", 8000)]):
        MemberTier.objects.get_or_create(name=f"压测{name}", defaults={"rank": 100 + rank, "threshold": threshold})
    for i in range(20):
        CustomerTag.objects.get_or_create(name=f"压测标签{i}")
    tiers = list(MemberTier.objects.filter(name__startswith="压测").order_by("rank").values_list("pk", flat=True))
    tags = list(CustomerTag.objects.filter(name__startswith="压测标签").order_by("pk").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        # Spend grows with (i * 37) % 5000; the 12-month share is a part of it; the last order is up to 2 years ago;
        # one customer in ten never ordered.
        cursor.execute(
            f"""
            INSERT INTO customers_customer (phone, name, email, gender, birthday, source, blacklisted,
                blacklist_reason, created_at, updated_at, tier_id, order_count, lifetime_spend, orders_12m, spend_12m,
                first_order_at, last_order_at, rfm_r, rfm_f, rfm_m, rfm_segment, points_balance)
            SELECT '187' || lpad(i::text, 8, '0'), '顾客' || i, '',
                   (ARRAY['unknown', 'male', 'female'])[1 + i % 3],
                   CASE WHEN i % 4 = 0 THEN NULL ELSE date '1970-01-01' + (i * 13) % 15000 END,
                   ({_array(SOURCES)})[1 + (i * 7) % 5], false, '',
                   now() - (i * 157 || ' seconds')::interval, now(),
                   CASE WHEN t.never THEN NULL ELSE (ARRAY[{",".join(map(str, tiers))}])[1 + (i * 11) % 4] END,
                   CASE WHEN t.never THEN 0 ELSE 1 + (i * 17) % 40 END,
                   CASE WHEN t.never THEN 0 ELSE t.spend END,
                   CASE WHEN t.never THEN 0 ELSE (i * 17) % 12 END,
                   CASE WHEN t.never THEN 0 ELSE round(t.spend * ((i % 10) / 10.0), 2) END,
                   CASE WHEN t.never THEN NULL ELSE now() - interval '800 days' END,
                   CASE WHEN t.never THEN NULL ELSE now() - ((i * 29) % 730 || ' days')::interval END,
                   CASE WHEN t.never THEN NULL ELSE 1 + i % 5 END,
                   CASE WHEN t.never THEN NULL ELSE 1 + (i / 5) % 5 END,
                   CASE WHEN t.never THEN NULL ELSE 1 + (i / 25) % 5 END,
                   CASE WHEN t.never THEN '' ELSE ({_array(RFM)})[1 + (i * 3) % 8] END, 0
            FROM generate_series(1, {N}) i
            CROSS JOIN LATERAL (SELECT i % 10 = 0 AS never, ((i * 37) % 5000 + 0.5)::numeric(14, 2) AS spend) t"""
        )
        cursor.execute("SELECT min(id) FROM customers_customer WHERE phone LIKE '187%'")
        lo = cursor.fetchone()[0]
        # 0–3 tags per customer: tag j of 3 is present when (i * (j + 3)) % 4 = 0
        cursor.execute(
            f"""
            INSERT INTO customers_customer_tags (customer_id, customertag_id)
            SELECT c.id, (ARRAY[{",".join(map(str, tags))}])[1 + (c.id * 7 + j * 5) % 20]
            FROM customers_customer c CROSS JOIN generate_series(0, 2) j
            WHERE c.phone LIKE '187%' AND (c.id * (j + 3)) % 4 = 0
            ON CONFLICT DO NOTHING"""
        )
        cursor.execute(
            f"""
            INSERT INTO customers_customeraddress (customer_id, name, phone, province, city, district, detail,
                postcode, is_default, created_at)
            SELECT c.id, c.name, c.phone, ({_array(PROVINCES)})[1 + (c.id * 5) % {len(PROVINCES)}], '市', '区',
                   '某路' || c.id % 999 || '号', '', true, now()
            FROM customers_customer c WHERE c.phone LIKE '187%'"""
        )
        cursor.execute(
            f"""
            INSERT INTO customers_customeraddress (customer_id, name, phone, province, city, district, detail,
                postcode, is_default, created_at)
            SELECT c.id, c.name, c.phone, ({_array(PROVINCES)})[1 + (c.id * 3) % {len(PROVINCES)}], '市', '区',
                   '公司' || c.id % 999 || '号', '', false, now()
            FROM customers_customer c WHERE c.phone LIKE '187%' AND c.id % 3 = 0"""
        )
        cursor.execute("ANALYZE")
    took = time.perf_counter() - started
    print(f"generated {N:,} customers (first id {lo}) with figures, tags and addresses in {took:.1f} s")


def segments():
    tiers = list(MemberTier.objects.filter(name__startswith="压测").order_by("rank").values_list("pk", flat=True))
    tags = list(CustomerTag.objects.filter(name__startswith="压测标签").order_by("pk").values_list("pk", flat=True))
    wanted = {
        "压测·广撒网 (12-month spend ≥ 500)": {"spend_12m": {"min": "500"}},
        "压测·金卡近 90 天 (tiers + last order + tag any)": {
            "tiers": tiers[2:],
            "last_order": {"mode": "within", "days": 90},
            "tags": {"match": "any", "ids": tags[:5]},
        },
        "压测·精准 (tags all + default-address province)": {
            "tags": {"match": "all", "ids": [tags[0], tags[5]]},
            "provinces": ["广东", "浙江"],
        },
    }
    made = []
    for name, rules in wanted.items():
        segment = Segment.objects.filter(name=name).first()
        started = time.perf_counter()
        segment = segment_save(actor=None, name=name, rules=rules, segment=segment)
        made.append((segment, (time.perf_counter() - started) * 1000))
    # What autovacuum does within a minute of a big insert: fresh statistics (the planner then starts narrow
    # segments from their members) and a visibility map (index-only probes of the customer key).
    with connection.cursor() as cursor:
        for table in ("customers_segmentmember", "customers_customer", "customers_customer_tags"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return made


def timed(client, method, url, params):
    times = []
    call = getattr(client, method)
    for _i in range(REQUESTS):
        started = time.perf_counter()
        response = call(url, params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        response = call(url, params)
    times.sort()
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    return statistics.median(times), times[int(len(times) * 0.95) - 1], sql_ms, len(queries)


def bench():
    owner, _created = get_user_model().objects.get_or_create(
        username="bench_owner", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(owner)
    made = segments()
    print(f"{'case':64} {'median ms':>9} {'p95 ms':>7} {'SQL ms':>7} {'queries':>7}")
    for segment, save_ms in made:
        members = segment.member_count
        print(
            f"-- {segment.name}: {members:,} members ({100 * members / N:.1f}%), saved and counted in {save_ms:.0f} ms"
        )
        rows = segment_customers(segment).order_by("-created_at", "-pk").values_list("created_at", "pk")
        deep = rows[members // 2] if members > 40 else None
        cases = {"customer list ?segment=, page 1 (20 rows)": {"segment": segment.pk}}
        cases["customer list ?segment=, page 1 (200 rows)"] = {"segment": segment.pk, "per_page": 200}
        cases["customer list ?segment= + source=app (counted)"] = {"segment": segment.pk, "source": "app"}
        if deep:
            cursor = encode_cursor([deep[0], deep[1]])
            cases[f"customer list ?segment=, deep page (member {members // 2:,})"] = {
                "segment": segment.pk,
                "after": cursor,
            }
        cases["segment member list, page 1 (newest first)"] = ("member", {})
        cases["segment member list, page 1 sorted by 12-month spend"] = ("member", {"o": "-spend_12m"})
        for label, params in cases.items():
            if isinstance(params, tuple):
                median, p95, sql_ms, queries = timed(client, "get", f"/customers/segments/{segment.pk}/", params[1])
            else:
                median, p95, sql_ms, queries = timed(client, "get", "/customers/", params)
            print(f"{label:64} {median:9.1f} {p95:7.1f} {sql_ms:7.1f} {queries:7}")
        form = _form_data(segment.rules)
        median, p95, sql_ms, queries = timed(client, "post", "/customers/segments/count/", form)
        print(f"{'live count (POST /customers/segments/count/)':64} {median:9.1f} {p95:7.1f} {sql_ms:7.1f} {queries:7}")
    median, p95, sql_ms, queries = timed(client, "get", "/customers/", {})
    print(f"{'customer list, no filter, page 1 (reference)':64} {median:9.1f} {p95:7.1f} {sql_ms:7.1f} {queries:7}")


def _form_data(rules):
    from customers.forms import rules_initial

    data = {"name": "", "tags_match": "any"}
    for key, value in rules_initial(rules).items():
        data[key] = value
    return data


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    generate()
    bench()
