"""The payment jobs are registered with DESIGN §5's schedules; the callback routes are in the API schema."""

import io
from datetime import timedelta

import pytest
from celery.schedules import crontab, schedule
from django.core.management import call_command
from django.utils import timezone

from payments import services
from payments.models import Refund
from shop.jobs import load_jobs
from shop.models import Notification


def test_refund_timeouts_and_settle_payments_are_scheduled():
    jobs = load_jobs()
    task, every = jobs["refund_timeouts"]
    assert isinstance(every, schedule) and every.run_every.total_seconds() == 15 * 60
    task, every = jobs["settle_payments"]
    assert isinstance(every, crontab) and every.hour == {2} and every.minute == {0}


@pytest.mark.django_db
def test_refund_timeouts_run_by_name_remind_and_escalate_once(make_order, pay, owner, make_staff):
    """`run_job refund_timeouts` (what cron or an operator runs) reaches the waiting refunds; a second run
    changes nothing."""
    finance = make_staff("finance")
    refunds = {}
    for hours in (1, 25, 49):
        payment = pay(make_order(total="50.00")).payment
        refund = services.refund_request(payment=payment, actor=owner, reason="七天无理由")
        Refund.objects.filter(pk=refund.pk).update(requested_at=timezone.now() - timedelta(hours=hours))
        refunds[hours] = refund.pk
    out = io.StringIO()
    call_command("run_job", "refund_timeouts", stdout=out)
    assert "'reminded': 1" in out.getvalue() and "'escalated': 1" in out.getvalue()
    after_first = {h: Refund.objects.values("reminded_at", "escalated_at").get(pk=pk) for h, pk in refunds.items()}
    assert after_first[1] == {"reminded_at": None, "escalated_at": None}
    assert after_first[25]["reminded_at"] is not None and after_first[25]["escalated_at"] is None
    assert after_first[49]["escalated_at"] is not None
    notes = Notification.objects.filter(recipient=finance).count()
    assert notes == 2

    call_command("run_job", "refund_timeouts", stdout=io.StringIO())
    assert {h: Refund.objects.values("reminded_at", "escalated_at").get(pk=pk) for h, pk in refunds.items()} == (
        after_first
    )
    assert Notification.objects.filter(recipient=finance).count() == notes


@pytest.mark.django_db
def test_the_callbacks_are_in_the_openapi_schema_without_an_api_key(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/payments/{provider}/callback"]["post"]
    assert not operation.get("security")
    assert "/api/v1/payments/{provider}/refund-callback" in schema["paths"]
