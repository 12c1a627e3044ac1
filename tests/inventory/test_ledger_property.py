"""Random sequences of stock operations: the ledger always sums to the stock rows, never below zero."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory import selectors, services
from inventory.models import SkuStock, StockLevel
from shop.errors import DomainError

quantities = st.integers(min_value=-3, max_value=12)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(0, 1), quantities),
        st.tuples(st.just("adjust"), st.integers(0, 1), quantities),
        st.tuples(st.just("reserve"), st.integers(0, 5), quantities),
        st.tuples(st.just("release"), st.integers(0, 5), st.just(0)),
        st.tuples(st.just("commit"), st.integers(0, 5), st.just(0)),
        st.tuples(st.just("transfer"), st.integers(0, 1), quantities),
    ),
    max_size=25,
)


@pytest.mark.django_db(transaction=True)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_ledger_always_sums_to_stock(make_sku, make_warehouse, owner, steps):
    sku = make_sku()
    warehouses = [make_warehouse(), make_warehouse()]
    for op, n, quantity in steps:
        w = warehouses[n % 2]
        try:
            if op == "receive":
                services.stock_receive(sku=sku, warehouse=w, quantity=quantity, actor=owner)
            elif op == "adjust":
                services.stock_adjust(sku=sku, warehouse=w, quantity=quantity, reason="盘点", actor=owner)
            elif op == "reserve":
                services.stock_reserve(items=[(sku, quantity)], reference=f"SO{n}")
            elif op == "release":
                services.stock_release(reference=f"SO{n}")
            elif op == "commit":
                services.stock_commit(reference=f"SO{n}")
            else:
                services.stock_transfer(
                    sku=sku, source=w, destination=warehouses[1 - n % 2], quantity=quantity, actor=owner
                )
        except DomainError:
            pass
        assert list(selectors.ledger_mismatches()) == []
        assert list(selectors.rollup_mismatches()) == []  # the SKU rollup equals the sum of its levels
        assert list(selectors.batch_mismatches()) == []  # the batches sum to on-hand
        rollup = SkuStock.objects.get(sku=sku)
        assert rollup.on_hand == sum(lv.on_hand for lv in StockLevel.objects.filter(sku=sku))
        assert rollup.reserved == sum(lv.reserved for lv in StockLevel.objects.filter(sku=sku))
        for level in StockLevel.objects.filter(sku=sku):
            assert level.on_hand >= level.reserved >= 0
