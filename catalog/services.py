"""Every write to the catalogue: one use case, one transaction, a domain error, an audit entry."""

import io
import itertools
from decimal import Decimal

import nh3
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from catalog import selectors
from catalog.models import (
    AttributeDefinition,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductImage,
    Sku,
    Tag,
)
from catalog.transfer import LIST_SEPARATOR, FormatError, read_rows, write_error_report
from shop import progress
from shop.audit import record, snapshot
from shop.errors import DomainError, RuleRefused
from shop.money import to_cents

MAX_PRICE = Decimal("1000000")  # ¥1,000,000: anything above is a typo, not a price
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 8000 * 8000
THUMBNAIL_SIZE = (240, 240)
PRODUCT_FIELDS = [
    "code",
    "name",
    "subtitle",
    "description",
    "category",
    "brand",
    "tags",
    "keywords",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "no_reason_returns",
    "exchange_only",
    "status",
]
SKU_FIELDS = ["code", "barcode", "price", "compare_at_price", "cost", "weight_g", "options", "is_active"]


class RowErrors(DomainError):
    """Some rows of a grid or a file are invalid: `rows` is [(row number, message)], all of them."""

    code = "invalid_rows"

    def __init__(self, rows):
        self.rows = rows
        super().__init__("; ".join(_("Row %(n)s: %(m)s") % {"n": n, "m": m} for n, m in rows[:20]), rows=rows)


def sanitize_html(html: str) -> str:
    """The description's HTML with scripts, event handlers and unknown tags removed."""
    return nh3.clean(html or "")


# -- categories -------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def category_create(*, actor, name: str, parent: Category | None = None, is_visible: bool = True) -> Category:
    """Add a category as the last child of `parent` (or as a new root)."""
    fields = {"name": name.strip(), "is_visible": is_visible}
    category = Category.objects.add_child(parent, fields) if parent else Category.objects.add_root(fields)
    record(actor, "catalog.category_create", category, after=snapshot(category, ["name", "is_visible"]))
    return category


@transaction.atomic(durable=True)
def category_update(*, actor, category: Category, name: str, is_visible: bool) -> Category:
    """Rename or hide a category."""
    before = snapshot(category, ["name", "is_visible"])
    category.name, category.is_visible = name.strip(), is_visible
    category.save(update_fields=["name", "is_visible"])
    record(actor, "catalog.category_update", category, before=before, after=snapshot(category, ["name", "is_visible"]))
    return category


MOVE_POSITIONS = {"first-child", "last-child", "left", "right"}


@transaction.atomic(durable=True)
def category_move(*, actor, category: Category, target: Category, position: str) -> Category:
    """Move a category and its subtree beside (left/right) or into (first/last-child) `target`."""
    if position not in MOVE_POSITIONS:
        raise DomainError(_("Unknown position."), code="invalid_position")
    if target.pk == category.pk or target.path.startswith(category.path):
        raise RuleRefused(_("A category cannot be moved into its own subtree."), code="move_into_self")
    before = {"parent": str(Category.objects.get_parent(category) or "—")}
    Category.objects.move(category, target, pos=position)
    category = Category.objects.get(pk=category.pk)
    record(
        actor,
        "catalog.category_move",
        category,
        before=before,
        after={"parent": str(Category.objects.get_parent(category) or "—")},
    )
    return category


@transaction.atomic(durable=True)
def category_delete(*, actor, category: Category) -> None:
    """Delete an empty category and its empty subcategories; refuse one that holds products."""
    count = Product.objects.filter(category__path__startswith=category.path).count()
    if count:
        raise RuleRefused(
            _(
                "%(name)s cannot be deleted: it or its subcategories hold %(n)s products. "
                "Move them to another category first."
            )
            % {"name": category.name, "n": count},
            code="category_not_empty",
        )
    record(actor, "catalog.category_delete", category, before=snapshot(category, ["name"]))
    Category.objects.get(pk=category.pk).delete()


# -- brands, tags, attributes -------------------------------------------------------------------------
@transaction.atomic(durable=True)
def named_save(*, actor, instance, name: str):
    """Create or rename a brand, tag or attribute; names are unique."""
    name = name.strip()
    model = type(instance)
    if not name:
        raise DomainError(_("Enter a name."), code="name_required")
    if model.objects.filter(name=name).exclude(pk=instance.pk).exists():
        raise DomainError(_("%(name)s already exists.") % {"name": name}, code="duplicate_name")
    before = snapshot(instance, ["name"]) if instance.pk else None
    instance.name = name
    instance.save()
    record(actor, f"catalog.{model._meta.model_name}_save", instance, before=before, after=snapshot(instance, ["name"]))
    return instance


@transaction.atomic(durable=True)
def named_delete(*, actor, instance) -> None:
    """Delete a brand, tag or attribute that nothing uses."""
    in_use = {
        Brand: lambda b: b.products.exists(),
        Tag: lambda t: False,
        AttributeDefinition: lambda a: Sku.objects.filter(attribute_values__definition=a).exists(),
    }
    if in_use[type(instance)](instance):
        raise RuleRefused(_("%(name)s is in use and cannot be deleted.") % {"name": instance}, code="in_use")
    record(actor, f"catalog.{instance._meta.model_name}_delete", instance, before=snapshot(instance, ["name"]))
    instance.delete()


@transaction.atomic(durable=True)
def attribute_values_add(*, actor, definition: AttributeDefinition, values: list[str]) -> list[AttributeValue]:
    """Add values (红, 蓝, …) to an attribute; existing ones are kept."""
    start = definition.values.aggregate(m=Max("position"))["m"] or 0
    created = []
    for offset, text in enumerate(v.strip() for v in values if v.strip()):
        value, new = AttributeValue.objects.get_or_create(
            definition=definition, value=text, defaults={"position": start + offset + 1}
        )
        if new:
            created.append(value)
    record(actor, "catalog.attribute_values_add", definition, after={"values": [v.value for v in created]})
    return created


# -- products ---------------------------------------------------------------------------------------
def _product_snapshot(product):
    return snapshot(product, PRODUCT_FIELDS)


@transaction.atomic(durable=True)
def product_save(*, actor, product: Product | None = None, tags=(), **values) -> Product:
    """Create or edit a product's own fields; the description is sanitised."""
    product = product or Product()
    code = values.get("code", product.code).strip()
    if not code:
        raise DomainError(_("Enter a product code."), code="code_required")
    if Product.objects.filter(code=code).exclude(pk=product.pk).exists():
        raise DomainError(_("Product code %(code)s is taken.") % {"code": code}, code="duplicate_code")
    before = _product_snapshot(product) if product.pk else None
    for name, value in values.items():
        setattr(product, name, value)
    product.code = code
    product.description = sanitize_html(product.description)
    product.updated_at = timezone.now()
    product.save()
    product.tags.set(tags)
    record(actor, "catalog.product_save", product, before=before, after=_product_snapshot(product))
    return product


def _check_image(upload):
    if upload.size > MAX_IMAGE_BYTES:
        raise DomainError(_("%(name)s is larger than 5 MB.") % {"name": upload.name}, code="image_too_large")
    try:
        with Image.open(upload) as img:
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise DomainError(_("%(name)s has too many pixels.") % {"name": upload.name}, code="image_too_large")
            img.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as e:
        raise DomainError(
            _("%(name)s is not an image (JPEG, PNG, GIF or WebP).") % {"name": upload.name}, code="not_an_image"
        ) from e
    upload.seek(0)


def _thumbnail(upload) -> ContentFile:
    with Image.open(upload) as original:
        img = original.convert("RGB")
        img.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        img.save(buffer, "JPEG", quality=85)
    upload.seek(0)
    return ContentFile(buffer.getvalue(), name="thumb.jpg")


@transaction.atomic(durable=True)
def product_images_add(*, actor, product: Product, uploads) -> list[ProductImage]:
    """Add images after checking every file; the first image of a product becomes its main image."""
    for upload in uploads:
        _check_image(upload)
    start = product.images.aggregate(m=Max("position"))["m"] or 0
    has_main = product.images.filter(is_main=True).exists()
    images = []
    for offset, upload in enumerate(uploads, start=1):
        image = ProductImage(product=product, position=start + offset, is_main=not has_main and offset == 1)
        image.thumbnail.save(f"thumb-{upload.name.rsplit('.', 1)[0]}.jpg", _thumbnail(upload), save=False)
        image.image.save(upload.name, upload, save=False)
        image.save()
        images.append(image)
    _touch(product)
    record(actor, "catalog.product_images_add", product, after={"images": [i.image.name for i in images]})
    return images


@transaction.atomic(durable=True)
def product_image_set_main(*, actor, image: ProductImage) -> None:
    """Make this image the product's main image."""
    image.product.images.update(is_main=False)
    ProductImage.objects.filter(pk=image.pk).update(is_main=True)
    record(actor, "catalog.product_image_main", image.product, after={"main_image": image.image.name})


@transaction.atomic(durable=True)
def product_image_move(*, actor, image: ProductImage, offset: int) -> None:
    """Move an image one place earlier (-1) or later (+1)."""
    images = list(image.product.images.order_by("position", "id"))
    index = next(i for i, img in enumerate(images) if img.pk == image.pk)
    other = index + offset
    if 0 <= other < len(images):
        images[index], images[other] = images[other], images[index]
        for position, img in enumerate(images, start=1):
            ProductImage.objects.filter(pk=img.pk).update(position=position)
    record(actor, "catalog.product_image_move", image.product, after={"image": image.image.name, "offset": offset})


@transaction.atomic(durable=True)
def product_image_delete(*, actor, image: ProductImage) -> None:
    """Remove an image; another image becomes main if this was."""
    product = image.product
    record(actor, "catalog.product_image_delete", product, before={"image": image.image.name})
    was_main = image.is_main
    image.delete()
    first = product.images.order_by("position", "id").first()
    if was_main and first:
        ProductImage.objects.filter(pk=first.pk).update(is_main=True)


def _touch(product):
    Product.objects.filter(pk=product.pk).update(updated_at=timezone.now())


def _refresh_prices(product_ids):
    """Recompute the products' price range from their active SKUs, in one UPDATE."""
    active = Sku.objects.filter(product=OuterRef("pk"), is_active=True).order_by().values("product")
    Product.objects.filter(pk__in=product_ids).update(
        price_min=Subquery(active.annotate(v=Min("price")).values("v")),
        price_max=Subquery(active.annotate(v=Max("price")).values("v")),
        updated_at=timezone.now(),
    )


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


# -- publishing -------------------------------------------------------------------------------------
def _ensure_publishable(product) -> None:
    """Refuse, saying why, a product without an active priced SKU or without an image."""
    problems = []
    if not product.skus.filter(is_active=True).exists():
        problems.append(_("it has no active SKU with a price"))
    if not product.images.exists():
        problems.append(_("it has no image"))
    if problems:
        raise RuleRefused(
            _("%(name)s cannot be published: %(why)s.") % {"name": product.name, "why": "; ".join(problems)},
            code="not_publishable",
        )


def _set_status(*, actor, product, status, reason, now):
    if status == Product.Status.PUBLISHED:
        _ensure_publishable(product)
    before = {"status": product.status}
    product.status = status
    product.published_at = now if status == Product.Status.PUBLISHED else product.published_at
    product.updated_at = now
    product.save(
        update_fields=["status", "published_at", "updated_at", "publish_at", "unpublish_at", "schedule_reason"]
    )
    record(
        actor,
        "catalog.product_" + ("publish" if status == Product.Status.PUBLISHED else "unpublish"),
        product,
        before=before,
        after={"status": status, "reason": reason},
    )


@transaction.atomic(durable=True)
def products_set_status(*, actor, products, published: bool, reason: str = "") -> int:
    """Put products on sale (上架) or take them off (下架) now; all or none."""
    status = Product.Status.PUBLISHED if published else Product.Status.UNPUBLISHED
    products, now, errors = list(products.select_for_update(of=("self",)).order_by("pk")), timezone.now(), []
    for product in products:
        try:
            _set_status(actor=actor, product=product, status=status, reason=reason, now=now)
        except RuleRefused as e:
            errors.append(e.message)
    if errors:
        raise RuleRefused(" ".join(errors), code="not_publishable")
    return len(products)


@transaction.atomic(durable=True)
def product_schedule(*, actor, product: Product, publish_at=None, unpublish_at=None, reason: str = "") -> Product:
    """Plan a product's publishing and/or unpublishing; the scheduled job carries it out."""
    if publish_at and unpublish_at and unpublish_at <= publish_at:
        raise DomainError(_("The unpublish time must be after the publish time."), code="invalid_schedule")
    if publish_at:
        _ensure_publishable(product)
    before = snapshot(product, ["publish_at", "unpublish_at", "schedule_reason"])
    product.publish_at, product.unpublish_at, product.schedule_reason = publish_at, unpublish_at, reason
    product.save(update_fields=["publish_at", "unpublish_at", "schedule_reason"])
    record(
        actor,
        "catalog.product_schedule",
        product,
        before=before,
        after=snapshot(product, ["publish_at", "unpublish_at", "schedule_reason"]),
    )
    return product


def products_run_schedule(*, now=None) -> dict:
    """Carry out due scheduled publishing and unpublishing, each product in its own transaction."""
    now = now or timezone.now()
    done = {"published": 0, "unpublished": 0, "refused": 0}
    due = Product.objects.filter(Q(publish_at__lte=now) | Q(unpublish_at__lte=now)).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic(durable=True):
            product = Product.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if product is None:
                continue
            if product.unpublish_at and product.unpublish_at <= now:
                status, product.unpublish_at, product.publish_at = Product.Status.UNPUBLISHED, None, None
                key = "unpublished"
            else:
                status, product.publish_at, key = Product.Status.PUBLISHED, None, "published"
            try:
                with transaction.atomic():
                    _set_status(
                        actor=None,
                        product=product,
                        status=status,
                        reason=product.schedule_reason or _("Scheduled"),
                        now=now,
                    )
            except RuleRefused as e:
                product.save(update_fields=["publish_at", "unpublish_at"])
                record(None, "catalog.product_schedule_refused", product, after={"reason": e.message})
                key = "refused"
            done[key] += 1
    return done


# -- bulk actions -----------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def products_move(*, actor, products, category: Category) -> int:
    """Move products to a category."""
    products = list(products)
    for product in products:
        before = {"category": str(product.category or "—")}
        product.category, product.updated_at = category, timezone.now()
        product.save(update_fields=["category", "updated_at"])
        record(actor, "catalog.product_move", product, before=before, after={"category": category.name})
    return len(products)


@transaction.atomic(durable=True)
def products_tag(*, actor, products, tag: Tag, add: bool) -> int:
    """Add a tag to, or remove it from, products."""
    products = list(products)
    for product in products:
        (product.tags.add if add else product.tags.remove)(tag)
        record(actor, "catalog.product_tag_" + ("add" if add else "remove"), product, after={"tag": tag.name})
    Product.objects.filter(pk__in=[p.pk for p in products]).update(updated_at=timezone.now())
    return len(products)


def price_change(price: Decimal, *, mode: str, amount: Decimal) -> Decimal:
    """The new price: `amount` percent more (mode "percent") or `amount` yuan more ("amount"), half-up to cents."""
    new = price * (1 + amount / 100) if mode == "percent" else price + amount
    return to_cents(new)


def products_price_preview(*, products, mode: str, amount: Decimal) -> list[tuple]:
    """[(sku, old price, new price)] for the SKUs of these products; raise if any would be invalid."""
    if mode not in ("percent", "amount"):
        raise DomainError(_("Choose percent or amount."), code="invalid_mode")
    rows = [
        (sku, sku.price, price_change(sku.price, mode=mode, amount=amount))
        for sku in Sku.objects.filter(product__in=products).select_related("product").order_by("product_id", "id")
    ]
    bad = [f"{sku.code} ({new})" for sku, _old, new in rows if new < 0 or new > MAX_PRICE]
    if bad:
        raise DomainError(
            _("These SKUs would get an invalid price: %(skus)s") % {"skus": ", ".join(bad[:20])}, code="invalid_price"
        )
    return rows


@transaction.atomic(durable=True)
def products_price_apply(*, actor, products, mode: str, amount: Decimal) -> int:
    """Change every SKU price of these products by a percentage or an amount (as previewed)."""
    rows = products_price_preview(products=products, mode=mode, amount=amount)
    for sku, _old, new in rows:
        sku.price = new
        sku.save(update_fields=["price"])
    by_product: dict[Product, list] = {}
    for sku, old, new in rows:
        by_product.setdefault(sku.product, []).append((sku.code, old, new))
    for product, changes in by_product.items():
        record(
            actor,
            "catalog.price_change",
            product,
            before={c: str(o) for c, o, _n in changes},
            after={c: str(n) for c, _o, n in changes},
        )
    _refresh_prices([p.pk for p in by_product])
    return len(rows)


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
