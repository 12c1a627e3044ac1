"""Keyset pagination for shop.lists.ListPage: order by the ordering's fields plus a tie-breaker (NULLs last on every
database), and start a page after the previous page's last row (its values travel in an opaque cursor)."""

import base64
import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q
from django.utils.dateparse import parse_date, parse_datetime

MAX_INT = 2**63 - 1  # what SQLite and PostgreSQL bigint hold; larger values are junk


def lookup(row, path):
    """A row's value at a lookup path ("order__number"); rows may be model instances or dicts."""
    if isinstance(row, dict):
        return row.get(path)
    value = row
    for part in path.split("__"):
        value = getattr(value, "pk" if part == "pk" else part, None)
    return value


def nullable(model, path) -> bool:
    """Whether a lookup path can be NULL (a nullable field or a nullable relation on the way)."""
    for part in path.split("__"):
        if part == "pk":
            return False
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return True  # an annotation: assume it may be
        if field.null:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def order_expression(model, key):
    """Order by a key with NULLs after every value in both directions (the same on every database)."""
    name = key.lstrip("-")
    if not nullable(model, name):
        return key
    return F(name).desc(nulls_last=True) if key.startswith("-") else F(name).asc(nulls_last=True)


def beyond(model, keys, values, *, reverse=False) -> Q:
    """Rows after the cursor `values` in the order of `keys` (before it when `reverse`).

    (k1, k2, ..., pk) after (v1, v2, ..., p) = k1 past v1, or k1 = v1 and k2 past v2, ... NULLs sort last.
    The first key is also bounded on its own (k1 <= v1 when descending) so the index range is used.
    """
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        name = key.lstrip("-")
        descending = key.startswith("-") != reverse
        nulls_last = not reverse
        may_be_null = nullable(model, name)
        condition |= equal & _past(name, value, descending=descending, nulls_last=nulls_last, nullable=may_be_null)
        equal &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    first = keys[0].lstrip("-")
    if values[0] is not None and not nullable(model, first):
        op = "lte" if keys[0].startswith("-") != reverse else "gte"
        condition &= Q(**{f"{first}__{op}": values[0]})
    return condition


def _past(name, value, *, descending, nulls_last, nullable) -> Q:
    if value is None:  # NULLs come last (or first, walking back): only values lie beyond when they are first
        return Q(pk__in=[]) if nulls_last else Q(**{f"{name}__isnull": False})
    past = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
    return past | Q(**{f"{name}__isnull": True}) if nulls_last and nullable else past


def _encode_value(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value):
    if isinstance(value, dict) and len(value) == 1:
        kind, text = next(iter(value.items()))
        parsed = {"dt": parse_datetime, "d": parse_date, "dec": _decimal}.get(kind, lambda _t: None)(str(text))
        if parsed is None:
            raise ValueError(value)
        return parsed
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and abs(value) <= MAX_INT:
        return value
    raise ValueError(value)


def _decimal(text):
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def decode_cursor(raw, length):
    """The values of a cursor from the query string, or None when it is missing or junk."""
    if not raw:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw[:2000] + "=" * (-len(raw) % 4)))
        if not isinstance(values, list) or len(values) != length:
            return None
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
        return None


def encode_cursor(values) -> str:
    """The opaque cursor for a row's key values."""
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
