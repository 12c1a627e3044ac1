"""Reads shared by the pages, the API, exports and reports."""

from django.db.models import Count, Prefetch, Q, QuerySet

from catalog import signals
from catalog.models import AttributeDefinition, AttributeValue, Category, Product, ProductImage, Sku
from catalog.transfer import CATEGORY_SEPARATOR, LIST_SEPARATOR


def categories() -> QuerySet[Category]:
    """The whole tree in display order (depth-first), each with its own product count."""
    return Category.objects.annotate(product_count=Count("products")).order_by("path")


def category_paths() -> dict[int, str]:
    """{category id: "服装 > 男装 > T恤"} for the whole tree, from one query."""
    names, paths = {}, {}
    for pk, path, name in Category.objects.values_list("pk", "path", "name").order_by("path"):
        names[path] = name
        ancestors = [path[:i] for i in range(Category.steplen, len(path) + 1, Category.steplen)]
        paths[pk] = CATEGORY_SEPARATOR.join(names[a] for a in ancestors if a in names)
    return paths


def in_subtree(products, category: Category):
    """Products of `category` and of every category under it.

    The ids are fetched first: a literal IN list lets PostgreSQL use the category_id index (a subquery
    is planned as a hash join over a sequential scan).
    """
    ids = list(Category.objects.filter(path__startswith=category.path).values_list("pk", flat=True))
    return products.filter(category__in=ids)


def search(products, term: str):
    """Products whose name or keywords contain `term`, or of that product code, or with a SKU of that code or
    barcode.

    On PostgreSQL trigram indexes on UPPER(name) and UPPER(keywords) serve the icontains; the SKU
    match is looked up first (unique / indexed columns) so the branches combine as a bitmap OR.
    """
    term = term.strip()[:100]
    if not term:
        return products
    by_sku = list(Sku.objects.filter(Q(code=term) | Q(barcode=term)).values_list("product_id", flat=True)[:100])
    return products.filter(Q(name__icontains=term) | Q(keywords__icontains=term) | Q(code=term) | Q(pk__in=by_sku))


def main_images():
    return Prefetch("images", queryset=ProductImage.objects.filter(is_main=True), to_attr="main_images")


def products() -> QuerySet[Product]:
    """Products with what a list row shows: category, brand and the main image."""
    return Product.objects.select_related("category", "brand").prefetch_related(main_images())


def product_detail() -> QuerySet[Product]:
    return Product.objects.select_related("category", "brand").prefetch_related(
        "tags", "images", Prefetch("skus", queryset=Sku.objects.prefetch_related("attribute_values__definition"))
    )


def attribute_values() -> QuerySet[AttributeValue]:
    return AttributeValue.objects.select_related("definition")


def attributes() -> QuerySet[AttributeDefinition]:
    return AttributeDefinition.objects.prefetch_related("values")


def published_products(*, updated_since=None) -> QuerySet[Product]:
    """Products on sale with their active SKUs and images, oldest change first (for incremental sync)."""
    qs = Product.objects.filter(status=Product.Status.PUBLISHED)
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    return (
        qs.select_related("category", "brand")
        .prefetch_related(
            "tags",
            "images",
            Prefetch(
                "skus", queryset=Sku.objects.filter(is_active=True).prefetch_related("attribute_values__definition")
            ),
        )
        .order_by("updated_at", "pk")
    )


def sku_available(sku_ids) -> dict[int, int]:
    """{sku id: units available} over active warehouses, as inventory answers `sku_stock_requested`
    (catalog never imports inventory); a SKU nobody answers for has 0."""
    sku_ids = list(sku_ids)
    available = dict.fromkeys(sku_ids, 0)
    if sku_ids:
        for _receiver, answer in signals.sku_stock_requested.send(sender=Sku, sku_ids=sku_ids):
            counts: dict[int, int] = answer or {}  # type: ignore[assignment]  # receivers answer {sku id: units}
            for sku_id, units in counts.items():
                available[sku_id] = available.get(sku_id, 0) + units
    return available


def export_rows(products):
    """The rows of the product file (catalog.transfer.COLUMNS) for these products, one per SKU."""
    paths = category_paths()
    qs = (
        products.select_related("brand")
        .order_by("pk")
        .prefetch_related(
            "tags",
            Prefetch(
                "skus", queryset=Sku.objects.order_by("position", "pk").prefetch_related("attribute_values__definition")
            ),
        )
    )
    for product in qs.iterator(chunk_size=500):
        base = {
            "product_code": product.code,
            "name": product.name,
            "subtitle": product.subtitle,
            "category": paths.get(product.category_id, ""),
            "brand": product.brand.name if product.brand else "",
            "tags": LIST_SEPARATOR.join(sorted(t.name for t in product.tags.all())),
            "keywords": product.keywords,
            "description": product.description,
            "weight_g": product.weight_g,
            "length_mm": product.length_mm,
            "width_mm": product.width_mm,
            "height_mm": product.height_mm,
            "no_reason_returns": int(product.no_reason_returns),
            "exchange_only": int(product.exchange_only),
        }
        for sku in product.skus.all():
            values = sorted(sku.attribute_values.all(), key=lambda v: (v.definition.position, v.definition_id))
            yield base | {
                "sku_code": sku.code,
                "barcode": sku.barcode,
                "price": str(sku.price),
                "compare_at_price": "" if sku.compare_at_price is None else str(sku.compare_at_price),
                "cost": "" if sku.cost is None else str(sku.cost),
                "sku_weight_g": sku.weight_g,
                "options": LIST_SEPARATOR.join(f"{v.definition.name}={v.value}" for v in values),
                "sku_active": int(sku.is_active),
            }
