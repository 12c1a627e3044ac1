"""Many buyers racing for the last units, and two retries racing with one Idempotency-Key (PostgreSQL)."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from inventory.models import StockLevel
from orders import services
from orders.models import Order
from shop.errors import DomainError
from tests.orders.conftest import ADDRESS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("without_intake_rules")]


def _buy(i, code, key=""):
    try:
        order, created = services.order_place(
            external_id=f"RACE-{i}" if not key else "RACE-KEY", customer={"phone": f"1390000{i:04d}", "name": "买家"},
            shipping_address=ADDRESS, lines=[(code, 1)], payment_method="wechat", idempotency_key=key,
            idempotency_scope="t", payload={"same": True})
        return ("ok", order.number, created)
    except DomainError as e:
        return (e.code, None, False)
    finally:
        connection.close()


def test_twenty_buyers_five_units_exactly_five_orders(make_sku):
    sku = make_sku("HOT-1", stock=5)
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda i: _buy(i, "HOT-1"), range(20)))
    assert [r[0] for r in results].count("ok") == 5
    assert {r[0] for r in results} == {"ok", "out_of_stock"}
    level = StockLevel.objects.get(sku=sku)
    assert (level.on_hand, level.reserved) == (5, 5)
    assert Order.objects.count() == 5


def test_retries_racing_with_one_key_make_one_order(make_sku):
    make_sku("KEY-1", stock=50)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: _buy(i, "KEY-1", key="same-key"), range(8)))
    assert {r[0] for r in results} == {"ok"}
    assert len({r[1] for r in results}) == 1 and sum(1 for r in results if r[2]) == 1
    assert Order.objects.count() == 1
