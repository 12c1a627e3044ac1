from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Product, Sku
from inventory.models import Warehouse
from inventory.services import stock_receive

SECRET = "reliability-test-secret"
ADDRESS = {
    "name": "张三",
    "phone": "13800138000",
    "province": "上海",
    "city": "上海",
    "district": "静安区",
    "detail": "南京西路 1266 号",
}


@pytest.fixture(autouse=True)
def english(settings, monkeypatch):
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setenv("PAYMENT_SECRET_ALIPAY", SECRET)


@pytest.fixture
def database_down(monkeypatch):
    """The database refuses connections (PostgreSQL stopped or restarting; for SQLite, a file that cannot be
    opened): every new connection fails until the block ends, then the next request connects again."""

    @contextmanager
    def down():
        connection.close()
        if connection.vendor == "sqlite":
            monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/houtai/db.sqlite3")
        else:
            monkeypatch.setitem(connection.settings_dict, "PORT", "1")
        try:
            yield
        finally:
            monkeypatch.undo()
            connection.close()

    return down


@pytest.fixture
def sku(db):
    product = Product.objects.create(code="P-REL-1", name="纯棉T恤", status=Product.Status.PUBLISHED)
    sku = Sku.objects.create(product=product, code="REL-TEE-M", price=Decimal("100.00"), cost=Decimal("40.00"))
    warehouse = Warehouse.objects.create(code="SH", name="上海仓", province="上海", city="上海")
    stock_receive(sku=sku, warehouse=warehouse, quantity=1000, actor=None)
    return sku
