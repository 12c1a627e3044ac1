"""Idempotency-Keys are kept for the store's retention, then a daily job removes them."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.models import IntakeKey, Order
from shop.jobs import beat_schedule
from shop.selectors import store_settings
from tests.orders.conftest import body
from tests.shop.test_staff_and_settings import _settings_post

pytestmark = pytest.mark.django_db


def _keyed_order(api, key, age_days, data):
    response = api("post", "/orders", data, headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.content
    IntakeKey.objects.filter(key=key).update(created_at=timezone.now() - timedelta(days=age_days))
    return response.json()["number"]


def test_the_daily_job_deletes_keys_past_the_retention_and_keeps_the_orders(api, sku):
    settings = store_settings()
    settings.intake_key_retention_days = 10
    settings.save()
    retry = body(("TEE-W-M", 1))
    old = _keyed_order(api, "old-key", 11, body(("TEE-W-M", 1)))
    recent = _keyed_order(api, "recent-key", 9, retry)
    call_command("run_job", "purge_intake_keys")
    call_command("run_job", "purge_intake_keys")
    assert list(IntakeKey.objects.values_list("key", flat=True)) == ["recent-key"]
    assert set(Order.objects.values_list("number", flat=True)) == {old, recent}
    # The kept key still makes a retry a replay of the same order.
    again = api("post", "/orders", retry, headers={"Idempotency-Key": "recent-key"})
    assert again.json()["number"] == recent and Order.objects.count() == 2


def test_the_purge_runs_daily():
    entry = beat_schedule()["purge_intake_keys"]
    assert entry["task"] == "houtai.purge_intake_keys"
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {30}


def test_the_owner_sets_the_retention_on_the_settings_page(owner_client):
    assert store_settings().intake_key_retention_days == 30
    response = owner_client.post("/settings/", _settings_post(intake_key_retention_days=7))
    assert response.status_code == 302
    assert store_settings().intake_key_retention_days == 7
    response = owner_client.post("/settings/", _settings_post(intake_key_retention_days=0))
    assert response.status_code == 200 and store_settings().intake_key_retention_days == 7
    assert "1" in response.context["form"].errors["intake_key_retention_days"][0]
