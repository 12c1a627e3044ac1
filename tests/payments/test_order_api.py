"""The storefront's view of payments through the order API (DESIGN §4): the default payment method at
intake, and what was captured or refunded on `GET /api/v1/orders/{number}`."""

import json
from decimal import Decimal

import pytest

from orders.models import Order
from payments import services
from payments.models import PaymentMethod
from shop.services import apikey_create
from tests.payments.conftest import ADDRESS, deliver_refund_callbacks

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, owner):
    _key, secret = apikey_create(actor=owner, name="storefront", scopes=["orders:write", "orders:read"])

    def call(method, path, data=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        if data is not None:
            kwargs.update(data=json.dumps(data), content_type="application/json")
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


def intake(sku, **extra):
    return {
        "external_id": extra.pop("external_id", "EXT-1"),
        "customer": {"phone": "13800138000", "name": "张三"},
        "shipping_address": ADDRESS,
        "lines": [{"sku": sku.code, "quantity": 1}],
        **extra,
    }


# -- item 9: payment_method is optional; the store's default method applies -------------------------------
def test_without_a_payment_method_the_first_enabled_method_applies(api, sku):
    response = api("post", "/orders", intake(sku))
    assert response.status_code == 201, response.content
    assert response.json()["payment_method"] == "alipay"  # 支付宝: position 10, the first shown
    assert Order.objects.get().payment_method == "alipay"


def test_the_default_follows_the_methods_page_order_and_switches(api, sku):
    PaymentMethod.objects.filter(code="alipay").update(is_enabled=False)
    PaymentMethod.objects.filter(code="unionpay").update(position=1)
    response = api("post", "/orders", intake(sku))
    assert response.status_code == 201, response.content
    assert response.json()["payment_method"] == "unionpay"


def test_with_every_method_off_intake_is_refused_with_the_reason(api, sku):
    PaymentMethod.objects.update(is_enabled=False)
    response = api("post", "/orders", intake(sku))
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "payment_method_unavailable" and "payment_method" in error["fields"]
    assert not Order.objects.exists()


def test_a_null_or_empty_method_means_the_default(api, sku):
    first = api("post", "/orders", intake(sku, payment_method=None, external_id="E-1"))
    second = api("post", "/orders", intake(sku, payment_method="", external_id="E-2"))
    assert [first.json()["payment_method"], second.json()["payment_method"]] == ["alipay", "alipay"]


def test_a_named_method_still_wins(api, sku):
    response = api("post", "/orders", intake(sku, payment_method="wechat"))
    assert response.json()["payment_method"] == "wechat"


# -- item 10: payments and the paid / refunded amounts on the order ---------------------------------------
def test_an_unpaid_order_shows_nothing_paid(api, make_order):
    order = make_order(total="100.00")
    body = api("get", f"/orders/{order.number}").json()
    assert (body["paid_amount"], body["refunded_amount"], body["payments"]) == ("0.00", "0.00", [])


def test_a_captured_payment_shows_on_the_order(api, make_order, pay):
    order = make_order(total="199.00")
    pay(order, transaction_id="ALI-0001")
    body = api("get", f"/orders/{order.number}").json()
    assert body["status"] == "paid"
    assert Decimal(body["paid_amount"]) == Decimal("199.00") and Decimal(body["refunded_amount"]) == 0
    [payment] = body["payments"]
    assert payment["method"] == "alipay" and payment["transaction_id"] == "ALI-0001"
    assert Decimal(payment["amount"]) == Decimal("199.00")
    assert payment["status"] == "captured" and payment["flagged"] is False


def test_a_flagged_payment_is_shown_flagged(api, make_order, pay):
    order = make_order(total="100.00")
    pay(order, amount="90.00", transaction_id="ALI-SHORT")
    body = api("get", f"/orders/{order.number}").json()
    assert body["status"] == "pending_payment"
    [payment] = body["payments"]
    assert (payment["status"], payment["flagged"], Decimal(payment["amount"])) == ("flagged", True, Decimal("90.00"))
    assert Decimal(body["paid_amount"]) == Decimal("90.00")


def test_a_confirmed_refund_shows_as_refunded(api, make_order, pay, owner, django_capture_on_commit_callbacks):
    order = make_order(total="100.00")
    payment = pay(order).payment
    refund = services.refund_request(payment=payment, actor=owner, reason="少发一件", amount=Decimal("30.00"))
    body = api("get", f"/orders/{order.number}").json()
    assert Decimal(body["refunded_amount"]) == 0  # requested, not yet sent back
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_approve(refund=refund, actor=owner)
    deliver_refund_callbacks(refund)
    body = api("get", f"/orders/{order.number}").json()
    assert Decimal(body["paid_amount"]) == Decimal("100.00")
    assert Decimal(body["refunded_amount"]) == Decimal("30.00")
    assert Decimal(body["payments"][0]["refunded"]) == Decimal("30.00")


def test_payments_are_read_in_one_query_however_many(api, make_order, pay):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order = make_order(total="100.00")
    pay(order, transaction_id="T-1")
    api("get", f"/orders/{order.number}")  # the key's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        api("get", f"/orders/{order.number}")
    pay(order, transaction_id="T-2")  # a second capture of a paid order: flagged duplicate
    pay(order, transaction_id="T-3")
    with CaptureQueriesContext(connection) as three:
        body = api("get", f"/orders/{order.number}").json()
    assert len(body["payments"]) == 3
    assert len(three) == len(one)
    assert sum("payments_payment" in q["sql"] for q in three.captured_queries) == 1
