"""The peer: django-oscar 4.2.1 loaded with the generated store's orders and products, measured like Houtai.

    python bench/oscar/run.py --source postgres://postgres@127.0.0.1:5432/houtai_bench [--runs 15]

Run with any interpreter: it makes its own virtual environment (OSCAR_VENV, default bench/.oscar-venv, with
django-oscar==4.2.1, sorl-thumbnail and psycopg from the package index) and re-runs itself inside it. There it
migrates a minimal oscar project (peer_settings.py, peer_urls.py: oscar's shop and dashboard) on OSCAR_DB
(default oscar_bench), copies from the source database (COPY ... TO STDOUT into COPY ... FROM STDIN, same ids,
counts and dates): customers as users, products with one stock record per SKU, orders with their shipping
address and lines — unless the same generated store was already loaded (table bench_loaded) — then times with
Django's test client as a logged-in staff user: the dashboard order list (page 1, the page holding row 99,980,
status + 31-day range, 5-digit number prefix), the dashboard index, the product list and the order CSV export
(31 days: oscar builds a whole export in memory — 18 GiB at a million orders — so the full one is not run).
Prints progress on stderr and one JSON line on stdout: {"oscar": version, "figures": {key: {median_ms, ...}}}.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = Path(os.environ.get("OSCAR_VENV", HERE.parent / ".oscar-venv"))
REQUIREMENTS = ["django-oscar==4.2.1", "sorl-thumbnail", "psycopg[binary]"]
DEEP_ROW, PER_PAGE = 99_980, 20


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    if not stamp.exists():
        log(f"oscar: creating {VENV}")
        subprocess.run(["python3.11", "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
        stamp.write_text(" ".join(REQUIREMENTS))
    return python


# -- loading: the same rows, copied across ------------------------------------------------------------------
COPIES = [
    (
        "auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, "
        "date_joined)",
        "SELECT id, '!', false, 'c' || id, left(name, 150), '', 'c' || id || '@example.com', false, true, created_at "
        "FROM customers_customer ORDER BY id",
    ),
    (
        "catalogue_product (id, structure, upc, title, slug, description, rating, date_created, date_updated, "
        "is_discountable, parent_id, product_class_id, is_public, meta_description, meta_title, priority, code)",
        "SELECT id, 'standalone', NULL, name, 'p-' || id, description, NULL, created_at, updated_at, true, NULL, 1, "
        "status = 'published', '', '', 0, NULL FROM catalog_product ORDER BY id",
    ),
    (
        "partner_stockrecord (id, partner_sku, price_currency, price, num_in_stock, num_allocated, "
        "low_stock_threshold, "
        "date_created, date_updated, partner_id, product_id)",
        "SELECT s.id, s.code, 'CNY', s.price, coalesce(k.on_hand, 0), 0, 10, now(), now(), 1, s.product_id "
        "FROM catalog_sku s LEFT JOIN inventory_skustock k ON k.sku_id = s.id ORDER BY s.id",
    ),
    (
        "order_shippingaddress (id, title, first_name, last_name, line1, line2, line3, line4, state, postcode, "
        "search_text, phone_number, notes, country_id, code)",
        "SELECT id, '', ship_name, '', ship_detail, '', '', ship_city, ship_province, ship_postcode, "
        "ship_name || ' ' || ship_detail || ' ' || ship_city || ' ' || ship_province, '+86' || ship_phone, '', 'CN', "
        "NULL FROM orders_order ORDER BY id",
    ),
    (
        "order_order (id, number, currency, total_incl_tax, total_excl_tax, shipping_incl_tax, shipping_excl_tax, "
        "shipping_method, shipping_code, status, guest_email, date_placed, basket_id, billing_address_id, "
        "shipping_address_id, site_id, user_id, shipping_tax_code, analytics_tracked)",
        "SELECT id, number, 'CNY', total, total, shipping_fee, shipping_fee, 'Standard', 'standard', status, '', "
        "placed_at, NULL, NULL, id, 1, customer_id, NULL, true FROM orders_order ORDER BY id",
    ),
    (
        "order_line (id, partner_name, partner_sku, partner_line_reference, partner_line_notes, title, upc, quantity, "
        "line_price_incl_tax, line_price_excl_tax, line_price_before_discounts_incl_tax, "
        "line_price_before_discounts_excl_tax, unit_price_incl_tax, unit_price_excl_tax, status, order_id, partner_id, "
        "product_id, stockrecord_id, tax_code, allocation_cancelled, num_allocated)",
        "SELECT l.id, '自营', l.sku_code, '', '', l.name, NULL, l.quantity, l.line_total, l.line_total, l.line_total, "
        "l.line_total, l.unit_price, l.unit_price, '', l.order_id, 1, s.product_id, l.sku_id, NULL, false, 0 "
        "FROM orders_orderline l JOIN catalog_sku s ON s.id = l.sku_id ORDER BY l.id",
    ),
]
OSCAR_TABLES = "order_line, order_order, order_shippingaddress, partner_stockrecord, catalogue_product, auth_user"


def load(source_url: str) -> dict:
    import psycopg
    from django.db import connection

    src = psycopg.connect(source_url)
    with src.cursor() as c:
        c.execute("SELECT orders, skus, customers, generated_at::text FROM bench_generated WHERE id = 1")
        marker = c.fetchone()
    if marker is None:
        sys.exit("the source has no generated store (python -m bench.generate)")
    stamp = "|".join(str(x) for x in marker)
    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_loaded (id int PRIMARY KEY, stamp text, seconds numeric)")
        c.execute("SELECT stamp FROM bench_loaded WHERE id = 1")
        done = c.fetchone()
    if done and done[0] == stamp:
        log("oscar: store already loaded")
        return {"orders": marker[0], "loaded": "before"}
    started = time.perf_counter()
    dst = psycopg.connect(
        f"postgresql://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
        f"{connection.settings_dict['PORT']}/{connection.settings_dict['NAME']}"
    )
    with dst.transaction(), dst.cursor() as d:
        d.execute("SET LOCAL synchronous_commit = off")
        d.execute(f"TRUNCATE {OSCAR_TABLES} RESTART IDENTITY CASCADE")
        d.execute(
            "INSERT INTO address_country VALUES ('CN', 'CHN', '156', 'China', 'China', 0, true) ON CONFLICT DO NOTHING"
        )
        d.execute(
            "INSERT INTO catalogue_productclass (id, name, slug, requires_shipping, track_stock) "
            "VALUES (1, 'Goods', 'goods', true, true) ON CONFLICT DO NOTHING"
        )
        d.execute("INSERT INTO partner_partner (id, code, name) VALUES (1, 'self', '自营') ON CONFLICT DO NOTHING")
        for target, query in COPIES:
            t = time.perf_counter()
            with src.cursor().copy(f"COPY ({query}) TO STDOUT") as out, d.copy(f"COPY {target} FROM STDIN") as inp:
                for block in out:
                    inp.write(block)
            log(f"oscar: {target.split(' ')[0]:<24} {time.perf_counter() - t:6.1f} s")
        for table in (
            "auth_user",
            "catalogue_product",
            "partner_stockrecord",
            "order_shippingaddress",
            "order_order",
            "order_line",
        ):
            d.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        d.execute(
            "INSERT INTO bench_loaded VALUES (1, %s, %s) ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp, "
            "seconds = EXCLUDED.seconds",
            [stamp, round(time.perf_counter() - started, 1)],
        )
    with dst.cursor() as d:
        dst.autocommit = True
        d.execute("ANALYZE")
    return {"orders": marker[0], "loaded": round(time.perf_counter() - started, 1)}


# -- measuring ---------------------------------------------------------------------------------------------------
def measure(runs: int, orders: int) -> dict:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from oscar.core.loading import get_model

    Order = get_model("order", "Order")
    staff, _ = get_user_model().objects.get_or_create(
        username="bench_staff", defaults={"is_staff": True, "is_superuser": True, "email": "staff@example.com"}
    )
    client = Client()
    client.force_login(staff)
    deep = min(DEEP_ROW, max(orders - PER_PAGE, 1))
    number = Order.objects.order_by("-date_placed", "-pk").values_list("number", flat=True)[orders // 3]
    month_ago = (timezone.localdate() - timedelta(days=31)).isoformat()
    cases = {
        "orders_page1": ("/dashboard/orders/", {}),
        "orders_deep": ("/dashboard/orders/", {"page": deep // PER_PAGE + 1}),
        "orders_filtered": ("/dashboard/orders/", {"status": "completed", "date_from": month_ago}),
        "orders_search": ("/dashboard/orders/", {"order_number": number[:5]}),
        "dashboard": ("/dashboard/", {}),
        "products_page1": ("/dashboard/catalogue/", {}),
        "csv": ("/dashboard/orders/", {"response_format": "csv", "date_from": month_ago}),
    }
    figures = {}
    for key, (url, params) in cases.items():
        case_runs = 0 if key == "csv" else runs  # the export (minutes) is timed once: the counted request
        if key != "csv":
            client.get(url, params)  # warm-up (the first request may reconnect, losing the count)
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        counted_ms = (time.perf_counter() - started) * 1000
        count = len(queries)  # now: the next request's request_started signal empties the log
        assert response.status_code == 200, (url, params, response.status_code)
        times = [] if case_runs else [counted_ms]
        for _ in range(case_runs):
            t = time.perf_counter()
            r = client.get(url, params)
            if r.streaming:
                b"".join(r.streaming_content)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        figures[key] = {
            "url": url,
            "params": params,
            "median_ms": statistics.median(times),
            "p95_ms": times[max(0, round(len(times) * 0.95 + 0.5) - 1)],
            "queries": count,
            "bytes": len(body),
        }
        log(f"oscar: {key:<16} {figures[key]['median_ms']:9.1f} ms  {count} queries")
    return figures


def inside(args):
    sys.path.insert(0, str(HERE))
    sys.path.insert(1, str(HERE.parent.parent))  # the project: bench.generate's create_database (stdlib + psycopg)
    from bench.generate import create_database

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    create_database(db["NAME"], host=db["HOST"], port=db["PORT"], user=db["USER"], password=db.get("PASSWORD"))
    call_command("migrate", verbosity=0)
    loaded = load(args.source)
    figures = measure(args.runs, loaded["orders"])
    import oscar

    print(json.dumps({"oscar": oscar.get_version(), "django": django.get_version(), **loaded, "figures": figures}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="the generated Houtai database (postgres://...)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        return inside(args)
    python = ensure_venv()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "VIRTUAL_ENV")}
    os.execve(str(python), [str(python), __file__, "--inside", "--source", args.source, "--runs", str(args.runs)], env)


if __name__ == "__main__":
    main()
