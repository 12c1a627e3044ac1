"""Staff saves of bundles (套餐): the bundle's window and price and its SKUs with quantities, validated
together (nothing is written on bad input) and audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from marketing.models import Bundle, BundleItem
from marketing.services.promotions import _warnings
from shop.audit import audited_save, record
from shop.errors import DomainError
from shop.money import ZERO, to_cents


def _refuse(field, message):
    raise DomainError(message, code="invalid", fields={field: message})


def bundle_list_total(items) -> object:
    """The list total of (sku, quantity) pairs, each line half-up to the cent."""
    return sum((to_cents(to_cents(sku.price) * quantity) for sku, quantity in items), ZERO)


@transaction.atomic(durable=True)
def bundle_save(*, actor, instance=None, items, **data):
    """Create or edit a bundle. `items`: [(Sku, quantity)]. At least 2 SKUs or 1 SKU with quantity >= 2;
    the bundle price above zero and below the items' list total."""
    items = list(items)
    skus = [sku.pk for sku, _q in items]
    if len(set(skus)) != len(skus):
        _refuse("items", _("Each SKU may appear only once in a bundle."))
    if any(quantity < 1 for _s, quantity in items):
        _refuse("items", _("Quantities must be at least 1."))
    if not (len(items) >= 2 or (len(items) == 1 and items[0][1] >= 2)):
        _refuse("items", _("A bundle needs at least 2 SKUs, or 1 SKU with a quantity of 2 or more."))
    price = data.get("price")
    total = bundle_list_total(items)
    if price is None or price <= 0:
        _refuse("price", _("The bundle price must be above zero."))
    if price >= total:
        _refuse("price", _("The bundle price must be below the items' list total (%(t)s).") % {"t": total})
    before_items = [f"{i.sku.code} × {i.quantity}" for i in instance.items.select_related("sku")] if instance else []
    obj = audited_save(instance or Bundle(), actor=actor, action="marketing.bundle_save", fields=data)
    after_items = [f"{sku.code} × {quantity}" for sku, quantity in items]
    if after_items != before_items:
        obj.items.all().delete()
        BundleItem.objects.bulk_create([BundleItem(bundle=obj, sku=sku, quantity=q) for sku, q in items])
        record(actor, "marketing.bundle_items", obj, before={"items": before_items}, after={"items": after_items})
    return obj, _warnings(obj)
