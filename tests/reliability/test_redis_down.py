"""Redis stopped: the API and pages keep answering; the tasks they queue wait in the outbox and run, once, when
the broker is back (the `outbox_dispatch` job)."""

import json
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orders.services import order_place
from payments.gateways import sign
from payments.models import RiskAssessment
from shop.celery import app
from shop.models import OutboxTask
from shop.outbox import outbox_dispatch
from tests.workers import real_worker

from .conftest import ADDRESS, SECRET

pytestmark = pytest.mark.django_db


@contextmanager
def broker_at(url):
    """Tasks sent for real (not run in-process) to the broker at `url`."""
    saved = app.conf.broker_url, app.conf.task_always_eager

    def reset(url, eager):
        app.conf.update(broker_url=url, task_always_eager=eager)
        app._pool = None
        app.amqp._producer_pool = None

    reset(url, False)
    try:
        yield
    finally:
        reset(*saved)


def broker_down():
    """A real broker connection to a port nothing listens on (the Redis server stopped)."""
    return broker_at("redis://127.0.0.1:1/0")


def test_a_payment_callback_with_redis_down_answers_and_its_risk_scoring_runs_once_the_broker_is_back(
    client, sku, owner_client, django_capture_on_commit_callbacks
):
    order, _ = order_place(
        customer={"phone": "13800138000", "name": "张三"},
        shipping_address=ADDRESS,
        lines=[(sku.code, 1)],
        payment_method="alipay",
    )
    body = json.dumps(
        {
            "order_number": order.number,
            "transaction_id": "T-REL-1",
            "amount": str(order.total),
            "status": "success",
            "paid_at": datetime.now(UTC).isoformat(),
        }
    ).encode()
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/payments/alipay/callback",
            body,
            content_type="application/json",
            HTTP_X_SIGNATURE=sign(SECRET, body),
        )
        page = owner_client.get(f"/orders/{order.pk}/")  # staff pages keep working meanwhile
    assert response.status_code == 200 and response.json()["outcome"]
    assert page.status_code == 200
    order.refresh_from_db()
    assert order.status == "paid"
    row = OutboxTask.objects.get(task="houtai.payments.risk_assess")
    assert row.sent_at is None and row.last_error
    assert not RiskAssessment.objects.filter(order=order).exists()

    # The broker is back (in-process here): the next tick sends the task, which scores the order once.
    assert outbox_dispatch(now=timezone.now() + timedelta(minutes=1))["sent"] == 1
    assert RiskAssessment.objects.filter(order=order).count() == 1
    assert outbox_dispatch(now=timezone.now() + timedelta(minutes=2))["sent"] == 0


def test_a_send_that_fails_in_any_way_leaves_the_task_waiting_for_the_next_tick(sku, monkeypatch):
    """Celery's result consumer, broken by a Redis outage, raised RuntimeError (not a broker error) on every send:
    the row had been claimed as sent and the task was lost. Now any failure puts the row back."""
    from payments.tasks import risk_assess
    from shop.outbox import enqueue, outbox_send

    assert app.conf.task_ignore_result is True  # no result channel to subscribe to when a page queues a task
    order, _ = order_place(
        customer={"phone": "13800138000", "name": "张三"},
        shipping_address=ADDRESS,
        lines=[(sku.code, 1)],
        payment_method="alipay",
    )
    row = enqueue(risk_assess, order.pk)

    def broken(*args, **kwargs):
        raise RuntimeError("Retry limit exceeded while trying to reconnect to the Celery result store backend.")

    monkeypatch.setattr(risk_assess, "apply_async", broken)
    assert outbox_send(row.pk) is False
    row.refresh_from_db()
    assert row.sent_at is None and "Retry limit" in row.last_error
    monkeypatch.undo()
    assert outbox_dispatch(now=timezone.now() + timedelta(minutes=1))["sent"] == 1
    row.refresh_from_db()
    assert row.sent_at is not None


@pytest.mark.slow
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL for a real broker and worker")
@pytest.mark.django_db(transaction=True)
def test_a_task_the_broker_lost_is_sent_again_and_runs_once(sku):
    """Redis accepted the message, then lost it (a restart without persistence) before any worker took it: the
    row is not done, so the dispatcher sends it again once the redelivery window has passed, and the worker's
    success marks it done; nothing is sent a third time."""
    import redis

    from payments.tasks import risk_assess
    from shop.outbox import enqueue, redeliver_after

    url = settings.REDIS_URL.rsplit("/", 1)[0] + "/7"  # a database of its own: flushing it loses only this test's
    lost, queue = redis.Redis.from_url(url), app.conf.task_default_queue
    lost.flushdb()
    order, _ = order_place(
        customer={"phone": "13800138000", "name": "张三"},
        shipping_address=ADDRESS,
        lines=[(sku.code, 1)],
        payment_method="alipay",
    )
    with broker_at(url):
        with transaction.atomic():
            row = enqueue(risk_assess, order.pk)
        row.refresh_from_db()
        assert row.sent_at is not None and row.done_at is None
        assert lost.llen(queue) == 1
        lost.flushdb()  # the broker's data is gone
        soon = timezone.now() + timedelta(minutes=1)
        assert outbox_dispatch(now=soon)["resent"] == 0  # within the window: it may still be on its way
        later = timezone.now() + redeliver_after() + timedelta(seconds=1)
        assert outbox_dispatch(now=later)["resent"] == 1
        assert lost.llen(queue) == 1
        with real_worker(queue, broker_url=url) as worker:
            for _ in range(120):
                row.refresh_from_db()
                if row.done_at:
                    break
                time.sleep(0.5)
        assert row.done_at is not None, worker.output
        assert row.attempts == 2
        assert RiskAssessment.objects.filter(order=order).count() == 1
        assert outbox_dispatch(now=later + redeliver_after() * 2)["resent"] == 0


def test_pages_answer_from_the_database_while_the_cache_is_down(owner_client, settings):
    """The shared cache is Redis too: with Redis stopped a read is a miss and a write is skipped (shop.cache), so
    the dashboard, the lists and the settings pages answer from the database instead of a 500."""
    settings.CACHES = {"default": {"BACKEND": "shop.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.DASHBOARD_CACHE_SECONDS = settings.ROW_CACHE_SECONDS = 60
    for url in ("/", "/?period=7d", "/orders/", "/catalog/", "/customers/", "/settings/"):
        response = owner_client.get(url)
        assert response.status_code == 200, url
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):  # a counter that cannot count says so
        cache.incr("anything")
