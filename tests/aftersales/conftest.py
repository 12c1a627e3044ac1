"""After-sales requests: a paid, delivered order of two lines with an order-level discount, its payment
through the signed callback, a warehouse with stock, carriers, and the seeded reasons."""

import base64
import importlib
import io
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone
from PIL import Image

from catalog.models import Category, Product, Sku
from customers.models import Customer
from inventory.models import Warehouse
from inventory.services import stock_receive
from orders.models import Carrier, Order, OrderLine
from tests.payments.conftest import (  # noqa: F401  (fixtures)
    SECRETS,
    deliver_refund_callbacks,
    pay,
    payment_defaults,
    provider_secrets,
)

_numbers = count(1)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def reasons(request):
    """The seeded reasons (a transactional test elsewhere flushes data migrations' rows)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    from django.apps import apps

    importlib.import_module("aftersales.migrations.0001_requests").seed_reasons(apps, None)


@pytest.fixture
def warehouse(db):
    return Warehouse.objects.create(code="AS-SH", name="上海退货仓", province="上海", city="上海")


@pytest.fixture
def category(db):
    return Category.objects.add_root({"name": "服装"})


@pytest.fixture
def skus(db, warehouse, category):
    tee = Product.objects.create(code="AS-P-TEE", name="纯棉T恤", category=category, status=Product.Status.PUBLISHED)
    mug = Product.objects.create(code="AS-P-MUG", name="陶瓷杯", status=Product.Status.PUBLISHED)
    made = {
        "tee": Sku.objects.create(product=tee, code="AS-TEE-M", price=Decimal("100.00")),
        "tee_l": Sku.objects.create(product=tee, code="AS-TEE-L", price=Decimal("100.00")),
        "mug": Sku.objects.create(product=mug, code="AS-MUG", price=Decimal("50.00")),
    }
    for sku in made.values():
        stock_receive(sku=sku, warehouse=warehouse, quantity=10, actor=None)
    return made


@pytest.fixture
def carrier(db):
    return Carrier.objects.create(name="顺丰速运", code="sf", tracking_pattern=r"SF[0-9]{10,13}")


@pytest.fixture
def make_order(skus, pay):  # noqa: F811  (the imported fixture)
    """A paid order (through the payment callback), then delivered `delivered_days_ago` days ago (None: not
    shipped). Lines: 2 × tee at 100 and 1 × mug at 50, an order-level discount of 10 and 10 shipping:
    total 250, goods 240 shared 192.00 / 48.00 (96.00 a tee)."""

    def make(*, delivered_days_ago=1, discount="10.00", shipping="10.00", lines=None, phone="13900139000"):
        lines = lines or [("tee", 2, "200.00"), ("mug", 1, "50.00")]
        subtotal = sum(Decimal(t) for _s, _q, t in lines)
        total = subtotal - Decimal(discount) + Decimal(shipping)
        customer, _ = Customer.objects.get_or_create(phone=phone, defaults={"name": "李四"})
        order = Order.objects.create(
            number=f"AS{next(_numbers):012d}",
            customer=customer,
            subtotal=subtotal,
            discount=Decimal(discount),
            shipping_fee=Decimal(shipping),
            total=total,
            payment_method="alipay",
            ship_name="李四",
            ship_phone=phone,
            ship_province="上海",
            ship_city="上海",
            ship_district="静安区",
            ship_detail="南京西路 1 号",
        )
        for key, quantity, line_total in lines:
            OrderLine.objects.create(
                order=order,
                sku=skus[key],
                sku_code=skus[key].code,
                name=skus[key].product.name,
                quantity=quantity,
                unit_price=Decimal(line_total) / quantity,
                line_total=Decimal(line_total),
            )
        pay(order)
        order.refresh_from_db()
        if delivered_days_ago is not None:
            now = timezone.now()
            shipped = now - timezone.timedelta(days=delivered_days_ago + 1)
            Order.objects.filter(pk=order.pk).update(
                status=Order.Status.DELIVERED,
                shipped_at=shipped,
                delivered_at=now - timezone.timedelta(days=delivered_days_ago),
            )
            order.refresh_from_db()
        return order

    return make


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def png_base64() -> str:
    return base64.b64encode(png_bytes()).decode()


def line_of(order, key_sku):
    return order.lines.get(sku_code=key_sku)


@pytest.fixture
def api(client, owner):
    """Call the integration API with a key of these scopes (default: aftersales:write)."""
    import json

    from shop.services import apikey_create

    keys = {}

    def call(method, path, data=None, scopes=("aftersales:write",), headers=None):
        scopes = tuple(scopes)
        if scopes not in keys:
            keys[scopes] = apikey_create(actor=owner, name="storefront", scopes=list(scopes))[1]
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {keys[scopes]}", "HTTP_ACCEPT_LANGUAGE": "en"}
        for name, value in (headers or {}).items():
            kwargs["HTTP_" + name.upper().replace("-", "_")] = value
        if data is not None:
            kwargs.update(data=data if isinstance(data, str) else json.dumps(data), content_type="application/json")
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


# -- complaints, the FAQ and the after-sales report ------------------------------------------------------------
def complaint_order(customer, number="A000000000001", *, sku=None, quantity=1, placed_at=None, paid=True):
    """A shipped order of one line (quantity × 99.00) for the complaint and report tests."""
    from tests.catalog.factories import SkuFactory

    sku = sku or SkuFactory(price=Decimal("99.00"))
    placed_at = placed_at or timezone.now()
    order = Order.objects.create(
        number=number,
        status=Order.Status.SHIPPED,
        customer=customer,
        subtotal=Decimal("99.00") * quantity,
        total=Decimal("99.00") * quantity,
        payment_method="alipay",
        placed_at=placed_at,
        paid_at=placed_at if paid else None,
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
def customer(db):
    return Customer.objects.create(phone="13800138000", name="张三")


@pytest.fixture
def order(customer):
    return complaint_order(customer)


@pytest.fixture
def shipment(order):
    from orders.models import Shipment

    carrier = Carrier.objects.get_or_create(code="sf", defaults={"name": "顺丰速运"})[0]
    return Shipment.objects.create(order=order, carrier=carrier, tracking_number="SF100000000001")


@pytest.fixture
def make_complaint(owner, customer):
    from aftersales.services import complaint_create

    def make(**kwargs):
        data = {"actor": owner, "customer": customer, "category": "service", "description": "客服态度差"}
        data.update(kwargs)
        return complaint_create(**data)

    return make


@pytest.fixture
def storefront(client, owner):
    """call(method, path, data=None, scopes=...): the API with a storefront key holding the scopes; a GET's data
    is its query string."""
    import json

    from shop.services import apikey_create

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
