"""SLA timers through the `complaint_sla` job: an unanswered request is flagged overdue once (its assignee, or
customer service, reminded), then escalated once to the owners; a received return's refund has its own timer."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from aftersales import services
from aftersales.models import AftersalesReason, AftersalesRequest
from shop.models import Notification, StoreSettings

pytestmark = pytest.mark.django_db


def submit(order, now):
    return services.request_submit(
        order=order,
        kind="return",
        reason=AftersalesReason.objects.get(code="changed_mind"),
        lines=[{"sku": "AS-TEE-M", "quantity": 1}],
        actor="api:shop",
        now=now,
    )[0]


def test_overdue_once_then_escalated_once_by_the_job(make_order, make_staff):
    cs, owner = make_staff("customer_service"), make_staff("owner")
    StoreSettings.objects.update_or_create(
        pk=1, defaults={"aftersales_respond_hours": 24, "aftersales_escalate_hours": 24}
    )
    request = submit(make_order(), timezone.now() - timedelta(hours=30))
    call_command("run_job", "complaint_sla")
    request.refresh_from_db()
    assert request.overdue_at is not None and request.escalated_at is None
    assert Notification.objects.filter(recipient=cs, kind="aftersales").count() == 1  # no assignee: the role
    assert not Notification.objects.filter(recipient=owner, kind="aftersales").exists()
    call_command("run_job", "complaint_sla")  # again: nothing new
    assert Notification.objects.filter(kind="aftersales").count() == 1
    flagged = request.overdue_at
    AftersalesRequest.objects.filter(pk=request.pk).update(submitted_at=timezone.now() - timedelta(hours=50))
    AftersalesRequest.objects.filter(pk=request.pk).update(respond_due_at=timezone.now() - timedelta(hours=26))
    call_command("run_job", "complaint_sla")
    call_command("run_job", "complaint_sla")
    request.refresh_from_db()
    assert request.escalated_at is not None and request.overdue_at == flagged
    assert Notification.objects.filter(recipient=owner, kind="aftersales").count() == 1
    from aftersales.models import AftersalesRequest as R

    assert R.objects.filter(services.overdue_q(timezone.now())).count() == 1


def test_the_assignee_is_reminded_and_an_answer_stops_the_timer(make_order, make_staff):
    cs, other = make_staff("customer_service"), make_staff("customer_service", username="cs2")
    request = submit(make_order(), timezone.now() - timedelta(hours=25))
    services.request_assign(request=request, assignee=cs, actor=other)
    result = services.requests_sla_sweep(now=timezone.now())
    assert result == {"overdue": 1, "escalated": 0}
    assert list(Notification.objects.filter(kind="aftersales").values_list("recipient__username", flat=True)) == [
        cs.username
    ]
    fresh = submit(make_order(phone="13700137000"), timezone.now() - timedelta(hours=30))
    services.request_approve(request=fresh, actor=cs)  # answered in time for the sweep: not overdue
    assert services.requests_sla_sweep(now=timezone.now()) == {"overdue": 0, "escalated": 0}


def test_the_refund_timer_starts_at_receipt(make_order, owner):
    request = submit(make_order(), timezone.now())
    services.request_approve(request=request, actor=owner)
    services.request_receive(request=request, actor=owner, now=timezone.now() - timedelta(hours=49))
    assert services.requests_sla_sweep(now=timezone.now())["overdue"] == 1
    request.refresh_from_db()
    assert request.overdue_at is not None


def test_the_hook_answers_under_requests(make_order):
    from django.apps import apps

    # the hook answers for complaints too (branch complaints), under their own key
    assert apps.get_app_config("aftersales").sla_sweep(now=timezone.now())["requests"] == {"overdue": 0, "escalated": 0}
