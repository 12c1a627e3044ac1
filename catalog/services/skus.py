"""SKUs: generating the attribute matrix and saving the SKU grid (every row checked first)."""

import itertools
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import (
    AttributeDefinition,
    AttributeValue,
    Product,
    Sku,
)
from catalog.services.common import MAX_PRICE, SKU_FIELDS, RowErrors, _refresh_prices
from shop.audit import record, snapshot
from shop.errors import DomainError


# -- SKUs -------------------------------------------------------------------------------------------
def _options_label(values):
    return " / ".join(v.value for v in sorted(values, key=lambda v: (v.definition.position, v.definition_id)))


@transaction.atomic(durable=True)
def sku_matrix_generate(*, actor, product: Product, values: list[AttributeValue], price: Decimal) -> list[Sku]:
    """Create a SKU for every combination of the chosen values that the product does not have yet."""
    if price is None or price < 0 or price > MAX_PRICE:
        raise DomainError(_("Enter a price between 0 and %(max)s.") % {"max": MAX_PRICE}, code="invalid_price")
    by_definition: dict[int, list] = {}
    for value in sorted(values, key=lambda v: (v.definition.position, v.definition_id, v.position)):
        by_definition.setdefault(value.definition_id, []).append(value)
    if not by_definition:
        raise DomainError(_("Choose at least one attribute value."), code="no_values")
    existing = {frozenset(s.attribute_values.values_list("pk", flat=True)) for s in product.skus.all()}
    number = product.skus.count()
    created = []
    for combination in itertools.product(*by_definition.values()):
        if frozenset(v.pk for v in combination) in existing:
            continue
        number += 1
        code = f"{product.code}-{number:02d}"
        while Sku.objects.filter(code=code).exists():
            number += 1
            code = f"{product.code}-{number:02d}"
        sku = Sku.objects.create(
            product=product,
            code=code,
            price=price,
            weight_g=product.weight_g,
            options=_options_label(combination),
            position=number,
        )
        sku.attribute_values.set(combination)
        created.append(sku)
    _refresh_prices([product.pk])
    record(actor, "catalog.sku_matrix_generate", product, after={"skus": [s.code for s in created]})
    return created


def _row_errors(row):
    """The problems of one SKU row (a dict of SKU_FIELDS), as messages."""
    problems = []
    if not row.get("code"):
        problems.append(_("the SKU code is missing"))
    for name, label in (("price", _("price")), ("compare_at_price", _("compare-at price")), ("cost", _("cost"))):
        value = row.get(name)
        if value is None:
            if name == "price":
                problems.append(_("the price is missing"))
            continue
        if value < 0:
            problems.append(_("the %(field)s cannot be negative") % {"field": label})
        elif value > MAX_PRICE:
            problems.append(
                _("the %(field)s %(value)s is above %(max)s") % {"field": label, "value": value, "max": MAX_PRICE}
            )
    return problems


def _validate_sku_rows(rows):
    """Check a grid or file of SKU rows: each row's values, codes unique in the rows and the database.

    `rows` is [(row number, row dict with "pk" for existing SKUs)]. Raises RowErrors with every problem.
    """
    errors = [(n, "; ".join(p)) for n, row in rows if (p := _row_errors(row))]
    seen = {}
    for n, row in rows:
        code = row.get("code")
        if code and code in seen:
            errors.append(
                (n, _("SKU code %(code)s is also used on row %(other)s") % {"code": code, "other": seen[code]})
            )
        seen.setdefault(code, n)
    taken = dict(Sku.objects.filter(code__in=[c for c in seen if c]).values_list("code", "pk"))
    for n, row in rows:
        code = row.get("code")
        if code in taken and taken[code] != row.get("pk"):
            errors.append((n, _("SKU code %(code)s already belongs to another SKU") % {"code": code}))
    if errors:
        raise RowErrors(sorted(errors, key=lambda e: e[0]))


@transaction.atomic(durable=True)
def skus_save(*, actor, product: Product, rows: list[dict]) -> list[Sku]:
    """Save the SKU grid of a product: every row checked first, then all saved or none.

    Each row has "pk" (an existing SKU of this product), "values" (AttributeValues) and SKU_FIELDS.
    """
    skus = {s.pk: s for s in product.skus.prefetch_related("attribute_values__definition")}
    numbered = list(enumerate(rows, start=1))
    _validate_sku_rows(numbered)
    definitions = {v.definition_id for row in rows for v in row["values"]}
    errors: list[tuple[int, str]] = []
    combinations: dict[frozenset, int] = {}
    for n, row in numbered:
        combination = frozenset(v.pk for v in row["values"])
        missing = definitions - {v.definition_id for v in row["values"]}
        if missing:
            names = ", ".join(AttributeDefinition.objects.filter(pk__in=missing).values_list("name", flat=True))
            errors.append((n, _("choose a value for %(names)s") % {"names": names}))
        elif combination and combination in combinations:
            errors.append((n, _("the same attribute values as row %(other)s") % {"other": combinations[combination]}))
        combinations.setdefault(combination, n)
    if errors:
        raise RowErrors(errors)
    before = {s.code: snapshot(s, SKU_FIELDS) for s in skus.values()}
    saved = []
    for position, row in numbered:
        sku = skus.get(row.get("pk") or 0) or Sku(product=product)
        for name in SKU_FIELDS:
            if name in row:
                setattr(sku, name, row[name])
        sku.options = _options_label(row["values"])
        sku.position = position
        sku.save()
        sku.attribute_values.set(row["values"])
        saved.append(sku)
    _refresh_prices([product.pk])
    record(actor, "catalog.skus_save", product, before=before, after={s.code: snapshot(s, SKU_FIELDS) for s in saved})
    return saved
