"""What the after-sales complaint, FAQ and report tests share: a customer with a shipped order, complaints made
through the service, and a storefront API client."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.services import complaint_create
from customers.models import Customer
from orders.models import Carrier, Order, OrderLine, Shipment
from shop.services import apikey_create
from tests.catalog.factories import ProductFactory, SkuFactory


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def customer(db):
    return Customer.objects.create(phone="13800138000", name="张三")


def make_order(customer, number="A000000000001", *, sku=None, quantity=1, placed_at=None, paid=True):
    sku = sku or SkuFactory(price=Decimal("99.00"))
    order = Order.objects.create(
        number=number,
        status=Order.Status.SHIPPED,
        customer=customer,
        subtotal=Decimal("99.00") * quantity,
        total=Decimal("99.00") * quantity,
        payment_method="alipay",
        placed_at=placed_at or timezone.now(),
        paid_at=(placed_at or timezone.now()) if paid else None,
        ship_name=customer.name,
        ship_phone=customer.phone,
        ship_province="上海",
        ship_city="上海市",
        ship_district="浦东新区",
        ship_detail="世纪大道100号",
    )
    OrderLine.objects.create(
        order=order,
        sku=sku,
        sku_code=sku.code,
        name=sku.product.name,
        quantity=quantity,
        unit_price=Decimal("99.00"),
        line_total=Decimal("99.00") * quantity,
    )
    return order


@pytest.fixture
def order(customer):
    return make_order(customer)


@pytest.fixture
def shipment(order):
    carrier = Carrier.objects.create(name="顺丰速运", code="sf")
    return Shipment.objects.create(order=order, carrier=carrier, tracking_number="SF100000000001")


@pytest.fixture
def product(db):
    return ProductFactory(code="P-TEE", name="纯棉T恤")


@pytest.fixture
def make_complaint(owner, customer):
    def make(**kwargs):
        data = {"actor": owner, "customer": customer, "category": "service", "description": "客服态度差"}
        data.update(kwargs)
        return complaint_create(**data)

    return make


@pytest.fixture
def api(client, owner):
    """call(method, path, data=None, scopes=...) with a storefront key holding the scopes."""
    keys = {}

    def call(method, path, data=None, scopes=("aftersales:write", "aftersales:read"), headers=None):
        if scopes not in keys:
            keys[scopes] = apikey_create(actor=owner, name="storefront", scopes=list(scopes))[1]
        extra = {"HTTP_AUTHORIZATION": f"Bearer {keys[scopes]}", "HTTP_ACCEPT_LANGUAGE": "en"}
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        if method == "get":
            return client.get(path, data or {}, **extra)
        body = data if isinstance(data, str) else json.dumps(data)
        return client.post(path, data=body, content_type="application/json", **extra)

    return call
