import importlib
import json
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from catalog.models import Product, Sku
from customers.models import Customer
from inventory.models import Warehouse
from inventory.services import stock_receive
from orders.models import Order, OrderLine
from payments.gateways import PROVIDERS, SandboxGateway, sign

_numbers = count(1)
SECRETS = {code: f"test-secret-{code}" for code in PROVIDERS}


@pytest.fixture(autouse=True)
def provider_secrets(monkeypatch):
    for code, secret in SECRETS.items():
        monkeypatch.setenv(f"PAYMENT_SECRET_{code.upper()}", secret)
    return SECRETS


@pytest.fixture(autouse=True)
def payment_defaults(request):
    """The seeded methods and risk rules: a transactional test elsewhere flushes data migrations' rows."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    from django.apps import apps

    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)


@pytest.fixture
def sku(db):
    product = Product.objects.create(code="P-PAY-1", name="纯棉T恤", status=Product.Status.PUBLISHED)
    sku = Sku.objects.create(product=product, code="PAY-TEE-M", price=Decimal("100.00"), cost=Decimal("40.00"))
    warehouse = Warehouse.objects.create(code="SH", name="上海仓", province="上海", city="上海")
    stock_receive(sku=sku, warehouse=warehouse, quantity=100_000, actor=None)
    return sku


ADDRESS = {
    "name": "张三",
    "phone": "13800138000",
    "province": "上海",
    "city": "上海",
    "district": "静安区",
    "detail": "南京西路 1266 号 10 楼",
}


@pytest.fixture
def place_order(sku):
    """An order through orders' own intake (so the order_placing receiver runs)."""
    from orders.services import order_place

    def place(method="alipay", quantity=1, phone="13800138000", address=None):
        order, _created = order_place(
            customer={"phone": phone, "name": "张三"},
            shipping_address={**ADDRESS, "phone": phone, **(address or {})},
            lines=[(sku.code, quantity)],
            payment_method=method,
        )
        return order

    return place


@pytest.fixture
def make_order(sku):
    """An order row awaiting payment, made directly (fast, exact totals)."""

    def make(
        total="100.00",
        method="alipay",
        status=Order.Status.PENDING_PAYMENT,
        phone="13900139000",
        lines=((1, "100.00"),),
        placed_at=None,
        **extra,
    ):
        customer, _created = Customer.objects.get_or_create(phone=phone, defaults={"name": "李四"})
        order = Order.objects.create(
            number=f"T{next(_numbers):012d}",
            status=status,
            customer=customer,
            subtotal=Decimal(total),
            total=Decimal(total),
            payment_method=method,
            placed_at=placed_at or timezone.now(),
            ship_name="李四",
            ship_phone=phone,
            ship_province="浙江",
            ship_city="杭州",
            ship_district="西湖区",
            ship_detail=extra.pop("ship_detail", "文三路 90 号"),
            **extra,
        )
        for quantity, line_total in lines:
            OrderLine.objects.create(
                order=order,
                sku=sku,
                sku_code=sku.code,
                name="纯棉T恤",
                quantity=quantity,
                unit_price=Decimal(line_total) / quantity,
                line_total=Decimal(line_total),
            )
        return order

    return make


def callback_body(order_number, amount, transaction_id="TXN-1", status="success", paid_at=None):
    return json.dumps(
        {
            "order_number": order_number,
            "transaction_id": transaction_id,
            "amount": str(amount),
            "status": status,
            "paid_at": (paid_at or timezone.now()).isoformat(),
        }
    ).encode()


def post_callback(client, body, provider="alipay", signature=None):
    signature = sign(SECRETS[provider], body) if signature is None else signature
    return client.post(
        f"/api/v1/payments/{provider}/callback",
        data=body,
        content_type="application/json",
        HTTP_X_SIGNATURE=signature,
    )


@pytest.fixture
def pay():
    """Pay an order through the signed callback service (what the API calls)."""
    from payments import services

    def do(order, amount=None, transaction_id=None, provider=None, paid_at=None):
        provider = provider or order.payment_method
        body = callback_body(
            order.number,
            amount if amount is not None else order.total,
            transaction_id or f"TX{order.number}",
            paid_at=paid_at,
        )
        return services.payment_callback_handle(provider=provider, body=body, signature=sign(SECRETS[provider], body))

    return do


def deliver_refund_callbacks(*refunds):
    """Post the sandbox provider's signed callback for each of these refunds."""
    from payments import services

    results = []
    for refund in refunds:
        provider = refund.payment.method.code
        body, signature = SandboxGateway(provider).refund_callback(str(refund.idempotency_key))
        results.append(services.refund_callback_handle(provider=provider, body=body, signature=signature))
    return results


@pytest.fixture
def paid(make_order, pay):
    """A captured payment of a fresh order (its lines as (quantity, line total) pairs)."""

    def make(total="100.00", lines=((1, "100.00"),), method="alipay"):
        order = make_order(total=total, lines=lines, method=method)
        return pay(order).payment

    return make
