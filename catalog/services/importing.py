"""Importing the product file (CSV/XLSX) as a background run: every row checked, all or nothing."""

from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.models import (
    AttributeDefinition,
    AttributeValue,
    Brand,
    Product,
    Sku,
    Tag,
)
from catalog.services.common import PRODUCT_FIELDS, RowErrors, _refresh_prices, sanitize_html
from catalog.services.skus import _options_label, _validate_sku_rows
from catalog.transfer import LIST_SEPARATOR, FormatError, read_rows, write_error_report
from shop import progress
from shop.audit import record, snapshot
from shop.outbox import enqueue


# -- import -----------------------------------------------------------------------------------------
def _parse_options(text):
    """ "颜色=红|尺码=M" -> (("颜色", "红"), ("尺码", "M")), or None when malformed."""
    pairs = [part.split("=", 1) for part in text.split(LIST_SEPARATOR) if part.strip()]
    if any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
        return None
    return tuple((name.strip(), value.strip()) for name, value in pairs)


def _check_import_rows(rows, run_id):
    """Parse and check every row; ([(line, cleaned)], [(line, message)])."""
    from catalog.forms import ImportRow

    by_path = {path: pk for pk, path in selectors.category_paths().items()}
    existing = dict(
        Sku.objects.filter(code__in=[r.get("sku_code", "").strip() for _n, r in rows]).values_list(
            "code", "product__code"
        )
    )
    sku_pks = dict(Sku.objects.filter(code__in=existing).values_list("code", "pk"))
    parsed, errors, products = [], [], {}
    for index, (line, raw) in enumerate(rows, start=1):
        row, problem = ImportRow.parse(raw)
        if row is None:
            errors.append((line, problem))
            continue
        problems = []
        if row["category"] and row["category"] not in by_path:
            problems.append(_("unknown category %(path)s") % {"path": row["category"]})
        row["category_id"] = by_path.get(row["category"])
        row["options"] = _parse_options(row["options"])
        if row["options"] is None:
            problems.append(_("options must look like 颜色=红|尺码=M"))
        owner = existing.get(row["sku_code"])
        if owner and owner != row["product_code"]:
            problems.append(
                _("SKU code %(code)s belongs to product %(product)s") % {"code": row["sku_code"], "product": owner}
            )
        first = products.setdefault(row["product_code"], (line, row))
        if first[1]["name"] != row["name"]:
            problems.append(
                _("product %(code)s is named differently on line %(line)s")
                % {"code": row["product_code"], "line": first[0]}
            )
        elif (
            row["options"] is not None
            and first[1]["options"] is not None
            and [n for n, _v in row["options"]] != [n for n, _v in first[1]["options"]]
        ):
            problems.append(
                _("the SKUs of product %(code)s must all have the attributes of line %(line)s")
                % {"code": row["product_code"], "line": first[0]}
            )
        if problems:
            errors.append((line, "; ".join(problems)))
        else:
            parsed.append((line, row))
        if index % 500 == 0:
            progress.step(run_id, done=index // 2)
    try:
        _validate_sku_rows(
            [
                (
                    line,
                    {
                        "code": r["sku_code"],
                        "price": r["price"],
                        "cost": r["cost"],
                        "compare_at_price": r["compare_at_price"],
                        "pk": sku_pks.get(r["sku_code"]),
                    },
                )
                for line, r in parsed
            ]
        )
    except RowErrors as e:
        errors.extend(e.rows)
    combos = {}
    for line, row in parsed:
        key = (row["product_code"], frozenset(row["options"] or ()))
        if row["options"] and key in combos:
            errors.append((line, _("the same options as line %(line)s") % {"line": combos[key]}))
        combos.setdefault(key, line)
    return parsed, sorted(errors)


class _Lookup(dict):
    """A get-or-create cache: each brand, tag or attribute value costs one query at most."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        self[key] = self.make(key)
        return self[key]


PRODUCT_IMPORT_FIELDS = [
    "name",
    "subtitle",
    "keywords",
    "description",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "no_reason_returns",
    "exchange_only",
    "category_id",
    "brand",
    "updated_at",
]
SKU_IMPORT_FIELDS = [
    "product_id",
    "barcode",
    "price",
    "compare_at_price",
    "cost",
    "weight_g",
    "is_active",
    "position",
    "options",
]


@transaction.atomic(durable=True)
def _import_write(*, actor, parsed) -> dict:
    """Save checked rows with bulk statements: a few queries per table, one audit entry per product."""
    brands = _Lookup(lambda name: Brand.objects.get_or_create(name=name)[0])
    tags = _Lookup(lambda name: Tag.objects.get_or_create(name=name)[0])
    definitions = _Lookup(lambda name: AttributeDefinition.objects.get_or_create(name=name)[0])
    values = _Lookup(
        lambda pair: AttributeValue.objects.get_or_create(definition=definitions[pair[0]], value=pair[1])[0]
    )
    groups: dict[str, list[dict]] = {}
    now = timezone.now()
    for _line, row in parsed:
        groups.setdefault(row["product_code"], []).append(row)
    products = {p.code: p for p in Product.objects.filter(code__in=groups)}
    audit_fields = [f for f in PRODUCT_FIELDS if f != "tags"]
    before = {code: snapshot(p, audit_fields) for code, p in products.items()}
    for code, rows in groups.items():
        first = rows[0]
        product = products.setdefault(code, Product(code=code, created_at=now))
        for name in (
            "name",
            "subtitle",
            "keywords",
            "weight_g",
            "length_mm",
            "width_mm",
            "height_mm",
            "no_reason_returns",
            "exchange_only",
            "category_id",
        ):
            setattr(product, name, first[name])
        product.description = sanitize_html(first["description"])
        product.brand = brands[first["brand"]] if first["brand"] else None
        product.updated_at = now
    Product.objects.bulk_create([p for p in products.values() if not p.pk], batch_size=1000)
    changed = {code for code, p in products.items() if snapshot(p, audit_fields) != before.get(code)}
    for code in changed & set(before):  # bulk_update's CASE expressions cost more than one UPDATE per row
        products[code].save(update_fields=PRODUCT_IMPORT_FIELDS)
    product_tags = Product.tags.through
    product_tags.objects.filter(product__in=products.values()).delete()
    product_tags.objects.bulk_create(
        [
            product_tags(product=products[code], tag=tags[t])
            for code, rows in groups.items()
            for t in rows[0]["tags"].split(LIST_SEPARATOR)
            if t.strip()
        ],
        batch_size=2000,
    )
    skus = {s.code: s for s in Sku.objects.filter(code__in=[r["sku_code"] for _n, r in parsed])}
    sku_before = {code: [getattr(s, f) for f in SKU_IMPORT_FIELDS] for code, s in skus.items()}
    sku_values = {}
    for code, rows in groups.items():
        for position, row in enumerate(rows, start=1):
            sku = skus.setdefault(row["sku_code"], Sku(code=row["sku_code"]))
            sku.product, sku.barcode, sku.price = products[code], row["barcode"], row["price"]
            sku.compare_at_price, sku.cost, sku.weight_g = row["compare_at_price"], row["cost"], row["sku_weight_g"]
            sku.is_active, sku.position = row["sku_active"], position
            sku_values[sku.code] = [values[pair] for pair in row["options"]]
            sku.options = _options_label(sku_values[sku.code])
    Sku.objects.bulk_create([s for c, s in skus.items() if c not in sku_before], batch_size=1000)
    for code, old in sku_before.items():
        if [getattr(skus[code], f) for f in SKU_IMPORT_FIELDS] != old:
            skus[code].save(update_fields=SKU_IMPORT_FIELDS)
    through = Sku.attribute_values.through
    through.objects.filter(sku__in=skus.values()).delete()
    through.objects.bulk_create(
        [through(sku=skus[code], attributevalue=v) for code, vs in sku_values.items() for v in vs], batch_size=2000
    )
    for code in changed:
        record(
            actor,
            "catalog.product_import",
            products[code],
            before=before.get(code),
            after=snapshot(products[code], audit_fields),
        )
    _refresh_prices([p.pk for p in products.values()])
    return {"products": len(groups), "skus": len(skus)}


def products_import(*, actor, run_id: int, data: bytes, filename: str):
    """Import products and SKUs from a CSV or XLSX file: every row checked, then all saved or none.

    The run's result says what was imported; when any row is invalid nothing is saved and the run's
    output is a CSV report of every problem with its line number.
    """
    try:
        rows = read_rows(data, filename)
        total = len(rows)
        progress.step(run_id, done=0, total=total)
        parsed, errors = _check_import_rows(rows, run_id)
        if errors:
            report = write_error_report(errors)
            return progress.finish(
                run_id,
                result={_("rows"): total, _("rows with errors"): len(errors), _("imported"): 0},
                output=ContentFile(report, name="import-errors.csv"),
            )
        progress.step(run_id, done=total // 2)
        result = _import_write(actor=actor, parsed=parsed)
        return progress.finish(
            run_id, result={_("rows"): total, _("products"): result["products"], _("SKUs"): result["skus"]}
        )
    except FormatError as e:
        return progress.fail(run_id, error=str(e))
    except Exception as e:
        progress.fail(run_id, error=repr(e))
        raise


def products_import_start(*, actor, upload):
    """Keep the uploaded file and import it in the background; return the run that shows the progress."""
    from catalog.tasks import import_products  # tasks import this module

    path = default_storage.save(f"imports/{uuid4().hex}-{upload.name}", upload)
    run = progress.start(
        kind="catalog.import",
        label=_("Import products from %(f)s") % {"f": upload.name},
        user=actor,
        return_url=reverse("catalog:product_list"),
    )
    enqueue(import_products, run.pk, path, upload.name, actor.pk)
    return run
