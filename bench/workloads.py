"""Every workload of `python -m bench`, over the store bench.generate made (see bench/runner.py to add one)."""

from __future__ import annotations

import http.client
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal

from bench.runner import ROOT, row, workload

DEEP_ROW = 99_980  # oscar's page 5000 at 20 a page
PER_PAGE = 20


def _deep_row(ctx) -> int:
    return min(DEEP_ROW, max(ctx.size["orders"] - PER_PAGE, 0))


# -- the order list: page 1, deep, each filter, each search ------------------------------------------------
@workload("orders_list", group="lists")
def orders_list(ctx):
    from django.utils import timezone

    from orders.models import Order

    ordered = Order.objects.order_by("-placed_at", "-pk")
    deep = ordered.values_list("placed_at", "pk")[_deep_row(ctx) - 1]
    sample = ordered.values_list("number", "ship_phone", "pk")[ctx.size["orders"] // 3]
    month_ago = (timezone.localdate() - timedelta(days=31)).isoformat()
    cases = [
        ("orders: page 1 (20 rows)", {}, "orders_page1"),
        ("orders: page 1, 200 rows", {"per_page": 200}, None),
        (
            f"orders: keyset page at row {_deep_row(ctx):,}",
            {"after": f"{deep[0].isoformat()}|{deep[1]}"},
            "orders_deep",
        ),
        ("orders: status=paid", {"status": "paid"}, None),
        (
            "orders: status=completed + 31-day range",
            {"status": "completed", "placed_from": month_ago},
            "orders_filtered",
        ),
        ("orders: province + payment method", {"province": "广东", "payment_method": "wechat"}, None),
        ("orders: amount 100–200", {"total_min": "100", "total_max": "200"}, None),
        ("orders: abnormal only", {"abnormal": "true"}, None),
        ("orders: sort by total, deep keyset", {"o": "-total", "after": "100.00|1"}, None),
        ("orders: number prefix, 5 digits", {"q": sample[0][:5]}, "orders_search"),
        ("orders: number prefix, 12 digits", {"q": sample[0][:12]}, None),
        ("orders: full number", {"q": sample[0]}, None),
        ("orders: recipient phone", {"q": sample[1]}, None),
        ("orders: tracking number", {"q": "SF" + str(sample[2]).rjust(12, "0")}, None),
    ]
    rows = []
    for label, params, oscar in cases:
        median, p95, queries = ctx.time_get("/orders/", params)
        rows.append(row(label, median, p95, queries, goal_ms=20, oscar=oscar))
    return rows


# -- the other list pages at scale -------------------------------------------------------------------------
@workload("other_lists", group="lists")
def other_lists(ctx):
    from catalog.models import Product

    code = Product.objects.order_by("pk").values_list("code", flat=True)[ctx.size["skus"] // 6]
    pages = [
        ("products: page 1", "/catalog/", {}, "products_page1"),
        ("products: code search", "/catalog/", {"q": code}, None),
        ("stock: page 1", "/inventory/", {}, None),
        ("stock: low stock", "/inventory/low-stock/", {}, None),
        ("payments: page 1", "/payments/", {}, None),
        ("refunds: page 1", "/payments/refunds/", {}, None),
        ("customers: page 1", "/customers/", {}, None),
        ("customers: phone search", "/customers/", {"q": "18600000123"}, None),
        ("audit log: page 1", "/settings/audit/", {}, None),
    ]
    rows = []
    for label, url, params, oscar in pages:
        if ctx.client.get(url, params).status_code == 404:
            continue
        median, p95, queries = ctx.time_get(url, params)
        rows.append(row(label, median, p95, queries, goal_ms=20, oscar=oscar))
    return rows


# -- dashboard and reports ------------------------------------------------------------------------------------
@workload("dashboard", group="dashboard")
def dashboard(ctx):
    """The dashboard for each period: as the owner with its one-minute cache (what staff meet all day) and with
    the cache off (the first request of the minute), and as warehouse staff (work queues, no money)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.test import Client, override_settings

    from reports.dashboard import PERIODS

    rows = []
    for key, _label in PERIODS:
        params = {"period": key}
        with override_settings(DASHBOARD_CACHE_SECONDS=60):
            cache.clear()
            median, p95, queries = ctx.time_get("/", params)
        peer = "dashboard" if key == "today" else None  # oscar's dashboard index shows today
        rows.append(row(f"dashboard: {key}, cached a minute", median, p95, queries, goal_ms=25, oscar=peer))
        median, p95, queries = ctx.time_get("/", params)
        rows.append(row(f"dashboard: {key}, uncached", median, p95, queries, goal_ms=25, oscar=peer))
    warehouse, _ = get_user_model().objects.get_or_create(username="bench_warehouse", defaults={"is_staff": True})
    warehouse.groups.set(Group.objects.filter(name="warehouse"))
    other = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    other.force_login(warehouse)
    main, ctx.client = ctx.client, other
    try:
        median, p95, queries = ctx.time_get("/")
    finally:
        ctx.client = main
    rows.append(row("dashboard: today, warehouse staff, uncached", median, p95, queries, goal_ms=25))
    return rows


def _report_classes():
    """Every report page (reports.framework.Report subclasses routed in reports/urls.py), by slug."""
    from reports.framework import Report
    from reports.urls import urlpatterns

    found = {}
    for pattern in urlpatterns:
        view = getattr(pattern.callback, "report_class", None)  # Report.as_view marks its view
        if view and issubclass(view, Report) and view.slug:
            found[view.slug] = view
    assert found, "no report routed in reports/urls.py"
    return found


@workload("reports", group="dashboard")
def reports(ctx):
    """Every report over the last 30 and 365 days, as the owner: the whole view with its rendering (median of 5)."""
    rows, runs = [], min(ctx.runs, 5)  # a year's report can take seconds: 5 requests a case
    for slug in _report_classes():
        for preset in ("30d", "365d"):
            median, p95, queries = ctx.time_get(f"/reports/{slug}/", {"preset": preset}, runs=runs)
            rows.append(row(f"report {slug}: {preset}", median, p95, queries, goal_ms=50))
    return rows


# -- exports: rows/s and peak memory ---------------------------------------------------------------------------
def _export(ctx, url, params):
    """(ms, rows, bytes, MB of peak RSS growth) of an export as staff get it: a small one streams in the response;
    a big one (over EXPORT_SYNC_ROWS) runs as a background job — in-process here, inside the request that starts
    it, which then redirects to the run's page — and its file is read back."""
    from shop.exports import KIND
    from shop.models import JobRun

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    latest = JobRun.objects.filter(kind=KIND).order_by("-pk").values_list("pk", flat=True).first() or 0
    started = time.perf_counter()
    response = ctx.client.get(url, params)
    size = rows = 0
    if response.status_code == 302:
        run = JobRun.objects.filter(kind=KIND, pk__gt=latest).order_by("-pk").first()
        assert run is not None and run.state == JobRun.State.DONE and run.output, (url, params, run and run.state)
        size, rows = run.output.size, run.done + 1  # the run counts its rows (the header aside)
    elif response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
            rows += chunk.count(b"\n")
    else:
        size, rows = len(response.content), response.content.count(b"\n")
    elapsed = (time.perf_counter() - started) * 1000
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert response.status_code in (200, 302), (url, response.status_code)
    return elapsed, rows - 1, size, grown


@workload("exports", group="exports")
def exports(ctx):
    from django.utils import timezone

    month_ago = (timezone.localdate() - timedelta(days=31)).isoformat()
    rows = []
    cases = [
        ("CSV export: all orders", "/orders/", {"export": "csv"}, "8 s, ≤ 60 MB", 8000, None),
        ("CSV export: 31 days of orders", "/orders/", {"export": "csv", "placed_from": month_ago}, "", None, "csv"),
        ("XLSX export: 31 days of orders", "/orders/", {"export": "xlsx", "placed_from": month_ago}, "", None, None),
        ("CSV export: all products", "/catalog/", {"export": "csv"}, "", None, None),
    ]
    if os.environ.get("BENCH_EXPORT_ALL", "1") == "0":  # the full export takes minutes on a loaded machine
        cases = cases[1:]
    for label, url, params, goal, goal_ms, oscar in cases:
        elapsed, n, size, grown = _export(ctx, url, params)
        rate = n / (elapsed / 1000) if elapsed and n > 0 else 0
        met = (elapsed <= goal_ms and grown <= 60) if goal_ms else None
        rows.append(
            row(
                label,
                elapsed,
                elapsed,
                goal=goal and f"≤ {goal}",
                met=met,
                oscar=oscar,
                note=f"{n:,} rows, {rate:,.0f} rows/s, +{grown:.0f} MB peak RSS"
                if n > 0
                else f"{size:,} bytes, +{grown:.0f} MB",
            )
        )
    return rows


# -- the low-stock scan, pricing, RFM --------------------------------------------------------------------------
@workload("low_stock", group="inventory")
def low_stock(ctx):
    from inventory import selectors

    median, p95 = ctx.time(lambda: len(list(selectors.low_stock().values_list("pk", flat=True))), runs=ctx.runs + 6)
    return [row(f"low-stock scan over {ctx.size['skus']:,} SKUs", median, p95, 1, goal_ms=5)]


def _pricing_setup():
    """20 SKUs, 50 running promotions, member prices and a coupon — made once, beside the generated store."""
    from catalog.models import Category, Product, Sku
    from customers.models import Customer, MemberTier
    from marketing.models import Activity, CouponTemplate, MemberPrice, TimedDiscount

    if not Sku.objects.filter(code__startswith="BP-").exists():
        roots = [Category.objects.add_root({"name": f"基准分类{i}"}) for i in range(5)]
        products = [
            Product.objects.create(code=f"BP-P{i}", name=f"基准商品{i}", status="published", category=roots[i % 5])
            for i in range(20)
        ]
        for i, p in enumerate(products):
            Sku.objects.create(product=p, code=f"BP-{i:03d}", price=Decimal("19.90") + i * 7)
        from django.utils import timezone

        now = timezone.now()
        window = {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=3650)}
        for i in range(20):
            t = TimedDiscount.objects.create(
                name=f"限时{i}", percent_off=Decimal(5 + i), scope="products" if i < 10 else "categories", **window
            )
            t.products.set(products[i : i + 4]) if i < 10 else t.categories.set([roots[i % 5]])
        for i in range(25):
            a = Activity.objects.create(
                name=f"活动{i}",
                mode="amount" if i % 2 else "quantity",
                tiers=[["100", "10"], ["300", "40"], ["600", "90"]]
                if i % 2
                else [["3", "5"], ["10", "12"], ["30", "20"]],
                scope="categories" if i % 3 == 0 else "all",
                exclusive=i % 7 == 0,
                priority=i % 4,
                **window,
            )
            if i % 3 == 0:
                a.categories.set(roots[: 1 + i % 5])
        for i in range(5):
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
        tier = MemberTier.objects.order_by("-rank").first()
        for sku in Sku.objects.filter(code__startswith="BP-").order_by("code")[::2]:
            MemberPrice.objects.create(tier=tier, sku=sku, price=sku.price - 3)
    skus = list(Sku.objects.select_related("product").filter(code__startswith="BP-").order_by("code"))
    customer = Customer.objects.select_related("tier").filter(tier__isnull=False).order_by("-tier__rank", "pk").first()
    return skus, customer


@workload("pricing", group="marketing")
def pricing(ctx):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from marketing.pricing import price_cart

    skus, customer = _pricing_setup()
    lines = [(sku, 1 + i % 3) for i, sku in enumerate(skus)]

    def full():
        return price_cart(lines=lines, customer=customer, coupon_code="BENCH1")

    full()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        full()
    median, p95 = ctx.time(full, runs=ctx.runs * 10)
    return [row("pricing: 20-line cart, 50 promotions", median, p95, len(queries), goal_ms=5)]


@workload("rfm", group="customers")
def rfm(ctx):
    """The recompute as the nightly job runs it: first over the store as generated (every customer's scores are
    new), then the next night (the 12-month window a day on), then with nothing changed."""
    from django.utils import timezone

    from customers.services import rfm_and_tiers_recompute

    label = f"RFM + tiers over {ctx.size['customers']:,} customers"
    rows, now = [], timezone.now()
    for case, at in (("", now), (", the next night", now + timedelta(days=1)), (", nothing changed", None)):
        started = time.perf_counter()
        result = rfm_and_tiers_recompute(now=at or now + timedelta(days=1))
        ms = (time.perf_counter() - started) * 1000
        note = f"{result['figures_updated']:,} updated" if at else ""
        rows.append(row(label + case, ms, ms, goal="≤ 10 s", met=ms <= 10_000, note=note))
    return rows


@workload("segments", group="customers")
def segments(ctx):
    """A saved segment over the generated customers (12-month spend and the top tiers): saving it (members
    counted), the customer list filtered by it, its member list, and the builder's live count."""
    from customers.forms import rules_initial
    from customers.models import MemberTier, Segment
    from customers.services import segment_save

    tiers = list(MemberTier.objects.order_by("-rank").values_list("pk", flat=True)[:2])
    rules = {"spend_12m": {"min": "300"}, "tiers": tiers}
    segment = Segment.objects.filter(name="基准·高价值").first()
    started = time.perf_counter()
    segment = segment_save(actor=None, name="基准·高价值", rules=rules, segment=segment)
    saved = (time.perf_counter() - started) * 1000
    rows = [row(f"segment saved and counted ({segment.member_count:,} members)", saved, saved, goal="—")]
    for label, url, params in [
        ("customers: ?segment=, page 1", "/customers/", {"segment": segment.pk}),
        ("segment members, by 12-month spend", f"/customers/segments/{segment.pk}/", {"o": "-spend_12m"}),
    ]:
        median, p95, queries = ctx.time_get(url, params)
        rows.append(row(label, median, p95, queries, goal_ms=20))
    form = {"name": "", "tags_match": "any", **rules_initial(rules)}
    median, p95 = ctx.time(lambda: ctx.client.post("/customers/segments/count/", form))
    rows.append(row("segment builder: live count", median, p95, goal_ms=50))
    return rows


@workload("recommendations", group="customers")
def recommendations(ctx):
    """The nightly 'bought together' recompute over every order line, then one customer's picks."""
    from customers.models import Customer
    from customers.selectors import customer_recommendations
    from customers.services import recommendations_recompute

    started = time.perf_counter()
    result = recommendations_recompute()
    took = (time.perf_counter() - started) * 1000
    customers = list(Customer.objects.filter(order_count__gt=2).order_by("pk")[:50])
    picks = iter(customers * (1 + ctx.runs // max(len(customers), 1)))
    median, p95 = ctx.time(lambda: customer_recommendations(next(picks)), runs=min(ctx.runs, len(customers)) or 1)
    return [
        row("recommendations recompute", took, took, goal="≤ 60 s", met=took <= 60_000,
            note=f"{result['pairs']:,} pairs for {result['products']:,} products"),
        row("one customer's recommendations", median, p95, goal_ms=20),
    ]  # fmt: skip


@workload("callbacks", group="payments", heavy=True)
def callbacks(ctx):
    """Signed payment callbacks for the store's unpaid orders from 16 threads, then the same callbacks again
    (replays must change nothing): callbacks/s and latency."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from bench.runner import median_p95
    from orders.models import Order
    from payments import services
    from payments.gateways import SandboxGateway

    gateway = SandboxGateway("alipay")
    orders = list(
        Order.objects.filter(status=Order.Status.PENDING_PAYMENT, payment_method="alipay").order_by("pk")[
            : max(ctx.runs * 20, 20)
        ]
    )
    if not orders:
        return [row("payment callbacks", None, None, note="no unpaid order left in the store")]
    bodies = [gateway.simulate_payment(order_number=o.number, amount=o.total) for o in orders]

    def handle(signed):
        started = time.perf_counter()
        try:
            return services.payment_callback_handle(provider="alipay", body=signed[0], signature=signed[1]), (
                time.perf_counter() - started
            ) * 1000
        finally:
            connection.close()

    rows = []
    for label in ("payment callbacks, 16 threads", "the same callbacks replayed"):
        with ThreadPoolExecutor(16) as pool:
            started = time.perf_counter()
            results = list(pool.map(handle, bodies))
            wall = time.perf_counter() - started
        median, p95 = median_p95([t for _r, t in results])
        effects = sum(bool(getattr(r, "created", False)) for r, _t in results)
        rows.append(row(label, median, p95, note=f"{len(results) / wall:.0f}/s; {effects} payments created"))
    return rows


# -- over HTTP: gunicorn ------------------------------------------------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn (sync workers) on a free loopback port, stopped on exit."""

    def __init__(self, workers=2, **env):
        self.port, self.workers, self.env = _free_port(), workers, env

    def __enter__(self):
        from django.conf import settings
        from django.db import connection

        from payments.gateways import PROVIDERS

        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = dict(
            os.environ,
            DEBUG="0",
            SECRET_KEY=settings.SECRET_KEY,  # so the in-process owner's session cookie holds
            SECURE_SSL_REDIRECT="false",
            SECURE_COOKIES="false",
            ALLOWED_HOSTS="127.0.0.1",
            CONN_MAX_AGE="600",
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="shop.settings",
            REDIS_URL=os.environ.get("REDIS_URL", ""),
            **self.env,
        )
        for code in PROVIDERS:  # DEBUG is off: every provider needs a real-looking callback secret (payments.E001)
            env.setdefault(f"PAYMENT_SECRET_{code.upper()}", f"bench-{code}-callback-secret")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "shop.wsgi",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def _http_clients(port, clients, per_client, make_request):
    """`clients` threads with keep-alive connections, each sending per_client requests; (latencies, statuses, wall)."""
    latencies, statuses, lock = [], {}, threading.Lock()

    def run(seed):
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for n in range(per_client):
            method, path, body, headers = make_request(rnd, seed, n)
            started = time.perf_counter()
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed * 1000)
                statuses[response.status] = statuses.get(response.status, 0) + 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, time.perf_counter() - started


@workload("http_lists", group="lists", heavy=True)
def http_lists(ctx):
    """The order list page 1 and the product list over gunicorn, one client (a logged-in owner's cookie)."""
    cookie = f"sessionid={ctx.client.cookies['sessionid'].value}"
    rows = []
    headers = {"Cookie": cookie, "Accept-Language": "zh-hans"}
    with Gunicorn() as server:
        for label, path in (("orders: page 1 over HTTP", "/orders/"), ("products: page 1 over HTTP", "/catalog/")):
            _http_clients(server.port, 1, 3, lambda rnd, s, n, p=path: ("GET", p, None, headers))
            latencies, statuses, _ = _http_clients(
                server.port, 1, ctx.runs, lambda rnd, s, n, p=path: ("GET", p, None, headers)
            )
            from bench.runner import median_p95

            median, p95 = median_p95(latencies)
            rows.append(row(label, median, p95, goal_ms=20, note=f"status {dict(statuses)}"))
    return rows


@workload("intake", group="orders", heavy=True)
def intake(ctx):
    """POST /api/v1/orders from 16 clients over gunicorn (2 sync workers), 1–3 lines on well-stocked SKUs."""
    from catalog.models import Sku
    from shop.services import apikey_create

    codes = list(
        Sku.objects.filter(product__status="published", stock_rollup__available__gte=200)
        .order_by("pk")
        .values_list("code", flat=True)[:2000]
    )
    _key, plain = apikey_create(actor=None, name=f"bench {time.time()}", scopes=["orders:write"])
    clients, per_client = 16, int(os.environ.get("BENCH_INTAKE_PER_CLIENT", max(2, ctx.runs * 4)))

    def order(rnd, seed, n):
        lines = [{"sku": rnd.choice(codes), "quantity": 1} for _ in range(rnd.randint(1, 3))]
        body = json.dumps(
            {
                "external_id": f"bench-intake-{seed}-{n}-{time.time_ns()}",
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
        return "POST", "/api/v1/orders", body, {"Authorization": f"Bearer {plain}", "Content-Type": "application/json"}

    with Gunicorn() as server:
        _http_clients(server.port, 2, 5, order)  # warm-up
        latencies, statuses, wall = _http_clients(server.port, clients, per_client, order)
    from bench.runner import median_p95

    median, p95 = median_p95(latencies)
    rate = len(latencies) / wall
    return [
        row(
            "intake over HTTP, 16 clients",
            median,
            p95,
            goal="≥ 400 orders/s, p95 < 100 ms",
            met=rate >= 400 and p95 < 100,
            note=f"{rate:.0f} orders/s, status {dict(sorted(statuses.items()))}",
            rate=rate,
        )
    ]


@workload("reserve", group="inventory", heavy=True)
def reserve(ctx):
    """Hot-SKU reservation (32 forked buyers through stock_reserve) beside pgbench's lock+UPDATE+INSERT."""
    import multiprocessing

    from django.db import connections

    from bench import inventory_reserve as ir

    ir.RUNS = int(os.environ.get("BENCH_RESERVE_RUNS", 20 if ctx.runs >= 15 else 2))
    sku, warehouse = ir.setup_hot_sku()
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(ir.CLIENTS) as pool:
        runs = [ir.reserve_run(pool, sku, warehouse) for _ in range(ir.RUNS)]
    tps_line, _latency = ir.pgbench(sku, warehouse)
    try:
        sql_tps = float(tps_line.split("=")[1].split()[0])
    except (IndexError, ValueError):
        sql_tps = None
    tps = statistics.median(r["tps"] for r in runs)
    p99 = max(r["p99"] for r in runs)
    oversold = sum(r["oversold"] > 0 for r in runs)
    share = tps / sql_tps if sql_tps else None
    return [
        row(
            "hot-SKU reservation, 32 processes",
            statistics.median(r["p50"] for r in runs),
            p99,
            goal="≥ 70% of pgbench, p99 < 60 ms, 0 oversold",
            met=bool(share and share >= 0.7 and p99 < 60 and not oversold),
            note=f"{tps:.0f}/s = {share:.0%} of pgbench {sql_tps:.0f} TPS; oversold in {oversold} of {len(runs)} "
            "runs; p95 column = worst p99"
            if share
            else f"{tps:.0f}/s; pgbench: {tps_line[:80]}",
        )
    ]


@workload("flash", group="marketing", heavy=True)
def flash(ctx):
    """A flash sale over gunicorn: buyers race for the units (bench/marketing_flash.py's setup and checks)."""
    from django.db.models import Sum

    argv, sys.argv = sys.argv, sys.argv[:1]  # the script reads its options from the command line on import
    try:
        from bench import marketing_flash as mf
    finally:
        sys.argv = argv
    from marketing.models import FlashSaleItem
    from orders.models import Order, OrderLine

    mode = "redis" if os.environ.get("REDIS_URL") else "database"
    full = ctx.size["orders"] >= 100_000
    mf.UNITS = int(os.environ.get("BENCH_FLASH_UNITS", 500 if full else 20))
    buyers = int(os.environ.get("BENCH_FLASH_BUYERS", 10_000 if full else 200))
    key, session, item, sku = mf.setup()
    with Gunicorn(FLASH_SALE_GATE=mode) as server:
        lock = threading.Lock()
        latencies, statuses = [], {}
        threads = [
            threading.Thread(
                target=mf.client,
                args=(server.port, key, range(i, buyers, 32), session.pk, sku.code, latencies, statuses, lock),
            )
            for i in range(32)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    item = FlashSaleItem.objects.get(pk=item.pk)
    sold = OrderLine.objects.filter(order__flash_sale_id=session.pk).aggregate(n=Sum("quantity"))["n"] or 0
    orders = Order.objects.filter(flash_sale_id=session.pk).count()
    from bench.runner import median_p95

    median, p95 = median_p95([t * 1000 for t in latencies])  # mf.client records seconds
    rate = len(latencies) / wall
    return [
        row(
            f"flash sale: {buyers:,} buyers, {mf.UNITS} units ({mode} gate)",
            median,
            p95,
            goal=f"exactly {mf.UNITS} sold; ≥ 2,000 req/s",
            met=sold == mf.UNITS and rate >= 2000,
            note=f"{rate:.0f} req/s, {orders} orders, {sold} sold",
        )
    ]
