"""Many buyers racing for the last units, and retries racing with one Idempotency-Key.

These run on both databases: PostgreSQL locks the stock rows, SQLite serialises writers (WAL, every
writing transaction BEGIN IMMEDIATE, a busy timeout), so the same guarantees hold on the embedded default.
"""

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from inventory.models import StockLevel
from orders import services
from orders.models import IntakeKey, Order
from shop.errors import DomainError
from shop.services import apikey_create
from tests.orders.conftest import ADDRESS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("without_intake_rules")]


def _buy(i, code, key=""):
    try:
        order, created = services.order_place(
            external_id=f"RACE-{i}" if not key else "RACE-KEY",
            customer={"phone": f"1390000{i:04d}", "name": "买家"},
            shipping_address=ADDRESS,
            lines=[(code, 1)],
            payment_method="wechat",
            idempotency_key=key,
            idempotency_scope="t",
            payload={"same": True},
        )
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


# -- over HTTP, as a storefront sees it ----------------------------------------------------------------
def _post_order(base_url, api_key, i, code, idempotency_key=None):
    data = {
        "external_id": f"HTTP-{i}" if not idempotency_key else "HTTP-KEY",
        "customer": {"phone": f"1370000{i:04d}", "name": "买家"},
        "shipping_address": ADDRESS,
        "lines": [{"sku": code, "quantity": 1}],
        "payment_method": "wechat",
    }
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    request = urllib.request.Request(
        f"{base_url}/api/v1/orders", data=json.dumps(data).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, raw, response_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as e:
        status, raw, response_headers = e.code, e.read(), e.headers
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = raw.decode(errors="replace")[:200]
    return status, payload, response_headers.get("Retry-After")


def _assert_busy_is_clean(results):
    for status, payload, retry_after in results:
        assert status != 500, payload
        if status == 503:
            assert payload["error"]["code"] == "busy" and retry_after, payload


def test_forty_concurrent_api_orders_for_thirty_units(live_server, owner, make_sku):
    sku = make_sku("HTTP-HOT", stock=30)
    key = apikey_create(actor=owner, name="storefront", scopes=["orders:write"])[1]
    with ThreadPoolExecutor(40) as pool:
        results = list(pool.map(lambda i: _post_order(live_server.url, key, i, "HTTP-HOT"), range(40)))
    _assert_busy_is_clean(results)
    statuses = [status for status, _payload, _retry in results]
    assert statuses.count(201) == 30, results
    assert sorted({(s, p["error"]["code"]) for s, p, _r in results if s != 201}) == [(409, "out_of_stock")]
    level = StockLevel.objects.get(sku=sku)
    assert (level.on_hand, level.reserved) == (30, 30)
    assert Order.objects.count() == 30


def test_twenty_concurrent_api_retries_with_one_key_make_one_order(live_server, owner, make_sku):
    sku = make_sku("HTTP-KEY", stock=50)
    key = apikey_create(actor=owner, name="storefront", scopes=["orders:write"])[1]
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _i: _post_order(live_server.url, key, 7, "HTTP-KEY", "one-key"), range(20)))
    _assert_busy_is_clean(results)
    assert {status for status, _p, _r in results} <= {200, 201}, results
    assert len({payload["number"] for _s, payload, _r in results}) == 1
    assert Order.objects.count() == 1 and IntakeKey.objects.count() == 1
    assert StockLevel.objects.get(sku=sku).reserved == 1
