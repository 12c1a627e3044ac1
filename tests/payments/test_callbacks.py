"""The provider callback of DESIGN §4: signatures, idempotency, amount mismatch, cancelled orders."""

import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from orders.models import Order, OrderEvent
from payments.gateways import sign
from payments.models import Payment, Refund
from tests.payments.conftest import SECRETS, callback_body, post_callback

pytestmark = pytest.mark.django_db


def test_a_signed_callback_captures_the_payment_and_marks_the_order_paid(client, make_order):
    order = make_order(total="199.00")
    response = post_callback(client, callback_body(order.number, "199.00", "ALI-0001"))
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "captured"
    payment = Payment.objects.get()
    assert (payment.status, payment.amount, payment.transaction_id) == (
        "captured",
        Decimal("199.00"),
        "ALI-0001",
    )
    assert payment.fee == Decimal("1.19")  # 0.6 % of 199.00 = 1.194, half-up to the cent
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_the_same_transaction_ten_times_has_one_effect(client, make_order):
    order = make_order(total="88.80")
    body = callback_body(order.number, "88.80", "WX-REPLAY")
    answers = [post_callback(client, body, provider="alipay") for _i in range(10)]
    assert [a.status_code for a in answers] == [200] * 10
    assert [a.json()["duplicate"] for a in answers] == [False] + [True] * 9
    assert Payment.objects.count() == 1
    assert OrderEvent.objects.filter(order=order, kind="pay").count() == 1


@pytest.mark.parametrize("signature", ["", "00" * 32, "not-hex", sign("wrong-secret", b"x")])
def test_a_bad_signature_is_refused_with_401(client, make_order, signature):
    order = make_order()
    response = post_callback(client, callback_body(order.number, "100.00"), signature=signature)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    assert not Payment.objects.exists()


def test_a_signature_of_another_provider_is_refused(client, make_order):
    order = make_order()
    body = callback_body(order.number, "100.00")
    response = post_callback(client, body, provider="wechat", signature=sign(SECRETS["alipay"], body))
    assert response.status_code == 401


def test_without_a_configured_secret_every_callback_is_refused(client, make_order, monkeypatch):
    monkeypatch.delenv("PAYMENT_SECRET_ALIPAY")
    order = make_order()
    body = callback_body(order.number, "100.00")
    assert post_callback(client, body, signature=sign("", body)).status_code == 401


def test_an_amount_that_does_not_match_is_flagged_and_the_order_stays_unpaid(client, make_order):
    order = make_order(total="100.00")
    response = post_callback(client, callback_body(order.number, "10.00", "ALI-LOW"))
    assert response.status_code == 200
    assert response.json()["outcome"] == "flagged"
    payment = Payment.objects.get()
    assert (payment.status, payment.flag) == ("flagged", "amount_mismatch")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT and order.paid_at is None


def test_a_payment_for_a_cancelled_order_is_recorded_and_queued_for_refund(client, make_order):
    order = make_order(total="59.90", status=Order.Status.CANCELLED)
    response = post_callback(client, callback_body(order.number, "59.90", "ALI-LATE"))
    assert response.status_code == 200 and response.json()["outcome"] == "refund_queued"
    payment = Payment.objects.get()
    assert (payment.status, payment.flag) == ("captured", "order_cancelled")
    refund = Refund.objects.get()
    assert (refund.payment, refund.amount, refund.status, refund.source) == (
        payment,
        Decimal("59.90"),
        "requested",
        "payment_exception",
    )
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_a_second_payment_of_a_paid_order_is_queued_for_refund(client, make_order):
    order = make_order(total="20.00")
    post_callback(client, callback_body(order.number, "20.00", "ALI-A"))
    response = post_callback(client, callback_body(order.number, "20.00", "ALI-B"))
    assert response.json()["outcome"] == "refund_queued"
    assert Payment.objects.get(transaction_id="ALI-B").flag == "duplicate"
    assert Refund.objects.get().amount == Decimal("20.00")


def test_a_failed_payment_is_recorded_and_the_order_stays_unpaid(client, make_order):
    order = make_order()
    response = post_callback(client, callback_body(order.number, "100.00", "ALI-F", status="failed"))
    assert response.json()["outcome"] == "failed"
    assert Payment.objects.get().status == "failed"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def _signed(client, raw: bytes, provider="alipay"):
    return post_callback(client, raw, provider=provider, signature=sign(SECRETS[provider], raw))


def _notice(**changes):
    notice = {
        "order_number": "X",
        "transaction_id": "T",
        "amount": "5",
        "status": "success",
        "paid_at": "2026-11-25T10:00",
    }
    return json.dumps({**notice, **changes}).encode()


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[]",
        b"null",
        b'{"order_number": 1}',
        '{"a": "\u00e9"'.encode(),
        b"\xff\xfe",
        _notice(amount="abc"),
        _notice(amount=1.005),
        _notice(amount="1e400"),
        _notice(amount="-5"),
        _notice(amount="NaN"),
        _notice(amount=True),
        _notice(status="maybe"),
        _notice(paid_at="yesterday"),
        _notice(paid_at="2026-13-45T99:99"),
        _notice(order_number=["X"]),
        _notice(transaction_id="T" * 65),
        b"[" * 100_000,
    ],
)
def test_malformed_callbacks_are_4xx_never_500(client, make_order, raw):
    response = _signed(client, raw)
    assert 400 <= response.status_code < 500, response.content
    assert "error" in response.json()


def test_an_unknown_order_is_404_and_an_unknown_provider_is_404(client, make_order):
    assert post_callback(client, callback_body("NOPE", "1.00")).status_code == 404
    response = client.post(
        "/api/v1/payments/paypal/callback", data=b"{}", content_type="application/json", HTTP_X_SIGNATURE="x"
    )
    assert response.status_code == 404


def test_a_json_number_amount_with_two_decimals_is_accepted_exactly(client, make_order):
    order = make_order(total="0.30")
    raw = (
        json.dumps(
            {
                "order_number": order.number,
                "transaction_id": "N1",
                "amount": 0.1,
                "status": "success",
                "paid_at": "2026-11-25T10:00:00+08:00",
            }
        )
        .replace("0.1", "0.30")
        .encode()
    )
    response = _signed(client, raw)
    assert response.status_code == 200 and response.json()["outcome"] == "captured"


def test_the_endpoint_needs_no_api_key_but_get_is_not_allowed(client):
    assert client.get("/api/v1/payments/alipay/callback").status_code == 405


def _post_in_thread(body, signature):
    try:
        return (
            Client()
            .post(
                "/api/v1/payments/alipay/callback",
                data=body,
                content_type="application/json",
                HTTP_X_SIGNATURE=signature,
            )
            .status_code
        )
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_replays_give_one_payment_and_one_paid_transition(make_order):
    order = make_order(total="321.00")
    body = callback_body(order.number, "321.00", "ALI-RACE")
    signature = sign(SECRETS["alipay"], body)
    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda _i: _post_in_thread(body, signature), range(10)))
    assert codes == [200] * 10
    assert Payment.objects.filter(transaction_id="ALI-RACE").count() == 1
    assert OrderEvent.objects.filter(order=order, kind="pay").count() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_non_ascii_signature_header_is_401_not_500(client, make_order):
    order = make_order()
    body = callback_body(order.number, "100.00")
    response = client.post(
        "/api/v1/payments/alipay/callback",
        data=body,
        content_type="application/json",
        HTTP_X_SIGNATURE="签名".encode().decode("latin-1"),
    )
    assert response.status_code == 401


def _notice(**changes):
    notice = {
        "order_number": "X",
        "transaction_id": "T",
        "amount": "5",
        "status": "success",
        "paid_at": "2026-11-25T10:00",
    }
    return json.dumps({**notice, **changes}).encode()


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{}",
        b"[1]",
        b'{"refund_id": 5}',
        b'{"refund_id": "x", "status": "succeeded"}',
        b'{"refund_id": "00000000-0000-0000-0000-000000000000", "provider_refund_id": "R",'
        b' "amount": "1.00", "status": "succeeded"}',
    ],
)
def test_malformed_refund_callbacks_are_4xx(client, raw):
    response = client.post(
        "/api/v1/payments/alipay/refund-callback",
        data=raw,
        content_type="application/json",
        HTTP_X_SIGNATURE=sign(SECRETS["alipay"], raw),
    )
    assert 400 <= response.status_code < 500


def test_payments_received_before_payments_existed_can_be_recorded(make_order, owner):
    from django.utils import timezone

    from payments import services
    from payments.models import PaymentMethod
    from shop.errors import Conflict, RuleRefused

    method = PaymentMethod.objects.get(code="wechat")
    unpaid = make_order(total="12.00")
    with pytest.raises(Conflict):
        services.payment_record_existing(
            order=unpaid,
            method=method,
            transaction_id="OLD-1",
            amount="12.00",
            paid_at=timezone.now(),
            actor=owner,
        )
    paid = make_order(total="12.00", status=Order.Status.PAID, paid_at=timezone.now())
    with pytest.raises(RuleRefused):
        services.payment_record_existing(
            order=paid,
            method=method,
            transaction_id="OLD-2",
            amount="11.00",
            paid_at=paid.paid_at,
            actor=owner,
        )
    first = services.payment_record_existing(
        order=paid, method=method, transaction_id="OLD-2", amount="12.00", paid_at=paid.paid_at, actor=owner
    )
    again = services.payment_record_existing(
        order=paid, method=method, transaction_id="OLD-2", amount="12.00", paid_at=paid.paid_at, actor=owner
    )
    assert first.pk == again.pk and first.fee == Decimal("0.07")


def test_a_failed_transaction_that_later_succeeds_pays_the_order_once(client, make_order):
    order = make_order(total="45.00")
    post_callback(client, callback_body(order.number, "45.00", "ALI-RETRY", status="failed"))
    first = post_callback(client, callback_body(order.number, "45.00", "ALI-RETRY"))
    again = post_callback(client, callback_body(order.number, "45.00", "ALI-RETRY"))
    assert (first.json()["outcome"], again.json()["outcome"]) == ("captured", "duplicate_callback")
    assert Payment.objects.get().status == "captured"
    assert OrderEvent.objects.filter(order=order, kind="pay").count() == 1
    # ...but a late "failed" for a captured transaction changes nothing.
    post_callback(client, callback_body(order.number, "45.00", "ALI-RETRY", status="failed"))
    assert Payment.objects.get().status == "captured"
