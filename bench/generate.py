"""The one data generator every benchmark shares (PostgreSQL, set-based SQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench \\
        python -m bench.generate --orders 1000000 --skus 100000 --customers 200000

Fills the store with INSERT ... SELECT generate_series: member tiers and customers (points ledger equal to
balances), products and SKUs, three warehouses with stock (a ledger of receipts and of every order's reservation,
shipment and release summing to the levels; batches; the per-SKU rollup), and orders over the past year — skewed
product popularity (Zipf, P(k) ~ 1/k), skewed customers, weekday and hour-of-day seasonality with 6.18 and 11.11
peaks, every order state with consistent timestamps and a timeline (OrderEvent) explaining it, one captured payment
per paid order, refunds (after-sales, open requests, cancelled-after-payment), shipments, promotions used
(OrderPromotion rows). Ids are explicit, so the same size always gives the same store (setseed). The
`bench_generated` table records what was generated: a re-run with the same sizes does nothing; another size
truncates the generated tables and starts again.
`manage.py check_invariants` holds on the result.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from datetime import date, timedelta

SIZES = {
    "tiny": {"orders": 2_000, "skus": 300, "customers": 500},
    "small": {"orders": 100_000, "skus": 20_000, "customers": 50_000},
    "full": {"orders": 1_000_000, "skus": 100_000, "customers": 200_000},
}
SKUS_PER_PRODUCT = 3
WAREHOUSES = [("BJ", "北京仓", "北京", "北京"), ("SH", "上海仓", "上海", "上海"), ("GZ", "广州仓", "广东", "广州")]
PROVINCES = ["北京", "上海", "广东", "浙江", "江苏", "四川", "湖北", "山东", "河南", "福建", "湖南", "新疆", "西藏"]
METHODS = ["alipay", "wechat", "unionpay", "card"]  # cash on delivery has its own capture path; left out
ADJECTIVES = ["纯棉", "轻薄", "加厚", "复古", "简约", "商务", "运动", "儿童", "无线", "便携", "有机", "手工"]
NOUNS = ["T恤", "衬衫", "外套", "耳机", "水杯", "背包", "台灯", "茶叶", "袜子", "围巾", "键盘", "枕头", "蜂蜜"]
# Relative orders by hour of day (Asia/Shanghai) and by weekday (Monday first).
HOUR_WEIGHTS = [3, 2, 1, 1, 1, 1, 2, 4, 6, 8, 10, 10, 9, 8, 9, 10, 9, 8, 8, 10, 13, 15, 13, 7]
WEEKDAY_WEIGHTS = [9, 9, 10, 10, 11, 13, 12]
# Tables the generator owns (truncated before a different size is generated).
TABLES = [
    "orders_orderevent",
    "orders_shipment",
    "orders_orderline",
    "marketing_orderpromotion",
    "payments_refund",
    "payments_payment",
    "orders_order",
    "customers_pointsentry",
    "customers_customer",
    "customers_membertier",
    "inventory_stockmovement",
    "inventory_stockbatch",
    "inventory_stocklevel",
    "inventory_skustock",
    "inventory_warehouse",
    "catalog_sku",
    "catalog_product",
]


def _array(values) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values) + "]"


def _weighted(weights: list[int]) -> list[int]:
    """Each index repeated by its weight: picking a random element follows the weights."""
    return [i for i, w in enumerate(weights) for _ in range(w)]


def _day_slots(today: date) -> list[int]:
    """Days ago (0..364), each repeated by its weight: weekday seasonality plus the 6.18 and 11.11 peaks."""
    slots = []
    for ago in range(365):
        day = today - timedelta(days=ago)
        weight = WEEKDAY_WEIGHTS[day.weekday()]
        if (day.month, day.day) == (11, 11):
            weight *= 5
        elif (day.month, day.day) == (6, 18):
            weight *= 3
        slots.extend([ago] * weight)
    return slots


def generated(cursor) -> dict | None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bench_generated (id int PRIMARY KEY, orders int, skus int, customers int, "
        "generated_at timestamptz, seconds numeric)"
    )
    cursor.execute("SELECT orders, skus, customers, generated_at FROM bench_generated WHERE id = 1")
    row = cursor.fetchone()
    return dict(zip(("orders", "skus", "customers", "generated_at"), row, strict=True)) if row else None


def _report_rollups(verbose):
    """The reports' rollups of the generated days, rebuilt from the rows just written (as `rebuild_rollups` does),
    so the dashboard and the reports read the store and its invariants hold."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from orders.models import Order
    from reports.services import rollups_rebuild

    span = Order.objects.aggregate(first=Min("placed_at"), last=Max("placed_at"))
    if span["first"] is None:
        return
    t = time.perf_counter()
    start, end = timezone.localdate(span["first"]), max(timezone.localdate(span["last"]), timezone.localdate())
    rollups_rebuild(start=start, end=end)
    if verbose:
        print(f"  {'report rollups':<28} {time.perf_counter() - t:7.1f} s", flush=True)


def generate(*, orders: int, skus: int, customers: int, verbose: bool = True) -> dict:
    """Generate the store at this size unless it is already there; returns the marker row as a dict."""
    from django.db import connection, transaction

    assert connection.vendor == "postgresql", "the generator uses generate_series: run it on PostgreSQL"
    with connection.cursor() as cursor:
        done = generated(cursor)
    if done and (done["orders"], done["skus"], done["customers"]) == (orders, skus, customers):
        with connection.cursor() as cursor:
            _sequences(cursor)
        if verbose:
            print(f"store already generated ({orders:,} orders, {skus:,} SKUs, {customers:,} customers)")
        return done
    started = time.perf_counter()
    steps = []

    def step(label, sql, params=None):
        t = time.perf_counter()
        cursor.execute(sql, params)
        steps.append((label, time.perf_counter() - t))
        if verbose:
            print(f"  {label:<28} {time.perf_counter() - t:7.1f} s", flush=True)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SELECT setseed(0.16)")
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        _catalog(step, skus)
        _stock(step, skus)
        _customers(step, customers)
        _orders(step, orders, skus, customers)
        _stock_ledger(step)
        _money(step)
        _members(step)
        _sequences(cursor)
        seconds = round(time.perf_counter() - started, 1)
        cursor.execute(
            "INSERT INTO bench_generated VALUES (1, %s, %s, %s, now(), %s) ON CONFLICT (id) DO UPDATE SET "
            "orders = EXCLUDED.orders, skus = EXCLUDED.skus, customers = EXCLUDED.customers, "
            "generated_at = EXCLUDED.generated_at, seconds = EXCLUDED.seconds",
            [orders, skus, customers, seconds],
        )
    _report_rollups(verbose)
    with connection.cursor() as cursor:
        t = time.perf_counter()
        # As a live store after autovacuum: no dead rows, visibility maps set (a test's transaction: ANALYZE only).
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        if verbose:
            print(f"  {'VACUUM ANALYZE':<28} {time.perf_counter() - t:7.1f} s")
    if verbose:
        print(
            f"generated {orders:,} orders, {skus:,} SKUs, {customers:,} customers "
            f"in {time.perf_counter() - started:.1f} s"
        )
    with connection.cursor() as cursor:
        return generated(cursor) or {}


def _sequences(cursor):
    """Rows were inserted with explicit ids: each sequence goes on after the largest."""
    for table in (
        "orders_order",
        "customers_customer",
        "customers_membertier",
        "catalog_product",
        "catalog_sku",
        "inventory_warehouse",
    ):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
        )


def _catalog(step, skus):
    products = math.ceil(skus / SKUS_PER_PRODUCT)
    step(
        "products",
        f"""INSERT INTO catalog_product (id, code, name, subtitle, description, keywords, weight_g, length_mm,
                width_mm, height_mm, no_reason_returns, exchange_only, status, schedule_reason, created_at,
                updated_at, published_at, price_min, price_max)
            SELECT i, 'P' || lpad(i::text, 7, '0'),
                   ({_array(ADJECTIVES)})[1 + i % {len(ADJECTIVES)}] || ({_array(NOUNS)})[1 + (i / 12) % {len(NOUNS)}]
                       || ' ' || i, '', '', '', 300, 0, 0, 0, true, false,
                   CASE WHEN i % 50 = 0 THEN 'draft' ELSE 'published' END, '',
                   now() - ((i % 700) || ' days')::interval, now(),
                   CASE WHEN i % 50 = 0 THEN NULL ELSE now() - ((i % 700) || ' days')::interval END,
                   9.90 + (i % 300), 9.90 + (i % 300) + 20
            FROM generate_series(1, {products}) i""",
    )
    step(
        "SKUs",
        f"""INSERT INTO catalog_sku (id, product_id, code, barcode, price, cost, weight_g, options, position, is_active)
            SELECT s, 1 + (s - 1) / {SKUS_PER_PRODUCT}, 'P' || lpad((1 + (s - 1) / {SKUS_PER_PRODUCT})::text, 7, '0')
                       || '-' || (1 + (s - 1) % {SKUS_PER_PRODUCT}),
                   '69' || lpad(s::text, 11, '0'),
                   9.90 + ((1 + (s - 1) / {SKUS_PER_PRODUCT}) % 300) + 10 * ((s - 1) % 3),
                   5 + ((1 + (s - 1) / {SKUS_PER_PRODUCT}) % 300) / 2, 300,
                   (ARRAY['S','M','L'])[1 + (s - 1) % 3], (s - 1) % 3, true
            FROM generate_series(1, {skus}) s""",
    )


def _stock(step, skus):
    for position, (code, name, province, city) in enumerate(WAREHOUSES, start=1):
        step(
            f"warehouse {code}",
            "INSERT INTO inventory_warehouse (id, code, name, province, city, priority, is_active) "
            "VALUES (%s, %s, %s, %s, %s, %s, true)",
            [position, code, name, province, city, position],
        )
    # What stays available at the end, skewed low for the long tail: ~8% of SKUs run low (0-4 units in every
    # warehouse). The orders' reservations and sales are added to it after the orders (_stock_ledger).
    step(
        "stock levels",
        f"""INSERT INTO inventory_stocklevel (sku_id, warehouse_id, on_hand, reserved, updated_at)
            SELECT s, w, CASE WHEN s % 12 = 0 THEN (s + w) % 5 ELSE 20 + ((s * 31 + w * 17) % 480) END, 0, now()
            FROM generate_series(1, {skus}) s CROSS JOIN generate_series(1, {len(WAREHOUSES)}) w""",
    )


def _stock_ledger(step):
    """The ledger as the orders moved the stock: each order's lines reserved at placing in one warehouse
    (the order id picks it), shipped (kind sale: on hand and reserved down) when the order shipped, released
    when it was cancelled or closed; what is still reserved stays reserved. One receipt a stock row, 400 days
    ago, brings what was sold on top of what is on hand at the end; its batch holds what is left. So the
    ledger sums to every stock row, the batches to its on-hand, and the turnover, dead-stock and slow-mover
    reports read a year of sales."""
    n = len(WAREHOUSES)
    step(
        "stock moves of the orders",
        f"""CREATE TEMP TABLE bench_mv ON COMMIT DROP AS
            SELECT l.sku_id, 1 + o.id % {n} AS warehouse_id, m.kind, m.on_hand_delta, m.reserved_delta,
                   o.number, m.at
            FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
            CROSS JOIN LATERAL (VALUES
                ('reservation', 0, l.quantity, o.placed_at),
                ('sale', -l.quantity, -l.quantity, o.shipped_at),
                ('release', 0, -l.quantity, CASE WHEN o.status IN ('cancelled', 'closed') THEN o.cancelled_at END)
            ) AS m(kind, on_hand_delta, reserved_delta, at)
            WHERE m.at IS NOT NULL""",
    )
    step(
        "stock levels after the orders",
        """UPDATE inventory_stocklevel l SET on_hand = l.on_hand + t.reserved, reserved = t.reserved
            FROM (SELECT sku_id, warehouse_id, sum(reserved_delta) AS reserved FROM bench_mv
                  GROUP BY sku_id, warehouse_id) t
            WHERE l.sku_id = t.sku_id AND l.warehouse_id = t.warehouse_id""",
    )  # on hand at the end = available + still reserved; the receipt below adds back what was sold
    step(
        "stock ledger (receipts)",
        """INSERT INTO inventory_stockmovement (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, reason,
                reference_type, reference, actor_label, created_at)
            SELECT l.sku_id, l.warehouse_id, 'receipt', l.on_hand + COALESCE(t.sold, 0), 0, 'bench',
                   'purchase_order', 'PO-BENCH', 'bench', now() - interval '400 days'
            FROM inventory_stocklevel l
            LEFT JOIN (SELECT sku_id, warehouse_id, -sum(on_hand_delta) AS sold FROM bench_mv
                       GROUP BY sku_id, warehouse_id) t ON t.sku_id = l.sku_id AND t.warehouse_id = l.warehouse_id
            WHERE l.on_hand + COALESCE(t.sold, 0) <> 0""",
    )
    step(
        "stock ledger (orders)",
        """INSERT INTO inventory_stockmovement (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, reason,
                reference_type, reference, actor_label, created_at)
            SELECT sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, '', 'order', number, 'bench', at
            FROM bench_mv ORDER BY at""",
    )
    step(
        "stock batches",
        """INSERT INTO inventory_stockbatch (sku_id, warehouse_id, received_on, quantity, remaining, reference,
                created_at)
            SELECT m.sku_id, m.warehouse_id, current_date - 400, m.on_hand_delta, l.on_hand, 'PO-BENCH', now()
            FROM inventory_stockmovement m JOIN inventory_stocklevel l
                ON l.sku_id = m.sku_id AND l.warehouse_id = m.warehouse_id
            WHERE m.kind = 'receipt'""",
    )
    step(
        "stock rollup",
        """INSERT INTO inventory_skustock (sku_id, on_hand, reserved, available, threshold, cover_days, is_low,
                sku_active)
            SELECT sku_id, sum(on_hand), sum(reserved), sum(on_hand) - sum(reserved), 10, NULL,
                   sum(on_hand) - sum(reserved) <= 10, true
            FROM inventory_stocklevel GROUP BY sku_id""",
    )


def _customers(step, customers):
    step(
        "member tiers",
        """INSERT INTO customers_membertier (id, name, rank, threshold_kind, threshold, discount_percent,
                free_shipping, points_multiplier, birthday_points, created_at) VALUES
            (1, '普通会员', 1, 'spend', 0, 0, false, 1, 0, now()),
            (2, '银卡会员', 2, 'spend', 1000, 2, false, 1.2, 50, now()),
            (3, '金卡会员', 3, 'spend', 5000, 5, true, 1.5, 100, now()),
            (4, '钻石会员', 4, 'spend', 20000, 8, true, 2, 200, now())""",
    )
    step(
        "customers",
        f"""INSERT INTO customers_customer (id, phone, name, email, created_at, updated_at, blacklist_reason,
                blacklisted, gender, source, lifetime_spend, order_count, orders_12m, points_balance, rfm_segment,
                spend_12m, birthday)
            SELECT i, '186' || lpad(i::text, 8, '0'), '顾客' || i,
                   CASE WHEN i % 3 = 0 THEN 'c' || i || '@example.com' ELSE '' END,
                   now() - interval '400 days' + (i * interval '1 second'), now(), '', false,
                   (ARRAY['', 'f', 'm'])[1 + i % 3], (ARRAY['web', 'app', 'mini_program', 'offline'])[1 + i % 4],
                   0, 0, 0, 0, '', 0,
                   CASE WHEN i % 4 = 0 THEN date '1970-01-01' + (i * 7919) % 14000 END
            FROM generate_series(1, {customers}) i""",
    )


def _orders(step, orders, skus, customers):
    from django.utils import timezone

    today = timezone.localdate()
    days, hours = _day_slots(today), _weighted(HOUR_WEIGHTS)
    # One row per order with its random draws, numbered in time order (ids ascend with placed_at).
    step(
        "order draws",
        f"""CREATE TEMP TABLE bench_o ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY placed) AS n, placed,
                   1 + floor({customers} * power(random(), 2.2))::int AS customer_id,
                   random() AS r_state, random() AS r_lines, random() AS r_promo, random() AS r_refund,
                   (1 + floor(random() * 20))::int AS pay_minutes, (2 + floor(random() * 3))::int AS transit_days
            FROM (SELECT LEAST(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai')
                       - (({_array(days)})[1 + floor(random() * {len(days)})::int] || ' days')::interval
                       + (({_array(hours)})[1 + floor(random() * {len(hours)})::int] || ' hours')::interval
                       + random() * interval '1 hour', (now() AT TIME ZONE 'Asia/Shanghai') - interval '1 minute')
                       AT TIME ZONE 'Asia/Shanghai' AS placed
                  FROM generate_series(1, {orders})) g""",
    )
    step("order draws index", "CREATE INDEX ON bench_o (n)")
    # 1-3 lines per order (mean ~1.9); the SKU follows a Zipf law, scattered over the ids by a prime stride.
    step(
        "order line draws",
        f"""CREATE TEMP TABLE bench_l ON COMMIT DROP AS
            SELECT o.n, j, s.id AS sku_id, s.price, (1 + floor(random() * random() * 3))::int AS quantity
            FROM bench_o o CROSS JOIN LATERAL generate_series(1, 1 + floor(o.r_lines * 2.7)::int) j
            JOIN LATERAL (SELECT 1 + ((floor(exp(random() * ln({skus})))::bigint * 999983 + j) % {skus}) AS k) z
                ON true
            JOIN catalog_sku s ON s.id = z.k""",
    )
    # Status from the order's age: each step has a time, and the order is at the last step already reached.
    step(
        "orders",
        f"""INSERT INTO orders_order (id, number, status, customer_id, channel, external_id, subtotal, discount,
                shipping_fee, adjustment, total, payment_method, coupon_code, points_used, weight_g, placed_at,
                pay_by, paid_at, shipped_at, delivered_at, completed_at, cancelled_at, cancel_reason, ship_name,
                ship_phone, ship_province, ship_city, ship_district, ship_detail, ship_postcode, note, is_abnormal,
                abnormal_reason, abnormal_note, priority_boost, priority_at, dispatch_note, aftersales_status)
            SELECT o.n, to_char(o.placed AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')
                       || lpad(((o.n * 7919) % 10000000000)::text, 10, '0'),
                   t.status, o.customer_id, 'web', 'BENCH-' || o.n, a.subtotal, a.discount,
                   CASE WHEN a.subtotal >= 99 THEN 0 ELSE 8 END, 0,
                   a.subtotal - a.discount + CASE WHEN a.subtotal >= 99 THEN 0 ELSE 8 END,
                   ({_array(METHODS)})[1 + o.n % {len(METHODS)}],
                   CASE WHEN a.discount > 0 AND o.r_promo < 0.05 THEN 'BENCH' || (o.n % 100) ELSE '' END,
                   0, a.weight, o.placed, o.placed + interval '30 minutes',
                   CASE WHEN t.paid THEN t.paid_at END,
                   CASE WHEN t.status IN ('shipped', 'delivered', 'completed') THEN t.shipped_at END,
                   CASE WHEN t.status IN ('delivered', 'completed') THEN t.delivered_at END,
                   CASE WHEN t.status = 'completed' THEN t.completed_at END,
                   CASE WHEN t.status IN ('cancelled', 'closed') THEN t.cancelled_at END,
                   CASE WHEN t.status = 'cancelled' THEN '买家取消' ELSE '' END,
                   '收件人' || (o.customer_id % 50000), '139' || lpad((o.customer_id * 7)::text, 8, '0'),
                   ({_array(PROVINCES)})[1 + (o.customer_id * 31) % {len(PROVINCES)}], '市', '区',
                   '某路' || (o.customer_id % 999) || '号', '', '', o.n % 997 = 0,
                   CASE WHEN o.n % 997 = 0 THEN 'risk' ELSE '' END, '', 0,
                   CASE WHEN t.paid THEN t.paid_at END, '', 'none'
            FROM bench_o o
            JOIN (SELECT n, sum(price * quantity) AS subtotal, sum(300 * quantity) AS weight
                  FROM bench_l GROUP BY n) s ON s.n = o.n
            CROSS JOIN LATERAL (SELECT s.subtotal,
                  CASE WHEN o.r_promo < 0.12 THEN round(s.subtotal * 0.1, 2) ELSE 0 END AS discount,
                  s.weight) a
            CROSS JOIN LATERAL (SELECT o.placed + o.pay_minutes * interval '1 minute' AS paid_at) p0
            CROSS JOIN LATERAL (SELECT p0.paid_at, p0.paid_at + interval '1 hour' AS allocated_at,
                  p0.paid_at + interval '3 hours' AS picking_at, p0.paid_at + interval '10 hours' AS shipped_at,
                  p0.paid_at + interval '10 hours' + o.transit_days * interval '1 day' AS delivered_at,
                  p0.paid_at + interval '10 hours' + (o.transit_days + 7) * interval '1 day' AS completed_at) ts
            CROSS JOIN LATERAL (SELECT ts.*,
                  CASE WHEN o.r_state < 0.04 THEN o.placed + interval '30 minutes'
                       WHEN o.r_state < 0.055 THEN o.placed + interval '10 minutes'
                       WHEN o.r_state < 0.065 THEN ts.paid_at + interval '30 minutes' END AS cancelled_at,
                  o.r_state >= 0.055 AND ts.paid_at <= now() AS paid,
                  CASE WHEN o.r_state < 0.04 AND o.placed + interval '30 minutes' <= now() THEN 'closed'
                       WHEN o.r_state >= 0.04 AND o.r_state < 0.055 AND o.placed + interval '10 minutes' <= now()
                           THEN 'cancelled'
                       WHEN o.r_state < 0.055 OR ts.paid_at > now() THEN 'pending_payment'
                       WHEN o.r_state < 0.065 AND ts.paid_at + interval '30 minutes' <= now() THEN 'cancelled'
                       WHEN ts.completed_at <= now() AND o.r_state >= 0.065 THEN 'completed'
                       WHEN ts.delivered_at <= now() AND o.r_state >= 0.065 THEN 'delivered'
                       WHEN ts.shipped_at <= now() AND o.r_state >= 0.065 THEN 'shipped'
                       WHEN ts.picking_at <= now() AND o.r_state >= 0.065 THEN 'picking'
                       WHEN ts.allocated_at <= now() AND o.r_state >= 0.065 THEN 'allocated'
                       ELSE 'paid' END AS status) t""",
    )
    step(
        "order lines",
        """INSERT INTO orders_orderline (order_id, sku_id, sku_code, name, options, quantity, unit_price, discount,
                line_total, weight_g)
            SELECT l.n, l.sku_id, s.code, p.name, s.options, l.quantity, l.price, 0, l.price * l.quantity,
                   300 * l.quantity
            FROM bench_l l JOIN catalog_sku s ON s.id = l.sku_id JOIN catalog_product p ON p.id = s.product_id
            ORDER BY l.n, l.j""",
    )
    step(
        "promotions used",
        """INSERT INTO marketing_orderpromotion (order_id, order_number, kind, promotion_id, name, amount, lines,
                created_at)
            SELECT id, number, CASE WHEN coupon_code <> '' THEN 'coupon' ELSE 'activity' END, NULL,
                   CASE WHEN coupon_code <> '' THEN '优惠券' ELSE '满减活动' END, discount, '[]', placed_at
            FROM orders_order WHERE discount > 0""",
    )
    # The timeline: one event per move, in time order; the last one's to_status is the order's status.
    step(
        "order timeline",
        """INSERT INTO orders_orderevent (order_id, kind, from_status, to_status, message, data, actor_label,
                created_at)
            SELECT o.id, e.kind, e.from_status, e.to_status, '', '{}', e.actor, e.at
            FROM orders_order o
            CROSS JOIN LATERAL (VALUES
                ('placed', '', 'pending_payment', o.placed_at, 'api'),
                ('pay', 'pending_payment', 'paid', o.paid_at, 'alipay'),
                ('allocate', 'paid', 'allocated',
                    CASE WHEN o.status IN ('allocated', 'picking', 'shipped', 'delivered', 'completed')
                         THEN o.paid_at + interval '1 hour' END, 'job'),
                ('pick', 'allocated', 'picking',
                    CASE WHEN o.status IN ('picking', 'shipped', 'delivered', 'completed')
                         THEN o.paid_at + interval '3 hours' END, 'warehouse'),
                ('ship', 'picking', 'shipped', o.shipped_at, 'warehouse'),
                ('deliver', 'shipped', 'delivered', o.delivered_at, 'carrier'),
                ('complete', 'delivered', 'completed', o.completed_at, 'job'),
                (CASE WHEN o.status = 'closed' THEN 'close' ELSE 'cancel' END,
                    CASE WHEN o.paid_at IS NULL THEN 'pending_payment' ELSE 'paid' END, o.status,
                    o.cancelled_at, 'customer')
            ) AS e(kind, from_status, to_status, at, actor)
            WHERE e.at IS NOT NULL""",
    )
    step(
        "carrier",
        "INSERT INTO orders_carrier (name, code, tracking_pattern, tracking_url, is_active) "
        "VALUES ('顺丰速运', 'bench-sf', '', '', true) ON CONFLICT DO NOTHING",
    )
    step(
        "shipments",
        """INSERT INTO orders_shipment (order_id, carrier_id, tracking_number, shipped_at)
            SELECT id, (SELECT id FROM orders_carrier WHERE code = 'bench-sf'), 'SF' || lpad(id::text, 12, '0'),
                   shipped_at
            FROM orders_order WHERE shipped_at IS NOT NULL""",
    )


def _money(step):
    step(
        "payments",
        """INSERT INTO payments_payment (order_id, method_id, transaction_id, amount, fee, status, flag,
                refund_reserved, refunded, paid_at, received_at, payload)
            SELECT o.id, m.id, 'T' || o.number, o.total, round(o.total * 0.006, 2), 'captured', '', 0, 0,
                   o.paid_at, o.paid_at + interval '2 seconds', '{}'
            FROM orders_order o JOIN payments_paymentmethod m ON m.code = o.payment_method
            WHERE o.paid_at IS NOT NULL""",
    )
    # Refunds: every cancelled paid order in full; ~4% of completed orders in part (after-sales, succeeded);
    # ~5% of delivered orders have a request awaiting approval.
    step(
        "refunds",
        """INSERT INTO payments_refund (payment_id, order_id, amount, lines, reason, source, refund_only, status,
                idempotency_key, provider_refund_id, attempts, failure_reason, requested_at, decided_at, sent_at,
                confirmed_at)
            SELECT p.id, o.id, r.amount, '[]', r.reason, r.source, true, r.status, gen_random_uuid(),
                   CASE WHEN r.status = 'succeeded' THEN 'R' || o.number ELSE '' END,
                   CASE WHEN r.status = 'succeeded' THEN 1 ELSE 0 END, '', r.at,
                   CASE WHEN r.status = 'succeeded' THEN r.at + interval '1 hour' END,
                   CASE WHEN r.status = 'succeeded' THEN r.at + interval '1 hour' END,
                   CASE WHEN r.status = 'succeeded' THEN r.at + interval '2 hours' END
            FROM orders_order o JOIN payments_payment p ON p.order_id = o.id
            CROSS JOIN LATERAL (SELECT
                CASE WHEN o.status = 'cancelled' THEN o.total ELSE round(o.total * 0.3, 2) END AS amount,
                CASE WHEN o.status = 'cancelled' THEN 'order_cancelled' ELSE 'aftersales' END AS source,
                CASE WHEN o.status = 'delivered' THEN 'requested' ELSE 'succeeded' END AS status,
                CASE WHEN o.status = 'cancelled' THEN '订单取消' ELSE '质量问题' END AS reason,
                CASE WHEN o.status = 'cancelled' THEN o.cancelled_at ELSE o.delivered_at + interval '1 day' END
                    AS at) r
            WHERE o.status = 'cancelled'
               OR (o.status = 'completed' AND o.id % 25 = 0)
               OR (o.status = 'delivered' AND o.id % 20 = 0 AND o.delivered_at + interval '1 day' <= now())""",
    )
    step(
        "payment refund totals",
        """UPDATE payments_payment p SET refund_reserved = r.reserved, refunded = r.done
            FROM (SELECT payment_id, sum(amount) AS reserved,
                         coalesce(sum(amount) FILTER (WHERE status = 'succeeded'), 0) AS done
                  FROM payments_refund GROUP BY payment_id) r
            WHERE r.payment_id = p.id""",
    )


def _members(step):
    # Member figures, tier from 12-month spend, points earned on completed orders (1 point per yuan): one
    # ledger row (an open lot) per completed order, summing to the balance.
    step(
        "member figures",
        """UPDATE customers_customer c SET order_count = a.n, lifetime_spend = a.spend, orders_12m = a.n12,
                spend_12m = a.spend12, first_order_at = a.first_at, last_order_at = a.last_at,
                points_balance = floor(a.completed)::int
            FROM (SELECT customer_id, count(*) AS n, sum(total) AS spend, min(placed_at) AS first_at,
                         max(placed_at) AS last_at,
                         count(*) FILTER (WHERE placed_at >= now() - interval '365 days') AS n12,
                         coalesce(sum(total) FILTER (WHERE placed_at >= now() - interval '365 days'), 0) AS spend12,
                         coalesce(sum(floor(total)) FILTER (WHERE status = 'completed'), 0) AS completed
                  FROM orders_order WHERE paid_at IS NOT NULL GROUP BY customer_id) a
            WHERE a.customer_id = c.id""",
    )
    step(
        "member tiers of customers",
        """UPDATE customers_customer c SET tier_id = (SELECT t.id FROM customers_membertier t
                WHERE t.threshold <= c.spend_12m ORDER BY t.rank DESC LIMIT 1)
            WHERE c.order_count > 0""",
    )
    step(
        "points ledger",
        """INSERT INTO customers_pointsentry (customer_id, kind, points, balance_after, remaining, expires_at,
                reason, order_number, reference, actor_label, created_at)
            SELECT customer_id, 'earn', floor(total)::int,
                   sum(floor(total)::int) OVER (PARTITION BY customer_id ORDER BY completed_at, id),
                   floor(total)::int, completed_at + interval '730 days', '订单完成', number, number, 'job',
                   completed_at
            FROM orders_order WHERE status = 'completed' AND floor(total) > 0""",
    )


def sizes_from(args) -> dict:
    size = dict(SIZES[args.size]) if args.size else dict(SIZES["full"])
    for key in ("orders", "skus", "customers"):
        if getattr(args, key, None):
            size[key] = getattr(args, key)
    return size


def add_size_arguments(parser):
    parser.add_argument("--size", choices=sorted(SIZES), help="a preset size (default: full)")
    parser.add_argument("--orders", type=int)
    parser.add_argument("--skus", type=int)
    parser.add_argument("--customers", type=int)


def setup_django():
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/houtai_bench")
    import django

    django.setup()


def create_database(name=None, **server):
    """A PostgreSQL database created when missing (`make bench` on a fresh machine): `name` on `server` (host, port,
    user, password), or by default the benchmark's own, DATABASE_URL. The oscar peer calls it for its database."""
    import psycopg

    if name is None:
        from urllib.parse import urlsplit

        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/houtai_bench")
        url = urlsplit(os.environ["DATABASE_URL"])
        if not url.scheme.startswith("postgres") or not url.path.lstrip("/"):
            return
        name = url.path.lstrip("/")
        server = {"host": url.hostname, "port": url.port, "user": url.username, "password": url.password}
    params = {k: v for k, v in server.items() if v}
    params.setdefault("host", "127.0.0.1")
    params.setdefault("user", "postgres")
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    add_size_arguments(parser)
    parser.add_argument("--check", action="store_true", help="run manage.py check_invariants afterwards")
    args = parser.parse_args(argv)
    create_database()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    generate(**sizes_from(args))
    if args.check:
        call_command("check_invariants")


if __name__ == "__main__":
    main()
