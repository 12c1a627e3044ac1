"""Payment benchmarks on PostgreSQL: signed callbacks and refunds against one hot payment.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench_pay \
        .venv/bin/python bench/payments_callbacks.py [ORDERS]

1. ORDERS orders awaiting payment are paid by signed callbacks (verify HMAC, lock the order, insert
   the payment, mark the order paid) from 16 threads: callbacks/s, p50/p99.
2. Every callback replayed once from 16 threads: replays/s (they must all be duplicates).
3. 32 threads request 1.00 refunds against one payment of 100.00 until it is used up: requests/s and
   the amount reserved (must be exactly 100.00).
Prints figures; never fails on them.
"""

import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("REDIS_URL", "")
os.environ.setdefault("CONN_MAX_AGE", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalog.models import Product, Sku  # noqa: E402
from customers.models import Customer  # noqa: E402
from orders.models import Order, OrderLine  # noqa: E402
from payments import services  # noqa: E402
from payments.gateways import SandboxGateway  # noqa: E402
from payments.models import Payment  # noqa: E402
from shop.errors import RuleRefused  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
THREADS = 16


def make_orders(n):
    product, _c = Product.objects.get_or_create(code="BENCH-PAY", defaults={"name": "压测商品"})
    sku, _c = Sku.objects.get_or_create(code="BENCH-PAY", defaults={"product": product, "price": Decimal("100")})
    customer, _c = Customer.objects.get_or_create(phone="13000000000", defaults={"name": "压测"})
    stamp = int(time.time())
    orders = Order.objects.bulk_create(
        [
            Order(
                number=f"B{stamp}{i:07d}",
                customer=customer,
                subtotal=Decimal("100.00"),
                total=Decimal("100.00"),
                payment_method="alipay",
                ship_name="压测",
                ship_phone="13000000000",
                ship_province="上海",
                ship_city="上海",
                ship_district="静安区",
                ship_detail="南京西路 1 号",
            )
            for i in range(n)
        ]
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                sku=sku,
                sku_code=sku.code,
                name="压测商品",
                quantity=1,
                unit_price=Decimal("100.00"),
                line_total=Decimal("100.00"),
            )
            for o in orders
        ]
    )
    return orders


def timed(call):
    start = time.perf_counter()
    try:
        return call(), time.perf_counter() - start
    finally:
        connection.close()


def report(label, results, wall):
    latencies = sorted(t for _r, t in results)
    p99 = latencies[int(len(latencies) * 0.99) - 1] if len(latencies) > 1 else latencies[0]
    print(
        f"{label}: {len(results)} in {wall:.2f} s = {len(results) / wall:.0f}/s, "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
    )


def main():
    call_command("migrate", verbosity=0)
    gateway = SandboxGateway("alipay")
    orders = make_orders(N)
    bodies = [
        gateway.simulate_payment(order_number=o.number, amount=o.total, transaction_id=f"BT{o.number}") for o in orders
    ]

    def callback(signed):
        return services.payment_callback_handle(provider="alipay", body=signed[0], signature=signed[1])

    with ThreadPoolExecutor(THREADS) as pool:
        start = time.perf_counter()
        results = list(pool.map(lambda s: timed(lambda: callback(s)), bodies))
        report(f"callbacks ({THREADS} threads)", results, time.perf_counter() - start)
        start = time.perf_counter()
        replays = list(pool.map(lambda s: timed(lambda: callback(s)), bodies))
        report(f"replays ({THREADS} threads)", replays, time.perf_counter() - start)
    print(
        f"  payments created {sum(r.created for r, _t in results)}, replays with an effect "
        f"{sum(r.created for r, _t in replays)}"
    )

    payment = Payment.objects.get(transaction_id=f"BT{orders[0].number}")

    def refund(_i):
        try:
            services.refund_request(payment=payment, actor=None, reason="bench", amount=Decimal("1.00"))
            return "ok"
        except RuleRefused:
            return "refused"

    with ThreadPoolExecutor(32) as pool:
        start = time.perf_counter()
        results = list(pool.map(lambda i: timed(lambda: refund(i)), range(150)))
        report("refund requests on one payment (32 threads)", results, time.perf_counter() - start)
    payment.refresh_from_db()
    accepted = sum(r == "ok" for r, _t in results)
    print(
        f"  accepted {accepted}, refused {len(results) - accepted}, "
        f"reserved {payment.refund_reserved} of {payment.amount}"
    )
    print(f"  measured {timezone.now():%Y-%m-%d %H:%M} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
