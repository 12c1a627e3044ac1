"""Tasks that cannot be lost (shop.outbox): a refund approved while Redis is down is sent when it is back."""

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import services
from shop.celery import app
from shop.models import OutboxTask
from shop.outbox import outbox_dispatch

pytestmark = pytest.mark.django_db


@contextmanager
def broker_down():
    """A real broker connection to a port nothing listens on (the Redis server stopped)."""
    saved = app.conf.broker_url, app.conf.task_always_eager

    def reset(url, eager):
        app.conf.update(broker_url=url, task_always_eager=eager)
        app._pool = None  # the next send connects to the URL above
        app.amqp._producer_pool = None

    reset("redis://127.0.0.1:1/0", False)
    try:
        yield
    finally:
        reset(*saved)


def test_a_refund_approved_while_the_broker_is_down_is_sent_once_it_is_back(
    paid, owner_client, owner, django_capture_on_commit_callbacks
):
    payment = paid("80.00")
    refund = services.refund_request(payment=payment, actor=owner, reason="顾客退货", amount=Decimal("30.00"))
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("payments:refund_approve", args=[refund.pk]))
    assert response.status_code == 302  # the page answers: the approval stands
    refund.refresh_from_db()
    assert refund.status == "approved"
    row = OutboxTask.objects.get(task="houtai.payments.refund_send")
    assert row.sent_at is None and row.args == [refund.pk] and row.last_error

    with broker_down():  # still down at the next tick: it keeps waiting
        assert outbox_dispatch(now=timezone.now() + timedelta(minutes=1))["sent"] == 0
    # The broker is back (in-process here; a real worker on CI): the job sends it, once.
    assert outbox_dispatch(now=timezone.now() + timedelta(minutes=2))["sent"] == 1
    refund.refresh_from_db()
    assert refund.status == "sent" and refund.provider_refund_id
    assert outbox_dispatch(now=timezone.now() + timedelta(minutes=3))["sent"] == 0
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 3


def test_a_task_queued_in_a_rolled_back_use_case_is_never_sent(paid, owner, django_capture_on_commit_callbacks):
    payment = paid("50.00")
    refund = services.refund_request(payment=payment, actor=owner, reason="顾客退货", amount=Decimal("10.00"))
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.refund_approve.__wrapped__(refund=refund, actor=owner)
                raise RuntimeError("the use case failed after queueing")
    assert callbacks == [] and not OutboxTask.objects.exists()
    refund.refresh_from_db()
    assert refund.status == "requested"
