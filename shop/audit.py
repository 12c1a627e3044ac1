"""The audit log: every staff write records who, when, what object, before -> after."""
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

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
    entry = AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(actor.get_username() if getattr(actor, "pk", None) else (str(actor) if actor else "system")),
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
