from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Category
from customers.models import Customer, MemberTier
from marketing.models import Activity, CouponTemplate, TimedDiscount
from tests.orders.conftest import ADDRESS, api, make_sku, place, without_intake_rules  # noqa: F401

D = Decimal


@pytest.fixture
def window():
    now = timezone.now()
    return {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=1)}


@pytest.fixture
def activity(db, window):
    def make(tiers, mode=Activity.Mode.AMOUNT, **extra):
        return Activity.objects.create(
            name=extra.pop("name", "满减"), mode=mode, tiers=[[str(t), str(v)] for t, v in tiers], **window, **extra
        )

    return make


@pytest.fixture
def timed(db, window):
    def make(percent, products=(), categories=(), **extra):
        scope = "products" if products else ("categories" if categories else "all")
        t = TimedDiscount.objects.create(
            name=extra.pop("name", "限时折扣"), percent_off=D(percent), scope=scope, **window, **extra
        )
        t.products.set([p if not hasattr(p, "product") else p.product for p in products])
        t.categories.set(categories)
        return t

    return make


@pytest.fixture
def template(db, window):
    def make(**extra):
        fields = {
            "name": "优惠券",
            "type": CouponTemplate.Type.FIXED,
            "amount": D("10.00"),
            "valid_from": window["starts_at"],
            "valid_until": window["ends_at"],
            "claim_code": "SAVE10",
        }
        fields.update(extra)
        return CouponTemplate.objects.create(**fields)

    return make


@pytest.fixture
def customer(db):
    return Customer.objects.create(phone="13800138000", name="张三")


@pytest.fixture
def gold(db):
    return MemberTier.objects.create(name="金卡", rank=2, discount_percent=D("5.00"))


@pytest.fixture
def category(db):
    return Category.add_root(name="服装")
