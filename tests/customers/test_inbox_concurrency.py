"""Real threads on the real database: racing retries of one message, and two SLA runs at once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from customers.models import Customer, CustomerMessage
from customers.services import message_receive, messages_sla_check
from shop.errors import DomainError
from shop.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def _send(i):
    try:
        message, created = message_receive(
            phone="13700001234",  # a new customer: the racing retries also race to create them
            subject="退货",
            text="想退货",
            idempotency_key="same-key",
            idempotency_scope="storefront",
            payload={"same": True},
        )
        return "ok", message.pk, created
    except DomainError as e:
        return e.code, None, False
    finally:
        connection.close()


def test_retries_racing_with_one_key_make_one_message_and_one_customer():
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(_send, range(8)))
    assert {r[0] for r in results} == {"ok"}
    assert len({r[1] for r in results}) == 1 and sum(1 for r in results if r[2]) == 1
    assert CustomerMessage.objects.count() == 1 and Customer.objects.count() == 1


def _check(now):
    try:
        return messages_sla_check(now=now)
    finally:
        connection.close()


def test_two_sla_runs_at_once_flag_and_notify_each_late_message_once(make_staff):
    make_staff("customer_service")
    customer = Customer.objects.create(phone="13800138000", name="张三")
    now = timezone.now()
    for i in range(10):
        CustomerMessage.objects.create(customer=customer, subject=f"s{i}", text="t", created_at=now - timedelta(days=2))
    with ThreadPoolExecutor(2) as pool:
        flagged = list(pool.map(_check, [now, now]))
    assert sum(flagged) == 10
    assert CustomerMessage.objects.filter(sla_breached_at__isnull=True).count() == 0
    assert Notification.objects.filter(kind="sla").count() == 10
