from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Product, Sku
from inventory import services
from inventory.models import (
    LowStockRule,
    PurchaseOrder,
    StockBatch,
    StockLevel,
    StockMovement,
    Supplier,
    SupplierSku,
    Warehouse,
)
from shop.models import AuditEntry
from tests.inventory.conftest import level

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(make_sku, warehouse, make_warehouse, owner):
    other = make_warehouse("GZ", name="广州仓", province="广东")
    for i in range(30):
        sku = make_sku(f"S{i:03d}")
        services.stock_receive(sku=sku, warehouse=warehouse, quantity=i + 1, actor=owner)
        services.stock_receive(sku=sku, warehouse=other, quantity=2, actor=owner)
    return warehouse


@pytest.fixture
def many_rows(db, owner):
    """More than 200 rows on every inventory list page (bulk_create: fast), so 20 and 200 really differ."""
    n = 210
    products = Product.objects.bulk_create(Product(code=f"BP{i:04d}", name=f"批量商品{i}") for i in range(n))
    skus = Sku.objects.bulk_create(
        Sku(product=p, code=f"BS{i:04d}", price=Decimal("9.90"), cost=Decimal("4.00")) for i, p in enumerate(products)
    )
    warehouses = Warehouse.objects.bulk_create(
        Warehouse(code=f"BW{i:04d}", name=f"仓{i}", province="浙江") for i in range(n)
    )
    home = warehouses[0]
    StockLevel.objects.bulk_create(StockLevel(sku=s, warehouse=home, on_hand=i % 5) for i, s in enumerate(skus))
    StockMovement.objects.bulk_create(
        StockMovement(sku=s, warehouse=home, kind=StockMovement.Kind.RECEIPT, on_hand_delta=i % 5)
        for i, s in enumerate(skus)
    )
    today = timezone.localdate()
    StockBatch.objects.bulk_create(
        StockBatch(
            sku=s,
            warehouse=home,
            received_on=today,
            expires_on=today + timedelta(days=i % 20),
            quantity=5,
            remaining=i % 5 + 1,
        )
        for i, s in enumerate(skus)
    )
    LowStockRule.objects.bulk_create(LowStockRule(sku=s, value=10) for s in skus)
    suppliers = Supplier.objects.bulk_create(Supplier(name=f"供应商{i}") for i in range(n))
    PurchaseOrder.objects.bulk_create(PurchaseOrder(supplier=s, warehouse=home, created_by=owner) for s in suppliers)
    services.rollup_backfill()
    return n


LISTS = [
    "/inventory/",
    "/inventory/ledger/",
    "/inventory/low-stock/",
    "/inventory/expiring/",
    "/inventory/warehouses/",
    "/inventory/thresholds/",
    "/inventory/suppliers/",
    "/inventory/purchase-orders/",
]


def test_list_pages_keep_their_query_count_at_two_page_sizes(owner_client, many_rows):
    wrong = []
    for url in LISTS:
        owner_client.get(url)  # warm the per-session caches
        counts = []
        for per_page in (20, 200):
            with CaptureQueriesContext(connection) as queries:
                response = owner_client.get(url, {"per_page": per_page})
            assert response.status_code == 200
            shown = len(response.context["page"].rows)
            if shown != per_page:
                wrong.append(f"{url}: {shown} rows at per_page={per_page}")
            counts.append(len(queries))
        if not counts[0] == counts[1] <= 12:
            wrong.append(f"{url}: {counts[0]} queries at 20 rows, {counts[1]} at 200")
    assert wrong == []


def test_stock_list_filters_searches_and_exports(owner_client, stocked):
    html = owner_client.get("/inventory/", {"q": "S00", "warehouse": stocked.pk}).content.decode()
    assert "S009" in html and "S010" not in html and "广州仓" not in html.split("<tbody>")[1]
    response = owner_client.get("/inventory/", {"export": "csv", "q": "S001"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("SKU") and body.count("S001") == 2


def test_adjust_form_shows_the_rule_and_writes_the_ledger(owner_client, sku, warehouse, owner):
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=3, actor=owner)
    response = owner_client.post(
        "/inventory/adjust/", {"sku": sku.code, "warehouse": warehouse.pk, "quantity": -5, "reason": "破损"}
    )
    assert response.status_code == 200 and "已为订单预留" in response.content.decode()
    response = owner_client.post(
        "/inventory/adjust/", {"sku": "NOPE", "warehouse": warehouse.pk, "quantity": -1, "reason": "破损"}
    )
    assert "NOPE" in response.content.decode()
    response = owner_client.post(
        "/inventory/adjust/", {"sku": sku.code, "warehouse": warehouse.pk, "quantity": 0, "reason": "破损"}
    )
    assert response.status_code == 200 and StockMovement.objects.count() == 1
    response = owner_client.post(
        "/inventory/adjust/", {"sku": sku.code, "warehouse": warehouse.pk, "quantity": -2, "reason": "破损"}
    )
    assert response.status_code == 302 and level(sku, warehouse).on_hand == 1


def test_receive_and_transfer_forms(owner_client, sku, warehouse, make_warehouse):
    other = make_warehouse("GZ")
    owner_client.post("/inventory/receive/", {"sku": sku.code, "warehouse": warehouse.pk, "quantity": 5})
    response = owner_client.post(
        "/inventory/transfer/",
        {"sku": sku.code, "source": warehouse.pk, "destination": other.pk, "quantity": 9},
    )
    assert response.status_code == 200 and "可用" in response.content.decode() and level(sku, other) is None
    owner_client.post(
        "/inventory/transfer/",
        {"sku": sku.code, "source": warehouse.pk, "destination": other.pk, "quantity": 2},
    )
    assert (level(sku, warehouse).on_hand, level(sku, other).on_hand) == (3, 2)


def test_warehouse_create_and_edit_are_audited(owner_client):
    data = {
        "name": "成都仓",
        "code": "CD",
        "province": "四川",
        "city": "成都",
        "priority": 40,
        "is_active": "on",
    }
    assert owner_client.post("/inventory/warehouses/new/", data).status_code == 302
    warehouse = Warehouse.objects.get(code="CD")
    owner_client.post(f"/inventory/warehouses/{warehouse.pk}/", {**data, "priority": 5})
    warehouse.refresh_from_db()
    assert warehouse.priority == 5
    html = owner_client.get(f"/inventory/warehouses/{warehouse.pk}/").content.decode()
    assert "40" in html and AuditEntry.objects.filter(action="inventory.warehouse_save").count() == 2


def test_supplier_skus_are_added_and_removed(owner_client, sku):
    owner_client.post("/inventory/suppliers/new/", {"name": "深圳数码", "lead_time_days": 10, "is_active": "on"})
    supplier = SupplierSku._meta.get_field("supplier").related_model.objects.get()
    owner_client.post(f"/inventory/suppliers/{supplier.pk}/skus/", {"sku": sku.code, "cost": "12.50"})
    item = SupplierSku.objects.get()
    assert owner_client.get(f"/inventory/suppliers/{supplier.pk}/").content.decode().count(sku.code) >= 1
    owner_client.post(f"/inventory/suppliers/skus/{item.pk}/remove/")
    assert not SupplierSku.objects.exists()


def test_threshold_page_sets_and_clears_a_rule(owner_client, sku):
    owner_client.post("/inventory/thresholds/set/", {"sku": sku.code, "kind": "absolute", "value": 4})
    rule = sku.low_stock_rule
    assert rule.value == 4
    owner_client.post(f"/inventory/thresholds/{rule.pk}/delete/")
    assert not type(rule).objects.exists()


def test_warehouse_role_sees_inventory_nav_and_operations_cannot_adjust(client_as):
    html = client_as("warehouse").get("/inventory/").content.decode()
    assert "/inventory/ledger/" in html and "/inventory/adjust/" in html
    ops = client_as("operations")
    assert ops.get("/inventory/").status_code == 200
    assert ops.get("/inventory/adjust/").status_code == 403


def test_the_warehouse_choices_come_from_the_cache_and_still_validate(owner_client, stocked, settings):
    """A filter's model choices (here the warehouses) are read once per ROW_CACHE_SECONDS, not on every load
    (shop.lists.cache_model_choices); choosing one still filters, and a choice that is gone is refused."""
    from django.core.cache import cache

    settings.ROW_CACHE_SECONDS = 60
    cache.clear()
    owner_client.get("/inventory/")
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get("/inventory/")
    assert not [q for q in queries if 'FROM "inventory_warehouse"' in q["sql"]]
    assert "广州仓" in response.content.decode()
    other = Warehouse.objects.get(code="GZ")
    rows = owner_client.get("/inventory/", {"warehouse": other.pk}).context["page"].rows
    assert rows and {r.warehouse_id for r in rows} == {other.pk}
    response = owner_client.get("/inventory/", {"warehouse": 999_999})
    assert response.context["page"].rows == [] and response.context["filter_form"].errors
    cache.clear()
