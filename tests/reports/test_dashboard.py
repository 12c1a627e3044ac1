"""The dashboard: its figures equal direct aggregates of the raw rows, each role sees only its figures (the
warehouse no money), every queue link lands on its filtered list showing what was counted, and the page costs
the same number of queries however many orders there are."""

import re
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import count

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Product, Sku
from customers.models import CustomerMessage
from customers.services import message_receive
from inventory.models import Warehouse
from inventory.services import stock_receive
from orders import services as orders
from orders.models import Carrier, Order
from payments import services as payments
from payments.gateways import PROVIDERS, sign
from payments.models import Payment, Refund
from reports.models import CustomerDay
from reports.services import customer_days_rebuild
from shop.models import Announcement

_n = count(1)
SECRETS = {code: f"test-secret-{code}" for code in PROVIDERS}


@pytest.fixture(autouse=True)
def english(settings, monkeypatch):
    settings.LANGUAGE_CODE = "en"
    for code, secret in SECRETS.items():
        monkeypatch.setenv(f"PAYMENT_SECRET_{code.upper()}", secret)
    monkeypatch.setenv("PAYMENT_SANDBOX_AUTO_CALLBACK", "true")  # the sandbox confirms refunds at once


@pytest.fixture
def sku(db):
    import importlib

    from django.apps import apps

    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)
    product = Product.objects.create(code="P-DASH", name="羊毛围巾", status=Product.Status.PUBLISHED)
    sku = Sku.objects.create(product=product, code="DASH-SCARF", price=Decimal("80.00"))
    warehouse = Warehouse.objects.create(code="DSH", name="上海仓", province="上海", city="上海")
    stock_receive(sku=sku, warehouse=warehouse, quantity=10_000, actor=None)
    return sku


def place(sku, phone, *, at, quantity=1):
    order, _created = orders.order_place(
        external_id=f"DASH-{next(_n)}",
        customer={"phone": phone, "name": "赵六"},
        shipping_address={
            "name": "赵六",
            "phone": phone,
            "province": "浙江",
            "city": "杭州",
            "district": "西湖区",
            "detail": "文三路 90 号",
        },
        lines=[(sku.code, quantity)],
        payment_method="alipay",
        actor="test",
        now=at,
    )
    return order


def pay(order, *, at):
    import json

    body = json.dumps(
        {
            "order_number": order.number,
            "transaction_id": f"TX{order.number}",
            "amount": str(order.total),
            "status": "success",
            "paid_at": at.isoformat(),
        }
    ).encode()
    payments.payment_callback_handle(provider="alipay", body=body, signature=sign(SECRETS["alipay"], body))
    return Order.objects.get(pk=order.pk)


def ship(order, owner):
    carrier, _ = Carrier.objects.get_or_create(
        code="sf", defaults={"name": "顺丰速运", "tracking_pattern": r"SF\d{12}"}
    )
    orders.order_allocate(order=order, actor=owner)
    orders.order_pick(order=Order.objects.get(pk=order.pk), actor=owner)
    orders.order_ship(
        order=Order.objects.get(pk=order.pk), carrier=carrier, tracking_number=f"SF{next(_n):012d}", actor=owner
    )


def refund(order, owner, amount):
    payment = Payment.objects.get(order=order)
    r = payments.refund_request(payment=payment, actor=owner, reason="尺码不合适", amount=Decimal(amount))
    payments.refund_approve(refund=r, actor=owner)
    payments.refund_send(refund_id=r.pk)
    return Refund.objects.get(pk=r.pk)


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@pytest.fixture
def store(sku, owner):
    """Yesterday: A buys once, B places an order and never pays. Today: A comes back, C buys twice, D places an
    order and never pays; C's first order ships; A's order is partly refunded."""
    today = timezone.localdate()
    now = timezone.now()
    start = day_start(today)
    mid = start + (now - start) / 2  # earlier today, whenever the test runs
    yesterday = start - timedelta(hours=12)
    a1 = pay(place(sku, "13900000001", at=yesterday), at=yesterday + timedelta(minutes=5))
    place(sku, "13900000002", at=yesterday)
    a2 = pay(place(sku, "13900000001", at=mid, quantity=2), at=mid + timedelta(seconds=30))
    c1 = pay(place(sku, "13900000003", at=mid), at=mid + timedelta(seconds=40))
    pay(place(sku, "13900000003", at=mid, quantity=3), at=mid + timedelta(seconds=50))
    place(sku, "13900000004", at=mid)
    ship(c1, owner)
    refund(a2, owner, "25.50")
    return {"today": today, "a1": a1, "a2": a2, "c1": c1}


def direct(day_from, day_to):
    """The dashboard's figures computed straight from the order, refund and payment rows."""
    since, until = day_start(day_from), day_start(day_to + timedelta(days=1))
    paid = Order.objects.filter(paid_at__gte=since, paid_at__lt=until)
    placed = Order.objects.filter(placed_at__gte=since, placed_at__lt=until).count()
    gmv = paid.aggregate(s=Sum("total"))["s"] or Decimal("0.00")
    goods = sum((o.subtotal - o.discount for o in paid), Decimal("0.00"))
    refunds = Refund.objects.filter(
        status=Refund.Status.SUCCEEDED, confirmed_at__gte=since, confirmed_at__lt=until
    ).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    shipped = list(Order.objects.filter(shipped_at__gte=since, shipped_at__lt=until))
    earlier = {o.customer_id for o in Order.objects.filter(paid_at__lt=since)}
    buyers = {o.customer_id for o in paid}
    # returning: on each day, the customers who paid that day having paid on an earlier day (customer-days)
    returning = 0
    day = day_from
    while day <= day_to:
        before = {o.customer_id for o in Order.objects.filter(paid_at__lt=day_start(day))}
        that_day = {
            o.customer_id
            for o in Order.objects.filter(paid_at__gte=day_start(day), paid_at__lt=day_start(day + timedelta(days=1)))
        }
        returning += len(that_day & before)
        day += timedelta(days=1)
    n = paid.count()
    q1 = Decimal("0.1")
    return {
        "gmv": gmv,
        "paid_orders": n,
        "aov": (gmv / n).quantize(Decimal("0.01"), ROUND_HALF_UP) if n else None,
        "refunds": refunds,
        "net": goods - refunds,
        "new_customers": len(buyers - earlier),
        "returning_customers": returning,
        "conversion": (Decimal(n * 100) / placed).quantize(q1, ROUND_HALF_UP) if placed else None,
        "ship_hours": (
            Decimal(sum((o.shipped_at - o.paid_at).total_seconds() for o in shipped)) / (len(shipped) * 3600)
        ).quantize(q1, ROUND_HALF_UP)
        if shipped
        else None,
    }


def figures(client, period="today"):
    response = client.get("/", {"period": period}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return {f["key"]: f for f in response.context["figures"]}, response


def test_todays_figures_equal_direct_aggregates_with_yesterday_beside_them(owner_client, store):
    shown, _response = figures(owner_client, "today")
    today = store["today"]
    expected = direct(today, today)
    assert {k: f["value"] for k, f in shown.items()} == expected
    assert expected["paid_orders"] == 3 and expected["new_customers"] == 1 and expected["returning_customers"] == 1
    assert expected["refunds"] == Decimal("25.50")
    before = direct(today - timedelta(days=1), today - timedelta(days=1))
    assert {k: f["previous"] for k, f in shown.items()} == before
    assert shown["paid_orders"]["change"] == Decimal("200.0")  # 3 against 1


def test_seven_and_thirty_days_equal_direct_aggregates(owner_client, store):
    today = store["today"]
    for period, days in (("7d", 7), ("30d", 30), ("yesterday", None)):
        shown, _ = figures(owner_client, period)
        start, end = (today - timedelta(days=days - 1), today) if days else (today - timedelta(days=1),) * 2
        assert {k: f["value"] for k, f in shown.items()} == direct(start, end), period


def test_the_customer_days_rebuild_to_what_the_events_counted(store):
    kept = list(CustomerDay.objects.order_by("day").values_list("day", "new_customers", "returning_customers"))
    today = store["today"]
    customer_days_rebuild(start=today - timedelta(days=3), end=today)
    assert list(CustomerDay.objects.order_by("day").values_list("day", "new_customers", "returning_customers")) == kept
    CustomerDay.objects.all().delete()
    from django.core.management import call_command

    call_command("rebuild_customer_days", "--from", str(today - timedelta(days=1)), "--to", str(today), stdout=None)
    assert list(CustomerDay.objects.order_by("day").values_list("day", "new_customers", "returning_customers")) == kept


def test_the_trend_dashes_the_previous_period_and_top_products_rank_skus(owner_client, store):
    _shown, response = figures(owner_client, "7d")
    chart = response.context["trend_chart"]
    assert len(chart["labels"]) == 7 and chart["datasets"][1]["dashed"] is True
    assert chart["datasets"][0]["data"][-1] == float(direct(store["today"], store["today"])["gmv"])
    top = response.context["top_products"]
    assert top[0]["sku"] == "DASH-SCARF" and top[0]["units"] == 7
    html = response.content.decode()
    assert 'data-report-chart="dashboard-trend"' in html and 'id="dashboard-trend"' in html
    _shown, today = figures(owner_client, "today")
    assert len(today.context["trend_chart"]["labels"]) == 24


def raw_top(start, end, limit):
    """The best SKUs of the local days start..end straight from the paid orders' lines: (code, units, sales)."""
    from orders.models import OrderLine

    rows = (
        OrderLine.objects.filter(order__paid_at__gte=day_start(start), order__paid_at__lt=day_start(end + timedelta(1)))
        .values("sku_id", "sku__code")
        .annotate(units=Sum("quantity"), sales=Sum("line_total"))
    )
    best = sorted(rows, key=lambda r: (-r["sales"], r["sku_id"]))[:limit]
    return [(r["sku__code"], r["units"], r["sales"]) for r in best]


def test_top_products_equal_the_raw_lines_and_follow_sales_refunds_and_rebuilds(owner, store, sku):
    """Longer periods read the closed days' per-SKU sums (SalesSkuSpan) plus today's rows: with two places
    shown, a SKU that sold little before and much today overtakes, a sale paid on a closed day and a rebuild
    drop the sums they change, a refund moves nothing (top products rank sales before refunds)."""
    from reports.dashboard import dashboard_period, top_products
    from reports.models import SalesSkuSpan
    from reports.services import rollups_rebuild

    today = store["today"]
    warehouse = Warehouse.objects.get(code="DSH")
    skus = [Sku.objects.create(product=sku.product, code=f"DASH-{i}", price=Decimal("30.00")) for i in range(3)]
    for other in skus:
        stock_receive(sku=other, warehouse=warehouse, quantity=1_000, actor=None)
    noon = day_start(today) + (timezone.now() - day_start(today)) / 2
    for days_ago, other, quantity in ((3, skus[0], 5), (9, skus[1], 4), (2, skus[2], 1)):
        at = noon - timedelta(days=days_ago)
        pay(place(other, f"1391000000{days_ago}", at=at, quantity=quantity), at=at)

    def check():
        for key in ("today", "yesterday", "7d", "30d"):
            period = dashboard_period(key, today)
            shown = [(p["sku"], p["units"], p["sales"]) for p in top_products(owner, period, limit=2, today=today)]
            assert shown == raw_top(period.start, period.end, 2), key

    check()
    assert SalesSkuSpan.objects.filter(last_day=today - timedelta(days=1)).count() > 0
    pay(place(skus[2], "13910000100", at=noon, quantity=9), at=noon)  # today: DASH-2 overtakes DASH-1 in 30 days
    check()
    at = noon - timedelta(days=4)
    pay(place(skus[1], "13910000101", at=at, quantity=20), at=at)  # a closed day changes: its spans go
    day = timezone.localdate(at)
    assert not SalesSkuSpan.objects.filter(first_day__lte=day, last_day__gte=day).exists()
    check()
    refund(store["c1"], owner, "10.00")
    check()
    rollups_rebuild(start=today - timedelta(days=30), end=today)
    assert not SalesSkuSpan.objects.exists()
    check()


ROLE_FIGURES = {
    "owner": {"gmv", "paid_orders", "aov", "refunds", "net", "new_customers", "returning_customers", "conversion",
              "ship_hours"},
    "operations": {"gmv", "paid_orders", "aov", "refunds", "net", "new_customers", "returning_customers",
                   "conversion", "ship_hours"},
    "finance": {"gmv", "paid_orders", "aov", "refunds", "net", "conversion", "ship_hours"},
    "marketing": {"gmv", "aov", "refunds", "net", "new_customers", "returning_customers"},
    "customer_service": {"paid_orders", "new_customers", "returning_customers", "conversion", "ship_hours"},
    "warehouse": {"paid_orders", "conversion", "ship_hours"},
}  # fmt: skip


@pytest.mark.parametrize("role", sorted(ROLE_FIGURES))
def test_each_role_sees_the_figures_of_the_modules_it_may_open(client, make_staff, store, role):
    client.force_login(make_staff(role, username=f"{role}_dash"))
    shown, response = figures(client, "today")
    assert set(shown) == ROLE_FIGURES[role]
    html = response.content.decode()
    if "gmv" not in shown:  # no money anywhere on the page: not the figures, not the chart, not the top products
        assert "¥" not in html
        assert response.context["trend_chart"]["datasets"][0]["label"].startswith("Paid orders")
        assert all(p["sales"] is None for p in response.context["top_products"])


WORK = {
    "owner": {"orders_allocate", "orders_pick", "orders_ship", "orders_abnormal", "payments_refunds",
              "payments_risk", "inventory_low_stock", "customers_messages_sla", "aftersales_requests_sla",
              "aftersales_complaints_sla"},
    "warehouse": {"orders_allocate", "orders_pick", "orders_ship", "orders_abnormal", "inventory_low_stock",
                  "aftersales_requests_sla"},  # returned parcels arrive at the warehouse
    "finance": {"orders_allocate", "orders_pick", "orders_ship", "orders_abnormal", "payments_refunds",
                "payments_risk"},
    "customer_service": {"orders_allocate", "orders_pick", "orders_ship", "orders_abnormal", "inventory_low_stock",
                         "customers_messages_sla", "aftersales_requests_sla", "aftersales_complaints_sla"},
    "marketing": {"customers_messages_sla"},  # marketing reads the inbox (customers.view_*)
}  # fmt: skip


@pytest.fixture
def waiting(sku, owner, store):
    """One of each kind of work: an abnormal order, a refund awaiting approval, a SKU at low stock, a message past
    its SLA nobody answered (and one answered, which is not counted)."""
    held = pay(place(sku, "13900000009", at=timezone.now()), at=timezone.now())
    orders.order_flag_abnormal(order=held, reason="address", actor=owner)
    payment = Payment.objects.get(order=store["c1"])
    requested = payments.refund_request(payment=payment, actor=owner, reason="少发一件", amount=Decimal("1.00"))
    low = Sku.objects.create(product=sku.product, code="DASH-LOW", price=Decimal("5.00"))
    stock_receive(sku=low, warehouse=Warehouse.objects.get(code="DSH"), quantity=1, actor=None)
    late, _ = message_receive(
        phone="13900000001", subject="还没发货吗", text="三天了", now=timezone.now() - timedelta(days=3)
    )
    answered, _ = message_receive(
        phone="13900000003", subject="谢谢", text="收到", now=timezone.now() - timedelta(days=3)
    )
    CustomerMessage.objects.filter(pk__in=[late.pk, answered.pk]).update(sla_breached_at=timezone.now())
    CustomerMessage.objects.filter(pk=answered.pk).update(status=CustomerMessage.Status.RESOLVED)
    return {"held": held, "refund": requested, "low": low, "late": late, "answered": answered}


@pytest.mark.parametrize("role", sorted(WORK))
def test_each_role_sees_its_work(client, make_staff, waiting, role):
    client.force_login(make_staff(role, username=f"{role}_work"))
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert {w["key"] for w in response.context["work"]} == WORK[role]


def test_queue_links_land_on_the_filtered_list_showing_what_was_counted(owner_client, waiting, store):
    response = owner_client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    work = {w["key"]: w for w in response.context["work"]}
    html = response.content.decode()
    for item in work.values():
        assert f'href="{item["url"]}" data-work="{item["key"]}"'.replace("&", "&amp;") in html
    expect = {
        "orders_abnormal": (1, [waiting["held"].number], [store["a2"].number]),
        "orders_pick": (0, [], []),
        "payments_refunds": (1, [store["c1"].number], [store["a2"].number]),
        "inventory_low_stock": (1, ["DASH-LOW"], ["DASH-SCARF"]),
        "customers_messages_sla": (1, ["还没发货吗"], ["谢谢"]),
    }
    for key, (n, shown, hidden) in expect.items():
        assert work[key]["count"] == n, key
        page = owner_client.get(work[key]["url"], HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200, key
        text = page.content.decode()
        assert all(s in text for s in shown) and not any(h in text for h in hidden), key
    # orders waiting to allocate: the paid, unshipped, not held ones (a1, a2 and C's second order)
    assert work["orders_allocate"]["count"] == 3
    allocate = owner_client.get(work["orders_allocate"]["url"]).content.decode()
    assert store["a1"].number in allocate and store["a2"].number in allocate
    assert store["c1"].number not in allocate and waiting["held"].number not in allocate


def test_announcements_show_in_their_window(owner_client, owner, store):
    now = timezone.now()
    Announcement.objects.create(
        title="双十二备货", body="周五前到仓", published=True, starts_at=now - timedelta(hours=1), created_by=owner
    )
    Announcement.objects.create(title="下周盘点", published=True, starts_at=now + timedelta(days=2), created_by=owner)
    html = owner_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "双十二备货" in html and "下周盘点" not in html


def test_an_unknown_period_shows_today(owner_client, store):
    response = owner_client.get("/", {"period": "forever"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response.context["period"].preset == "today"


def _queries(client, period):
    client.get("/", {"period": period})  # warm: sessions, the store settings row, the permission cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/", {"period": period}).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_query_count_does_not_grow_with_the_orders(owner_client, sku, owner):
    from django.core.cache import cache

    now = timezone.now()
    start = day_start(timezone.localdate())
    mid = start + (now - start) / 2
    pay(place(sku, "13900000101", at=mid), at=mid)
    counts = {}
    for size in (1, 12):
        while Order.objects.count() < size:
            n = Order.objects.count()
            pay(place(sku, f"1390000{n:04d}", at=mid - timedelta(days=n % 9)), at=mid - timedelta(days=n % 9))
        for period in ("today", "7d"):
            cache.clear()
            counts[(size, period)] = _queries(owner_client, period)
    for period in ("today", "7d"):
        assert len(counts[(1, period)]) == len(counts[(12, period)]), period
        assert len(counts[(12, period)]) <= 22  # two of them the after-sales work counts
        scans = [q for q in counts[(12, period)] if re.search(r'FROM "orders_order"', q)]
        assert len(scans) == 1  # the one read of the work queues; every figure comes from the rollups


def test_without_reports_the_root_shows_announcements_and_notifications(owner_client, owner, monkeypatch):
    """shop never imports reports: with no app offering the dashboard_page hook, "/" is still a useful page."""
    from reports.apps import ReportsConfig

    monkeypatch.delattr(ReportsConfig, "dashboard_page")
    Announcement.objects.create(title="双十二备货", published=True, starts_at=timezone.now(), created_by=owner)
    response = owner_client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "shop/dashboard.html"
    assert "双十二备货" in response.content.decode() and "figures" not in response.context
