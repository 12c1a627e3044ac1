"""Fixtures for the reports tests: a clock, a small catalogue, and a store history driven through the real
services (intake, payment callbacks, cancellation, refunds, shipping), at chosen local times."""

from datetime import datetime
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from catalog.models import Brand, Category, Product, Sku
from inventory.models import Warehouse
from inventory.services import stock_receive
from orders.models import Carrier, Order
from tests.orders.conftest import carrier, make_sku, paid, place  # noqa: F401  (fixtures)
from tests.payments.conftest import (  # noqa: F401  (fixtures)
    SECRETS,
    callback_body,
    deliver_refund_callbacks,
    payment_defaults,
    provider_secrets,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = count(1)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def local(y, m, d, hh=12, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    """`clock.at(moment)`: every timezone.now() answers `moment` until moved again."""

    class Clock:
        moment = timezone.now()

        def at(self, moment):
            self.moment = moment
            return moment

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.moment)
    return c


@pytest.fixture
def catalogue(db):
    """Two categories (服装 > 上衣, 服装 > 裤子), two brands, three SKUs with stock."""
    root = Category.objects.add_root({"name": "服装"})
    tops = Category.objects.add_child(root, {"name": "上衣"})
    trousers = Category.objects.add_child(root, {"name": "裤子"})
    brand_a = Brand.objects.create(name="甲牌")
    brand_b = Brand.objects.create(name="乙牌")
    warehouse = Warehouse.objects.create(code="RPT", name="报表仓", province="上海", city="上海")
    skus = {}
    for code, name, category, brand, price in (
        ("RPT-TEE", "纯棉T恤", tops, brand_a, "99.00"),
        ("RPT-SHIRT", "衬衫", tops, brand_b, "159.90"),
        ("RPT-JEANS", "牛仔裤", trousers, brand_a, "239.00"),
    ):
        product = Product.objects.create(
            code=f"P-{code}", name=name, status=Product.Status.PUBLISHED, category=category, brand=brand
        )
        sku = Sku.objects.create(product=product, code=code, price=Decimal(price), cost=Decimal("10.00"))
        stock_receive(sku=sku, warehouse=warehouse, quantity=10_000, actor=None)
        skus[code] = sku
    return {"root": root, "tops": tops, "trousers": trousers, "skus": skus, "brands": (brand_a, brand_b)}


@pytest.fixture
def store(clock, catalogue, owner, django_capture_on_commit_callbacks):
    """Drive orders through the services: place, pay (callback), fail a payment, cancel, refund, ship."""
    from orders.services import order_cancel, order_place, order_ship
    from payments import services
    from payments.gateways import sign
    from payments.models import Payment, Refund

    sf = Carrier.objects.create(name="顺丰", code="sf")

    class Store:
        def place(self, when, lines, *, channel="web", province="上海", method="alipay", phone=None):
            clock.at(when)
            n = next(_numbers)
            with django_capture_on_commit_callbacks(execute=True):
                order, _created = order_place(
                    customer={"phone": phone or f"139{n:08d}", "name": "王五"},
                    shipping_address={
                        "name": "王五",
                        "phone": phone or f"139{n:08d}",
                        "province": province,
                        "city": "市",
                        "district": "区",
                        "detail": f"路 {n} 号",
                    },
                    lines=[(code, qty) for code, qty in lines],
                    payment_method=method,
                    channel=channel,
                    now=when,
                )
            return order

        def _callback(self, order, when, status="success", txn=None):
            clock.at(when)
            body = callback_body(order.number, order.total, txn or f"TX{order.number}", status=status, paid_at=when)
            provider = order.payment_method
            with django_capture_on_commit_callbacks(execute=True):
                return services.payment_callback_handle(
                    provider=provider, body=body, signature=sign(SECRETS[provider], body)
                )

        def pay(self, order, when):
            self._callback(order, when)
            return Order.objects.get(pk=order.pk)

        def fail_payment(self, order, when):
            return self._callback(order, when, status="failed")

        def cancel(self, order, when):
            clock.at(when)
            with django_capture_on_commit_callbacks(execute=True):
                order_cancel(order=order, actor=owner, reason="顾客取消")
            return Order.objects.get(pk=order.pk)

        def refund_requested(self, order, when):
            """Approve and confirm the refunds the order's cancellation requested."""
            clock.at(when)
            confirmed = []
            for refund in Refund.objects.filter(order=order, status=Refund.Status.REQUESTED):
                confirmed.append(self._confirm(refund))
            return confirmed

        def refund(self, order, when, *, amount=None, lines=None):
            clock.at(when)
            payment = Payment.objects.get(order=order, status=Payment.Status.CAPTURED)
            refund = services.refund_request(payment=payment, actor=owner, reason="退款", amount=amount, lines=lines)
            return self._confirm(refund)

        def _confirm(self, refund):
            with django_capture_on_commit_callbacks(execute=True):
                services.refund_approve(refund=refund, actor=owner)
            refund.refresh_from_db()
            if refund.status != Refund.Status.SUCCEEDED:
                deliver_refund_callbacks(refund)
            refund.refresh_from_db()
            assert refund.status == Refund.Status.SUCCEEDED
            return refund

        def move(self, order, when, province):
            """The customer moves the parcel to another province before it ships."""
            from orders.services import order_address_change

            clock.at(when)
            address = {"name": "王五", "phone": order.ship_phone, "province": province, "city": "市", "district": "区",
                       "detail": "新路 1 号"}  # fmt: skip
            order_address_change(order=order, actor=owner, **address)
            return Order.objects.get(pk=order.pk)

        def ship(self, order, when):
            clock.at(when)
            with django_capture_on_commit_callbacks(execute=True):
                order_ship(order=order, carrier=sf, tracking_number=f"SF{order.pk:010d}", actor=owner)
            return Order.objects.get(pk=order.pk)

    return Store()
