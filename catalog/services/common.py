"""What the catalogue's use cases share: field lists, price bounds, row errors, price refresh."""

from decimal import Decimal

from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import (
    Product,
    Sku,
)
from shop.errors import DomainError

MAX_PRICE = Decimal("1000000")  # ¥1,000,000: anything above is a typo, not a price
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
