"""Benchmark: pricing a 20-line cart against 50 running promotions (DESIGN §11 goal: median ≤ 5 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench_pricing \\
        .venv/bin/python bench/marketing_pricing.py [RUNS]

(Without DATABASE_URL it uses the SQLite default.) Migrates, replaces the bench's own rows (SKUs BP-*,
the marketing tables), then times three things: `price_cart` as intake calls it (member tier, a coupon
code, every promotion loaded from the database), the same with the promotions loaded once beforehand
(the engine's own work), and the queries one pricing makes. Prints figures; never fails.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalog.models import Category, Product, Sku  # noqa: E402
from customers.models import Customer, MemberTier  # noqa: E402
from marketing.engine import load_promotions  # noqa: E402
from marketing.models import Activity, Coupon, CouponTemplate, MemberPrice, OrderPromotion, TimedDiscount  # noqa: E402
from marketing.pricing import price_cart, quote_promotions  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 300
LINES = 20


@transaction.atomic
def generate():
    for model in (OrderPromotion, Coupon, CouponTemplate, MemberPrice, TimedDiscount, Activity):
        model.objects.all().delete()
    Sku.objects.filter(code__startswith="BP-").delete()
    Product.objects.filter(code__startswith="BP-").delete()
    roots = [Category.add_root(name=f"基准分类{i}") for i in range(5)]
    products = [
        Product.objects.create(code=f"BP-P{i}", name=f"基准商品{i}", status="published", category=roots[i % 5])
        for i in range(LINES)
    ]
    skus = [
        Sku.objects.create(product=p, code=f"BP-{i:03d}", price=Decimal("19.90") + i * 7)
        for i, p in enumerate(products)
    ]
    now = timezone.now()
    window = {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=7)}
    for i in range(20):  # timed discounts: 10 on products, 10 on categories
        t = TimedDiscount.objects.create(
            name=f"限时{i}", percent_off=Decimal(5 + i), scope="products" if i < 10 else "categories", **window
        )
        if i < 10:
            t.products.set(products[i : i + 4])
        else:
            t.categories.set([roots[i % 5]])
    for i in range(25):  # 满减 and 满件折 with three tiers each, some on categories, some exclusive
        a = Activity.objects.create(
            name=f"活动{i}",
            mode="amount" if i % 2 else "quantity",
            tiers=[["100", "10"], ["300", "40"], ["600", "90"]] if i % 2 else [["3", "5"], ["10", "12"], ["30", "20"]],
            scope="categories" if i % 3 == 0 else "all",
            exclusive=i % 7 == 0,
            priority=i % 4,
            **window,
        )
        if i % 3 == 0:
            a.categories.set(roots[: 1 + i % 5])
        a.excluded_products.set(products[i % LINES : i % LINES + 1])
    for i in range(5):  # coupons (one of them is the cart's)
        CouponTemplate.objects.create(
            name=f"券{i}",
            type="percent" if i % 2 else "threshold",
            amount=None if i % 2 else Decimal("30"),
            min_spend=Decimal("0") if i % 2 else Decimal("200"),
            percent_off=Decimal("8") if i % 2 else None,
            cap=Decimal("50") if i % 2 else None,
            claim_code=f"BENCH{i}",
            valid_from=window["starts_at"],
            valid_until=window["ends_at"],
            per_customer_limit=100,
        )
    tier, _ = MemberTier.objects.get_or_create(name="基准金卡", defaults={"rank": 77, "discount_percent": Decimal("5")})
    for sku in skus[::2]:
        MemberPrice.objects.create(tier=tier, sku=sku, price=sku.price - 3)
    customer, _ = Customer.objects.get_or_create(phone="13912345678", defaults={"name": "基准顾客"})
    customer.tier = tier
    customer.save()
    return skus, customer


def timed(fn, runs=RUNS):
    timings = []
    for _run in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main():
    call_command("migrate", verbosity=0)
    skus, customer = generate()
    skus = list(Sku.objects.select_related("product").filter(code__startswith="BP-").order_by("code"))
    customer = Customer.objects.select_related("tier").get(pk=customer.pk)
    lines = [(sku, 1 + i % 3) for i, sku in enumerate(skus)]
    running = TimedDiscount.objects.count() + Activity.objects.count() + CouponTemplate.objects.count()

    def full():
        return price_cart(lines=lines, customer=customer, coupon_code="BENCH1")

    loaded = load_promotions(timezone.now())

    def engine_only():
        return quote_promotions(lines=lines, customer=customer, coupon_code="BENCH1", promotions=loaded)

    quote = full()
    with CaptureQueriesContext(connection) as queries:
        full()
    print(f"database: {connection.vendor}; {len(lines)} lines; {running} promotions + member prices for one tier")
    print(f"quote: subtotal {quote.subtotal} discount {quote.discount} total {quote.total}; ")
    print("  applied: " + ", ".join(f"{p.name} {p.amount}" for p in quote.applied))
    print(f"  refused: {len(quote.refused)}")
    print(f"queries per pricing: {len(queries)}")
    for label, fn in (("price_cart (loads promotions)", full), ("engine only (promotions loaded)", engine_only)):
        median, p95 = timed(fn)
        print(f"{label:34s} median {median:6.2f} ms   p95 {p95:6.2f} ms   ({RUNS} runs)")


if __name__ == "__main__":
    main()
