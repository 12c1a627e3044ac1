"""Random carts under random promotions (timed discounts, 满减 / 满件折 activities, coupons of every type):
the discount is never negative nor above the subtotal, every amount is a Decimal of two places, each line
costs between zero and its list price, and pricing the same cart twice gives the same quote.

Each example runs in a savepoint that is rolled back, so its promotions never meet the next example's.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Customer
from marketing.models import Activity, CouponTemplate, TimedDiscount
from marketing.pricing import quote_promotions

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000.00"), places=2)
percent = st.decimals(min_value=Decimal("1"), max_value=Decimal("90"), places=0)
coupon = st.one_of(
    st.none(),
    st.fixed_dictionaries({"type": st.just(CouponTemplate.Type.FIXED), "amount": money}),
    st.fixed_dictionaries(
        {"type": st.just(CouponTemplate.Type.PERCENT), "percent_off": percent, "cap": st.none() | money}
    ),
    st.fixed_dictionaries({"type": st.just(CouponTemplate.Type.THRESHOLD), "amount": money, "min_spend": money}),
    st.fixed_dictionaries({"type": st.just(CouponTemplate.Type.FREE_SHIPPING)}),
)
scenario = st.fixed_dictionaries(
    {
        "prices": st.lists(money, min_size=1, max_size=4),
        "cart": st.lists(st.tuples(st.integers(0, 3), st.integers(1, 6)), min_size=1, max_size=5),
        "timed": st.lists(percent, max_size=2),
        "activity": st.none()
        | st.tuples(
            st.sampled_from([Activity.Mode.AMOUNT, Activity.Mode.QUANTITY]),
            st.lists(st.tuples(money, st.integers(1, 50)), min_size=1, max_size=3),
        ),
        "coupon": coupon,
    }
)


def _money(value):
    return isinstance(value, Decimal) and value == value.quantize(CENT) and value.as_tuple().exponent == -2


def _snapshot(quote):
    return (
        [(line.sku.pk, line.quantity, line.unit_price, line.discount, line.line_total) for line in quote.lines],
        quote.subtotal,
        quote.discount,
        quote.total,
        quote.coupon_code,
        quote.free_shipping,
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenario)
def test_promotions_never_discount_below_zero_or_above_the_subtotal(make_sku, window, s):
    with transaction.atomic():
        skus = [make_sku(price=str(p), stock=0) for p in s["prices"]]
        for p in s["timed"]:
            TimedDiscount.objects.create(name="限时", percent_off=p, scope="all", **window)
        if s["activity"]:
            mode, tiers = s["activity"]
            # valid as staff save them (Activity.clean): thresholds rising; 满减 off at most its threshold,
            # 满件折 whole pieces and at most 90 % off
            if mode == Activity.Mode.AMOUNT:
                rows = {t: min(Decimal(off), t) for t, off in tiers}
            else:
                rows = {Decimal(off % 6 + 1): Decimal(min(off, 90)) for _t, off in tiers}
            rows = [[str(t), str(v)] for t, v in sorted(rows.items())]
            Activity.objects.create(name="活动", mode=mode, tiers=rows, **window)
        code = ""
        if s["coupon"]:
            CouponTemplate.objects.create(
                name="券",
                valid_from=window["starts_at"],
                valid_until=window["ends_at"],
                claim_code="PROP",
                **s["coupon"],
            )
            code = "PROP"
        customer = Customer.objects.create(phone="13700137000", name="王五")
        lines = [(skus[i % len(skus)], q) for i, q in s["cart"]]

        quote = quote_promotions(lines=lines, customer=customer, coupon_code=code, strict=False)

        assert _money(quote.subtotal) and _money(quote.discount) and _money(quote.total)
        assert Decimal("0.00") <= quote.discount <= quote.subtotal
        assert quote.total == quote.subtotal - quote.discount >= 0
        list_total = sum((sku.price * q for sku, q in lines), Decimal("0.00"))
        assert quote.subtotal <= list_total  # a member or bundle price may lower the unit price, never raise it
        for line in quote.lines:
            assert _money(line.discount) and _money(line.line_total)
            assert Decimal("0.00") <= line.line_total <= line.unit_price * line.quantity
        assert _snapshot(quote_promotions(lines=lines, customer=customer, coupon_code=code, strict=False)) == (
            _snapshot(quote)
        )
        transaction.set_rollback(True)
