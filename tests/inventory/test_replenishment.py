import pytest

from inventory import services
from inventory.models import PurchaseOrder, Supplier
from inventory.tasks import replenishment_suggestions
from shop.errors import DomainError

pytestmark = pytest.mark.django_db


def test_suggestions_draft_one_order_per_supplier_in_whole_packs_once(make_sku, warehouse, owner):
    north, south = Supplier.objects.create(name="北方"), Supplier.objects.create(name="南方")
    a, b, c = make_sku("A"), make_sku("B"), make_sku("C")
    services.stock_receive(sku=a, warehouse=warehouse, quantity=3, actor=owner)
    services.stock_receive(sku=c, warehouse=warehouse, quantity=50, actor=owner)
    services.replenishment_rule_set(sku=a, supplier=north, reorder_point=5, order_up_to=20, pack_size=6, actor=owner)
    services.replenishment_rule_set(sku=b, supplier=north, reorder_point=0, order_up_to=4, pack_size=1, actor=owner)
    services.replenishment_rule_set(sku=c, supplier=south, reorder_point=10, order_up_to=60, pack_size=1, actor=owner)
    [pk] = replenishment_suggestions()
    order = PurchaseOrder.objects.get(pk=pk)
    assert (order.supplier, order.status, order.warehouse) == (north, "draft", warehouse)
    assert sorted(order.lines.values_list("sku__code", "quantity")) == [("A", 18), ("B", 4)]  # 17 -> 3 packs
    assert replenishment_suggestions() == []  # what is on order counts: nothing twice


def test_a_rule_must_order_above_its_reorder_point(sku, owner):
    with pytest.raises(DomainError):
        services.replenishment_rule_set(
            sku=sku,
            supplier=Supplier.objects.create(name="x"),
            reorder_point=5,
            order_up_to=5,
            pack_size=1,
            actor=owner,
        )


def test_replenishment_pages(owner_client, sku):
    supplier = Supplier.objects.create(name="北方")
    owner_client.post(
        "/inventory/replenishment/set/",
        {"sku": sku.code, "supplier": supplier.pk, "reorder_point": 2, "order_up_to": 10, "pack_size": 1},
    )
    assert sku.code in owner_client.get("/inventory/replenishment/").content.decode()
    owner_client.post(f"/inventory/replenishment/{sku.replenishment_rule.pk}/delete/")
    assert owner_client.get("/inventory/replenishment/", {"q": sku.code}).context["count"] == 0


def _ship(sku, warehouse, quantity, *, days_ago, reference):
    from datetime import timedelta

    from django.utils import timezone

    from inventory.models import StockMovement

    services.stock_reserve(items=[(sku, quantity)], reference=reference)
    services.stock_commit(reference=reference)
    StockMovement.objects.filter(reference=reference, kind="sale").update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_forecast_rules_order_moving_average_sales_times_lead_time_plus_safety_stock(make_sku, warehouse, owner):
    supplier = Supplier.objects.create(name="华东", lead_time_days=5)
    fast, slow, old = make_sku("FAST"), make_sku("SLOW"), make_sku("OLD")
    for sku in (fast, slow, old):
        services.stock_receive(sku=sku, warehouse=warehouse, quantity=200, actor=owner)
    _ship(fast, warehouse, 50, days_ago=3, reference="SO1")
    _ship(fast, warehouse, 20, days_ago=9, reference="SO2")  # 70 in 10 days: 7 a day
    _ship(fast, warehouse, 90, days_ago=20, reference="SO3")  # outside the 10-day window
    _ship(slow, warehouse, 3, days_ago=1, reference="SO4")  # 3 in 28 days: 0.107 a day
    _ship(old, warehouse, 190, days_ago=40, reference="SO5")  # nothing in the window: safety stock only
    services.replenishment_rule_set(
        sku=fast,
        supplier=supplier,
        kind="forecast",
        window_days=10,
        safety_stock=15,
        pack_size=10,
        actor=owner,
    )
    services.replenishment_rule_set(
        sku=slow, supplier=supplier, kind="forecast", window_days=28, safety_stock=0, pack_size=1, actor=owner
    )
    services.replenishment_rule_set(
        sku=old, supplier=supplier, kind="forecast", safety_stock=12, pack_size=1, actor=owner
    )
    # FAST: 40 available; target ⌈7 × 5⌉ + 15 = 50 -> 10 short, one pack of 10.
    # SLOW: 197 available; target ⌈3/28 × 5⌉ = 1 -> nothing. OLD: 10 available; target 0 + 12 -> 2.
    [pk] = replenishment_suggestions()
    order = PurchaseOrder.objects.get(pk=pk)
    assert sorted(order.lines.values_list("sku__code", "quantity")) == [("FAST", 10), ("OLD", 2)]
    assert replenishment_suggestions() == []  # on order now counts


def test_fixed_and_forecast_rules_draft_together(make_sku, warehouse, owner):
    supplier = Supplier.objects.create(name="华南", lead_time_days=2)
    fixed, forecast = make_sku("FIX"), make_sku("FC")
    services.stock_receive(sku=forecast, warehouse=warehouse, quantity=30, actor=owner)
    _ship(forecast, warehouse, 28, days_ago=2, reference="SO1")  # 1 a day over 28 days, 2 available
    services.replenishment_rule_set(
        sku=fixed, supplier=supplier, reorder_point=1, order_up_to=6, pack_size=4, actor=owner
    )
    services.replenishment_rule_set(
        sku=forecast, supplier=supplier, kind="forecast", safety_stock=3, pack_size=1, actor=owner
    )
    [pk] = replenishment_suggestions()
    lines = sorted(PurchaseOrder.objects.get(pk=pk).lines.values_list("sku__code", "quantity"))
    assert lines == [("FC", 3), ("FIX", 8)]  # FC: ⌈1 × 2⌉ + 3 = 5 - 2 available


def test_forecast_rule_checks_and_page(owner_client, sku, owner):
    supplier = Supplier.objects.create(name="西部")
    with pytest.raises(DomainError):
        services.replenishment_rule_set(
            sku=sku, supplier=supplier, kind="forecast", window_days=0, pack_size=1, actor=owner
        )
    with pytest.raises(DomainError):
        # a fixed rule without its levels
        services.replenishment_rule_set(sku=sku, supplier=supplier, pack_size=1, actor=owner)
    response = owner_client.post(
        "/inventory/replenishment/set/",
        {"sku": sku.code, "supplier": supplier.pk, "kind": "fixed", "pack_size": 1},
    )
    assert response.status_code == 200 and response.context["form"].errors
    owner_client.post(
        "/inventory/replenishment/set/",
        {
            "sku": sku.code,
            "supplier": supplier.pk,
            "kind": "forecast",
            "window_days": 14,
            "safety_stock": 5,
            "pack_size": 6,
        },
    )
    sku.refresh_from_db()
    rule = sku.replenishment_rule
    assert (rule.kind, rule.window_days, rule.safety_stock, rule.pack_size) == ("forecast", 14, 5, 6)
    page = owner_client.get("/inventory/replenishment/").content.decode()
    assert str(rule.get_kind_display()) in page and '<td class="num">14</td>' in page
