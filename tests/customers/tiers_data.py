"""Hand-built customers and orders for the member tests (tiers, RFM, figures)."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from customers.models import Customer, MemberTier
from orders.models import Order

_numbers = count(1)


def make_customer(name="顾客", phone=None, **extra):
    n = next(_numbers)
    return Customer.objects.create(phone=phone or f"139{n:08d}", name=f"{name}{n}", **extra)


def make_order(customer, total, *, days_ago=1, status=Order.Status.COMPLETED, paid=True, now=None):
    """An order of `customer` placed `days_ago` days before now, paid unless told otherwise."""
    placed = (now or timezone.now()) - timedelta(days=days_ago)
    return Order.objects.create(
        number=f"T{next(_numbers):012d}",
        status=status,
        customer=customer,
        subtotal=Decimal(total),
        total=Decimal(total),
        payment_method=Order.PaymentMethod.ALIPAY,
        placed_at=placed,
        paid_at=placed if paid else None,
        ship_name="张三",
        ship_phone="13800138000",
        ship_province="上海",
        ship_city="上海市",
        ship_district="浦东新区",
        ship_detail="世纪大道100号",
    )


def make_tiers():
    """银卡 from 1,000 spent in 12 months, 金卡 from 5 orders in 12 months, 钻石 from 10,000 spent."""
    return {
        "silver": MemberTier.objects.create(name="银卡", rank=1, threshold=Decimal("1000"), discount_percent=2),
        "gold": MemberTier.objects.create(
            name="金卡", rank=2, threshold_kind=MemberTier.ThresholdKind.ORDERS, threshold=5, discount_percent=5
        ),
        "diamond": MemberTier.objects.create(
            name="钻石", rank=3, threshold=Decimal("10000"), discount_percent=10, free_shipping=True
        ),
    }
