from decimal import Decimal
from itertools import count

import pytest

from catalog.models import Product, Sku
from inventory.models import StockLevel, Warehouse

_codes = count(1)


@pytest.fixture
def make_sku(db):
    def make(code=None, **extra):
        code = code or f"T-{next(_codes):05d}"
        product = Product.objects.create(code=f"P-{code}", name=extra.pop("name", "测试商品"))
        return Sku.objects.create(product=product, code=code, price=Decimal("99.00"), cost=Decimal("40.00"), **extra)

    return make


@pytest.fixture
def make_warehouse(db):
    def make(code=None, **extra):
        code = code or f"W{next(_codes)}"
        extra.setdefault("province", "上海")
        return Warehouse.objects.create(name=extra.pop("name", f"仓库{code}"), code=code, **extra)

    return make


@pytest.fixture
def sku(make_sku):
    return make_sku("SKU-1")


@pytest.fixture
def warehouse(make_warehouse):
    return make_warehouse("SH", name="上海仓", province="上海", priority=10)


def level(sku, warehouse):
    return StockLevel.objects.filter(sku=sku, warehouse=warehouse).first()
