"""Many buyers racing for the last units of one SKU (PostgreSQL row locks; SQLite serialised writers)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from inventory import selectors, services
from inventory.models import StockLevel, StockMovement


def _reserve(sku, n):
    try:
        services.stock_reserve(items=[(sku, 1)], reference=f"SO{n}")
        return "ok"
    except services.OutOfStock as e:
        return e.code
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_sixty_four_buyers_ten_units(sku, warehouse, owner):
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=10, actor=owner)
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda n: _reserve(sku, n), range(64)))
    assert results.count("ok") == 10
    assert results.count("out_of_stock") == 54
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    assert (level.on_hand, level.reserved, level.available) == (10, 10, 0)
    assert StockMovement.objects.filter(kind="reservation").count() == 10
    assert list(selectors.ledger_mismatches()) == []
