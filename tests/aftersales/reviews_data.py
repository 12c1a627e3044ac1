"""Orders, API calls and images for the review and survey tests (kept apart from the other areas' helpers)."""

import base64
import io
import json
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone
from PIL import Image

from catalog.models import Product, Sku
from customers.models import Customer
from orders.models import Order, OrderLine
from shop.services import apikey_create

_n = count(1)


def make_order(status=Order.Status.DELIVERED, *, lines=("RV-TEE-M",), delivered_days_ago=1, customer=None):
    """An order of one unit of each SKU code (SKUs and products made when missing)."""
    now = timezone.now()
    customer = customer or Customer.objects.get_or_create(phone="13800138000", defaults={"name": "张三"})[0]
    order = Order.objects.create(
        number=f"RV{next(_n):011d}",
        status=status,
        customer=customer,
        subtotal=Decimal("99.00"),
        total=Decimal("99.00"),
        payment_method="alipay",
        placed_at=now - timedelta(days=delivered_days_ago + 3),
        paid_at=now - timedelta(days=delivered_days_ago + 3),
        shipped_at=now - timedelta(days=delivered_days_ago + 2),
        delivered_at=now - timedelta(days=delivered_days_ago) if status != Order.Status.SHIPPED else None,
        ship_name="张三",
        ship_phone="13800138000",
        ship_province="上海",
        ship_city="上海市",
        ship_district="浦东新区",
        ship_detail="世纪大道100号",
    )
    for code in lines:
        sku = Sku.objects.filter(code=code).first()
        if sku is None:
            product = Product.objects.get_or_create(code=f"P-{code.rsplit('-', 1)[0]}", defaults={"name": "纯棉T恤"})[0]
            sku = Sku.objects.create(product=product, code=code, price=Decimal("99.00"))
        OrderLine.objects.create(
            order=order,
            sku=sku,
            sku_code=code,
            name="纯棉T恤",
            quantity=1,
            unit_price=Decimal("99.00"),
            line_total=Decimal("99.00"),
        )
    return order


def png_base64(size=(40, 30), color=(200, 30, 30)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


class Api:
    """Calls /api/v1 with a storefront key holding `scopes`."""

    def __init__(self, client, owner, scopes=("aftersales:write", "catalog:read")):
        self.client = client
        self.key = apikey_create(actor=owner, name=f"storefront-{next(_n)}", scopes=list(scopes))[1]

    def __call__(self, method, path, data=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {self.key}", "HTTP_ACCEPT_LANGUAGE": "en"}
        if data is not None:
            kwargs.update(data=json.dumps(data), content_type="application/json")
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)


@pytest.fixture
def english(settings):
    """The tests read English messages (the suite's default language is zh-hans)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def api(client, owner):
    return Api(client, owner)
