"""The turnover selectors (the report page is reports' now): COGS and average stock value at cost, per SKU,
category and warehouse."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Category, Sku
from inventory import selectors, services
from inventory.models import StockMovement

pytestmark = pytest.mark.django_db
D = Decimal


def _at(reference, days_ago):
    StockMovement.objects.filter(reference=reference).update(created_at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def ledger(make_sku, warehouse, make_warehouse, owner):
    """A (12.34) and B (7.05) are food; C (3.33) has no category and has not sold for 200 days.
    The period is the 10 days up to yesterday."""
    food = Category.objects.add_root({"name": "食品"})
    gz = make_warehouse("GZ", name="广州仓", province="广东")
    a, b, c = make_sku("A"), make_sku("B"), make_sku("C")
    for sku, cost, category in ((a, "12.34", food), (b, "7.05", food), (c, "3.33", None)):
        Sku.objects.filter(pk=sku.pk).update(cost=D(cost))
        sku.product.category = category
        sku.product.save()

    def receive(sku, where, n, ref, days_ago):
        services.stock_receive(sku=sku, warehouse=where, quantity=n, actor=owner, reference=ref)
        _at(ref, days_ago)

    def sell(sku, n, ref, days_ago):
        services.stock_reserve(items=[(sku, n)], reference=ref)
        services.stock_commit(reference=ref)
        _at(ref, days_ago)

    receive(a, warehouse, 100, "R-A", 20)
    sell(a, 30, "SO-A1", 5)
    sell(a, 5, "SO-A2", 0)  # today: after the period
    receive(b, gz, 40, "R-B", 3)
    sell(b, 15, "SO-B", 2)
    receive(c, warehouse, 9, "R-C", 200)
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today - timedelta(days=10), time.min))
    end = timezone.make_aware(datetime.combine(today, time.min))
    return start, end


def _rows(start, end, **options):
    group = options.get("group", "sku")
    key = selectors.TURNOVER_GROUPS[group][1]
    result = {}
    for row in selectors.turnover(start=start, end=end, **options):
        figures = selectors.turnover_figures(row, days=10)
        result[row[key]] = (
            row["opening_value"],
            row["closing_value"],
            figures["average_value"],
            row["sold_units"],
            row["cogs"],
            figures["turnover"],
            figures["days_of_inventory"],
        )
    return result


def test_per_sku_to_the_cent(ledger):
    assert _rows(*ledger) == {
        "A": (D("1234.00"), D("863.80"), D("1048.90"), 30, D("370.20"), D("0.35"), D("28.3")),
        "B": (D("0.00"), D("176.25"), D("88.13"), 15, D("105.75"), D("1.20"), D("8.3")),  # 88.125 half up
        "C": (D("29.97"), D("29.97"), D("29.97"), 0, D("0.00"), D("0.00"), None),
    }


def test_per_category_and_per_warehouse(ledger):
    assert _rows(*ledger, group="category") == {
        "食品": (D("1234.00"), D("1040.05"), D("1137.03"), 45, D("475.95"), D("0.42"), D("23.9")),
        None: (D("29.97"), D("29.97"), D("29.97"), 0, D("0.00"), D("0.00"), None),
    }
    assert _rows(*ledger, group="warehouse") == {
        "上海仓": (D("1263.97"), D("893.77"), D("1078.87"), 30, D("370.20"), D("0.34"), D("29.1")),
        "广州仓": (D("0.00"), D("176.25"), D("88.13"), 15, D("105.75"), D("1.20"), D("8.3")),
    }


def test_slow_movers_and_dead_stock(ledger):
    assert set(_rows(*ledger, status="slow", slow_days=20)) == {"A", "C"}  # 28.3 days; no sales
    assert set(_rows(*ledger, status="slow", slow_days=30)) == {"C"}
    assert set(_rows(*ledger, status="dead", dead_days=90)) == {"C"}
    assert set(_rows(*ledger, status="dead", dead_days=3)) == {"A", "C"}  # A last sold 5 days before the end


def test_the_turnover_page_moved_to_reports(owner_client, ledger):
    """The page is reports' now (tests/reports/test_inventory_reports.py); the old address leads there."""
    response = owner_client.get("/inventory/turnover/", {"start": "2026-11-01", "end": "2026-11-10", "group": "sku"})
    assert response.status_code == 302 and response["Location"].startswith("/reports/inventory-turnover/?")


def test_the_report_covers_whole_local_days_from_start_to_end(make_sku, warehouse, owner):
    sku = make_sku("DAY")
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=10, actor=owner, reference="R")
    StockMovement.objects.update(created_at=timezone.now() - timedelta(days=30))
    day = timezone.localdate() - timedelta(days=3)
    for ref, moment in (
        ("SO-LATE", timezone.make_aware(datetime.combine(day, time(23, 59)))),  # the period's last minute
        ("SO-NEXT", timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))),  # the next day
    ):
        services.stock_reserve(items=[(sku, 1)], reference=ref)
        services.stock_commit(reference=ref)
        StockMovement.objects.filter(reference=ref).update(created_at=moment)
    report = selectors.turnover_report(start=day - timedelta(days=6), end=day)
    [row] = report.rows
    assert (report.days, report.group, row["sold_units"], row["closing_units"]) == (7, "sku", 1, 9)
