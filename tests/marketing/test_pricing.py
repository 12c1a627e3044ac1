from decimal import Decimal
from types import SimpleNamespace

import pytest

from marketing.pricing import price_cart
from shop.errors import RuleRefused


def sku(price):
    return SimpleNamespace(price=Decimal(price))


def test_lines_cost_list_price_times_quantity_rounded_half_up_per_line():
    quote = price_cart(lines=[(sku("19.99"), 3), (sku("0.335"), 1)])
    assert [line.line_total for line in quote.lines] == [Decimal("59.97"), Decimal("0.34")]
    assert quote.subtotal == Decimal("60.31") and quote.total == Decimal("60.31") and quote.discount == 0


def test_coupons_are_refused_with_the_reason_until_promotions_exist_and_points_need_a_customer():
    with pytest.raises(RuleRefused) as e:
        price_cart(lines=[(sku("10"), 1)], coupon_code="WELCOME10")
    assert e.value.status == 422 and "WELCOME10" in e.value.message
    with pytest.raises(RuleRefused) as e:
        price_cart(lines=[(sku("10"), 1)], points=100)
    assert e.value.code == "points_insufficient"
