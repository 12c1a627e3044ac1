"""The Django admin is for looking: every registered model's changelist opens for the owner, and no
model of ours can be changed there (changes go through the pages, their rules and the audit log)."""
import pytest
from django.contrib import admin

OURS = ("shop", "catalog", "inventory", "orders", "payments", "customers")
MODELS = sorted((m for m in admin.site._registry if m._meta.app_label in OURS), key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_owner_opens_the_changelist(client, make_staff, model):
    owner = make_staff("owner")
    owner.is_staff = owner.is_superuser = True
    owner.save()
    client.force_login(owner)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_records_cannot_be_added_in_the_admin(rf, model):
    request = rf.get("/")
    request.user = type("Superuser", (), {"is_active": True, "is_staff": True, "is_superuser": True,
                                          "has_perm": lambda self, perm, obj=None: True})()
    assert not admin.site._registry[model].has_add_permission(request)
