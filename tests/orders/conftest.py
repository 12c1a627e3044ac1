import json
from decimal import Decimal
from itertools import count

import pytest

from catalog.models import Product, Sku
from inventory.models import StockLevel, Warehouse
from inventory.services import stock_receive
from orders import services
from orders.models import Carrier
from shop.services import apikey_create

_codes = count(1)


@pytest.fixture
def make_sku(db):
    def make(code=None, *, price="99.00", stock=10, warehouse=None, status=Product.Status.PUBLISHED, **extra):
        code = code or f"OS-{next(_codes):05d}"
        product = Product.objects.create(
            code=f"P-{code}",
            name=extra.pop("name", "纯棉T恤"),
            status=status,
            weight_g=extra.pop("product_weight_g", 0),
        )
        sku = Sku.objects.create(product=product, code=code, price=Decimal(price), options="白 / M", **extra)
        if stock:
            wh = (
                warehouse
                or Warehouse.objects.get_or_create(code="SH", defaults={"name": "上海仓", "province": "上海"})[0]
            )
            stock_receive(sku=sku, warehouse=wh, quantity=stock, actor="test")
        return sku

    return make


@pytest.fixture
def sku(make_sku):
    return make_sku("TEE-W-M", price="99.50", stock=10)


def available(sku):
    level = StockLevel.objects.filter(sku=sku).first()
    return level.on_hand - level.reserved if level else 0


def reserved(sku):
    return sum(StockLevel.objects.filter(sku=sku).values_list("reserved", flat=True))


ADDRESS = {
    "name": "张三",
    "phone": "13800138000",
    "province": "上海",
    "city": "上海市",
    "district": "浦东新区",
    "detail": "世纪大道100号",
    "postcode": "200120",
}


def body(*lines, external_id=None, **extra):
    data = {
        "external_id": external_id or f"EXT-{next(_codes)}",
        "customer": {"phone": "13800138000", "name": "张三"},
        "shipping_address": dict(ADDRESS),
        "lines": [{"sku": c, "quantity": q} for c, q in lines],
        "payment_method": "alipay",
    }
    data.update(extra)
    return data


@pytest.fixture
def place(db):
    """Place an order through the service, as the storefront would."""

    def call(*lines, **extra):
        data = body(*lines, **extra)
        order, _created = services.order_place(
            external_id=data["external_id"],
            customer=data["customer"],
            shipping_address=data["shipping_address"],
            lines=[(ln["sku"], ln["quantity"]) for ln in data["lines"]],
            payment_method=data["payment_method"],
            actor="test",
            **{k: v for k, v in extra.items() if k in ("note", "flash_sale_id", "now", "channel")},
        )
        return order

    return call


@pytest.fixture
def paid(place):
    def call(*lines, **extra):
        order = place(*lines, **extra)
        return services.order_mark_paid(order=order, amount=order.total, paid_at=order.placed_at)

    return call


@pytest.fixture
def carrier(db):
    return Carrier.objects.create(
        name="顺丰速运",
        code="sf",
        tracking_pattern=r"SF\d{12}",
        tracking_url="https://www.sf-express.com/track?no={number}",
    )


@pytest.fixture
def api(client, owner):
    keys = {}

    def call(method, path, data=None, scopes=("orders:write", "orders:read"), headers=None):
        scopes = tuple(scopes)
        if scopes not in keys:
            keys[scopes] = apikey_create(actor=owner, name="storefront", scopes=list(scopes))[1]
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {keys[scopes]}"}
        for name, value in (headers or {}).items():
            kwargs["HTTP_" + name.upper().replace("-", "_")] = value
        if data is not None:
            kwargs.update(data=data if isinstance(data, str) else json.dumps(data), content_type="application/json")
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


@pytest.fixture
def without_intake_rules():
    """For transactional tests: an earlier test's flush may have emptied the seed rows (payment methods)
    that later modules' `order_placing` rules read. These tests are about stock and pages, so they run
    without those rules; the rules are tested by their own modules."""
    from orders.signals import order_placing

    saved = list(order_placing.receivers)
    with order_placing.lock:
        order_placing.receivers.clear()
        order_placing.sender_receivers_cache.clear()
    yield
    with order_placing.lock:
        order_placing.receivers[:] = saved
        order_placing.sender_receivers_cache.clear()
