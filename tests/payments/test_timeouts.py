"""The refund_timeouts job: remind, escalate, or auto-approve refund-only requests of unshipped orders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Order
from payments import services
from payments.models import Refund
from shop.models import Notification
from shop.selectors import store_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(make_order, pay, owner):
    def make(hours, status=Order.Status.PAID, refund_only=True):
        order = make_order(total="50.00")
        payment = pay(order).payment
        Order.objects.filter(pk=order.pk).update(status=status)
        refund = services.refund_request(payment=payment, actor=owner, reason="等待", refund_only=refund_only)
        Refund.objects.filter(pk=refund.pk).update(requested_at=timezone.now() - timedelta(hours=hours))
        return refund

    return make


def test_reminds_once_at_24_hours_and_escalates_once_at_48(waiting, make_staff):
    finance = make_staff("finance")
    fresh, day_old, two_days_old = waiting(1), waiting(25), waiting(49)
    assert services.refund_timeouts_run() == {"reminded": 1, "escalated": 1, "auto_approved": 0, "resent": 0}
    assert services.refund_timeouts_run() == {"reminded": 0, "escalated": 0, "auto_approved": 0, "resent": 0}
    titles = list(Notification.objects.filter(recipient=finance).values_list("title", flat=True))
    assert len(titles) == 2
    assert Refund.objects.get(pk=fresh.pk).reminded_at is None
    assert Refund.objects.get(pk=day_old.pk).reminded_at is not None
    assert Refund.objects.get(pk=two_days_old.pk).escalated_at is not None


def test_auto_approves_refund_only_requests_of_unshipped_orders_when_the_setting_is_on(
    waiting, django_capture_on_commit_callbacks
):
    settings = store_settings()
    settings.refund_auto_approve_unshipped = True
    settings.save()
    unshipped = waiting(49)
    shipped = waiting(49, status=Order.Status.SHIPPED)
    with_return = waiting(49, refund_only=False)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.refund_timeouts_run()
    assert counts["auto_approved"] == 1 and counts["escalated"] == 2
    assert Refund.objects.get(pk=unshipped.pk).status == "sent"  # approved, then sent to the provider
    assert Refund.objects.get(pk=shipped.pk).status == "requested"
    assert Refund.objects.get(pk=with_return.pk).status == "requested"


def test_a_refund_stuck_in_sending_is_sent_by_the_job(make_order, pay, owner, monkeypatch):
    payment = pay(make_order(total="30.00")).payment
    refund = services.refund_request(payment=payment, actor=owner, reason="x", amount=Decimal("3.00"))
    services.refund_approve(refund=refund, actor=owner)
    Refund.objects.filter(pk=refund.pk).update(status="sending", decided_at=timezone.now() - timedelta(hours=1))
    assert services.refund_timeouts_run()["resent"] == 1
    assert Refund.objects.get(pk=refund.pk).status == "sent"
