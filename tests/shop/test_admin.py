"""The Django admin is for looking: every registered model of ours lists its records for the owner, and none
can be added, changed or deleted there (changes go through the pages, their rules and the audit log)."""

import pytest
from django.contrib import admin

from tests.shop.world import OUR_APPS, build_world, row_counts

MODELS = sorted((m for m in admin.site._registry if m._meta.app_label in OUR_APPS), key=lambda m: m._meta.label)


@pytest.fixture
def superuser_client(client, make_staff):
    owner = make_staff("owner")
    owner.is_staff = owner.is_superuser = True
    owner.save()
    client.force_login(owner)
    client.get("/")  # creates the store settings row
    build_world(owner)
    return client


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_the_owner_sees_the_records_and_can_change_none(superuser_client, model):
    client = superuser_client
    record = model._default_manager.order_by("pk").first()
    assert record is not None, f"tests/shop/world.py makes no {model._meta.label}"
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    listing = client.get(base)
    assert listing.status_code == 200
    assert f"{base}{record.pk}/change/" in listing.content.decode()
    assert client.get(f"{base}{record.pk}/change/").status_code == 200  # viewable, read-only

    before = row_counts()
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"name": "新的"}).status_code == 403
    assert client.post(f"{base}{record.pk}/change/", {"name": "改过"}).status_code == 403
    assert client.post(f"{base}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(
        base, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}
    ).status_code in (200, 302, 403)
    assert row_counts() == before
    record.refresh_from_db()  # still there
