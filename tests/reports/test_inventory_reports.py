"""Inventory reports on the framework: turnover (moved from inventory), stock value, slow movers, dead stock."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Sum
from django.utils import timezone

from catalog.models import Category, Product, Sku
from inventory import services
from inventory.models import StockLevel, StockMovement, Warehouse
from reports.queries import inventory as queries

pytestmark = pytest.mark.django_db
D = Decimal


def _sku(code, cost, category=None):
    product = Product.objects.create(code=f"P-{code}", name=f"商品{code}", category=category)
    return Sku.objects.create(product=product, code=code, price=D("99.00"), cost=cost)


def _ago(reference, days):
    StockMovement.objects.filter(reference=reference).update(created_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def stock(owner):
    """SH holds A (cost 12.34: 100 in, 30 sold 5 days ago, 5 sold today) and C (3.33: 9 in 200 days ago, never
    sold); GZ holds B (7.05: 40 in, 1 sold 60 days ago) and N (no cost: 3 in)."""
    food = Category.objects.add_root({"name": "食品"})
    sh = Warehouse.objects.create(code="SH", name="上海仓", province="上海")
    gz = Warehouse.objects.create(code="GZ", name="广州仓", province="广东")
    a, b, c, n = _sku("A", D("12.34"), food), _sku("B", D("7.05"), food), _sku("C", D("3.33")), _sku("N", None)

    def receive(sku, where, qty, ref, days):
        services.stock_receive(sku=sku, warehouse=where, quantity=qty, actor=owner, reference=ref)
        _ago(ref, days)

    def sell(sku, qty, ref, days):
        services.stock_reserve(items=[(sku, qty)], reference=ref)
        services.stock_commit(reference=ref)
        _ago(ref, days)

    receive(a, sh, 100, "R-A", 20)
    sell(a, 30, "SO-A1", 5)
    sell(a, 5, "SO-A2", 0)
    receive(c, sh, 9, "R-C", 200)
    receive(b, gz, 40, "R-B", 100)
    sell(b, 1, "SO-B", 60)
    receive(n, gz, 3, "R-N", 10)
    return {"sh": sh, "gz": gz, "a": a, "b": b, "c": c, "n": n, "food": food}


def _direct_value(**filters):
    rows = StockLevel.objects.filter(**filters).annotate(v=F("on_hand") * F("sku__cost"))
    return sum((r.v or D("0")) for r in rows)


def test_stock_value_per_warehouse_and_category_equals_on_hand_times_cost(stock):
    per_warehouse = {r["warehouse__name"]: r for r in queries.stock_value(group="warehouse")}
    assert (
        per_warehouse["上海仓"]["value"] == _direct_value(warehouse=stock["sh"]) == D("65") * D("12.34") + 9 * D("3.33")
    )
    assert per_warehouse["上海仓"]["units"] == 74
    assert per_warehouse["广州仓"]["value"] == D("39") * D("7.05")  # N has no cost: zero, its units apart
    assert (per_warehouse["广州仓"]["units"], per_warehouse["广州仓"]["uncosted"]) == (42, 3)
    per_category = {r["sku__product__category__name"]: r["value"] for r in queries.stock_value(group="category")}
    assert per_category == {"食品": D("65") * D("12.34") + 39 * D("7.05"), None: 9 * D("3.33")}
    total = sum(per_category.values())
    assert total == StockLevel.objects.aggregate(t=Sum(F("on_hand") * F("sku__cost")))["t"]


def test_dead_stock_and_slow_movers_over_n_days(stock):
    dead = {lv.sku.code: lv for lv in queries.dead_stock(days=30)}
    assert set(dead) == {"C", "B", "N"}  # B last sold 60 days ago
    assert dead["C"].last_sale is None and dead["B"].last_sale is not None
    assert set(lv.sku.code for lv in queries.dead_stock(days=90)) == {"C", "N"}
    slow = {lv.sku.code: lv for lv in queries.slow_movers(days=90, cover_days=90)}
    # A sold 35 in 90 days with 65 left: 167 days of cover; B sold 1 with 39 left: 3510 days
    assert set(slow) == {"A", "B"}
    assert queries.days_of_cover(slow["A"], days=90) == D("167.1")
    assert set(lv.sku.code for lv in queries.slow_movers(days=90, cover_days=200)) == {"B"}


def test_slow_and_dead_read_the_ledger_through_its_index_not_a_full_scan(stock, django_assert_max_num_queries):
    from django.db import connection

    sql = str(queries.dead_stock(days=30).query)
    assert "inventory_stockmovement" in sql and "created_at" in sql  # the window bounds every ledger read
    with django_assert_max_num_queries(1):
        list(queries.slow_movers(days=90))
    if connection.vendor == "sqlite":
        plan = queries.dead_stock(days=30).explain()
        assert "inventory_move" in plan and "SCAN inventory_stockmovement" not in plan


def test_turnover_report_page_matches_inventory_selector_and_exports(owner_client, stock):
    today = timezone.localdate()
    start, end = today - timedelta(days=10), today - timedelta(days=1)
    query = {"preset": "custom", "start": start.isoformat(), "end": end.isoformat(), "compare": "none"}
    page = owner_client.get("/reports/inventory-turnover/", query)
    assert page.status_code == 200
    rows = {r["label"]: r for r in page.context["table"]["rows"]}
    assert rows["A · 商品A"]["cogs"] == D("370.20") and rows["A · 商品A"]["sold_units"] == 30
    period_sales = StockMovement.objects.filter(
        kind="sale",
        created_at__gte=page.context["period"].since,
        created_at__lt=page.context["period"].until,
    )
    direct = -sum(m.on_hand_delta * m.sku.cost for m in period_sales)
    assert page.context["table"]["totals"]["cogs"] == direct == D("370.20") + D("7.05") * 0
    per_warehouse = owner_client.get("/reports/inventory-turnover/", {**query, "per": "warehouse", "export": "csv"})
    lines = per_warehouse.content.decode("utf-8-sig").splitlines()
    assert lines[1].split(",")[0] == "上海仓" and "370.20" in lines[1]


def test_the_old_turnover_address_leads_to_the_report(owner_client):
    assert owner_client.get("/inventory/turnover/")["Location"] == "/reports/inventory-turnover/"
    moved = owner_client.get("/inventory/turnover/", {"start": "2026-11-01", "end": "2026-11-30", "group": "category"})
    assert (
        moved["Location"] == "/reports/inventory-turnover/?per=category&preset=custom&start=2026-11-01&end=2026-11-30"
    )
    assert owner_client.get("/inventory/turnover/", {"status": "dead", "dead_days": "60"})["Location"] == (
        "/reports/inventory-dead-stock/?days=60"
    )


def test_stock_value_page_now_and_at_a_past_end(owner_client, stock):
    now = owner_client.get("/reports/inventory-stock-value/", {"preset": "today", "compare": "previous"})
    rows = {r["label"]: r for r in now.context["table"]["rows"]}
    assert rows["上海仓"]["value"] == D("802.10") + D("29.97") and rows["上海仓"]["units"] == 74
    # at the end of the day 8 days ago: A's 100 units, C's 9 (nothing had sold yet), B's 39 in GZ
    day = (timezone.localdate() - timedelta(days=8)).isoformat()
    past = owner_client.get("/reports/inventory-stock-value/", {"preset": "custom", "start": day, "end": day})
    rows = {r["label"]: r for r in past.context["table"]["rows"]}
    assert rows["上海仓"]["value"] == D("1234.00") + D("29.97") and rows["上海仓"]["units"] == 109
    assert (rows["广州仓"]["units"], rows["广州仓"]["value"]) == (42, 39 * D("7.05"))  # N (10 days ago): no cost
    # compared with the end of yesterday, before today's 5 units of A left
    sh_now = next(r for r in now.context["table"]["rows"] if r["label"] == "上海仓")
    assert sh_now["value__previous"] == 70 * D("12.34") + D("29.97")


def test_dead_stock_page_lists_with_the_window_and_never_500s(owner_client, stock):
    page = owner_client.get("/reports/inventory-dead-stock/", {"days": "30"})
    labels = [r["label"] for r in page.context["table"]["rows"]]
    assert [label.split(" · ")[0] for label in labels] == ["B", "C", "N"]  # by value, highest first
    assert page.context["table"]["totals"]["value"] == 39 * D("7.05") + 9 * D("3.33")
    for junk in ({"days": "-3"}, {"days": "x"}, {"cover": "0"}, {"preset": "custom", "start": "9999-99-99"}):
        assert owner_client.get("/reports/inventory-slow-movers/", junk).status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [("warehouse", 200), ("operations", 200), ("finance", 200), ("marketing", 403), ("customer_service", 403)],
)
def test_who_sees_the_inventory_reports(client_as, role, status):
    assert client_as(role).get("/reports/inventory-stock-value/").status_code == status


@pytest.mark.parametrize("group", ["sku", "category", "warehouse"])
@pytest.mark.parametrize(("start_ago", "end_ago"), [(10, 0), (30, 4), (250, 150), (3, 3)])
def test_turnover_from_levels_less_the_recent_ledger_equals_the_whole_ledger(stock, group, start_ago, end_ago):
    """The report reads the ledger since the period's start only; inventory's selector sums it from the beginning:
    the same figures for every period and grouping."""
    from datetime import datetime, time

    from inventory.selectors import turnover

    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today - timedelta(days=start_ago), time.min))
    end = timezone.make_aware(datetime.combine(today - timedelta(days=end_ago - 1), time.min))
    fields = ("opening_units", "opening_value", "closing_units", "closing_value", "sold_units", "cogs")
    key = queries.TURNOVER_GROUPS[group][0]

    def figures(rows):
        return {r[key]: tuple(D(r[f]).quantize(D("0.01")) for f in fields) for r in rows if any(r[f] for f in fields)}

    assert figures(queries.turnover_rows(start=start, end=end, group=group)) == figures(
        turnover(start=start, end=end, group=group)
    )
