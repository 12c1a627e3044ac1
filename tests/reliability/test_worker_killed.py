"""A worker killed in the middle of a money or stock job: the message is not acked (acks_late) and goes back on the
queue when the pool process dies (reject_on_worker_lost); the retry has exactly one effect."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import StockLevel, StockMovement
from orders.services import order_place, sweeps
from payments import services
from payments.gateways import SandboxGateway, get_gateway
from payments.models import Refund
from payments.services import refund_delivery
from payments.tasks import refund_send
from shop.celery import app
from shop.models import AuditEntry

from .conftest import ADDRESS

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """What SIGKILL does to the task: nothing after this point runs (not an Exception: no handler sees it)."""


def test_a_killed_task_goes_back_on_the_queue_instead_of_being_acked():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True  # without it a SIGKILLed task is acked and lost
    assert refund_send.acks_late


def _placed(sku):
    order, _ = order_place(
        customer={"phone": "13800138000", "name": "张三"},
        shipping_address=ADDRESS,
        lines=[(sku.code, 1)],
        payment_method="alipay",
    )
    return order


def test_a_refund_send_killed_after_the_provider_accepted_it_refunds_once_on_the_retry(
    sku, owner, monkeypatch, django_capture_on_commit_callbacks
):
    order = _placed(sku)
    gateway = get_gateway("alipay")
    body, signature = gateway.simulate_payment(order_number=order.number, amount=order.total)
    with django_capture_on_commit_callbacks(execute=False):
        services.payment_callback_handle(provider="alipay", body=body, signature=signature)
    payment = order.payments.get()
    with django_capture_on_commit_callbacks(execute=False):  # the task is run below, by hand
        refund = services.refund_request(payment=payment, actor=owner, reason="顾客退货", amount=Decimal("30.00"))
        services.refund_approve(refund=refund, actor=owner)

    real_mark_sent = refund_delivery._refund_mark_sent
    calls_before = SandboxGateway.books("alipay")["refund_calls"]

    def killed(**kwargs):
        raise Killed

    monkeypatch.setattr(refund_delivery, "_refund_mark_sent", killed)
    with pytest.raises(Killed):
        refund_send.run(refund.pk)
    refund.refresh_from_db()
    assert refund.status == "sending"  # the provider has it; our row does not know yet
    monkeypatch.setattr(refund_delivery, "_refund_mark_sent", real_mark_sent)

    refund_send.run(refund.pk)  # the retry of the requeued message
    refund_send.run(refund.pk)  # and a duplicate delivery: still one effect
    refund.refresh_from_db()
    assert refund.status in ("sent", "succeeded") and refund.provider_refund_id
    books = SandboxGateway.books("alipay")
    assert str(refund.idempotency_key) in books["refunds"]
    assert books["refund_calls"] == calls_before + 1  # the provider refunded once, not once per delivery
    assert AuditEntry.objects.filter(action="payments.refund_sent", object_id=str(refund.pk)).count() == 1
    assert Refund.objects.filter(payment=payment).count() == 1


def test_close_unpaid_orders_killed_mid_transaction_releases_the_stock_once_on_the_retry(sku, monkeypatch):
    order = _placed(sku)  # placed, never paid: stock reserved
    stock = StockLevel.objects.get(sku=sku)
    assert stock.reserved == 1
    real_cancel = sweeps._cancel

    def killed_after_cancel(order, **kwargs):
        real_cancel(order, **kwargs)
        raise Killed  # inside the order's transaction: nothing of it is committed

    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(sweeps, "_cancel", killed_after_cancel)
    with pytest.raises(Killed):
        sweeps.orders_close_unpaid(now=later)
    order.refresh_from_db()
    stock.refresh_from_db()
    assert order.status == "pending_payment" and stock.reserved == 1
    monkeypatch.setattr(sweeps, "_cancel", real_cancel)

    assert sweeps.orders_close_unpaid(now=later) == {"closed": 1}
    assert sweeps.orders_close_unpaid(now=later) == {"closed": 0}
    order.refresh_from_db()
    stock.refresh_from_db()
    assert order.status == "closed" and stock.reserved == 0
    assert StockMovement.objects.filter(reference=order.number, kind="release").count() == 1
    assert order.events.filter(to_status="closed").count() == 1
