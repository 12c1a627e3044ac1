"""Bulk actions from the product list: move, tag, price change (previewed, then applied)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import (
    Category,
    Product,
    Sku,
    Tag,
)
from catalog.services.common import MAX_PRICE, _refresh_prices
from shop.audit import record
from shop.errors import DomainError
from shop.money import to_cents


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
