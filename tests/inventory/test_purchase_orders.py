import pytest

from inventory import services
from inventory.models import PurchaseOrder, StockMovement, Supplier
from shop.errors import DomainError
from shop.models import AuditEntry
from tests.inventory.conftest import level

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(db):
    return Supplier.objects.create(name="杭州织造", lead_time_days=7)


def test_purchase_order_lifecycle_posts_receipts_to_the_ledger(make_sku, supplier, warehouse, owner):
    a, b = make_sku("A"), make_sku("B")
    services.supplier_sku_set(supplier=supplier, sku=a, cost=12, actor=owner)
    order = services.purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[(a, 10, None), (b, 5, 3)], actor=owner
    )
    assert [(ln.sku.code, ln.unit_cost) for ln in order.lines.order_by("sku__code")] == [("A", 12), ("B", 3)]
    with pytest.raises(DomainError):  # a draft is not received against
        services.purchase_order_receive(order=order, quantities={order.lines.get(sku=a): 1}, actor=owner)
    services.purchase_order_place(order=order, actor=owner)
    line_a, line_b = order.lines.get(sku=a), order.lines.get(sku=b)

    order = services.purchase_order_receive(order=order, quantities={line_a: 4}, actor=owner)
    assert order.status == PurchaseOrder.Status.PARTIAL
    with pytest.raises(DomainError) as e:
        services.purchase_order_receive(order=order, quantities={line_a: 7, line_b: 5}, actor=owner)
    assert e.value.code == "over_receipt" and e.value.data["skus"] == ["A"]
    assert level(a, warehouse).on_hand == 4 and level(b, warehouse) is None
    order = services.purchase_order_receive(
        order=order, quantities={line_a: 7, line_b: 5}, actor=owner, confirm_over=True
    )
    assert order.status == PurchaseOrder.Status.RECEIVED
    assert (level(a, warehouse).on_hand, level(b, warehouse).on_hand) == (11, 5)
    assert set(StockMovement.objects.values_list("reference_type", "reference")) == {("po", order.number)}


def test_receiving_against_a_cancelled_order_is_refused_and_writes_nothing(sku, supplier, warehouse, owner):
    order = services.purchase_order_create(supplier=supplier, warehouse=warehouse, lines=[(sku, 3, 1)], actor=owner)
    services.purchase_order_place(order=order, actor=owner)
    services.purchase_order_cancel(order=order, actor=owner)
    with pytest.raises(DomainError) as e:
        services.purchase_order_receive(order=order, quantities={order.lines.get(): 3}, actor=owner)
    assert e.value.code == "illegal_transition" and "已取消" in e.value.message
    assert not StockMovement.objects.exists()
    with pytest.raises(DomainError):
        services.purchase_order_place(order=order, actor=owner)


def test_po_pages_draft_place_and_receive(owner_client, sku, supplier, warehouse):
    response = owner_client.post(
        "/inventory/purchase-orders/new/",
        {"supplier": supplier.pk, "warehouse": warehouse.pk, "lines": f"{sku.code} 6 9.50\nNOPE 1"},
    )
    assert "NOPE" in response.content.decode() and not PurchaseOrder.objects.exists()
    response = owner_client.post(
        "/inventory/purchase-orders/new/",
        {"supplier": supplier.pk, "warehouse": warehouse.pk, "lines": f"{sku.code} 6 9.50"},
    )
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    owner_client.post(f"/inventory/purchase-orders/{order.pk}/place/")
    line = order.lines.get()
    response = owner_client.post(f"/inventory/purchase-orders/{order.pk}/receive/", {f"line_{line.pk}": 8})
    assert "确认" in response.content.decode()  # over-receipt needs confirmation
    owner_client.post(f"/inventory/purchase-orders/{order.pk}/receive/", {f"line_{line.pk}": 8, "confirm_over": "on"})
    assert level(sku, warehouse).on_hand == 8
    assert owner_client.get(f"/inventory/purchase-orders/{order.pk}/").status_code == 200


def test_operations_may_read_purchase_orders_but_not_receive(client_as, sku, supplier, warehouse, owner):
    order = services.purchase_order_create(supplier=supplier, warehouse=warehouse, lines=[(sku, 3, 1)], actor=owner)
    client = client_as("operations")
    assert client.get(f"/inventory/purchase-orders/{order.pk}/").status_code == 200
    assert client.post(f"/inventory/purchase-orders/{order.pk}/receive/", {}).status_code == 403


def test_the_po_page_offers_only_the_moves_its_status_allows(owner_client, sku, supplier, warehouse, owner):
    order = services.purchase_order_create(supplier=supplier, warehouse=warehouse, lines=[(sku, 2, 1)], actor=owner)

    def page():
        url = f"/inventory/purchase-orders/{order.pk}/"
        html = owner_client.get(url).content.decode()
        return {action: f'action="{url}{action}/"' in html for action in ("place", "cancel", "receive")}

    assert page() == {"place": True, "cancel": True, "receive": False}
    services.purchase_order_place(order=order, actor=owner)
    assert page() == {"place": False, "cancel": True, "receive": True}
    services.purchase_order_receive(order=order, quantities={order.lines.get(): 1}, actor=owner)
    assert PurchaseOrder.objects.get().status == PurchaseOrder.Status.PARTIAL
    assert page() == {"place": False, "cancel": False, "receive": True}
    services.purchase_order_receive(order=order, quantities={order.lines.get(): 1}, actor=owner)
    assert PurchaseOrder.objects.get().status == PurchaseOrder.Status.RECEIVED
    assert page() == {"place": False, "cancel": False, "receive": False}
    response = owner_client.post(f"/inventory/purchase-orders/{order.pk}/cancel/", follow=True)
    assert "已到货" in response.content.decode() and PurchaseOrder.objects.get().status == "received"
    actions = (
        AuditEntry.objects.filter(action__startswith="inventory.po_").order_by("pk").values_list("action", flat=True)
    )
    assert list(actions) == [
        "inventory.po_create",
        "inventory.po_ordered",
        "inventory.po_receive",
        "inventory.po_receive",
    ]


@pytest.mark.parametrize("cost", ["NaN", "sNaN", "1e20", "-1", "abc"])
def test_a_po_line_with_a_cost_that_is_no_amount_is_shown_back_not_saved(owner_client, sku, supplier, warehouse, cost):
    response = owner_client.post(
        "/inventory/purchase-orders/new/",
        {"supplier": supplier.pk, "warehouse": warehouse.pk, "lines": f"{sku.code} 6 {cost}"},
    )
    assert response.status_code == 200 and f"{sku.code} 6 {cost}" in response.content.decode()
    assert not PurchaseOrder.objects.exists()


def test_a_po_line_cost_is_rounded_half_up_to_the_cent(owner_client, sku, supplier, warehouse):
    owner_client.post(
        "/inventory/purchase-orders/new/",
        {"supplier": supplier.pk, "warehouse": warehouse.pk, "lines": f"{sku.code} 6 9.125"},
    )
    assert str(PurchaseOrder.objects.get().lines.get().unit_cost) == "9.13"
