import importlib
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.conf import settings
from django.utils import timezone, translation

from catalog.models import Product, Sku
from inventory.models import StockLevel, Warehouse
from inventory.services import stock_receive
from marketing import flash, gate, groupbuy
from orders import services
from payments.gateways import PROVIDERS, sign
from tests.orders.conftest import without_intake_rules  # noqa: F401  (a fixture the race tests use)
from tests.payments.conftest import callback_body

_n = count(1)
SECRETS = {code: f"test-secret-{code}" for code in PROVIDERS}
ADDRESS = {
    "name": "张三",
    "phone": "13800138000",
    "province": "上海",
    "city": "上海市",
    "district": "浦东新区",
    "detail": "世纪大道100号",
}


@pytest.fixture(autouse=True)
def provider_secrets(monkeypatch):
    for code, secret in SECRETS.items():
        monkeypatch.setenv(f"PAYMENT_SECRET_{code.upper()}", secret)


@pytest.fixture(autouse=True)
def fresh_flash_catalogue():
    """Session ids come back after a rolled-back test (SQLite): forget the intake's lookup of them."""
    flash._CATALOGUE.clear()
    if settings.REDIS_URL:  # ids restart with each test database: so must the gate's keys
        gate.client().flushdb()
    yield
    flash._CATALOGUE.clear()


@pytest.fixture
def seeded(request):
    """The seeded payment methods (a transactional test elsewhere may have flushed them)."""
    from django.apps import apps

    marker = request.node.get_closest_marker("django_db")
    request.getfixturevalue("transactional_db" if marker and marker.kwargs.get("transaction") else "db")

    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)


@pytest.fixture
def make_sku(db):
    def make(code=None, *, price="100.00", stock=100):
        code = code or f"MK-{next(_n):05d}"
        product = Product.objects.create(code=f"P-{code}", name="秒杀商品", status=Product.Status.PUBLISHED)
        sku = Sku.objects.create(product=product, code=code, price=Decimal(price), options="")
        warehouse = Warehouse.objects.get_or_create(code="SH", defaults={"name": "上海仓", "province": "上海"})[0]
        if stock:
            stock_receive(sku=sku, warehouse=warehouse, quantity=stock, actor="test")
        return sku

    return make


def level(sku):
    row = StockLevel.objects.get(sku=sku)
    return row.on_hand, row.reserved


def running_session(sku, *, quantity=5, limit=1, price="9.90", actor="test"):
    now = timezone.now()
    session = flash.flash_session_save(
        actor=actor, name="十点场", starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1)
    )
    item = flash.flash_item_add(
        actor=actor, session=session, sku=sku, sale_price=price, quantity=quantity, per_customer_limit=limit
    )
    return session, item


def place(code, *, phone="13800138000", quantity=1, method="alipay", **extra):
    order, _created = services.order_place(
        external_id=f"MK-{next(_n)}",
        customer={"phone": phone, "name": "买家"},
        shipping_address=ADDRESS,
        lines=[(code, quantity)],
        payment_method=method,
        **extra,
    )
    return order


def pay(order):
    from payments import services as payments

    body = callback_body(order.number, order.total, f"TX{order.number}")
    provider = order.payment_method
    return payments.payment_callback_handle(provider=provider, body=body, signature=sign(SECRETS[provider], body))


def make_group_buy(sku, *, size=2, price="59.00", hours=24):
    now = timezone.now()
    return groupbuy.group_buy_save(
        actor="test",
        name="两人团",
        sku=sku,
        group_size=size,
        group_price=price,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
        fill_hours=hours,
    )


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the pages and the services' reasons as the English catalogue has them."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
