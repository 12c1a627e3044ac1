"""The payment jobs are registered with DESIGN §5's schedules; the callback routes are in the API schema."""

import pytest
from celery.schedules import crontab, schedule
from django.core.management import call_command

from shop.jobs import load_jobs


def test_refund_timeouts_and_settle_payments_are_scheduled():
    jobs = load_jobs()
    task, every = jobs["refund_timeouts"]
    assert isinstance(every, schedule) and every.run_every.total_seconds() == 15 * 60
    task, every = jobs["settle_payments"]
    assert isinstance(every, crontab) and every.hour == {2} and every.minute == {0}


@pytest.mark.django_db
def test_refund_timeouts_runs_by_name_twice():
    call_command("run_job", "refund_timeouts")
    call_command("run_job", "refund_timeouts")


@pytest.mark.django_db
def test_the_callbacks_are_in_the_openapi_schema_without_an_api_key(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/payments/{provider}/callback"]["post"]
    assert not operation.get("security")
    assert "/api/v1/payments/{provider}/refund-callback" in schema["paths"]
