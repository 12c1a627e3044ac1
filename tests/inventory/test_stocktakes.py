import pytest

from inventory import services
from inventory.models import StockMovement, Stocktake
from shop.errors import DomainError
from tests.inventory.conftest import level

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_skus(make_sku, warehouse, owner):
    a, b = make_sku("A"), make_sku("B")
    services.stock_receive(sku=a, warehouse=warehouse, quantity=10, actor=owner)
    services.stock_receive(sku=b, warehouse=warehouse, quantity=5, actor=owner)
    return a, b


def test_a_stocktake_on_an_inactive_warehouse_is_refused(make_warehouse, owner):
    closed = make_warehouse(is_active=False)
    with pytest.raises(DomainError) as e:
        services.stocktake_start(warehouse=closed, actor=owner)
    assert e.value.code == "warehouse_inactive" and "未启用" in e.value.message
    assert not Stocktake.objects.exists()


def test_approval_posts_variances_against_current_stock(two_skus, warehouse, owner):
    a, b = two_skus
    stocktake = services.stocktake_start(warehouse=warehouse, actor=owner)
    lines = {line.sku.code: line for line in stocktake.lines.select_related("sku")}
    assert {code: line.expected for code, line in lines.items()} == {"A": 10, "B": 5}
    services.stocktake_count(stocktake=stocktake, counts={lines["A"]: 8}, actor=owner)
    with pytest.raises(DomainError) as e:
        services.stocktake_approve(stocktake=stocktake, actor=owner)
    assert e.value.code == "uncounted" and e.value.data["skus"] == ["B"]
    with pytest.raises(DomainError):
        services.stocktake_count(stocktake=stocktake, counts={lines["B"]: -1}, actor=owner)
    services.stocktake_count(stocktake=stocktake, counts={lines["B"]: 5}, actor=owner)
    services.stock_reserve(items=[(a, 1)], reference="SO1")
    services.stock_commit(reference="SO1")  # a sale during the count stays counted
    [movement] = services.stocktake_approve(stocktake=stocktake, actor=owner)
    assert (movement.kind, movement.on_hand_delta, movement.reference) == ("stocktake", -2, stocktake.number)
    assert level(a, warehouse).on_hand == 7
    with pytest.raises(DomainError):
        services.stocktake_approve(stocktake=stocktake, actor=owner)


def test_stocktake_pages(owner_client, two_skus, warehouse):
    owner_client.post("/inventory/stocktakes/new/", {"warehouse": warehouse.pk})
    stocktake = Stocktake.objects.get()
    sheet = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/sheet/").content.decode()
    assert "盘点表" in sheet and "A" in sheet
    counts = {f"line_{line.pk}": 9 if line.sku.code == "A" else 5 for line in stocktake.lines.select_related("sku")}
    owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/count/", counts)
    html = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/").content.decode()
    assert "-1" in html
    owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/approve/")
    assert StockMovement.objects.filter(kind="stocktake").get().on_hand_delta == -1


def test_an_approved_stocktake_takes_no_more_counts_and_its_page_offers_none(owner_client, two_skus, warehouse, owner):
    stocktake = services.stocktake_start(warehouse=warehouse, actor=owner)
    lines = list(stocktake.lines.all())
    page = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/").content.decode()
    assert "保存盘点数量" in page and "审核通过" in page
    services.stocktake_count(stocktake=stocktake, counts={line: line.expected for line in lines}, actor=owner)
    services.stocktake_approve(stocktake=stocktake, actor=owner)
    with pytest.raises(DomainError) as e:
        services.stocktake_count(stocktake=stocktake, counts={lines[0]: 1}, actor=owner)
    assert e.value.code == "illegal_transition" and e.value.message == f"盘点单 {stocktake.number} 已审核。"
    assert stocktake.lines.filter(counted=1).count() == 0
    page = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/").content.decode()
    assert "保存盘点数量" not in page and "审核通过" not in page
    response = owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/approve/", follow=True)
    assert "已审核" in response.content.decode()
