"""Random carts of SKUs, quantities and stock levels through order intake (orders.services.order_place):
an order that is taken totals its lines less the discount plus the freight, reserves exactly what it
ordered and never more than is on hand; one that is refused leaves no order and no reservation behind;
either way the stock ledger still sums to the stock rows.

Every example makes its own SKUs and customer (intake is a durable transaction: no savepoint around it).
"""

from decimal import Decimal
from itertools import count

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inventory import selectors as stock_selectors
from inventory.models import StockLevel, StockMovement
from orders import services
from orders.models import Order
from shop.errors import DomainError
from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db
_phones = count(10_000_000)

cart = st.fixed_dictionaries(
    {
        "skus": st.lists(
            st.tuples(
                st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),  # price
                st.sampled_from([0, 2, 10, 25, 40, 60]),  # on hand
            ),
            min_size=1,
            max_size=4,
        ),
        "lines": st.lists(st.tuples(st.integers(0, 3), st.integers(1, 5)), min_size=1, max_size=5),
        # mostly a cart a storefront would send; now and then one thing wrong with it
        "spoil": st.sampled_from(["none"] * 6 + ["zero_quantity", "empty", "unknown_sku", "not_on_sale"]),
    }
)


def _reserved(skus):
    return {sku.pk: sum(lv.reserved for lv in StockLevel.objects.filter(sku=sku)) for sku in skus}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(c=cart)
def test_intake_totals_reserves_and_leaves_nothing_when_refused(make_sku, c):
    from catalog.models import Product

    spoil = c["spoil"]
    skus = [
        make_sku(price=str(price), stock=stock, **({"status": Product.Status.DRAFT} if spoil == "not_on_sale" else {}))
        for price, stock in c["skus"]
    ]
    lines = [(skus[i % len(skus)].code, q) for i, q in c["lines"]]
    if spoil == "zero_quantity":
        lines[-1] = (lines[-1][0], 0)
    elif spoil == "empty":
        lines = []
    elif spoil == "unknown_sku":
        lines.append(("NO-SUCH-SKU", 1))
    elif spoil == "not_on_sale":
        lines.append((skus[0].code, 1))
    phone = f"139{next(_phones):08d}"
    external_id = f"PROP-{phone}"
    movements = StockMovement.objects.count()
    try:
        order, created = services.order_place(
            external_id=external_id,
            customer={"phone": phone, "name": "赵六"},
            shipping_address={**ADDRESS, "phone": phone},
            lines=lines,
            payment_method="alipay",
            actor="test",
        )
    except DomainError as refused:
        event(f"refused: {refused.code}")
        assert not Order.objects.filter(external_id=external_id).exists()
        assert set(_reserved(skus).values()) == {0}
        assert StockMovement.objects.count() == movements
    else:
        assert created
        event("placed")
        wanted = {}
        for code, q in lines:
            wanted[code] = wanted.get(code, 0) + q
        order_lines = list(order.lines.all())
        assert {ln.sku_code: ln.quantity for ln in order_lines} == wanted
        assert order.subtotal == sum((ln.unit_price * ln.quantity for ln in order_lines), Decimal("0.00"))
        assert sum(ln.line_total for ln in order_lines) == order.subtotal - order.discount
        assert order.total == order.subtotal - order.discount + order.shipping_fee
        assert Decimal("0.00") <= order.discount <= order.subtotal and order.shipping_fee >= 0
        for value in (order.subtotal, order.discount, order.shipping_fee, order.total):
            assert value.as_tuple().exponent == -2
        reserved = _reserved(skus)
        for sku in skus:
            assert reserved[sku.pk] == wanted.get(sku.code, 0)  # exactly what was ordered, from fresh SKUs
    for level in StockLevel.objects.filter(sku__in=skus):
        assert level.on_hand >= level.reserved >= 0  # never oversold
    assert list(stock_selectors.ledger_mismatches()) == []
    assert list(stock_selectors.rollup_mismatches()) == []
