import pytest

from inventory import selectors, services
from inventory.models import StockMovement
from shop.errors import DomainError
from shop.models import AuditEntry
from tests.inventory.conftest import level

pytestmark = pytest.mark.django_db


def assert_ledger_balanced():
    assert list(selectors.ledger_mismatches()) == []


def test_receive_adds_on_hand_with_a_ledger_row_and_an_audit_entry(sku, warehouse, owner):
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=12, actor=owner, reference="DN-1")
    row = level(sku, warehouse)
    assert (row.on_hand, row.reserved, row.available) == (12, 0, 12)
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.on_hand_delta, movement.actor, movement.reference) == (
        "receipt",
        12,
        owner,
        "DN-1",
    )
    assert AuditEntry.objects.filter(action="inventory.receive", actor=owner).exists()
    assert_ledger_balanced()


@pytest.mark.parametrize("quantity", [0, -3, 2.5, True])
def test_bad_quantities_are_refused_and_nothing_is_written(sku, warehouse, owner, quantity):
    for call in (
        lambda: services.stock_receive(sku=sku, warehouse=warehouse, quantity=quantity, actor=owner),
        lambda: services.stock_reserve(items=[(sku, quantity)], reference="SO1"),
    ):
        with pytest.raises(DomainError) as e:
            call()
        assert e.value.code == "invalid_quantity"
    assert not StockMovement.objects.exists() and not AuditEntry.objects.exists()


def test_adjust_needs_a_reason_and_cannot_eat_reserved_stock(sku, warehouse, owner):
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=5, actor=owner)
    services.stock_reserve(items=[(sku, 3)], reference="SO1")
    with pytest.raises(DomainError, match="原因|reason"):
        services.stock_adjust(sku=sku, warehouse=warehouse, quantity=-1, reason=" ", actor=owner)
    with pytest.raises(DomainError) as e:
        services.stock_adjust(sku=sku, warehouse=warehouse, quantity=-3, reason="破损", actor=owner)
    assert e.value.status == 409
    services.stock_adjust(sku=sku, warehouse=warehouse, quantity=-2, reason="破损", actor=owner)
    assert (level(sku, warehouse).on_hand, level(sku, warehouse).available) == (3, 0)
    assert_ledger_balanced()


def test_transfer_moves_available_stock_and_refuses_more(sku, warehouse, make_warehouse, owner):
    other = make_warehouse("GZ", province="广东")
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=5, actor=owner)
    services.stock_reserve(items=[(sku, 2)], reference="SO1")
    with pytest.raises(services.OutOfStock):
        services.stock_transfer(sku=sku, source=warehouse, destination=other, quantity=4, actor=owner)
    assert StockMovement.objects.filter(kind="transfer").count() == 0
    with pytest.raises(DomainError):
        services.stock_transfer(sku=sku, source=warehouse, destination=warehouse, quantity=1, actor=owner)
    services.stock_transfer(sku=sku, source=warehouse, destination=other, quantity=3, actor=owner)
    assert (level(sku, warehouse).on_hand, level(sku, other).on_hand) == (2, 3)
    assert_ledger_balanced()


def test_inactive_warehouse_cannot_receive(sku, make_warehouse, owner):
    closed = make_warehouse(is_active=False)
    with pytest.raises(DomainError) as e:
        services.stock_receive(sku=sku, warehouse=closed, quantity=1, actor=owner)
    assert e.value.code == "warehouse_inactive"
    assert not StockMovement.objects.exists()


def test_reserve_prefers_the_order_province_then_priority_then_splits(make_sku, make_warehouse, owner):
    sku = make_sku()
    shanghai = make_warehouse("SH", province="上海", priority=10)
    guangzhou = make_warehouse("GZ", province="广东省", priority=20)
    beijing = make_warehouse("BJ", province="北京", priority=5)
    for w, n in ((shanghai, 4), (guangzhou, 4), (beijing, 3)):
        services.stock_receive(sku=sku, warehouse=w, quantity=n, actor=owner)

    [m] = services.stock_reserve(items=[(sku, 2)], reference="A", province="广东")
    assert m.warehouse == guangzhou
    [m] = services.stock_reserve(items=[(sku, 2)], reference="B")
    assert m.warehouse == beijing  # lowest priority number
    moves = services.stock_reserve(items=[(sku, 5)], reference="C", province="上海市")
    assert [(x.warehouse, x.reserved_delta) for x in moves] == [(shanghai, 4), (beijing, 1)]
    with pytest.raises(services.OutOfStock) as e:
        services.stock_reserve(items=[(sku, 3)], reference="D")
    assert e.value.code == "out_of_stock" and e.value.status == 409
    assert e.value.data["items"] == [{"sku": sku.code, "requested": 3, "available": 2}]
    assert_ledger_balanced()


def test_out_of_stock_lists_every_short_line_and_reserves_nothing(make_sku, warehouse, owner):
    a, b, c = make_sku("A"), make_sku("B"), make_sku("C")
    services.stock_receive(sku=a, warehouse=warehouse, quantity=5, actor=owner)
    services.stock_receive(sku=b, warehouse=warehouse, quantity=1, actor=owner)
    with pytest.raises(services.OutOfStock) as e:
        services.stock_reserve(items=[(a, 2), (b, 2), (c, 1)], reference="SO9")
    assert [i["sku"] for i in e.value.data["items"]] == ["B", "C"]
    assert "B" in e.value.message and "C" in e.value.message
    assert not StockMovement.objects.filter(kind="reservation").exists()


def test_release_and_commit_settle_a_reference_once(sku, warehouse, owner):
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=10, actor=owner)
    services.stock_reserve(items=[(sku, 3)], reference="SO1")
    services.stock_reserve(items=[(sku, 4)], reference="SO2")
    assert len(services.stock_release(reference="SO1")) == 1
    assert services.stock_release(reference="SO1") == []  # a retry does nothing
    assert len(services.stock_commit(reference="SO2")) == 1
    assert services.stock_commit(reference="SO2") == []
    assert services.stock_release(reference="SO2") == []  # shipped: nothing left to release
    row = level(sku, warehouse)
    assert (row.on_hand, row.reserved) == (6, 0)
    assert_ledger_balanced()


def test_erp_sync_sets_on_hand_all_or_nothing(make_sku, warehouse, owner):
    a, b = make_sku("A"), make_sku("B")
    services.stock_receive(sku=a, warehouse=warehouse, quantity=5, actor=owner)
    services.stock_reserve(items=[(a, 4)], reference="SO1")
    with pytest.raises(DomainError) as e:
        services.stock_sync(items=[(b, warehouse, 7), (a, warehouse, 3)], actor="api:erp")
    assert list(e.value.data["fields"]) == ["items.1.on_hand"]
    assert level(b, warehouse) is None or level(b, warehouse).on_hand == 0
    assert not StockMovement.objects.filter(kind="erp_sync").exists()
    services.stock_sync(items=[(b, warehouse, 7), (a, warehouse, 4)], actor="api:erp")
    assert (level(a, warehouse).on_hand, level(b, warehouse).on_hand) == (4, 7)
    assert StockMovement.objects.filter(kind="erp_sync", actor_label="api:erp").count() == 2
    assert_ledger_balanced()


@pytest.mark.parametrize("reference", ["", "X" * 65])
def test_a_reservation_needs_a_usable_reference(sku, warehouse, owner, reference):
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=5, actor=owner)
    with pytest.raises(DomainError) as e:
        services.stock_reserve(items=[(sku, 1)], reference=reference)
    assert e.value.code == "invalid_reference"
    assert level(sku, warehouse).reserved == 0
