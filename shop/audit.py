"""The audit log: every staff write records who, when, what object, before -> after."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

from shop.actors import Actor
from shop.errors import DomainError
from shop.labels import decimal_text
from shop.models import AuditEntry


def snapshot(obj, fields=None):
    """A JSON-safe dict of a model instance's field values."""
    data = model_to_dict(obj, fields=fields)
    return {k: _jsonable(v) for k, v in data.items()}


def _jsonable(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, Decimal):  # an aggregate's Decimal("13.2200000000000") is stored as "13.22"
        return decimal_text(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def record(actor, action, obj=None, *, before=None, after=None, module=None):
    """Write one audit entry. `action` is "module.verb" (e.g. "catalog.publish")."""
    module = module or action.split(".", 1)[0]
    who = Actor.of(actor)
    entry = AuditEntry(
        actor=who.user,
        actor_label=who.label,
        action=action,
        module=module,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save()
    return entry


def audited_save(instance, *, actor, action, fields):
    """Set the fields, validate the instance (its model's rules), save it and audit before -> after.

    A model rule that refuses (ValidationError) becomes a DomainError whose fields name what to fix.
    """
    before = snapshot(instance) if instance.pk else None
    for name, value in fields.items():
        setattr(instance, name, value)
    try:
        instance.full_clean()
    except ValidationError as e:
        problems = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
        raise DomainError(
            " ".join(m for ms in problems.values() for m in ms),
            code="invalid",
            fields={k: " ".join(v) for k, v in problems.items() if k != "__all__"},
        ) from e
    instance.save()
    record(actor, action, instance, before=before, after=snapshot(instance))
    return instance
