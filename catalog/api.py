"""GET /api/v1/products: published products with their SKUs and prices, for the storefront."""

from datetime import UTC, datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from catalog import selectors
from shop.apiauth import require_scope
from shop.errors import DomainError

router = Router(tags=["catalog"])
PAGE_SIZE = 100
MAX_PAGE = 1_000_000  # 100 million products; a huge page number would overflow SQLite in the OFFSET


class SkuOut(Schema):
    code: str
    barcode: str
    options: dict[str, str]
    price: str
    compare_at_price: str | None
    weight_g: int
    available: int  # units on hand minus reserved, over active warehouses


class ProductOut(Schema):
    code: str
    name: str
    subtitle: str
    description: str
    category: str | None
    brand: str | None
    tags: list[str]
    images: list[str]
    no_reason_returns: bool
    updated_at: datetime
    skus: list[SkuOut]


class ProductPage(Schema):
    page: int
    has_next: bool
    results: list[ProductOut]


def _product(request, product, available):
    return {
        "code": product.code,
        "name": product.name,
        "subtitle": product.subtitle,
        "description": product.description,
        "category": product.category.name if product.category else None,
        "brand": product.brand.name if product.brand else None,
        "tags": [t.name for t in product.tags.all()],
        "images": [request.build_absolute_uri(i.image.url) for i in product.images.all()],
        "no_reason_returns": product.no_reason_returns,
        "updated_at": product.updated_at,
        "skus": [
            {
                "code": s.code,
                "barcode": s.barcode,
                "price": str(s.price),
                "compare_at_price": None if s.compare_at_price is None else str(s.compare_at_price),
                "options": {v.definition.name: v.value for v in s.attribute_values.all()},
                "weight_g": s.weight_g,
                "available": available.get(s.pk, 0),
            }
            for s in product.skus.all()
        ],
    }


@router.get("/products", response=ProductPage)
def products(request, updated_since: datetime | None = None, page: int = Query(1, ge=1, le=MAX_PAGE)):
    """Published products changed since `updated_since` (oldest change first), 100 a page, each SKU with
    its available stock."""
    require_scope(request, "catalog:read")
    if updated_since is not None and not 1900 < updated_since.year < 9999:
        # found by schemathesis: year 1 or 9999 with a zone offset is outside what the database (and
        # Python, once in UTC) can hold: a 500. Nothing changed before 1900 or will after 9998.
        message = _("Enter a date and time (ISO 8601).")
        raise DomainError(_("The request is not valid."), code="validation", fields={"updated_since": message})
    if updated_since is not None and updated_since.tzinfo is not None:
        # in UTC: PostgreSQL refuses a zone offset past 15:59 (e.g. -16:54, which ISO 8601 allows)
        updated_since = updated_since.astimezone(UTC)
    start = (page - 1) * PAGE_SIZE
    rows = list(selectors.published_products(updated_since=updated_since)[start : start + PAGE_SIZE + 1])
    has_next, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    available = selectors.sku_available(s.pk for p in rows for s in p.skus.all())
    return {"page": page, "has_next": has_next, "results": [_product(request, p, available) for p in rows]}
