"""Order intake over HTTP (DESIGN §11: ≥ 400 orders/s, p95 < 100 ms with 16 clients, spread SKUs).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench_intake \
        .venv/bin/python bench/orders_intake.py [ORDERS] [WORKERS]

Sets up 2,000 published SKUs with stock (once), starts gunicorn (sync workers, default 2) on a free
port with tasks in-process, then 16 client threads with keep-alive connections POST /api/v1/orders,
each order 1–3 random SKUs. Prints orders/s, p50/p95/p99 latency and the status codes. Prints figures;
never fails on them.
"""

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["REDIS_URL"] = ""

import django  # noqa: E402

django.setup()

from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402

ORDERS = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
CLIENTS = 16
SKUS = 2000


def setup() -> str:
    from catalog.models import Category, Product, Sku
    from inventory.models import Warehouse
    from inventory.services import stock_receive
    from shop.services import apikey_create

    call_command("migrate", verbosity=0)
    if not Sku.objects.filter(code__startswith="BENCH-").exists():
        root = Category.objects.add_root({"name": "压测"})
        warehouse, _c = Warehouse.objects.get_or_create(code="BENCH", defaults={"name": "压测仓", "priority": 1})
        for i in range(SKUS):
            product = Product.objects.create(
                code=f"BENCH-P{i}", name=f"压测商品 {i}", category=root, status=Product.Status.PUBLISHED
            )
            sku = Sku.objects.create(product=product, code=f"BENCH-{i}", price=Decimal("10.00") + i % 90)
            stock_receive(sku=sku, warehouse=warehouse, quantity=1_000_000, actor=None, reason="bench")
    _key, plain = apikey_create(actor=None, name=f"bench {time.time()}", scopes=["orders:write"])
    return plain


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(port, key, count, latencies, statuses, lock, seed):
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for n in range(count):
        lines = [
            {"sku": f"BENCH-{rnd.randrange(SKUS)}", "quantity": rnd.randint(1, 3)} for _line in range(rnd.randint(1, 3))
        ]
        body = json.dumps(
            {
                "external_id": f"bench-{seed}-{n}-{time.time_ns()}",
                "customer": {"phone": f"139{rnd.randrange(10**8):08d}", "name": "压测"},
                "shipping_address": {
                    "name": "压测",
                    "phone": "13900000000",
                    "province": "上海市",
                    "city": "上海市",
                    "district": "静安区",
                    "detail": "南京西路 1266 号",
                },
                "lines": lines,
                "payment_method": "alipay",
            }
        )
        start = time.perf_counter()
        conn.request(
            "POST", "/api/v1/orders", body, {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        )
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)
            statuses[response.status] = statuses.get(response.status, 0) + 1


def main():
    key = setup()
    from payments.gateways import PROVIDERS

    port = free_port()
    env = dict(
        os.environ,
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 40,
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="600",
        REDIS_URL="",
        # DEBUG is off: every provider needs a real-looking callback secret (payments.E001)
        **{f"PAYMENT_SECRET_{code.upper()}": f"bench-{code}-callback-secret" for code in PROVIDERS},
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "shop.wsgi",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _i in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        latencies, statuses, lock = [], {}, threading.Lock()
        # warm-up: each worker imports and connects
        client(port, key, 20, [], {}, lock, seed=999)
        threads = [
            threading.Thread(target=client, args=(port, key, ORDERS // CLIENTS, latencies, statuses, lock, i))
            for i in range(CLIENTS)
        ]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    q = statistics.quantiles(latencies, n=100)
    print(
        f"orders: {len(latencies)} in {wall:.1f} s -> {len(latencies) / wall:.0f} orders/s "
        f"({CLIENTS} clients, gunicorn {WORKERS} sync workers, {os.cpu_count()} cores)"
    )
    print(f"latency ms: p50 {q[49] * 1000:.0f}  p95 {q[94] * 1000:.0f}  p99 {q[98] * 1000:.0f}")
    print(f"status codes: {dict(sorted(statuses.items()))}")


if __name__ == "__main__":
    main()
