"""Benchmark: the product list over 100,000 products / 300,000 SKUs, and a 10,000-row import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench .venv/bin/python bench/catalog_list.py [N]

Generates the data with set-based INSERT ... SELECT generate_series (PostgreSQL) when it is not there,
then times the list page (in-process test client, a logged-in owner) and prints median / p95 and
the query count of each case. Not a pass/fail test.
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

from catalog import services  # noqa: E402
from catalog.models import Category, Product  # noqa: E402
from catalog.transfer import COLUMNS, write_rows  # noqa: E402
from shop import progress  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
SKUS_PER_PRODUCT = 3
REQUESTS = 50
ADJECTIVES = ["纯棉", "轻薄", "加厚", "复古", "简约", "商务", "运动", "儿童", "无线", "便携", "有机", "手工"]
NOUNS = [
    "T恤",
    "衬衫",
    "夹克",
    "连衣裙",
    "耳机",
    "充电宝",
    "手机壳",
    "茶叶",
    "坚果",
    "大米",
    "四件套",
    "炒锅",
    "收纳箱",
    "台灯",
    "保温杯",
    "背包",
]


@transaction.atomic
def generate():
    """Categories through treebeard (10 x 10 x 5), then products and SKUs in three statements."""
    if Product.objects.filter(code__startswith="B").count() >= N:
        return
    assert connection.vendor == "postgresql", "the generator uses generate_series: run it on PostgreSQL"
    started = time.perf_counter()
    tree = Category.objects
    leaves = []
    for r in range(10):
        root = tree.add_root({"name": f"一级{r}"})
        for c in range(10):
            child = tree.add_child(root, {"name": f"二级{r}-{c}"})
            leaves += [tree.add_child(child, {"name": f"三级{r}-{c}-{leaf}"}).pk for leaf in range(5)]
    adjectives = "ARRAY[" + ",".join(f"'{a}'" for a in ADJECTIVES) + "]"
    nouns = "ARRAY[" + ",".join(f"'{n}'" for n in NOUNS) + "]"
    leaf_array = "ARRAY[" + ",".join(map(str, leaves)) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO catalog_product (code, name, subtitle, description, category_id, keywords, weight_g,
                length_mm, width_mm, height_mm, no_reason_returns, exchange_only, status, schedule_reason,
                created_at, updated_at, published_at)
            SELECT 'B' || lpad(i::text, 7, '0'),
                   ({adjectives})[1 + i %% {len(ADJECTIVES)}] || ({nouns})[1 + (i / 7) %% {len(NOUNS)}] || ' ' || i,
                   '', '<p>bench</p>', ({leaf_array})[1 + (i * 7919) %% {len(leaves)}],
                   ({nouns})[1 + (i / 7) %% {len(NOUNS)}] || ' 关键词' || (i %% 1000), 300, 0, 0, 0, true, false,
                   CASE WHEN i %% 5 = 0 THEN 'draft' ELSE 'published' END, '',
                   now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval, now()
            FROM generate_series(1, %s) AS i""",
            [N],
        )
        cursor.execute(f"""
            INSERT INTO catalog_sku (product_id, code, barcode, price, weight_g, options, position, is_active)
            SELECT p.id, p.code || '-' || j, '69' || lpad((p.id * {SKUS_PER_PRODUCT} + j)::text, 11, '0'),
                   (10 + (p.id * 37 + j * 11) % 990)::numeric(14, 2), 300, '', j, true
            FROM catalog_product p CROSS JOIN generate_series(1, {SKUS_PER_PRODUCT}) AS j
            WHERE p.code LIKE 'B%'""")
        cursor.execute("""
            UPDATE catalog_product p SET price_min = s.lo, price_max = s.hi
            FROM (SELECT product_id, min(price) lo, max(price) hi FROM catalog_sku GROUP BY product_id) s
            WHERE s.product_id = p.id""")
        cursor.execute("ANALYZE")
    print(f"generated {N:,} products, {N * SKUS_PER_PRODUCT:,} SKUs in {time.perf_counter() - started:.1f} s")


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
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def bench_list():
    owner, _created = get_user_model().objects.get_or_create(
        username="bench_owner", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(owner)
    subtree = Category.objects.get(name="一级3")
    cases = {
        "page 1, no filter": {},
        "page 200 (OFFSET 3,980)": {"page": 200},
        "category subtree (10%)": {"category": subtree.pk},
        "category subtree + search 'T恤'": {"category": subtree.pk, "q": "T恤"},
        "search by SKU code": {"q": "B0012345-2"},
        "status + price range, sort by price": {
            "status": "published",
            "price_from": "100",
            "price_to": "300",
            "o": "price_min",
        },
    }
    print(f"{'case':40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, params in cases.items():
        median, p95, queries = timed(client, "/catalog/", params)
        print(f"{label:40} {median:10.1f} {p95:8.1f} {queries:8}")


def bench_import(rows=10_000, prefix="IMP"):
    owner = get_user_model().objects.get(username="bench_owner")
    data = write_rows(
        (
            {
                **dict.fromkeys(COLUMNS, ""),
                "product_code": f"{prefix}{i // 2:06d}",
                "name": f"导入商品 {i // 2}",
                "sku_code": f"{prefix}{i:07d}",
                "price": f"{10 + i % 500}.90",
                "options": "",
            }
            for i in range(rows)
        ),
        "csv",
    )
    kind = "updates existing" if Product.objects.filter(code__startswith=prefix).exists() else "creates new"
    run = progress.start(kind="bench", label="bench import", user=owner)
    started = time.perf_counter()
    run = services.products_import(actor=owner, run_id=run.pk, data=data, filename="bench.csv")
    elapsed = time.perf_counter() - started
    print(f"import {rows:,} rows ({rows // 2:,} products, {kind}): {elapsed:.1f} s, {run.state}, {run.result}")


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    generate()
    bench_list()
    bench_import()
