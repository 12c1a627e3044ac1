"""A flash sale over HTTP (DESIGN §11: 10,000 buyers for 500 units -> exactly 500 sold; >= 2,000 requests/s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_flash REDIS_URL=redis://127.0.0.1:6379/8 \
        .venv/bin/python bench/marketing_flash.py [redis|database] [BUYERS] [UNITS] [WORKERS] [CLIENTS]

Sets up one published SKU with stock and a running flash-sale session holding UNITS of it (limit 1 per
customer), starts gunicorn (sync workers) on a free port, then CLIENTS threads with keep-alive connections
POST /api/v1/orders with `flash_sale_id`, one distinct buyer per request. `redis` puts the Lua gate in front
of the guarded UPDATE (FLASH_SALE_GATE=redis), `database` runs the guarded UPDATE alone. Checks afterwards:
orders placed, units taken, nothing oversold, stock reserved once per sold unit. Prints figures; never fails.
"""

import http.client
import json
import os
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
MODE = sys.argv[1] if len(sys.argv) > 1 else "redis"
BUYERS = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
UNITS = int(sys.argv[3]) if len(sys.argv) > 3 else 500
WORKERS = int(sys.argv[4]) if len(sys.argv) > 4 else 2
CLIENTS = int(sys.argv[5]) if len(sys.argv) > 5 else 32
REDIS_URL = os.environ.get("REDIS_URL", "") if MODE == "redis" else ""
os.environ["REDIS_URL"] = REDIS_URL
os.environ["FLASH_SALE_GATE"] = MODE

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402


def setup():
    from catalog.models import Product, Sku
    from inventory.models import Warehouse
    from inventory.services import stock_receive
    from marketing import flash
    from shop.services import apikey_create

    call_command("migrate", verbosity=0)
    stamp = time.time_ns()
    product = Product.objects.create(code=f"FLASH-P{stamp}", name="秒杀压测", status=Product.Status.PUBLISHED)
    sku = Sku.objects.create(product=product, code=f"FLASH-{stamp}", price=Decimal("99.00"))
    warehouse, _c = Warehouse.objects.get_or_create(code="BENCH", defaults={"name": "压测仓", "priority": 1})
    stock_receive(sku=sku, warehouse=warehouse, quantity=UNITS * 4, actor=None, reason="bench")
    now = timezone.now()
    session = flash.flash_session_save(
        actor=None, name=f"bench {stamp}", starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=2)
    )
    item = flash.flash_item_add(actor=None, session=session, sku=sku, sale_price="9.90", quantity=UNITS)
    _key, plain = apikey_create(actor=None, name=f"bench {stamp}", scopes=["orders:write"])
    return plain, session, item, sku


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(port, key, numbers, session_id, code, latencies, statuses, lock):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for n in numbers:
        body = json.dumps(
            {
                "external_id": f"flash-{session_id}-{n}",
                "customer": {"phone": f"138{n:08d}", "name": "抢购"},
                "shipping_address": {
                    "name": "抢购",
                    "phone": "13900000000",
                    "province": "上海市",
                    "city": "上海市",
                    "district": "静安区",
                    "detail": "南京西路 1266 号",
                },
                "lines": [{"sku": code, "quantity": 1}],
                "payment_method": "alipay",
                "flash_sale_id": session_id,
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
    from django.db.models import Sum

    from inventory.models import StockLevel
    from marketing.models import FlashSaleItem
    from orders.models import Order, OrderLine

    if MODE == "redis":
        if not REDIS_URL:
            sys.exit("redis mode needs REDIS_URL")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    key, session, item, sku = setup()
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
        REDIS_URL=REDIS_URL,
        FLASH_SALE_GATE=MODE,
        # DEBUG is off: every provider needs a real-looking callback secret (payments.E001)
        **{f"PAYMENT_SECRET_{code.upper()}": f"bench-{code}-callback-secret" for code in PROVIDERS},
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "shop.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}"]
        + ["--log-level", "warning"],
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
        lock = threading.Lock()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # warm-up: import, connect
        for _i in range(WORKERS * 4):
            conn.request("GET", "/api/v1/health")
            conn.getresponse().read()
        latencies, statuses = [], {}
        threads = [
            threading.Thread(
                target=client,
                args=(port, key, range(i, BUYERS, CLIENTS), session.pk, sku.code, latencies, statuses, lock),
            )
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
    item = FlashSaleItem.objects.get(pk=item.pk)
    orders = Order.objects.filter(flash_sale_id=session.pk)
    sold = OrderLine.objects.filter(order__in=orders).aggregate(n=Sum("quantity"))["n"] or 0
    level = StockLevel.objects.get(sku=sku)
    q = statistics.quantiles(latencies, n=100)
    print(
        f"mode {MODE}: {len(latencies)} buyers in {wall:.1f} s -> {len(latencies) / wall:.0f} requests/s "
        f"({CLIENTS} clients, gunicorn {WORKERS} sync workers, {os.cpu_count()} cores)"
    )
    print(f"latency ms: p50 {q[49] * 1000:.1f}  p95 {q[94] * 1000:.1f}  p99 {q[98] * 1000:.1f}")
    print(f"status codes: {dict(sorted(statuses.items()))}")
    print(
        f"units {UNITS}: orders {orders.count()}, units sold {sold}, remaining {item.remaining}, "
        f"oversold {max(0, sold - UNITS)}; stock on hand {level.on_hand}, reserved {level.reserved} "
        f"(= sold {sold} + held {item.remaining})"
    )


if __name__ == "__main__":
    main()
