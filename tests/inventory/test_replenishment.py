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
    services.replenishment_rule_set(
        sku=a, supplier=north, reorder_point=5, order_up_to=20, pack_size=6, actor=owner
    )
    services.replenishment_rule_set(
        sku=b, supplier=north, reorder_point=0, order_up_to=4, pack_size=1, actor=owner
    )
    services.replenishment_rule_set(
        sku=c, supplier=south, reorder_point=10, order_up_to=60, pack_size=1, actor=owner
    )
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
