"""Refunds: full, partial, per line; approval; never over the capture (also concurrently); sent once
through the adapter even when a worker dies; confirmed asynchronously by the provider's callback."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from orders.services import order_cancel
from payments import services
from payments.gateways import SandboxGateway, sign
from payments.models import Payment, Refund
from payments.services import refund_delivery
from shop.errors import Conflict, DomainError, RuleRefused
from tests.payments.conftest import SECRETS, deliver_refund_callbacks

pytestmark = pytest.mark.django_db


def test_full_refund_is_approved_sent_and_confirmed_by_callback(paid, owner, django_capture_on_commit_callbacks):
    payment = paid("100.00")
    refund = services.refund_request(payment=payment, actor=owner, reason="顾客不想要了")
    assert (refund.amount, refund.status) == (Decimal("100.00"), "requested")
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_approve(refund=refund, actor=owner)
    refund.refresh_from_db()
    assert refund.status == "sent" and refund.provider_refund_id.startswith("RF")
    [confirmed] = deliver_refund_callbacks(refund)
    assert confirmed.status == "succeeded"
    payment.refresh_from_db()
    assert (payment.refunded, payment.refund_reserved, payment.refundable) == (
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("0.00"),
    )
    # The provider retries its callback: no second effect.
    deliver_refund_callbacks(refund)
    payment.refresh_from_db()
    assert payment.refunded == Decimal("100.00")


def test_partial_refunds_by_amount_and_by_line(paid, owner):
    payment = paid("150.00", lines=((2, "100.00"), (1, "50.00")))
    first = services.refund_request(payment=payment, actor=owner, reason="少发一件", amount=Decimal("30.00"))
    line_ids = list(payment.order.lines.order_by("pk").values_list("pk", flat=True))
    second = services.refund_request(payment=payment, actor=owner, reason="退一件", lines={line_ids[0]: 1})
    assert second.amount == Decimal("50.00")
    assert second.lines == [{"line": line_ids[0], "sku": "PAY-TEE-M", "quantity": 1, "amount": "50.00"}]
    payment.refresh_from_db()
    assert payment.refundable == Decimal("70.00")
    with pytest.raises(RuleRefused):  # only one of the two units is left on that line
        services.refund_request(payment=payment, actor=owner, reason="再退", lines={line_ids[0]: 2})
    assert first.status == "requested"


def test_a_refund_never_exceeds_what_is_left(paid, owner):
    payment = paid("80.00")
    services.refund_request(payment=payment, actor=owner, reason="部分", amount=Decimal("50.00"))
    with pytest.raises(RuleRefused) as error:
        services.refund_request(payment=payment, actor=owner, reason="超额", amount=Decimal("30.01"))
    assert error.value.code == "refund_exceeds_captured" and error.value.status == 422
    services.refund_request(payment=payment, actor=owner, reason="剩余", amount=Decimal("30.00"))
    payment.refresh_from_db()
    assert payment.refund_reserved == payment.amount


@pytest.mark.parametrize("amount", ["0", "-1", "1.001", "NaN", "abc"])
def test_invalid_refund_amounts_are_refused(paid, owner, amount):
    with pytest.raises(DomainError):
        services.refund_request(payment=paid(), actor=owner, reason="x", amount=amount)


def test_rejecting_releases_the_amount(paid, owner):
    payment = paid("60.00")
    refund = services.refund_request(payment=payment, actor=owner, reason="x")
    services.refund_reject(refund=refund, actor=owner, note="已发货，需退货")
    payment.refresh_from_db()
    assert payment.refund_reserved == Decimal("0.00")
    with pytest.raises(Conflict):
        services.refund_approve(refund=refund, actor=owner)


def test_a_declined_refund_fails_and_releases_the_amount(paid, owner):
    payment = paid("100.00")
    refund = services.refund_request(payment=payment, actor=owner, reason="x", amount=Decimal("10.13"))
    services.refund_approve(refund=refund, actor=owner)
    refund = services.refund_send(refund_id=refund.pk)
    assert refund.status == "failed" and refund.failure_reason
    payment.refresh_from_db()
    assert payment.refund_reserved == Decimal("0.00")


def test_a_refund_the_provider_fails_later_is_failed_by_its_callback(paid, owner):
    payment = paid("100.00")
    refund = services.refund_request(payment=payment, actor=owner, reason="x", amount=Decimal("10.14"))
    services.refund_approve(refund=refund, actor=owner)
    assert services.refund_send(refund_id=refund.pk).status == "sent"
    [failed] = deliver_refund_callbacks(refund)
    assert failed.status == "failed"
    payment.refresh_from_db()
    assert (payment.refund_reserved, payment.refunded) == (Decimal("0.00"), Decimal("0.00"))


def test_a_worker_killed_after_the_provider_call_sends_exactly_one_refund_on_retry(paid, owner, monkeypatch):
    payment = paid("100.00")
    refund = services.refund_request(payment=payment, actor=owner, reason="x", amount=Decimal("40.00"))
    services.refund_approve(refund=refund, actor=owner)
    calls = []
    real_refund = SandboxGateway.refund

    def counting_refund(self, **kwargs):
        calls.append(kwargs["refund_id"])
        return real_refund(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "refund", counting_refund)
    real_mark = refund_delivery._refund_mark_sent

    def killed(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(refund_delivery, "_refund_mark_sent", killed)
    with pytest.raises(SystemExit):
        services.refund_send(refund_id=refund.pk)
    refund.refresh_from_db()
    assert refund.status == "sending"
    monkeypatch.setattr(refund_delivery, "_refund_mark_sent", real_mark)
    assert services.refund_send(refund_id=refund.pk).status == "sent"
    assert services.refund_send(refund_id=refund.pk).status == "sent"  # a third delivery: nothing to do
    assert calls == [str(refund.idempotency_key)]
    # The provider itself dedupes by refund id, too: a forced second call is the same refund.
    refund.refresh_from_db()
    again = real_refund(
        SandboxGateway("alipay"),
        refund_id=str(refund.idempotency_key),
        transaction_id="x",
        amount=Decimal("40.00"),
    )
    assert again.provider_refund_id == refund.provider_refund_id


def test_refund_callbacks_are_signed(client, paid, owner):
    payment = paid("100.00")
    refund = services.refund_request(payment=payment, actor=owner, reason="x", amount=Decimal("5.00"))
    services.refund_approve(refund=refund, actor=owner)
    services.refund_send(refund_id=refund.pk)
    body, signature = SandboxGateway("alipay").refund_callback(str(refund.idempotency_key))
    url = "/api/v1/payments/alipay/refund-callback"
    assert client.post(url, data=body, content_type="application/json", HTTP_X_SIGNATURE="bad").status_code == 401
    response = client.post(url, data=body, content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 200 and response.json()["refund_status"] == "succeeded"
    junk = b'{"refund_id": "not-a-uuid", "provider_refund_id": "x", "amount": "5.00", "status": "succeeded"}'
    response = client.post(
        url, data=junk, content_type="application/json", HTTP_X_SIGNATURE=sign(SECRETS["alipay"], junk)
    )
    assert response.status_code == 404


def test_cancelling_a_paid_order_requests_its_refund(make_order, pay, owner, django_capture_on_commit_callbacks):
    order = make_order(total="66.00")
    pay(order)
    # Nothing after the commit runs (a process killed, the broker down): the request was written with the cancellation.
    with django_capture_on_commit_callbacks(execute=False):
        order_cancel(order=order, actor=owner, reason="顾客取消")
    refund = Refund.objects.get(order=order)
    assert (refund.amount, refund.source, refund.status, refund.refund_only) == (
        Decimal("66.00"),
        "order_cancelled",
        "requested",
        True,
    )
    # Asked twice (a cancellation retried, a group buy failing twice) it still makes one refund.
    assert services.refund_request_for_order(order=order, amount=Decimal("66.00"), reason="again") == []


def _request_in_thread(payment_id, n):
    try:
        services.refund_request(
            payment=Payment.objects.get(pk=payment_id),
            actor=None,
            reason=f"并发 {n}",
            amount=Decimal("30.00"),
        )
        return "ok"
    except RuleRefused as e:
        return e.code
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_refund_requests_never_refund_more_than_captured(paid):
    payment = paid("100.00")
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda n: _request_in_thread(payment.pk, n), range(10)))
    assert results.count("ok") == 3
    assert results.count("refund_exceeds_captured") == 7
    payment.refresh_from_db()
    assert payment.refund_reserved == Decimal("90.00")
    assert sum(r.amount for r in Refund.objects.filter(payment=payment)) == Decimal("90.00")


def test_with_auto_callback_the_sandbox_confirms_at_once(paid, owner, monkeypatch):
    monkeypatch.setenv("PAYMENT_SANDBOX_AUTO_CALLBACK", "true")
    payment = paid("100.00")
    refund = services.refund_request(payment=payment, actor=owner, reason="x", amount=Decimal("12.00"))
    services.refund_approve(refund=refund, actor=owner)
    assert services.refund_send(refund_id=refund.pk).status == "succeeded"
    payment.refresh_from_db()
    assert payment.refunded == Decimal("12.00")


def test_finance_sees_refunds_awaiting_approval_on_the_dashboard(client_as):
    html = client_as("finance").get("/").content.decode()
    assert "待审批退款" in html and "风控待审订单" in html
