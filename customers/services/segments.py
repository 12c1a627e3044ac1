"""Segment use cases (客户分群): validate the rules, save, recount and delete a segment.

Saving or recounting writes the members down (SegmentMember) in the same transaction, so the lists that
filter by a segment join an index instead of evaluating the rules over every customer on every page.

`clean_rules` is the one validator of the rules JSON; `customers.selectors.segment_customers` is the one
interpreter. The canonical shape (every key optional, at least one present; ids are primary keys):

    {
      "spend_12m":      {"min": "100.00", "max": "500.00"},   # money as strings, either bound may be absent
      "lifetime_spend": {"min": "1000.00"},
      "order_count":    {"min": 2, "max": 10},                # lifetime order count
      "last_order":     {"mode": "within", "days": 30}         # last order in the last N days
                      | {"mode": "before", "date": "2026-06-01"}  # last order before that day (never ordered: out)
                      | {"mode": "between", "from": "2026-01-01", "to": "2026-03-31"},  # both days included
      "tiers":          [3, 4],                               # member tier ids (any of them)
      "tags":           {"match": "any" | "all", "ids": [1, 2]},
      "provinces":      ["广东", "上海"],                        # of the default address; short names, shop.china
      "rfm_segments":   ["champion", "keep"],                 # RfmSegment values
      "birthday_months": [1, 12],
      "genders":        ["female"],
      "sources":        ["app", "mini_program"],
    }

Every rule narrows the set (AND); the values inside a list rule are alternatives (OR), except tags with
"all". A refusal is one DomainError whose `fields` name the form fields to fix (spend_12m_min, tiers, ...).
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer, CustomerTag, MemberTier, RfmSegment, Segment, SegmentMember
from shop.actors import Actor
from shop.audit import audited_save, record, snapshot
from shop.china import PROVINCES, province_key
from shop.errors import DomainError
from shop.money import CENT

MONEY_RULES = ("spend_12m", "lifetime_spend")
RULE_KEYS = (
    "spend_12m",
    "lifetime_spend",
    "order_count",
    "last_order",
    "tiers",
    "tags",
    "provinces",
    "rfm_segments",
    "birthday_months",
    "genders",
    "sources",
)
MAX_MONEY = Decimal("999999999999.99")
MAX_COUNT = 1_000_000
MAX_DAYS = 36_500
MAX_ITEMS = 200


class _Errors(dict):
    def add(self, field, message):
        self.setdefault(field, str(message))


def _money(value, field, errors):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip()).quantize(CENT)
    except (InvalidOperation, ValueError):
        errors.add(field, _("Enter an amount."))
        return None
    if not amount.is_finite() or amount > MAX_MONEY:
        errors.add(field, _("Enter an amount."))
        return None
    if amount < 0:
        errors.add(field, _("Cannot be negative."))
        return None
    return amount


def _whole(value, field, errors, *, minimum=0, maximum=MAX_COUNT):
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).strip().lstrip("-").isdigit() or len(str(value)) > 12:
        errors.add(field, _("Enter a whole number."))
        return None
    number = int(str(value).strip())
    if number < 0:
        errors.add(field, _("Cannot be negative."))
    elif number < minimum or number > maximum:
        errors.add(field, _("Enter a number from %(lo)s to %(hi)s.") % {"lo": minimum, "hi": maximum})
    else:
        return number
    return None


def _day(value, field, errors):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.add(field, _("Enter a date."))
        return None


def _range(rules, key, errors, parse):
    """{"min", "max"} with either bound; min <= max."""
    raw = rules.get(key)
    if not isinstance(raw, dict) or set(raw) - {"min", "max"}:
        errors.add(f"{key}_min", _("Give a minimum, a maximum or both."))
        return None
    low = parse(raw.get("min"), f"{key}_min", errors)
    high = parse(raw.get("max"), f"{key}_max", errors)
    if low is not None and high is not None and low > high:
        errors.add(f"{key}_max", _("The maximum is below the minimum."))
        return None
    if low is None and high is None:
        return None
    clean = {}
    if low is not None:
        clean["min"] = str(low) if isinstance(low, Decimal) else low
    if high is not None:
        clean["max"] = str(high) if isinstance(high, Decimal) else high
    return clean


def _last_order(raw, errors):
    if not isinstance(raw, dict):
        errors.add("last_order_mode", _("Choose how the last order is dated."))
        return None
    mode = raw.get("mode")
    if mode == "within":
        days = _whole(raw.get("days"), "last_order_days", errors, minimum=1, maximum=MAX_DAYS)
        if days is None and "last_order_days" not in errors:
            errors.add("last_order_days", _("Give the number of days."))
        return {"mode": "within", "days": days} if days is not None else None
    if mode == "before":
        day = _day(raw.get("date"), "last_order_date", errors)
        return {"mode": "before", "date": day.isoformat()} if day else None
    if mode == "between":
        start = _day(raw.get("from"), "last_order_from", errors)
        end = _day(raw.get("to"), "last_order_to", errors)
        if start and end and start > end:
            errors.add("last_order_to", _("The end date is before the start date."))
            return None
        return {"mode": "between", "from": start.isoformat(), "to": end.isoformat()} if start and end else None
    errors.add("last_order_mode", _("Choose how the last order is dated."))
    return None


def _id_list(raw, field, errors, model):
    if not isinstance(raw, (list, tuple)) or not raw or len(raw) > MAX_ITEMS:
        errors.add(field, _("Choose at least one."))
        return None
    ids = []
    for value in raw:
        text = str(getattr(value, "pk", value)).strip()
        if not text.isdigit() or len(text) > 18:
            errors.add(field, _("Unknown choice: %(v)s.") % {"v": str(value)[:30]})
            return None
        ids.append(int(text))
    ids = sorted(set(ids))
    known = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in known]
    if missing:
        errors.add(field, _("Unknown choice: %(v)s.") % {"v": ", ".join(map(str, missing))})
        return None
    return ids


def _choice_list(raw, field, errors, allowed, *, normalise=str):
    if not isinstance(raw, (list, tuple)) or not raw or len(raw) > MAX_ITEMS:
        errors.add(field, _("Choose at least one."))
        return None
    values = []
    for value in raw:
        try:
            clean = normalise(value)
        except (TypeError, ValueError):
            clean = None
        if clean not in allowed:
            errors.add(field, _("Unknown choice: %(v)s.") % {"v": str(value)[:30]})
            return None
        values.append(clean)
    return sorted(set(values))


def clean_rules(rules) -> dict:
    """The rules in their canonical shape (module docstring), or a DomainError naming the fields to fix."""
    if not isinstance(rules, dict):
        raise DomainError(_("Segment rules must be an object."), code="invalid_rules", fields={})
    errors = _Errors()
    unknown = sorted(set(rules) - set(RULE_KEYS))
    if unknown:
        errors.add("__all__", _("Unknown rules: %(k)s.") % {"k": ", ".join(map(str, unknown))[:200]})
    clean: dict = {}
    for key in MONEY_RULES:
        if key in rules:
            clean[key] = _range(rules, key, errors, _money)
    if "order_count" in rules:
        clean["order_count"] = _range(rules, "order_count", errors, _whole)
    if "last_order" in rules:
        clean["last_order"] = _last_order(rules["last_order"], errors)
    if "tiers" in rules:
        clean["tiers"] = _id_list(rules["tiers"], "tiers", errors, MemberTier)
    if "tags" in rules:
        raw = rules["tags"]
        if not isinstance(raw, dict) or raw.get("match", "any") not in ("any", "all"):
            errors.add("tags", _("Match any or all of the tags."))
        else:
            ids = _id_list(raw.get("ids"), "tags", errors, CustomerTag)
            clean["tags"] = {"match": raw.get("match", "any"), "ids": ids} if ids else None
    if "provinces" in rules:
        clean["provinces"] = _choice_list(rules["provinces"], "provinces", errors, PROVINCES, normalise=province_key)
    if "rfm_segments" in rules:
        clean["rfm_segments"] = _choice_list(rules["rfm_segments"], "rfm_segments", errors, RfmSegment.values)
    if "birthday_months" in rules:
        clean["birthday_months"] = _choice_list(
            rules["birthday_months"], "birthday_months", errors, set(range(1, 13)), normalise=_month
        )
    if "genders" in rules:
        clean["genders"] = _choice_list(rules["genders"], "genders", errors, Customer.Gender.values)
    if "sources" in rules:
        clean["sources"] = _choice_list(rules["sources"], "sources", errors, Customer.Source.values)
    clean = {k: v for k, v in clean.items() if v is not None}
    if errors:
        fields = {k: v for k, v in errors.items() if k != "__all__"}
        message = errors.get("__all__") or _("Check the segment's rules: %(n)s need fixing.") % {"n": len(fields)}
        raise DomainError(message, code="invalid_rules", fields=fields)
    if not clean:
        raise DomainError(
            _("Add at least one rule: a segment without rules would hold every customer."),
            code="empty_rules",
            fields={},
        )
    return clean


def _month(value):
    if isinstance(value, bool):
        raise ValueError
    return int(str(value).strip())


def _count(rules) -> int:
    from customers.selectors import segment_customers

    return segment_customers(rules).count()


def _materialise(segment) -> int:
    """Write down who is in the segment now (SegmentMember), in one INSERT ... SELECT; the number of members."""
    from customers.selectors import segment_customers

    SegmentMember.objects.filter(segment_id=segment.pk).delete()
    sql, params = segment_customers(segment).order_by().values(member=F("pk")).query.sql_with_params()
    table = connection.ops.quote_name(SegmentMember._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (segment_id, customer_id) SELECT %s, members.member FROM ({sql}) members",
            [segment.pk, *params],
        )
        return cursor.rowcount


def _counted(segment, members) -> Segment:
    segment.member_count, segment.counted_at = members, timezone.now()
    Segment.objects.filter(pk=segment.pk).update(member_count=members, counted_at=segment.counted_at)
    return segment


def _clean_fields(segment, name, description, rules) -> dict:
    name = str(name or "").strip()
    problems = {}
    if not name:
        problems["name"] = _("Give the segment a name.")
    elif len(name) > 60:
        problems["name"] = _("At most 60 characters.")
    elif Segment.objects.filter(name__iexact=name).exclude(pk=segment.pk).exists():
        problems["name"] = _("Another segment is already called %(n)s.") % {"n": name}
    try:
        rules = clean_rules(rules)
    except DomainError as e:
        problems = {**e.data.get("fields", {}), **problems}
        raise DomainError(problems.get("name") or e.message, code=e.code, fields=problems) from None
    if problems:
        raise DomainError(problems["name"], code="invalid_name", fields=problems)
    return {"name": name, "description": str(description or "").strip()[:300], "rules": rules}


@transaction.atomic(durable=True)
def segment_save(*, actor, name, rules, description="", segment=None) -> Segment:
    """Create a segment (or edit `segment`): validated name and rules, counted on save, audited."""
    if segment is not None:
        segment = Segment.objects.select_for_update().get(pk=segment.pk)
    instance = segment or Segment(created_by=Actor.of(actor).user)
    fields = _clean_fields(instance, name, description, rules)
    fields["member_count"] = _count(fields["rules"])  # in the audit entry
    fields["counted_at"] = timezone.now()
    action = "customers.segment_update" if segment is not None else "customers.segment_create"
    instance = audited_save(instance, actor=actor, action=action, fields=fields)
    return _counted(instance, _materialise(instance))


@transaction.atomic(durable=True)
def segment_recount(*, segment, actor) -> Segment:
    """Count the segment's members again (the nightly figures move customers in and out)."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    before = segment.member_count
    _counted(segment, _materialise(segment))
    after = {"members": segment.member_count}
    record(actor, "customers.segment_recount", segment, before={"members": before}, after=after)
    return segment


def segments_recount_all(*, actor=None) -> int:
    """Recount every segment (the nightly `recount_segments` job, after the figures are recomputed); one
    transaction per segment, so a failure keeps the others. Running it twice is harmless. The number recounted."""
    done = 0
    for pk in Segment.objects.order_by("pk").values_list("pk", flat=True):
        segment = Segment.objects.filter(pk=pk).first()
        if segment is not None:
            segment_recount(segment=segment, actor=actor)
            done += 1
    return done


@transaction.atomic(durable=True)
def segment_delete(*, segment, actor) -> None:
    """Delete a segment; the customers in it are untouched."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    before = snapshot(segment)
    record(actor, "customers.segment_delete", segment, before=before)
    segment.delete()
