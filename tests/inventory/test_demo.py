import io

import pytest

from inventory import demo, selectors
from inventory.models import StockMovement, Supplier, Warehouse

pytestmark = pytest.mark.django_db


def test_demo_does_nothing_without_skus_and_is_idempotent(make_sku):
    demo.seed(io.StringIO())
    assert Warehouse.objects.count() == 3 and not StockMovement.objects.exists()
    for _n in range(4):
        make_sku()
    demo.seed(io.StringIO())
    moves = StockMovement.objects.count()
    assert moves > 0 and set(StockMovement.objects.values_list("kind", flat=True)) == {"receipt"}
    demo.seed(io.StringIO())
    assert StockMovement.objects.count() == moves and Supplier.objects.count() == 3
    assert list(selectors.ledger_mismatches()) == []
