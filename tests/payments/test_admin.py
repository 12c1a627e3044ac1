"""Operators' repairs on payments in the Django admin: re-send a stuck refund, mark a COD order collected."""

from decimal import Decimal

import pytest

from orders.models import Order
from payments import services
from payments.models import Payment, Refund
from shop.models import AuditEntry
from tests.payments.conftest import deliver_refund_callbacks
from tests.shop.adminflow import make_operator, run_action, summary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def operator_client(client, make_staff):
    client.force_login(make_operator(make_staff))
    return client


def test_a_stuck_refund_is_sent_again_and_one_that_succeeded_is_refused(operator_client, make_order, pay, owner):
    stuck_payment = pay(make_order(total="100.00")).payment
    stuck = services.refund_request(payment=stuck_payment, actor=owner, reason="尺码不合适", amount=Decimal("30.00"))
    services.refund_approve(refund=stuck, actor=owner)  # approved; its send after commit never ran
    done_payment = pay(make_order(total="100.00", phone="13900139001")).payment
    done = services.refund_request(payment=done_payment, actor=owner, reason="少发", amount=Decimal("10.00"))
    services.refund_approve(refund=done, actor=owner)
    services.refund_send(refund_id=done.pk)
    deliver_refund_callbacks(done)  # the provider confirms it
    done.refresh_from_db()
    assert done.status == Refund.Status.SUCCEEDED
    attempts = done.attempts

    confirmation, _result, messages = run_action(operator_client, Refund, "resend_refund", [stuck, done])
    assert stuck.order.number in confirmation.content.decode()

    stuck.refresh_from_db()
    done.refresh_from_db()
    assert stuck.status in (Refund.Status.SENT, Refund.Status.SUCCEEDED) and stuck.provider_refund_id
    assert (done.status, done.attempts) == (Refund.Status.SUCCEEDED, attempts)  # untouched
    assert summary(messages).endswith("1 done, 1 refused.")
    assert any(done.order.number in m and "only an approved refund" in m for m in messages)
    entry = AuditEntry.objects.get(action="payments.refund_resend")
    assert (entry.object_id, entry.after["reason"]) == (str(stuck.pk), "顾客来电核实")
    assert entry.actor.username == "operator_user"


def test_the_confirmation_page_needs_a_reason(operator_client, make_order, pay, owner):
    payment = pay(make_order(total="100.00")).payment
    refund = services.refund_request(payment=payment, actor=owner, reason="x", amount=Decimal("5.00"))
    services.refund_approve(refund=refund, actor=owner)
    url = "/admin/payments/refund/"
    data = {"action": "resend_refund", "_selected_action": [refund.pk], "confirm": "yes", "reason": "  "}
    response = operator_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and 'data-testid="repair-confirm"' in response.content.decode()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED
    assert not AuditEntry.objects.filter(action="payments.refund_resend").exists()


def test_a_shipped_cod_order_is_marked_collected_and_an_unshipped_one_refused(operator_client, make_order):
    shipped = make_order(total="88.00", method="cod", status=Order.Status.SHIPPED)
    waiting = make_order(total="66.00", method="cod", status=Order.Status.PAID, phone="13900139002")

    _confirmation, _result, messages = run_action(operator_client, Order, "collect_cod", [shipped, waiting])

    payment = Payment.objects.get(order=shipped)
    assert (payment.amount, payment.status) == (Decimal("88.00"), Payment.Status.CAPTURED)
    assert not Payment.objects.filter(order=waiting).exists()
    assert summary(messages).endswith("1 done, 1 refused.")
    entry = AuditEntry.objects.get(action="payments.cod_collect")
    assert entry.after["reason"] == "顾客来电核实" and entry.actor.username == "operator_user"
    # Once more: already collected, refused (no second payment).
    _c, _r, messages = run_action(operator_client, Order, "collect_cod", [shipped])
    assert summary(messages).endswith("0 done, 1 refused.")
    assert Payment.objects.filter(order=shipped).count() == 1
